"""OCDS files uploaded through the API to procurement datasets: the real files of the federal government
and Mexico City checked as OCDS by the run, reported in Spanish and English, their suppliers in the
linkage index; broken JSON told plainly."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.validation.test_ocds import CDMX_RECORDS, CDMX_RELEASES, FEDERAL, needs_real_files

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


@pytest.fixture
def publisher() -> tuple[dict[str, Any], dict[str, Any]]:
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


def _dataset(publisher, type_id: str, name: str, **more: Any) -> dict[str, Any]:
    user, org = publisher
    return call_action("package_create", {"user": user["name"]}, **{**minimal_dataset(type_id, org["id"], name), **more})


def _upload(create_with_upload, publisher, dataset: dict[str, Any], content: bytes, name: str,
            **more: Any) -> dict[str, Any]:
    user, _ = publisher
    resource = create_with_upload(content, name, package_id=dataset["id"], context={"user": user["name"]}, **more)
    validation = call_action("anticorruption_validation_show", id=resource["id"], include_report=True)
    if validation["state"] in ("pending", "running"):
        from ckan.lib.jobs import Worker

        Worker(["default"]).work(burst=True)
        validation = call_action("anticorruption_validation_show", id=resource["id"], include_report=True)
    return {**validation, "resource_id": resource["id"]}


@needs_real_files
def test_the_federal_governments_files_are_checked_and_their_suppliers_indexed(app, create_with_upload,
                                                                                publisher) -> None:
    dataset = _dataset(publisher, "contracts_register", "contratos-apf")
    validations = [_upload(create_with_upload, publisher, dataset, path.read_bytes(), path.name) for path in FEDERAL]

    assert {(v["state"], v["rows_checked"], v["error_count"]) for v in validations} == {("valid", 1, 0)}
    assert {v["engine"] for v in validations} == {"ocds"}
    page = app.get(f"/es/anticorruption/validation/{validations[0]['resource_id']}").body
    assert "Una entrega OCDS (release), revisada contra el esquema de entregas 1.1." in page
    assert "El archivo no dice qué versión de OCDS sigue" in page
    assert "La entrega o el registro del archivo sigue el esquema OCDS 1.1." in page
    page = app.get(f"/en/anticorruption/validation/{validations[0]['resource_id']}").body
    assert "A single OCDS release, checked against the release schema 1.1." in page

    # The supplier of the first compiled release, by its RFC, on its identifier page.
    found = app.get("/es/anticorruption/identifier/MX-RFC/GFM010122DZ9").body
    assert "/dataset/contratos-apf" in found or "Prueba contracts_register" in found
    shown = call_action("anticorruption_identifier_show", scheme="MX-RFC", identifier="GFM010122DZ9")
    (entry,) = shown["datasets"]
    assert entry["name"] == "contratos-apf"
    assert {(r["field"], r["role"]) for r in entry["resources"]} == {("parties", "award")}


@needs_real_files
def test_mexico_citys_records_and_releases(app, create_with_upload, publisher) -> None:
    contracts = _dataset(publisher, "contracts_register", "contratos-cdmx")
    tenders = _dataset(publisher, "tenders_awards", "licitaciones-cdmx")
    records = [_upload(create_with_upload, publisher, contracts, path.read_bytes(), path.name) for path in CDMX_RECORDS]
    releases = [_upload(create_with_upload, publisher, tenders, path.read_bytes(), path.name)
                for path in CDMX_RELEASES]

    assert {v["state"] for v in releases} == {"valid"}
    assert {v["state"] for v in records} == {"invalid"}
    record = records[0]
    assert record["detected"]["ocds"]["shape"] == "record"
    assert record["error_counts"]["ocds-required"] == 3 and record["error_counts"]["ocds-type"] >= 5

    page = app.get(f"/es/anticorruption/validation/{record['resource_id']}").body
    assert "Un registro OCDS (record), revisado contra el esquema de registros 1.1." in page
    assert "Falta «ocid» 1 vez; es obligatorio" in page
    assert "Agregue «ocid» aquí: el esquema OCDS lo exige." in page
    assert "valores de «versionedRelease.parties[].roles[]» no son del tipo que espera el esquema" in page
    assert "versionedRelease.parties[0].roles[0]" in page
    assert "Escriba aquí un objeto { … }." in page
    assert "OCDS-87SD3T-SEFIN-DRM-A-" in page  # the process, as the record's compiled release names it
    assert "Traceback" not in page
    assert "Reporte (JSON)" in page and "Frictionless" not in page
    page = app.get(f"/en/anticorruption/validation/{record['resource_id']}").body
    assert "«ocid» is missing 1 time; it is required" in page

    errors = app.get(f"/anticorruption/validation/{record['resource_id']}/errors.csv").body
    rows = list(csv.DictReader(io.StringIO(errors)))
    assert len(rows) == record["error_count"]
    assert {"ocid", "versionedRelease.parties[0].roles[0]"} <= {row["column"] for row in rows}
    report = json.loads(app.get(f"/anticorruption/validation/{record['resource_id']}/report.json").body)
    assert report["tasks"][0]["type"] == "ocds" and report["tasks"][0]["place"].endswith(".json")

    # Both datasets name the supplier by its RFC (Mexico City writes it without a scheme).
    shown = call_action("anticorruption_identifier_show", scheme="MX-RFC", identifier="TCM951030A17")
    assert {d["name"] for d in shown["datasets"]} == {"contratos-cdmx", "licitaciones-cdmx"}


@pytest.mark.parametrize(("content", "spanish", "english"), [
    (b'{"ocid": "ocds-abc123-1",\n  "tag": ["tender"\n}',
     "El archivo no es JSON válido: el texto se corta o tiene un error en la línea 3, columna 1",
     "The file is not valid JSON: the text breaks off or has a mistake at line 3, column 1"),
    (b"", "El archivo está vacío.", "The file is empty."),
    (b'{"proveedor": "ACME", "monto": 10}', "El archivo es JSON, pero no OCDS",
     "The file is JSON, but not OCDS"),
    ('{"ocid": "ocds-abc123-1", "buyer": {"name": "Secretaría"}}'.encode("latin-1"),
     "no se pudieron leer como UTF-8 (línea 1, columna 54)", "could not be read as UTF-8 (line 1, column 54)"),
])
def test_broken_json_gets_a_clear_message(app, create_with_upload, publisher, content: bytes, spanish: str,
                                          english: str) -> None:
    dataset = _dataset(publisher, "contracts_register", "contratos")
    validation = _upload(create_with_upload, publisher, dataset, content, "contratos.json")
    assert validation["state"] == "error"
    for lang, sentence in (("es", spanish), ("en", english)):
        page = app.get(f"/{lang}/anticorruption/validation/{validation['resource_id']}").body
        assert sentence in page
        assert "Traceback" not in page and "JSONDecodeError" not in page


def test_a_json_file_of_a_type_that_does_not_follow_ocds_is_not_checked(create_with_upload, publisher) -> None:
    dataset = _dataset(publisher, "budgets", "presupuesto")
    validation = _upload(create_with_upload, publisher, dataset, b'{"ocid": "ocds-abc123-1"}', "presupuesto.json")
    assert (validation["state"], validation["problem"]) == ("not_validated", "format-not-supported")


@needs_real_files
def test_a_private_datasets_ocds_suppliers_are_not_shown_to_others(app, create_with_upload, publisher) -> None:
    dataset = _dataset(publisher, "contracts_register", "contratos-privados", private=True)
    path = FEDERAL[0]
    assert _upload(create_with_upload, publisher, dataset, path.read_bytes(), path.name)["state"] == "valid"
    outsider = factories.User()
    shown = call_action("anticorruption_identifier_show", {"user": outsider["name"]},
                        scheme="MX-RFC", identifier="GFM010122DZ9")
    assert shown["datasets"] == []


def test_an_ocid_in_upper_and_lower_case_is_one_identifier() -> None:
    upper = call_action("anticorruption_identifier_show", scheme="OCID", identifier="OCDS-87SD3T-SEFIN-DRM-A-001-2016")
    lower = call_action("anticorruption_identifier_show", scheme="OCID", identifier="ocds-87sd3t-sefin-drm-a-001-2016")
    assert upper["identifier"] == lower["identifier"] == "ocds-87sd3t-sefin-drm-a-001-2016"


@needs_real_files
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_seconds", 0)
def test_an_ocds_check_past_the_requests_budget_goes_on_in_the_background(create_with_upload, publisher) -> None:
    dataset = _dataset(publisher, "contracts_register", "contratos-fondo")
    user, _ = publisher
    path = FEDERAL[0]
    resource = create_with_upload(path.read_bytes(), path.name, package_id=dataset["id"], context={"user": user["name"]})
    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "pending"
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)
    validation = call_action("anticorruption_validation_show", id=resource["id"])
    assert (validation["state"], validation["engine"], validation["rows_checked"]) == ("valid", "ocds", 1)

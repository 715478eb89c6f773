"""Real files' values as their publishers wrote them: dates, procedure names, statuses.

SFP writes its resolution dates ``06/08/2014``; CompraNet writes the signing
date ``2013-12-30 00:00:00 GMT`` and its own names for the procurement
methods (``Adjudicación Directa Federal``); SAT writes ``Definitivo``. None is
an error of the data: each is read as the type's value, and the report says
how it was read.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.validation import ValidationResult, validate_file

from tests.guide import minimal_dataset
from tests.real import REAL_DATA, real_files

SFP = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"
COMPRANET_2013 = REAL_DATA / "procurement-analytics__compranet-data" / "data" / "sample" / "sample_Contratos2013_150514080004.csv"
SAT_69B = REAL_DATA / "Cihua01__Python230221" / "Listado_Completo_69-B.csv"

pytestmark = pytest.mark.skipif(
    not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA} is absent)"
)


def _validate(path: Path, type_id: str) -> ValidationResult:
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return validate_file(str(path), dataset_type(type_id).table_schema, max_errors_per_type=10**6)


def _errors(result: ValidationResult, field: str) -> list[dict]:
    assert result.report is not None
    return [error for error in result.report["tasks"][0]["errors"] if error.get("fieldName") == field]


def _assumption(result: ValidationResult, field: str, kind: str, **params: str) -> dict:
    found = [item for item in result.detected.get("assumptions", [])
             if item["field"] == field and item["kind"] == kind and params.items() <= item["params"].items()]
    assert len(found) == 1, result.detected.get("assumptions")
    return found[0]


def test_sfp_resolution_dates_are_read_day_first() -> None:
    result = _validate(SFP, "debarred_contractors")

    # All 1,785 written dates are read; the 23 blank ones are the data's own gaps (an optional field).
    assert not _errors(result, "resolution_date")
    assert _assumption(result, "resolution_date", "date", format="dd/mm/yyyy")["count"] == 1785


def test_sfp_words_for_sanctions_are_read_as_the_types_codes() -> None:
    if not SFP.is_file():
        pytest.skip(f"{SFP} is absent")
    # A publisher who says the resolution's outcome is the kind of sanction.
    result = validate_file(str(SFP), dataset_type("debarred_contractors").table_schema,
                           mapping={"SENTIDO DE RESOLUCION": "sanction_type"})

    assert _assumption(result, "sanction_type", "value", to="multa")["count"] == 389
    # "SANCIONATORIA" alone says no kind; "ABSOLUTORIA" is no sanction; one date in the wrong column.
    assert {error["cell"] for error in _errors(result, "sanction_type") if "enum" in error["note"]} == {
        "SANCIONATORIA", "ABSOLUTORIA", "18/01/2016"}


def test_compranet_signing_dates_and_procurement_methods_are_read() -> None:
    result = _validate(COMPRANET_2013, "contracts_register")

    assert result.engine == "fast"
    assert "type-error" not in result.error_counts
    assert not _errors(result, "procurement_method")
    # The blank signing dates stay errors: CompraNet did not record them.
    assert {error["cell"] for error in _errors(result, "date_signed")} == {""}
    assert _assumption(result, "date_signed", "date", format="yyyy-mm-dd 00:00")["count"] == 83
    assert _assumption(result, "procurement_method", "value", **{"from": "Adjudicación Directa Federal"})["count"] == 233


def test_sat_statuses_are_read_without_case() -> None:
    result = _validate(SAT_69B, "tax_records")

    assert not _errors(result, "compliance_status")
    # What is left: the RFCs a court order suppressed (XXXXXXXXXXXX), those rows repeating one
    # another, and one date the publisher's spreadsheet wrote as its serial number.
    assert set(result.error_counts) <= {"constraint-error", "extra-label", "missing-label", "primary-key", "type-error"}
    assert {error["cell"] for error in _errors(result, "taxpayer_id")} == {"XXXXXXXXXXXX"}
    assert {error["cell"] for error in _errors(result, "status_date")} == {"44014"}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_the_report_says_how_compranets_values_were_read(app, create_with_upload) -> None:
    if not COMPRANET_2013.is_file():
        pytest.skip(f"{COMPRANET_2013} is absent")
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    resource = create_with_upload(COMPRANET_2013.read_bytes(), COMPRANET_2013.name, package_id=dataset["id"],
                                  format="CSV", context={"user": user["name"]})
    validation = call_action("anticorruption_validation_show", id=resource["id"])
    if validation["state"] in ("pending", "running"):
        from ckan.lib.jobs import Worker

        Worker(["default"]).work(burst=True)

    spanish = app.get(f"/es/anticorruption/validation/{resource['id']}").body
    english = app.get(f"/en/anticorruption/validation/{resource['id']}").body

    assert "Cómo se leyeron los valores" in spanish
    assert ("83 fechas de «date_signed» se leyeron como aaaa-mm-dd 00:00; por ejemplo, «2013-01-01 00:00:00 GMT» "
            "como 2013-01-01.") in spanish
    assert "Se leyó «Adjudicación Directa Federal» como «adjudicación directa» en 233 renglones de «procurement_method»." in spanish
    assert "83 dates in «date_signed» were read as yyyy-mm-dd 00:00" in english
    assert "«Licitación Pública» was read as «licitación pública» in 78 rows of «procurement_method»." in english
    # Read before the errors, which are only the blank signing dates.
    assert english.index("How values were read") < english.index("What to fix")


def test_ebrd_date_times_are_read_as_dates_and_its_words_for_no_end_as_empty() -> None:
    ebrd = next(real for real in real_files() if "european_bank" in real.path)
    path = REAL_DATA / ebrd.path
    if not path.is_file():
        pytest.skip(f"{ebrd.path} is not in {REAL_DATA}")
    result = validate_file(str(path), dataset_type(ebrd.type).table_schema,
                           mapping={label: field or None for label, field in ebrd.column_mapping.items()})

    # 2024-07-01T12:00:59Z is 2024-07-01: the time of day is left out, and the report says so.
    assert "type-error" not in result.error_counts
    assert _assumption(result, "sanction_start", "date", format="yyyy-mm-dd hh:mm")["count"] == 917
    assert _assumption(result, "sanction_end", "date", format="yyyy-mm-dd hh:mm")["count"] == 852
    # "Ongoing", "Indefinite", "Permanent": a debarment with no end, read as an empty end date.
    assert {item["params"]["value"]: item["count"] for item in result.detected["assumptions"]
            if item["kind"] == "missing" and item["field"] == "sanction_end"} == {
        "Ongoing": 436, "Indefinite": 29, "Permanent": 3}
    # What is left is the data's: 405 cross-debarments that do not say since when.
    assert {(error["type"], error.get("fieldName")) for error in result.report["tasks"][0]["errors"]
            if error.get("rowNumber")} == {("constraint-error", "sanction_start")}

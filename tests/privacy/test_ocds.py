"""Personal data in OCDS files: the privacy scan looks into every value of a release by its path, and
holds back what OCDS does not publish on purpose, as it does for a table's columns."""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.privacy.ocds import OcdsPrivacyScan, release_values

from tests.guide import minimal_dataset
from tests.real import REAL_DATA

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

CURP = "HEGG560427MVZRRL04"
EMAIL = "juan.perez@gmail.com"
PERSON_RFC = "GODE561231GR8"
# A release whose supplier is a natural person (named with the RFC, as the law allows) and whose
# contact point is the agency's, both public by design; and a description where a clerk pasted
# someone's CURP, e-mail and mobile phone.
RELEASE = {
    "ocid": "ocds-abc123-0001", "id": "1", "date": "2025-03-10T00:00:00Z", "tag": ["award"],
    "initiationType": "tender",
    "parties": [
        {"id": "SEP", "name": "Secretaría de Educación Pública", "roles": ["buyer"],
         "contactPoint": {"name": "Unidad de compras", "email": "compras@sep.gob.mx", "telephone": "55 3601 1000"}},
        {"id": PERSON_RFC, "name": "Diego Gómez", "roles": ["supplier"],
         "identifier": {"scheme": "MX-RFC", "id": PERSON_RFC, "legalName": "Diego Gómez"}},
    ],
    "tender": {"id": "T-1", "description": f"Aclaraciones con {EMAIL}, CURP {CURP}, celular 55 1234 5678"},
}


def _findings(release) -> dict[tuple[str, str], int]:
    scan = OcdsPrivacyScan()
    scan.feed(1, release)
    summary = scan.finish()
    return {(column["field"], kind): found["count"] for column in summary["columns"]
            for kind, found in column["kinds"].items()}


def test_what_ocds_publishes_about_persons_on_purpose_is_not_a_finding_anything_else_is() -> None:
    assert _findings(RELEASE) == {("tender.description", "curp"): 1, ("tender.description", "email"): 1,
                                  ("tender.description", "phone"): 1}


def test_a_curp_as_a_partys_identifier_is_a_finding_a_persons_rfc_is_not() -> None:
    release = json.loads(json.dumps(RELEASE))
    del release["tender"]
    release["parties"][1]["additionalIdentifiers"] = [{"scheme": "MX-CURP", "id": CURP}]
    assert _findings(release) == {("parties.additionalIdentifiers.id", "curp"): 1}


def test_values_are_read_by_path_inside_records_and_versioned_releases() -> None:
    record = {"ocid": "ocds-abc123-0001", "compiledRelease": {"tender": {"description": CURP}},
              "versionedRelease": {"tender": {"description": [
                  {"releaseDate": "2025-01-01", "releaseID": "1", "releaseTag": ["tender"], "value": EMAIL}]}}}
    assert sorted(release_values(record)) == [("ocid", "ocds-abc123-0001"), ("tender.description", CURP),
                                              ("tender.description", EMAIL)]


needs_real_files = pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"no real files at {REAL_DATA}")


@needs_real_files
def test_the_real_ocds_files_hold_no_personal_data_beyond_what_ocds_publishes() -> None:
    paths = sorted((REAL_DATA / "open-contracting__sample-data/mexico").rglob("*.json"))
    assert len(paths) >= 30
    for path in paths:
        assert _findings(json.loads(path.read_text(encoding="utf-8"))) == {}, path.name


@pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
def test_an_ocds_upload_with_a_curp_in_a_description_is_held_back(create_with_upload) -> None:
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"], name="contratos-ocds"))
    package = {"uri": "https://example.org/p", "publishedDate": "2025-03-10T00:00:00Z", "version": "1.1",
               "publisher": {"name": "SEP"}, "releases": [RELEASE]}
    personal = create_with_upload(json.dumps(package).encode(), "entregas.json", package_id=dataset["id"],
                                  context={"user": editor["name"]})
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)
    privacy = call_action("anticorruption_privacy_show", {"user": editor["name"]}, id=personal["id"])
    assert privacy["state"] == "quarantined"
    assert CURP not in json.dumps(privacy) and EMAIL not in json.dumps(privacy)
    anonymous = call_action("package_show", {"user": "", "ignore_auth": False}, id=dataset["id"])
    assert anonymous["resources"] == []
    # The same file without the pasted text is clean and public.
    clean = json.loads(json.dumps(package))
    del clean["releases"][0]["tender"]["description"]
    create_with_upload(json.dumps(clean).encode(), "entregas-limpias.json", package_id=dataset["id"],
                       context={"user": editor["name"]})
    Worker(["default"]).work(burst=True)
    anonymous = call_action("package_show", {"user": "", "ignore_auth": False}, id=dataset["id"])
    assert [r["url"].rsplit("/", 1)[-1] for r in anonymous["resources"]] == ["entregas-limpias.json"]

"""Only what everyone may see enters the national files, and what stops being so leaves, whichever way."""
from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from ckan.tests.helpers import call_action

from tests.national.conftest import TYPE, csv_rows, load_table

pytestmark = pytest.mark.usefixtures("with_plugins")

CURP = "HEGG560427MVZRRL04"
ANONYMOUS = {"user": "", "ignore_auth": False}


def _everywhere(app) -> dict[str, set[str]]:
    """The contract ids an anonymous visitor gets from the CSV, the Parquet file and the DataStore."""
    parquet = pq.read_table(io.BytesIO(app.get(f"/anticorruption/national/{TYPE}.parquet").data))
    found = {"csv": {r["contract_id"] for r in csv_rows(app)},
             "parquet": set(parquet.column("contract_id").to_pylist()), "datastore": set()}
    resource_id = call_action("anticorruption_national_show", ANONYMOUS, id=TYPE)["datastore_resource_id"]
    if resource_id:
        result = call_action("datastore_search", dict(ANONYMOUS), resource_id=resource_id, limit=1000)
        found["datastore"] = {r["contract_id"] for r in result["records"]}
    return found


def _all(*ids: str) -> dict[str, set[str]]:
    return {"csv": set(ids), "parquet": set(ids), "datastore": set(ids)}


@pytest.fixture
def two(agencies):
    """Two agencies, each with a public dataset whose valid file is loaded."""
    sfp, shcp = agencies.agency("sfp", "SFP"), agencies.agency("shcp", "SHCP")
    mine, theirs = agencies.dataset(sfp, "contratos-sfp"), agencies.dataset(shcp, "contratos-shcp")
    agencies.upload(mine, [{"contract_id": "S-1"}])
    agencies.upload(theirs, [{"contract_id": "H-1"}])
    return {"sfp": sfp, "shcp": shcp, "mine": mine, "theirs": theirs}


def test_a_private_datasets_file_never_enters(app, agencies, two) -> None:
    hidden = agencies.dataset(two["sfp"], "contratos-privados", private=True)
    agencies.upload(hidden, [{"contract_id": "P-1"}])

    assert _everywhere(app) == _all("S-1", "H-1")


def test_a_dataset_made_private_leaves_and_comes_back_when_public(app, agencies, two) -> None:
    call_action("package_patch", id=two["mine"]["id"], private=True)
    assert _everywhere(app) == _all("H-1")

    call_action("package_patch", id=two["mine"]["id"], private=False)
    assert _everywhere(app) == _all("S-1", "H-1")


def test_a_deleted_dataset_and_a_purged_one_leave(app, agencies, two) -> None:
    call_action("package_delete", id=two["mine"]["id"])
    assert _everywhere(app) == _all("H-1")

    call_action("dataset_purge", id=two["theirs"]["id"])
    assert _everywhere(app) == _all()


def test_a_purged_agencys_files_leave(app, agencies, two) -> None:
    call_action("organization_purge", id=two["shcp"]["id"])

    assert _everywhere(app) == _all("S-1")


@pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
def test_a_quarantined_file_stays_out_until_an_editor_confirms_it(app, agencies, two) -> None:
    held = agencies.upload(two["mine"], [{"contract_id": "Q-1", "project_id": CURP}], "personas.csv")
    assert call_action("anticorruption_privacy_show", id=held["id"])["state"] == "quarantined"
    assert _everywhere(app) == _all("S-1", "H-1")

    call_action("anticorruption_privacy_review", {"user": agencies.editors[two["sfp"]["id"]]["name"]},
                id=held["id"], decision="confirm", justification="Clave de proyecto, no una persona")

    assert _everywhere(app) == _all("S-1", "H-1", "Q-1")


def test_the_national_dataset_is_no_agencys_publication(app, agencies, two) -> None:
    national = call_action("package_show", id="national-contracts-register")
    assert national["owner_org"] is None and national["type"] == "dataset" and not national["private"]
    assert {r["format"] for r in national["resources"]} == {"CSV", "Parquet"}

    coverage = call_action("anticorruption_coverage")
    assert {r["organization"]["name"] for r in coverage["rows"]} == {"sfp", "shcp"}
    assert coverage["summary"]["published"] == 2

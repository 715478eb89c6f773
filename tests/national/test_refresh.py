"""The national table follows the files: the loader's hook, replacing, removing, rebuilding."""
from __future__ import annotations

import io

import pytest
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.anticorruption.national import refresh, store
from tests.national.conftest import TYPE, contracts_csv, csv_rows, drop_table, load_table

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_two_agencies_valid_files_are_in_one_table_with_their_provenance(app, agencies) -> None:
    sfp = agencies.agency("sfp", "Secretaría de la Función Pública")
    shcp = agencies.agency("shcp", "Secretaría de Hacienda")
    first = agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "SFP-1"}, {"contract_id": "SFP-2"}])
    second = agencies.upload(agencies.dataset(shcp, "contratos-shcp"), [{"contract_id": "HAC-1", "contract_value": "2500"}])

    rows = csv_rows(app)

    assert sorted((r["agency"], r["dataset"], r["resource"], r["contract_id"]) for r in rows) == [
        ("sfp", "contratos-sfp", first["id"], "SFP-1"),
        ("sfp", "contratos-sfp", first["id"], "SFP-2"),
        ("shcp", "contratos-shcp", second["id"], "HAC-1"),
    ]
    hacienda = next(r for r in rows if r["agency"] == "shcp")
    assert hacienda["agency_title"] == "Secretaría de Hacienda" and hacienda["file_date"][:4] >= "2026"
    assert hacienda["contract_value"] == "2500" and hacienda["date_signed"] == "2025-03-10"
    shown = call_action("anticorruption_national_show", id=TYPE)
    assert shown["rows"] == 3 and shown["files"] == 2 and shown["dataset"]["name"] == "national-contracts-register"


def test_replacing_a_file_replaces_only_its_rows(app, agencies) -> None:
    sfp, shcp = agencies.agency("sfp", "SFP"), agencies.agency("shcp", "SHCP")
    mine = agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "OLD-1"}, {"contract_id": "OLD-2"}])
    agencies.upload(agencies.dataset(shcp, "contratos-shcp"), [{"contract_id": "HAC-1"}])

    load_table(mine["id"], [{"contract_id": "NEW-1"}])

    assert sorted(r["contract_id"] for r in csv_rows(app)) == ["HAC-1", "NEW-1"]
    assert call_action("anticorruption_national_show", id=TYPE)["rows"] == 2


def test_a_dropped_table_and_a_deleted_resource_take_their_rows_out(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    dataset = agencies.dataset(sfp, "contratos-sfp")
    dropped = agencies.upload(dataset, [{"contract_id": "A-1"}], "a.csv")
    deleted = agencies.upload(dataset, [{"contract_id": "B-1"}], "b.csv")
    kept = agencies.upload(dataset, [{"contract_id": "C-1"}], "c.csv")

    drop_table(dropped["id"])
    call_action("resource_delete", id=deleted["id"])

    assert [(r["resource"], r["contract_id"]) for r in csv_rows(app)] == [(kept["id"], "C-1")]
    assert store.sources_of(resource_ids=[dropped["id"], deleted["id"]]) == {}


def test_an_invalid_new_version_of_a_file_takes_the_old_rows_out(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    resource = agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "A-1"}])

    bad = contracts_csv([{"contract_id": "A-2", "contract_value": "cien"}])
    call_action("resource_patch", {"user": agencies.editors[sfp["id"]]["name"]}, id=resource["id"],
        upload=FileStorage(io.BytesIO(bad), "contratos.csv"))

    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "invalid"
    assert csv_rows(app) == []


def test_a_rebuild_from_scratch_gives_the_same_rows(app, agencies) -> None:
    sfp, shcp = agencies.agency("sfp", "SFP"), agencies.agency("shcp", "SHCP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}, {"contract_id": "S-2"}])
    agencies.upload(agencies.dataset(shcp, "contratos-shcp"), [{"contract_id": "H-1"}])
    before = sorted((r["resource"], r["contract_id"]) for r in csv_rows(app))

    assert call_action("anticorruption_national_rebuild", id=TYPE) == {"rows": 3}

    assert sorted((r["resource"], r["contract_id"]) for r in csv_rows(app)) == before
    assert refresh.existing_table(TYPE) == call_action("anticorruption_national_show", id=TYPE)["datastore_resource_id"]


def test_files_loaded_before_the_national_dataset_existed_enter_when_it_is_published_again(app, agencies) -> None:
    sfp, shcp = agencies.agency("sfp", "SFP"), agencies.agency("shcp", "SHCP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}])
    call_action("dataset_purge", id="national-contracts-register")
    late = agencies.upload(agencies.dataset(shcp, "contratos-shcp"), [{"contract_id": "H-1"}])

    assert sorted(r["contract_id"] for r in csv_rows(app)) == ["H-1", "S-1"]
    shown = call_action("anticorruption_national_show", id=TYPE)
    assert shown["rows"] == 2 and shown["dataset"] is not None and late["id"] in store.sources_of(resource_ids=[late["id"]])
    search = call_action("datastore_search", resource_id=shown["datastore_resource_id"], q="Constructora")
    assert search["total"] == 2


def test_the_national_dataset_page_shows_its_two_files(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}])

    response = app.get("/dataset/national-contracts-register")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "contracts_register.csv" in page and "contracts_register.parquet" in page

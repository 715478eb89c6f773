"""Valid files become typed DataStore tables, through the real DataStore (its own database and read-only role)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA, real_files
from tests.validation.corpus import rows_for, table_schema

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

SAT_69B = next(real for real in real_files() if real.id == "Listado_Completo_69-B.csv")
WORLD_BANK = next(real for real in real_files()
                  if real.id == "world_bank_listing_of_ineligible_firms_and_individuals.xlsx")
needs_real_data = pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not at {REAL_DATA}")


@pytest.fixture
def publisher():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


def _work_queue() -> None:
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


def _dataset(publisher, type_id: str, **extra) -> dict:
    user, org = publisher
    return call_action("package_create", {"user": user["name"]}, **{**minimal_dataset(type_id, org["id"]), **extra})


def _upload(create_with_upload, publisher, dataset: dict, content: bytes, name: str, **fields) -> dict:
    user, _ = publisher
    resource = create_with_upload(content, name, package_id=dataset["id"], context={"user": user["name"]}, **fields)
    _work_queue()
    return resource


def _replace(create_with_upload, publisher, resource: dict, content: bytes, name: str) -> None:
    """A new file for the resource, as the resource form's upload does."""
    from werkzeug.datastructures import FileStorage

    user, _ = publisher
    call_action("resource_patch", {"user": user["name"]}, id=resource["id"],
                upload=FileStorage(io.BytesIO(content), name), url=name)
    _work_queue()


def _state(resource_id: str) -> dict:
    return call_action("anticorruption_validation_show", id=resource_id)


def _active(resource_id: str) -> bool:
    return bool(call_action("resource_show", id=resource_id).get("datastore_active"))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _contracts(count: int, seed: int = 1) -> tuple[list[str], list[list[str]]]:
    """A valid contracts file: the corpus's rows without its made-up identifiers of other bodies (optional)."""
    schema = table_schema("contracts_register")
    blank = [i for i, field in enumerate(schema["fields"])
             if field.get("identifier") and not (field.get("constraints") or {}).get("required")]
    rows = [[("" if i in blank else cell) for i, cell in enumerate(row)] for row in rows_for(schema, count, seed=seed)]
    return [field["name"] for field in schema["fields"]], rows


def _sat_extract(rows: int = 300) -> bytes:
    """The first rows of the SAT's 69-B list that have none of its true defects (see tests/real/test_mapped.py)."""
    # The SAT publishes it in Windows-1252 under two lines of title; the extract starts at its header row.
    with open(REAL_DATA / SAT_69B.path, encoding="cp1252", newline="") as f:
        reader = csv.reader(f)
        header = next(row for row in reader if "RFC" in row)
        keep = []
        rfc, status, definitive = (header.index(label) for label in
                                   ("RFC", "Publicación DOF presuntos", "Publicación DOF definitivos"))
        for row in reader:
            if "X" * 12 in row[rfc] or not _day_first(row[status]) or not (_day_first(row[definitive])
                                                                               or not row[definitive].strip()):
                continue
            keep.append(row)
            if len(keep) == rows:
                break
    return _csv(header, keep)


def _day_first(text: str) -> bool:
    import re

    return re.fullmatch(r"\d{2}/\d{2}/\d{4}", text.strip()) is not None


@needs_real_data
def test_a_valid_real_file_is_loaded_typed_with_the_schemas_titles(create_with_upload, publisher):
    dataset = _dataset(publisher, "tax_records")
    resource = _upload(create_with_upload, publisher, dataset, _sat_extract(), "Listado_69-B.csv", format="CSV",
                       column_mapping=json.dumps(SAT_69B.column_mapping, ensure_ascii=False))
    state = _state(resource["id"])
    assert state["state"] == "valid", (state["problem"], state["problem_params"], state.get("error_counts"))
    assert _active(resource["id"])

    found = call_action("datastore_search", resource_id=resource["id"], limit=5, sort="_id")
    assert found["total"] == 300
    types = {field["id"]: field["type"] for field in found["fields"]}
    schema = table_schema("tax_records")
    # One column per field of the Table Schema, named as the field, typed from it.
    assert [f["id"] for f in found["fields"] if f["id"] != "_id"] == [f["name"] for f in schema["fields"]]
    assert types["status_date"] == "date" and types["taxpayer_id"] == "text"
    first = found["records"][0]
    # The publisher's dd/mm/yyyy is a date: ISO in the API, and ordered as dates are.
    with open(REAL_DATA / SAT_69B.path, encoding="cp1252", newline="") as f:
        reader = csv.reader(f)
        header = next(row for row in reader if "RFC" in row)
        source = next(dict(zip(header, row)) for row in reader if row[header.index("RFC")] == first["taxpayer_id"])
    day, month, year = source["Publicación DOF presuntos"].strip().split("/")
    assert first["status_date"].startswith(f"{year}-{month}-{day}")
    # A column of the type that the file does not have is there, empty.
    absent = {f["name"] for f in schema["fields"]} - set(SAT_69B.column_mapping.values())
    assert absent and all(first[name] is None for name in absent)

    info = call_action("datastore_info", id=resource["id"])
    dictionary = {field["id"]: field.get("info") or {} for field in info["fields"]}
    spec = next(f for f in schema["fields"] if f["name"] == "status_date")
    assert dictionary["status_date"]["label"] == spec["title"]  # the portal of the tests speaks English
    assert dictionary["status_date"]["notes"] == spec["description"]


def test_amounts_and_dates_are_loaded_as_the_validation_read_them(create_with_upload, publisher):
    header, rows = _contracts(20)
    value, signed = header.index("contract_value"), header.index("date_signed")
    rows[0][value], rows[0][signed] = "$837,480.00", "15/03/2019"
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    state = _state(resource["id"])
    assert state["state"] == "valid", (state["error_counts"], state["problem"])

    found = call_action("datastore_search", resource_id=resource["id"], filters={"contract_id": rows[0][0]})
    record = found["records"][0]
    assert float(record["contract_value"]) == 837480.00 and not isinstance(record["contract_value"], str)
    assert record["date_signed"].startswith("2019-03-15")
    types = {field["id"]: field["type"] for field in found["fields"]}
    assert (types["contract_value"], types["date_signed"]) == ("numeric", "date")
    # Typed columns answer typed questions: amounts sort as numbers, not as text.
    top = call_action("datastore_search", resource_id=resource["id"], sort="contract_value desc", limit=1)
    amounts = [837480.00] + [float(row[value]) for row in rows[1:]]
    assert float(top["records"][0]["contract_value"]) == max(amounts)
    # CKAN's default view of a resource in the DataStore: the table preview.
    views = call_action("resource_view_list", id=resource["id"])
    assert [view["view_type"] for view in views].count("datatables_view") == 1


def _search(resource_id: str, **params) -> dict:
    return call_action("datastore_search", resource_id=resource_id, **params)


def _table_exists(resource_id: str) -> bool:
    from ckanext.anticorruption.datastore import store

    return store.table_exists(resource_id)


def test_a_newer_file_replaces_the_rows_and_an_invalid_one_drops_them(create_with_upload, publisher):
    user, _ = publisher
    header, rows = _contracts(20)
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    assert _search(resource["id"])["total"] == 20

    _, newer = _contracts(5, seed=2)
    create_with_upload(_csv(header, newer), "contratos.csv", action="resource_patch", id=resource["id"],
                       context={"user": user["name"]})
    _work_queue()
    found = _search(resource["id"], sort="_id")
    assert found["total"] == 5
    assert [record["contract_id"] for record in found["records"]] == [row[0] for row in newer]
    assert _active(resource["id"])
    # One table, the one of the resource: no other is left behind by the swap.
    views = call_action("resource_view_list", id=resource["id"])
    assert [view["view_type"] for view in views].count("datatables_view") == 1

    newer[2][header.index("contract_value")] = "cien mil pesos"
    create_with_upload(_csv(header, newer), "contratos.csv", action="resource_patch", id=resource["id"],
                       context={"user": user["name"]})
    _work_queue()
    assert _state(resource["id"])["state"] == "invalid"
    assert not _active(resource["id"]) and not _table_exists(resource["id"])
    with pytest.raises(Exception, match="not found|Not found|NotFound"):
        _search(resource["id"])


@pytest.mark.ckan_config("ckanext.anticorruption.datastore.load_invalid", "valid_rows")
def test_with_the_option_only_the_valid_rows_of_an_invalid_file_are_loaded(create_with_upload, publisher):
    header, rows = _contracts(20)
    rows[3][header.index("contract_value")] = "cien mil pesos"
    rows[7][header.index("date_signed")] = "31/02/2019"
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")

    assert _state(resource["id"])["state"] == "invalid"
    found = _search(resource["id"], limit=100)
    assert found["total"] == 18
    assert {r["contract_id"] for r in found["records"]} == {row[0] for i, row in enumerate(rows) if i not in (3, 7)}


def test_a_file_whose_columns_do_not_fit_its_type_is_never_loaded(create_with_upload, publisher):
    header, rows = _contracts(5)
    dataset = _dataset(publisher, "tax_records")  # a contracts file published as tax records
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    assert _state(resource["id"])["problem"] == "header-mismatch"
    assert not _active(resource["id"]) and not _table_exists(resource["id"])


def test_a_private_datasets_table_is_readable_only_by_its_organization(create_with_upload, publisher):
    import ckan.plugins.toolkit as tk

    user, _ = publisher
    header, rows = _contracts(5)
    dataset = _dataset(publisher, "contracts_register", private=True)
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    assert call_action("datastore_search", {"user": user["name"], "ignore_auth": False},
                       resource_id=resource["id"])["total"] == 5

    outsider = factories.User()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
    for who in ("", outsider["name"]):
        with pytest.raises(tk.NotAuthorized):
            call_action("datastore_search", {"user": who, "ignore_auth": False}, resource_id=resource["id"])
        with pytest.raises(tk.NotAuthorized):
            call_action("datastore_info", {"user": who, "ignore_auth": False}, id=resource["id"])


@pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
def test_a_quarantined_file_is_not_loaded_and_takes_its_resources_table_away(create_with_upload, publisher):
    user, _ = publisher
    header, rows = _contracts(5)
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    assert _search(resource["id"])["total"] == 5

    rows[1][header.index("contract_title")] = "Obra; contacto juan.perez@gmail.com"
    create_with_upload(_csv(header, rows), "contratos.csv", action="resource_patch", id=resource["id"],
                       context={"user": user["name"]})
    _work_queue()
    assert call_action("anticorruption_privacy_show", id=resource["id"])["state"] == "quarantined"
    assert _state(resource["id"])["state"] == "valid"
    assert not _table_exists(resource["id"])
    assert not call_action("resource_show", {"ignore_auth": True}, id=resource["id"]).get("datastore_active")


def test_a_deleted_resource_or_one_removed_from_its_dataset_has_no_table(create_with_upload, publisher):
    user, _ = publisher
    header, rows = _contracts(5)
    dataset = _dataset(publisher, "contracts_register")
    first = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "a.csv", format="CSV")
    second = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "b.csv", format="CSV")
    assert _table_exists(first["id"]) and _table_exists(second["id"])

    call_action("resource_delete", {"user": user["name"]}, id=first["id"])
    assert not _table_exists(first["id"])
    # Removed by saving the dataset without it (the API, harvesters): the same path.
    call_action("package_patch", {"user": user["name"]}, id=dataset["id"], resources=[])
    assert not _table_exists(second["id"])


@needs_real_data
def test_a_valid_real_spreadsheet_is_loaded_typed(create_with_upload, publisher):
    """The World Bank's list of debarred firms, an XLSX whose dates are Excel dates."""
    import re

    dataset = _dataset(publisher, "debarred_contractors")
    content = (REAL_DATA / WORLD_BANK.path).read_bytes()
    resource = _upload(create_with_upload, publisher, dataset, content, "world_bank.xlsx", format="XLSX",
                       sheet=WORLD_BANK.sheet,
                       column_mapping=json.dumps(WORLD_BANK.column_mapping, ensure_ascii=False))
    state = _state(resource["id"])
    assert state["state"] == "valid", (state["problem"], state["error_counts"])

    found = _search(resource["id"], limit=5, sort="sanction_start desc")
    # Every row the validation read, and its Excel dates as dates (the latest first: sorted as dates).
    assert found["total"] == state["rows_checked"] > 100
    types = {field["id"]: field["type"] for field in found["fields"]}
    assert (types["sanction_start"], types["sanction_end"], types["supplier_name"]) == ("date", "date", "text")
    starts = [record["sanction_start"] for record in found["records"]]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) for start in starts) and starts == sorted(starts, reverse=True)

"""What the national files' tests share: agencies with valid files, and resource tables loaded
the way the DataStore loader loads them (``datastore_create`` typed from the Table Schema, then
``hooks.resource_table_changed``)."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption import hooks
from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.national import store
from ckanext.anticorruption.national.columns import pg_type
from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

TYPE = "contracts_register"


@pytest.fixture
def clean_datastore(with_plugins):
    """An empty DataStore database: no resource table, no national table, no bookkeeping (the
    DataStore's own tables, named with a leading underscore, stay)."""
    from ckanext.datastore.backend.postgres import get_write_engine

    engine = get_write_engine()
    with engine.begin() as conn:
        tables = [name for (name,) in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND left(tablename, 1) <> '_'"))]
        for name in tables:
            conn.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
    store._ready.clear()


def contracts_csv(rows: list[dict[str, str]]) -> bytes:
    """A valid contracts file: the test row with some columns changed per row."""
    header = HEADER.split(",")
    base = dict(zip(header, next(csv.reader([ROW]))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([{**base, **row}[h] for h in header])
    return out.getvalue().encode()


class Agencies:
    """Agencies, each with an editor, that publish contracts files."""

    def __init__(self, create_with_upload) -> None:
        self.create_with_upload = create_with_upload
        self.editors: dict[str, dict] = {}

    def agency(self, name: str, title: str) -> dict:
        editor = factories.User()
        org = factories.Organization(name=name, title=title, users=[{"name": editor["name"], "capacity": "editor"}])
        self.editors[org["id"]] = editor
        return org

    def dataset(self, org: dict, name: str, private: bool = False) -> dict:
        data = minimal_dataset(TYPE, org["id"], name=name)
        data["private"] = private
        return call_action("package_create", {"user": self.editors[org["id"]]["name"]}, **data)

    def upload(self, dataset: dict, rows: list[dict[str, str]], filename: str = "contratos.csv") -> dict:
        """Upload a file (checked while the request waits: it is small), then load its table."""
        editor = self.editors[dataset["owner_org"]]
        resource = self.create_with_upload(contracts_csv(rows), filename, package_id=dataset["id"], format="CSV",
                                           context={"user": editor["name"]})
        assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "valid"
        load_table(resource["id"], rows)
        return resource


def load_table(resource_id: str, rows: list[dict[str, str]]) -> None:
    """What the loader does with a valid file: its typed DataStore table, then the hook."""
    header = HEADER.split(",")
    base = dict(zip(header, next(csv.reader([ROW]))))
    fields = [{"id": f["name"], "type": pg_type(f.get("type"))} for f in dataset_type(TYPE).table_schema["fields"]]
    records = [{k: (v or None) for k, v in {**base, **row}.items()} for row in rows]
    if store.table_exists(resource_id):  # a new version replaces the table
        call_action("datastore_delete", resource_id=resource_id, force=True)
    call_action("datastore_create", resource_id=resource_id, force=True, fields=fields, records=records)
    hooks.resource_table_changed(resource_id)


def drop_table(resource_id: str) -> None:
    """What the loader does when a file is no longer loaded: drop its table, then the hook."""
    call_action("datastore_delete", resource_id=resource_id, force=True)
    hooks.resource_table_changed(resource_id)


@pytest.fixture
def agencies(clean_db, clean_index, clean_datastore, create_with_upload) -> Agencies:
    return Agencies(create_with_upload)


def csv_rows(app: Any, type_id: str = TYPE, **kwargs: Any) -> list[dict[str, str]]:
    response = app.get(f"/anticorruption/national/{type_id}.csv", **kwargs)
    assert response.status_code == 200, response.body
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

"""The load is two steps: the rows (COPY and swap, the table readable at once), then its full-text search,
filled set-based as CKAN's trigger would fill it; each step recorded, and every load ends.

Real DataStore (its own database, CKAN's functions and trigger), real worker."""
from __future__ import annotations

import datetime

import pyarrow as pa
import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.datastore.test_load import _contracts, _csv, _dataset, _state, _upload

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


@pytest.fixture
def publisher():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


def _engine():
    from ckanext.datastore.backend import postgres as backend

    return backend.get_write_engine()


def _full_texts(table: str) -> dict[int, str | None]:
    with _engine().connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.text(
            f'SELECT _id, _full_text::text FROM "{table}" ORDER BY _id'))}


def _as_the_trigger_makes_them(table: str) -> dict[int, str | None]:
    """Every row's _full_text as CKAN's trigger computes it: set to NULL, the BEFORE UPDATE trigger fills it."""
    with _engine().begin() as conn:
        conn.execute(sa.text(f'UPDATE "{table}" SET _full_text = NULL'))
    return _full_texts(table)


def test_a_loaded_file_is_searchable_and_its_full_text_is_the_triggers(create_with_upload, publisher):
    header, rows = _contracts(30)
    title = header.index("contract_title")
    rows[4][title] = "Rehabilitación del acueducto Zumpango"
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")

    load = _state(resource["id"])["datastore"]
    assert load["state"] == "loaded", load
    assert load["rows_loaded"] == load["rows_total"] == load["rows_indexed"] == 30
    assert load["load_seconds"] is not None and load["index_seconds"] is not None

    # datastore_search with q finds the row by a word of its text, as with any DataStore table.
    found = call_action("datastore_search", resource_id=resource["id"], q="Zumpango")
    assert [r["contract_id"] for r in found["records"]] == [rows[4][0]]

    # A row written later through CKAN (datastore_upsert) gets its _full_text from CKAN's trigger, the same.
    record = {k: v for k, v in found["records"][0].items() if not k.startswith("_") and k != "rank"}
    call_action("datastore_upsert", resource_id=resource["id"], records=[record], method="insert",
                force=True)
    texts = _full_texts(resource["id"])
    # Each row's _id is its row number in the file (the header is row 1); the new row comes after them.
    assert found["records"][0]["_id"] == 6 and max(texts) == 32
    assert texts[32] is not None and texts[32] == texts[6]
    # And every row filled by the load is what the trigger makes of it.
    filled = dict(texts)
    assert _as_the_trigger_makes_them(resource["id"]) == filled
    # CKAN's full-text index of the table is there, under the name CKAN gives it.
    from ckanext.datastore.backend import postgres as backend

    with _engine().connect() as conn:
        fields = backend._get_fields(conn, resource["id"])
        names = set(backend._get_index_names(conn, resource["id"]))
    assert set(backend._build_fts_indexes({"resource_id": resource["id"]}, "{name}", fields)[0]) <= names


def test_every_column_type_gives_the_text_the_trigger_gives(tmp_path):
    """Dates, timestamps, times, booleans, numbers, JSON and empty rows: the SQL fill equals the trigger."""
    from ckanext.anticorruption.datastore import store

    from ckanext.anticorruption.datastore.columns import TableSpool, table_fields

    schema = {"fields": [{"name": name, "type": kind} for name, kind in (
        ("name", "string"), ("count", "integer"), ("amount", "number"), ("signed", "date"), ("at", "datetime"),
        ("hour", "time"), ("active", "boolean"), ("year", "year"), ("extra", "object"))]}
    fields = table_fields(schema)
    assert [field["type"] for field in fields] == ["text", "int8", "numeric", "date", "timestamp", "time", "bool",
                                                   "int4", "json"]
    rows = [
        ["Obra pública del Río", "12", "837480.50", "2019-03-15", "2019-03-15T10:20:30", "10:20:00", "true", "2019",
         '{"a": "uno dos"}'],
        [""] * 9,
        ["Only text", "", "", "", "", "", "false", "", '[1, "tres"]'],
        ["", "-4", "1e3", "1999-12-31", "2000-01-01 00:00:00.5", "23:59:59", "", "1999", ""],
    ]
    spool = tmp_path / "spool.pgcopy"
    writer = TableSpool(schema, str(spool))
    writer.start(None)
    cells = {spec["name"]: pa.array([row[i] for row in rows], pa.string()) for i, spec in enumerate(schema["fields"])}
    writer.feed(cells, pa.array([1, 2, 3, 4], pa.int64()))
    writer.finish(None)
    told: list[int] = []
    table = "test-anticorruption-every-type"
    try:
        assert store.replace_table(table, fields, str(spool), progress=told.append, rows=4) == 4
        assert told and told[-1] == 4  # COPY's progress: the rows read
        assert set(_full_texts(table).values()) == {None}  # readable before its full text is filled
        indexed: list[tuple[int, int]] = []
        assert store.fill_full_text(table, chunk_rows=3, progress=lambda done, total: indexed.append((done, total)))
        assert indexed == [(3, 4), (4, 4)]
        filled = _full_texts(table)
        assert filled[2] is None and "'río'" in filled[1] and "'tres'" in filled[3]
        assert _as_the_trigger_makes_them(table) == filled
    finally:
        store.drop_table(table)


def _resource_page(app, resource: dict, lang: str = "") -> str:
    prefix = f"/{lang}" if lang else ""
    return app.get(f"{prefix}/dataset/{resource['package_id']}/resource/{resource['id']}").body


def test_the_resource_page_says_who_loaded_the_table_and_why_not(app, create_with_upload, publisher):
    header, rows = _contracts(12)
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    page = _resource_page(app, resource)
    assert "Loaded into the DataStore by ckanext-anticorruption with the Table Schema&#39;s column types: 12 rows" in page
    assert "Cargado en el DataStore por ckanext-anticorruption con los tipos de columna del Table Schema: 12 filas" \
        in _resource_page(app, resource, "es")
    report = app.get(f"/anticorruption/validation/{resource['id']}").body
    assert "Loaded into the DataStore by ckanext-anticorruption" in report

    rows[2][header.index("contract_value")] = "cien mil pesos"
    invalid = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "malo.csv", format="CSV")
    assert _state(invalid["id"])["datastore"]["state"] == "not_loaded"
    assert "Not loaded into the DataStore: the file does not follow its Table Schema." in _resource_page(app, invalid)
    assert "No se cargó en el DataStore: el archivo no sigue su Table Schema." in _resource_page(app, invalid, "es")

    # The COPY fed while the invalid file was read was rolled back: no hidden table is left behind.
    with _engine().connect() as conn:
        assert conn.execute(sa.text(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_anticorruption\\_%'")).scalar() == 0

    other = _dataset(publisher, "tax_records")
    mismatch = _upload(create_with_upload, publisher, other, _csv(header, rows[:3]), "contratos.csv", format="CSV")
    assert _state(mismatch["id"])["datastore"]["reason"] == "header-mismatch"
    assert "Not loaded into the DataStore: the columns of the file are not those of its type." in \
        _resource_page(app, mismatch)


def test_the_progress_of_a_load_is_shown_while_it_runs(app, create_with_upload, publisher):
    from ckanext.anticorruption.model import DatastoreLoad

    header, rows = _contracts(3)
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    row = model.Session.get(DatastoreLoad, resource["id"])
    row.state, row.rows_loaded, row.rows_total = "loading", 400_000, 1_000_000
    model.Session.commit()

    status = app.get(f"/anticorruption/validation/{resource['id']}/status.json").json
    assert status["state"] == "valid"  # the validation's result, whatever the load does
    assert status["datastore"] == {"state": "loading", "unfinished": True,
                                   "text": "Loading into the DataStore: 400,000 of 1,000,000 rows."}
    page = _resource_page(app, resource, "es")
    assert "Cargando en el DataStore: 400,000 de 1,000,000 filas." in page
    assert 'data-module="anticorruption-validation-progress"' in page  # the page follows it by itself

    model.Session.query(DatastoreLoad).filter_by(resource_id=resource["id"]).update(
        {"state": "indexing", "rows_loaded": 1_000_000, "rows_indexed": 200_000})
    model.Session.commit()
    text = app.get(f"/anticorruption/validation/{resource['id']}/status.json").json["datastore"]["text"]
    assert text.endswith("Building the search index: 200,000 of 1,000,000 rows.")


def test_a_load_whose_datastore_is_unreachable_ends_failed_and_keeps_the_validation(
        app, create_with_upload, publisher, monkeypatch):
    import ckan.plugins.toolkit as tk

    header, rows = _contracts(5)
    dataset = _dataset(publisher, "contracts_register")
    # The DataStore's server does not answer (nothing listens on port 9).
    monkeypatch.setitem(tk.config, "ckan.datastore.write_url",
                        "postgresql://ckan_default:pass@127.0.0.1:9/datastore_test")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    monkeypatch.undo()

    user, _ = publisher
    state = call_action("anticorruption_validation_show", {"user": user["name"], "ignore_auth": False},
                        id=resource["id"])
    assert state["state"] == "valid" and state["rows_checked"] == 5
    load = state["datastore"]
    assert load["state"] == "failed" and load["reason"] == "load" and "OperationalError" in load["detail"]
    assert not call_action("resource_show", id=resource["id"]).get("datastore_active")
    page = _resource_page(app, resource)
    assert "The load into the DataStore failed. The validation result stands" in page
    assert "127.0.0.1:9" not in page  # what went wrong, for the agency's editors only
    anonymous = call_action("anticorruption_validation_show", {"user": "", "ignore_auth": False}, id=resource["id"])
    assert anonymous["datastore"]["detail"] is None


def test_a_load_whose_worker_died_is_ended_by_the_sweep(create_with_upload, publisher):
    from ckanext.anticorruption.model import DatastoreLoad
    from ckanext.anticorruption.uploads import sweep

    header, rows = _contracts(3)
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    row = model.Session.get(DatastoreLoad, resource["id"])
    row.state, row.updated = "indexing", datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
    model.Session.commit()

    assert sweep.sweep()["loads_ended"] == 1
    load = _state(resource["id"])["datastore"]
    assert (load["state"], load["reason"]) == ("failed", "worker-lost")
    assert _state(resource["id"])["state"] == "valid"


def test_a_copy_that_postgresql_refuses_fails_at_the_swap_and_leaves_no_table():
    """A COPY error (a value the column refuses) never stops the writer; the swap raises it, nothing is left."""
    from ckanext.anticorruption.datastore import store

    table = "test-anticorruption-refused"
    from ckanext.anticorruption.datastore import pgcopy

    stream = store.CopyStream([{"id": "count", "type": "int8", "info": {}}])
    def row(count: bytes, number: int) -> bytes:  # two fields: count (int8), _id (CKAN's serial, int4)
        return b"\x00\x02" + len(count).to_bytes(4, "big") + count + b"\x00\x00\x00\x04" + number.to_bytes(4, "big")

    stream.write(pgcopy.HEADER)
    stream.write(row((1).to_bytes(8, "big"), 1))
    stream.write(row((2).to_bytes(4, "big"), 2))  # four bytes are no int8
    for number in range(3, 203):  # more than the queue holds: the writer goes on after the COPY died
        stream.write(row((4).to_bytes(8, "big"), number))
    stream.close()
    with pytest.raises(Exception, match="line 2, column count"):
        stream.swap(table)
    assert not store.table_exists(table)
    with _engine().connect() as conn:
        assert conn.execute(sa.text(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_anticorruption\\_%'")).scalar() == 0

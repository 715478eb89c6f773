"""The rows reach PostgreSQL as binary COPY data made from the validation's Arrow arrays (datastore/pgcopy.py):
every value must come out of the DataStore exactly as the validation read it, typed.

Real DataStore (its own database), real worker for the uploads."""
from __future__ import annotations

import pyarrow as pa
import pytest
import sqlalchemy as sa

from ckan.tests.helpers import call_action

from tests.datastore.test_load import _contracts, _csv, _dataset, _state, _upload, publisher  # noqa: F401
from tests.validation.corpus import table_schema

# Text that CSV would have to quote or escape, and that binary COPY sends as it is.
AWKWARD = [
    "Tab\there",
    'Comillas "dobles", \'simples\'',
    "Línea\nnueva\r\ny otra",
    "Barra \\ invertida \\N \\.",
    "Ñandú — 日本語 🙂",
    "  espacios  ",
    "\\N",
    "NULL",
]


def _engine():
    from ckanext.datastore.backend import postgres as backend

    return backend.get_write_engine()


def _stream_of(schema: dict, batches: list[list[list[str]]], numbers: list[list[int]] | None = None):
    """A CopyStream fed as the validation feeds its spool: one TableSpool batch per item of ``batches``,
    its rows numbered on from 2 (the first row under the header) unless ``numbers`` says otherwise."""
    from ckanext.anticorruption.datastore import store
    from ckanext.anticorruption.datastore.columns import TableSpool, table_fields

    streams = []

    def sink():
        streams.append(store.CopyStream(table_fields(schema)))
        return streams[-1]

    spool = TableSpool(schema, sink=sink)
    spool.start(None)
    number = 2
    for k, rows in enumerate(batches):
        spool.feed({spec["name"]: pa.array([row[i] for row in rows], pa.string())
                    for i, spec in enumerate(schema["fields"])},
                   pa.array(numbers[k] if numbers else range(number, number + len(rows)), pa.int64()))
        number += len(rows)
    spool.finish(None)
    return streams[0]


def _rows_as_text(table: str, columns: list[str]) -> list[tuple]:
    listed = ", ".join(f'"{c}"::text' for c in columns)
    with _engine().connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(f'SELECT _id, {listed} FROM "{table}" ORDER BY _id'))]


@pytest.mark.usefixtures("with_plugins")
def test_binary_copy_stores_every_value_as_postgresql_reads_its_text():
    """Each value as PostgreSQL's own text input makes it (numeric_in, date_in, …): numbers keep their
    decimals and sign, text is byte for byte what was read, a missing value is NULL. Two batches: one
    of plain decimals (encoded column-wise), one with exponents and long numbers (value by value)."""
    from ckanext.anticorruption.datastore import pgcopy, store

    schema = {"fields": [{"name": name, "type": kind} for name, kind in (
        ("text", "string"), ("amount", "number"), ("count", "integer"), ("day", "date"), ("at", "datetime"),
        ("flag", "boolean"), ("year", "year"))]}
    first = [
        [AWKWARD[0], "-12.50", "-4", "2019-03-15", "2019-03-15T10:20:30Z", "true", "2019"],
        [AWKWARD[1], "0.0001", "0", "1999-12-31", "2000-01-01 00:00:00.5", "false", "1999"],
        [AWKWARD[2], "837480.00", "9223372036854775807", "2000-01-01", "1970-01-01T00:00:00", "1", "2000"],
        [AWKWARD[3], "-0.5", "-9223372036854775808", "1900-02-28", "2038-01-19T03:14:08", "0", "1810"],
        [AWKWARD[4], "123456789.123456", "12", "2100-12-31", "", "", ""],
        [AWKWARD[5], "", "", "", "", "", ""],
        [AWKWARD[6], "7.", "1", "2024-02-29", "2024-02-29T23:59:59.999999", "true", "2024"],
        [AWKWARD[7], ".25", "2", "2020-01-01", "2020-01-01T00:00", "false", "2020"],
    ]
    second = [
        ["", "1e3", "3", "2020-01-02", "2020-01-02T00:00:00", "true", "2020"],
        ["x", "-1.5E-3", "4", "2020-01-03", "2020-01-03T00:00:00", "true", "2020"],
        ["y", "99999999999999999999999.000001", "5", "2020-01-04", "2020-01-04T00:00:00", "true", "2020"],
        ["z", "NaN", "6", "2020-01-05", "2020-01-05T00:00:00", "true", "2020"],
        ["w", "+3.14159", "7", "2020-01-06", "2020-01-06T00:00:00", "true", "2020"],
    ]
    names = [field["name"] for field in schema["fields"]]
    # The first batch's amounts are encoded column-wise, the second's value by value.
    amounts = [pa.array([row[1] or None for row in batch], pa.string()) for batch in (first, second)]
    assert pgcopy._numeric_columnwise(amounts[0], amounts[0].is_valid()) is not None
    with pytest.raises(pa.ArrowInvalid):
        pgcopy._numeric_columnwise(amounts[1], amounts[1].is_valid())
    table = "test-anticorruption-binary-copy"
    stream = _stream_of(schema, [first, second])
    try:
        assert stream.swap(table) == len(first) + len(second)
        stored = _rows_as_text(table, names)
        # What PostgreSQL makes of the same text through its input functions, in a query of its own.
        with _engine().connect() as conn:
            expected = []
            for number, row in enumerate(first + second, start=2):
                values = [None if cell == "" else cell if i == 0 else cell.strip() for i, cell in enumerate(row)]
                expected.append(tuple([number] + list(conn.execute(sa.text(
                    "SELECT CAST(:t AS text), CAST(CAST(:a AS numeric) AS text), CAST(CAST(:c AS int8) AS text), "
                    "CAST(CAST(:d AS date) AS text), CAST(CAST(:s AS timestamp) AS text), "
                    "CAST(CAST(:f AS bool) AS text), CAST(CAST(:y AS int4) AS text)"),
                    dict(zip("tacdsfy", values))).one())))
        assert stored == expected
        # A few of them spelt out, so that a shared mistake of both sides cannot pass unseen.
        assert stored[0][1:4] == (AWKWARD[0], "-12.50", "-4") and stored[1][2] == "0.0001"
        assert stored[2][1] == "Línea\nnueva\r\ny otra"
        assert stored[4][1:3] == ("Ñandú — 日本語 🙂", "123456789.123456")
        assert stored[3][2:6] == ("-0.5", "-9223372036854775808", "1900-02-28", "2038-01-19 03:14:08")
        assert stored[5][1:] == ("  espacios  ", None, None, None, None, None, None)
        assert stored[6][1:3] == ("\\N", "7") and stored[7][1:3] == ("NULL", "0.25")  # "\N" is text, not NULL
        assert stored[8][1:3] == (None, "1000") and stored[9][2] == "-0.0015"
        assert [row[2] for row in stored[10:]] == ["99999999999999999999999.000001", "NaN", "3.14159"]
    finally:
        store.drop_table(table)


@pytest.mark.usefixtures("with_plugins")
def test_a_replace_that_fails_keeps_the_old_table_and_leaves_nothing_behind():
    """The swap is one transaction: a load that fails (here two rows with the same _id, refused when the
    primary key is built after the COPY) leaves the previous table as it was, readable, and no hidden table."""
    from ckanext.anticorruption.datastore import store

    schema = {"fields": [{"name": "name", "type": "string"}, {"name": "amount", "type": "number"}]}
    table = "test-anticorruption-replace-fails"
    try:
        assert _stream_of(schema, [[["old", "1.5"], ["older", "2.5"]]]).swap(table) == 2
        stream = _stream_of(schema, [[["new", "3"]], [["newer", "4"]]], numbers=[[2], [2]])
        with pytest.raises(Exception, match="could not create unique index"):
            stream.swap(table)
        assert _rows_as_text(table, ["name", "amount"]) == [(2, "old", "1.5"), (3, "older", "2.5")]
        with _engine().connect() as conn:
            assert conn.execute(sa.text(
                "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_anticorruption\\_%'")).scalar() == 0
    finally:
        store.drop_table(table)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_awkward_text_nulls_numbers_and_dates_come_back_from_datastore_search(create_with_upload, publisher):
    """An upload, the job, then the DataStore API: typed values, the schema's titles, NULLs for missing cells,
    text with tabs, quotes, newlines and backslashes exactly as in the file."""
    header, rows = _contracts(len(AWKWARD) + 2)
    title, supplier, buyer, value, start = (header.index(name) for name in (
        "contract_title", "supplier_name", "buyer_name", "contract_value", "start_date"))
    for i, text in enumerate(AWKWARD):
        rows[i][title], rows[i][supplier] = text, f"{text}!"
    rows[0][value], rows[1][value], rows[2][value] = "1234.50", "0.01", "$837,480.00"
    rows[0][start], rows[0][buyer] = "", ""
    rows[1][start] = "2019-03-15"
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    state = _state(resource["id"])
    assert state["state"] == "valid", (state["error_counts"], state["problem"])

    found = call_action("datastore_search", resource_id=resource["id"], sort="_id", limit=100)
    records = found["records"]
    assert found["total"] == len(rows)
    assert [record["contract_title"] for record in records[:len(AWKWARD)]] == AWKWARD
    assert [record["supplier_name"] for record in records[:len(AWKWARD)]] == [f"{text}!" for text in AWKWARD]
    assert records[0]["buyer_name"] is None and records[0]["start_date"] is None
    assert records[1]["start_date"].startswith("2019-03-15")
    amounts = [record["contract_value"] for record in records[:3]]
    assert amounts == [1234.5, 0.01, 837480.0] and not any(isinstance(a, str) for a in amounts)
    assert [record["_id"] for record in records] == list(range(2, len(rows) + 2))  # the file's row numbers
    types = {field["id"]: field["type"] for field in found["fields"]}
    assert (types["contract_value"], types["start_date"], types["contract_title"]) == ("numeric", "date", "text")
    # The data dictionary: each column's title and description from the Table Schema.
    info = call_action("datastore_info", id=resource["id"])
    dictionary = {field["id"]: field.get("info") or {} for field in info["fields"]}
    for spec in table_schema("contracts_register")["fields"]:
        assert dictionary[spec["name"]].get("label") == (spec.get("title_en") or spec["title"])
        assert dictionary[spec["name"]].get("notes") == (spec.get("description_en") or spec.get("description"))

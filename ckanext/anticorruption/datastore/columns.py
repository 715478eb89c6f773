"""A resource's DataStore table from its Table Schema, and the spool of its rows (pure: no CKAN import).

The validation reads every cell once (``validation/fast.py`` and the
frictionless path, with the publisher's ways of writing values read by
``validation/values.py``) and feeds the column scans the cells as read. A
:class:`TableSpool` is one more scan: it takes each batch, turns every field
into a typed Arrow array (missing values to null, integers, dates and
booleans parsed by Arrow, amounts kept exact as the decimal text the reading
made of them) and appends the batch, in PostgreSQL's binary COPY format
(``pgcopy``), to what COPY reads into the typed columns. Nothing is parsed
twice, not even by PostgreSQL, and memory is one batch.
"""
from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ckanext.anticorruption.datastore import pgcopy
from ckanext.anticorruption.validation.scans import ColumnScan

__all__ = ["PG_TYPES", "ROW_COLUMN", "TableSpool", "column_type", "table_fields"]

# Table Schema type → PostgreSQL type of the DataStore column. An integer
# field is a bigint (amounts and identifiers pass int4), a number is an
# exact numeric (837480.00 stays 837480.00), a year an integer; types the
# DataStore cannot hold as such (time zones, durations, geopoints) are text.
PG_TYPES = {
    "string": "text",
    "integer": "int8",
    "number": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "bool",
    "year": "int4",
    "object": "json",
    "array": "json",
}

# The spool's last column: the row number the report uses. It becomes the row's ``_id`` in the DataStore
# table, by which the rows with errors are left out when only the valid rows of a file are loaded.
ROW_COLUMN = "_row"

# Frictionless's defaults for a boolean field that lists none.
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def column_type(field: dict[str, Any]) -> str:
    return PG_TYPES.get(str(field.get("type") or "string"), "text")


def table_fields(table_schema: dict[str, Any], language: str = "en") -> list[dict[str, Any]]:
    """The DataStore ``fields`` of the table: one per Table Schema field, named as it, typed from its type.

    Their ``info`` is the data dictionary CKAN shows (``label``, ``notes``):
    the field's title and description in ``language`` when the schema has
    them (``title_es``), in the schema's own language otherwise.
    """
    fields = []
    for spec in table_schema.get("fields") or []:
        info = {}
        label = spec.get(f"title_{language}") or spec.get("title")
        notes = spec.get(f"description_{language}") or spec.get("description")
        if label:
            info["label"] = str(label)
        if notes:
            info["notes"] = str(notes)
        fields.append({"id": spec["name"], "type": column_type(spec), "info": info})
    return fields


class TableSpool(ColumnScan):
    """A column scan that writes the cells the validation read to ``path`` as binary COPY data.

    Columns are the Table Schema's fields in order (a field the file lacks
    is null), then :data:`ROW_COLUMN`. A value that cannot be read as its
    type (only in an invalid file) is null; such rows are loaded only when
    the valid rows are, and then they are not among them.
    """

    name = "datastore"
    fields = None  # every field

    def __init__(self, table_schema: dict[str, Any], path: str | None = None,
                 sink: Callable[[], Any] | None = None) -> None:
        # Where the COPY data goes: the file at ``path``, or what ``sink()`` gives (anything with write and close,
        # such as a COPY fed as the file is read); each pass over the file opens it anew.
        self.path, self.sink = path, sink
        self.specs = list(table_schema.get("fields") or [])
        self.kinds = [column_type(spec) for spec in self.specs] + ["int4"]  # _id is CKAN's serial
        schema_missing = table_schema.get("missingValues", [""])
        self.missing = [pa.array([v for v in spec.get("missingValues", schema_missing) if isinstance(v, str)],
                                 pa.string()) for spec in self.specs]
        self.rows = 0
        self._file: Any = None

    def start(self, collector: Any) -> None:
        # Each pass over the file (the fast path may give way to frictionless) starts the spool again.
        if self._file is not None:
            self._file.close()
        self._file = self.sink() if self.sink is not None else open(str(self.path), "wb")
        self._file.write(pgcopy.HEADER)
        self.rows = 0

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        length = len(numbers)
        arrays = []
        for spec, missing in zip(self.specs, self.missing):
            cells = columns.get(spec["name"])
            if cells is None:
                arrays.append(pa.nulls(length, _arrow_type(spec)))
                continue
            cells = pc.if_else(pc.is_in(cells, value_set=missing), pa.scalar(None, pa.string()), cells)
            arrays.append(typed(spec, cells))
        self._file.write(pgcopy.rows(self.kinds, arrays + [numbers.cast(pa.int64())]))
        self.rows += length
        counted = getattr(self._file, "count_rows", None)  # a COPY under way tells its progress in rows
        if counted is not None:
            counted(length)

    def finish(self, collector: Any) -> dict[str, Any]:
        self.close()
        return {"rows": self.rows}

    def close(self) -> None:
        if self._file is not None:
            self._file.write(pgcopy.TRAILER)
            self._file.close()
            self._file = None


def _arrow_type(spec: dict[str, Any]) -> pa.DataType:
    return {"int8": pa.int64(), "int4": pa.int64(), "date": pa.date32(), "bool": pa.bool_()}.get(
        column_type(spec), pa.string())


def typed(spec: dict[str, Any], cells: pa.Array) -> pa.Array:
    """One field's cells (text as read, null when missing) as the Arrow array COPY writes into its column."""
    kind = column_type(spec)
    if kind in ("int8", "int4"):
        try:
            return pc.cast(pc.utf8_trim_whitespace(cells), pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return pa.array([_integer(v) for v in cells.to_pylist()], pa.int64())
    if kind == "date":
        trimmed = pc.utf8_trim_whitespace(cells)
        try:
            return pc.cast(trimmed, pa.date32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            parsed = pc.strptime(trimmed, format="%Y-%m-%d", unit="s", error_is_null=True)
            return pc.cast(parsed, pa.date32())
    if kind == "bool":
        true_values = pa.array(spec.get("trueValues", _TRUE), pa.string())
        false_values = pa.array(spec.get("falseValues", _FALSE), pa.string())
        trimmed = pc.utf8_trim_whitespace(cells)
        is_true, is_false = pc.is_in(trimmed, value_set=true_values), pc.is_in(trimmed, value_set=false_values)
        return pc.if_else(is_true, True, pc.if_else(is_false, pa.scalar(False), pa.scalar(None, pa.bool_())))
    if kind == "numeric":
        # Exact: the decimal text the reading made ("$837,480.00" → "837480.00") goes to numeric as it is.
        trimmed = pc.utf8_trim_whitespace(cells)
        try:
            pc.cast(trimmed, pa.float64())
            return trimmed
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return pa.array([_number(v) for v in trimmed.to_pylist()], pa.string())
    if kind in ("timestamp", "time"):
        return pa.array([_checked_time(v, kind) for v in cells.to_pylist()], pa.string()) if _odd(cells) else cells
    return cells


def _integer(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if -(2 ** 63) <= number < 2 ** 63 else None


def _number(value: str | None) -> str | None:
    try:
        number = decimal.Decimal(str(value).strip())
    except (TypeError, ValueError, decimal.InvalidOperation):
        return None
    return str(value).strip() if number.is_finite() or number.is_nan() else None


def _odd(cells: pa.Array) -> bool:
    """Whether some date-time cell is not ISO 8601 text (only in an invalid file)."""
    pattern = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$|^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
    matches = pc.match_substring_regex(pc.utf8_trim_whitespace(cells), pattern)
    return not pc.all(pc.fill_null(matches, True)).as_py()


def _checked_time(value: str | None, kind: str) -> str | None:
    import re

    if value is None:
        return None
    text = value.strip()
    ok = re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?", text) \
        if kind == "timestamp" else re.fullmatch(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?", text)
    return text if ok else None


def rows_with_errors(row_numbers: Iterable[int]) -> list[int]:
    """The distinct rows (numbered as in the report) that hold an error, sorted."""
    return sorted({int(n) for n in row_numbers if n and int(n) > 0})

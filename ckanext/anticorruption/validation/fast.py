"""The fast path: columnar checks with pyarrow, exact by construction.

How it stays equal to frictionless:

* Each column gets a cheap vectorised "certainly fine" mask (regex, set
  membership, numeric casts). The mask is conservative: it may call a good
  cell doubtful but never a bad cell fine.
* Doubtful cells, and only those, go through frictionless's own cell reader
  (``Field.create_cell_reader``), which yields the exact type and
  constraint notes. In clean data almost nothing is doubtful.
* The header is compared with the fields by ``header_errors``, which
  makes frictionless's ``Header`` errors in linear time (frictionless's
  own copies the whole header into every error and searches every earlier
  label for duplicates: the square of the width). Rows pyarrow cannot take
  (ragged rows) go through frictionless's ``Row`` class, except blank
  lines, which are counted as blank rows without building anything.
* Unique and primary-key checks keep one string key per row and unique
  column in Arrow memory (about 20-30 bytes per row and column: 1M rows of
  17-character ids is ~25 MB) and find repeats by sorting at the end; a
  second pass fetches the cells of the few rows whose errors are kept.

Anything not covered returns None so the caller falls back to frictionless.
"""

from __future__ import annotations

import collections
import csv
import io
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .errorlog import ErrorLog
from .result import (
    Budget, BudgetExceeded, CheckOptions, ErrorCollector, HeaderRules, Light, TooManyColumns, ValidationCancelled,
    build_report,
)
from .scans import Scans
from .source import Source
from .values import READING_KEY, NumberReading, Reading, Tally, TextReading, reading_for

__all__ = ["BLOCK_SIZE", "expected_fields", "header_errors", "label_error", "validate_fast"]

BLOCK_SIZE = 4 * 1024 * 1024
# pyarrow turns each line of a block into a row of the header's width, an
# empty line included: a block of empty lines under a 1,000-column header
# holds a thousand cells per byte. Blocks are sized so that a batch holds at
# most about this many cells (each costs ~10 bytes with the checks'
# temporaries), and grown when a row does not fit.
CELLS_PER_BLOCK = 8_000_000
MIN_BLOCK_SIZE = 16 * 1024
# The checks run on groups of the reader's batches of up to this many rows (see _grouped).
GROUP_ROWS = 65_536

# Python's csv module has a 128 KiB field limit; a 10 MB cell is legal CSV.
csv.field_size_limit(2**31 - 1)

_SUPPORTED_CONSTRAINTS = {"required", "unique", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength"}
_KEYABLE_TYPES = {"string", "integer", "date"}
# Certainly-valid shapes. Narrower than what frictionless accepts (it also
# takes "+1", " 1", "1e3", "2020-1-5"…); those land in the doubtful set.
_INTEGER_OK = r"^(?:0|-?[1-9][0-9]{0,17})$"
_NUMBER_OK = r"^-?[0-9]{1,15}(?:\.[0-9]{1,15})?$"
_DATE_OK = r"^[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
_YEAR_OK = r"^[1-9][0-9]{3}$"
_URI_OK = r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._~/-]*)?$"


class _Unsupported(Exception):
    """The file or schema needs frictionless; raised to fall back."""


@dataclass
class _Column:
    """How to check one expected field (one CSV column)."""

    number: int  # 1-based field number
    name: str
    field: Any  # frictionless Field
    reader: Callable[[Any], tuple[Any, dict[str, str] | None]]
    missing_values: list[str]
    required: bool
    keyed: bool = False  # unique or part of the primary key
    unique: bool = False
    # How values as publishers write them are read (see values); None: as written.
    reading: Reading | None = None
    # Missing values other than "" (N/A, -…), counted when read as empty.
    tokens: list[str] = field(default_factory=list)
    missing_set: frozenset[str] = frozenset()
    counted: bool = False  # one of the type's fields, whose assumptions are counted
    # Whether a cell the checks call fine is certainly read as written (see _fine_as_written).
    fine_as_written: bool = True
    keys: list[pa.Array] = field(default_factory=list)
    key_rows: list[pa.Array] = field(default_factory=list)


def _check_schema(schema: dict[str, Any]) -> None:
    missing = schema.get("missingValues", [""])
    if "" not in missing or not all(isinstance(value, str) for value in missing):
        # A blank line reads as empty strings in pyarrow but as no cells in
        # frictionless; they only agree when "" means missing.
        raise _Unsupported("missingValues without empty string")
    if schema.get("fieldsMatch", "exact") != "exact":
        raise _Unsupported("fieldsMatch")
    keyed = set(schema.get("primaryKey") or [])
    if isinstance(schema.get("primaryKey"), str):
        keyed = {schema["primaryKey"]}
    for spec in schema["fields"]:
        type_ = spec.get("type", "any")
        format_ = spec.get("format", "default")
        if type_ not in {"string", "integer", "number", "date", "datetime", "boolean", "year", "any"}:
            raise _Unsupported(f"type {type_}")
        if format_ != "default" and not (type_ == "string" and format_ in {"uri", "email"}):
            raise _Unsupported(f"format {format_}")
        if type_ in {"number", "integer"} and (
            spec.get("bareNumber", True) is not True or "decimalChar" in spec or "groupChar" in spec or spec.get("floatNumber")
        ):
            raise _Unsupported("number options")
        own = spec.get("missingValues")
        if own is not None and ("" not in own or not all(isinstance(value, str) for value in own)):
            # As for the schema's: only a list holding "" reads blank lines alike.
            raise _Unsupported("field missingValues without empty string")
        constraints = spec.get("constraints") or {}
        if set(constraints) - _SUPPORTED_CONSTRAINTS:
            raise _Unsupported("constraints")
        if "enum" in constraints and type_ != "string":
            raise _Unsupported("enum on typed field")
        if ("unique" in constraints or spec.get("name") in keyed) and type_ not in _KEYABLE_TYPES:
            raise _Unsupported("unique on typed field")


def _match(column: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def _certainly_fine(spec: Any, column: pa.Array) -> pa.Array:
    """True where frictionless certainly reports nothing for the cell."""
    type_ = spec.type
    constraints = spec.constraints or {}
    length = len(column)
    ok: pa.Array
    if type_ == "any":
        ok = pa.array([True] * length, pa.bool_()) if length else pa.array([], pa.bool_())
        return ok
    if type_ == "string":
        if spec.format == "uri":
            ok = _match(column, _URI_OK)
        elif spec.format == "email":
            ok = pa.nulls(length, pa.bool_()).fill_null(False)
        else:
            ok = pc.is_valid(column)
        if "pattern" in constraints:
            try:
                ok = pc.and_(ok, _match(column, "^" + constraints["pattern"] + "$"))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                # RE2 lacks look-arounds and back-references: Python decides.
                ok = pa.nulls(length, pa.bool_()).fill_null(False)
        if "enum" in constraints:
            enum = [str(value) for value in constraints["enum"]]
            ok = pc.and_(ok, pc.is_in(column, value_set=pa.array(enum, pa.string())))
        if "minLength" in constraints or "maxLength" in constraints:
            lengths = pc.utf8_length(column)
            if "minLength" in constraints:
                ok = pc.and_(ok, pc.greater_equal(lengths, int(constraints["minLength"])))
            if "maxLength" in constraints:
                ok = pc.and_(ok, pc.less_equal(lengths, int(constraints["maxLength"])))
        return ok
    if type_ == "boolean":
        values = [str(value) for value in (spec.true_values or []) + (spec.false_values or [])]
        return pc.is_in(column, value_set=pa.array(values, pa.string()))
    if type_ == "year":
        ok = _match(column, _YEAR_OK)
        return _bounded(ok, column, constraints, integer=True)
    if type_ == "integer":
        ok = _match(column, _INTEGER_OK)
        return _bounded(ok, column, constraints, integer=True)
    if type_ == "number":
        ok = _match(column, _NUMBER_OK)
        return _bounded(ok, column, constraints, integer=False)
    if type_ == "date":
        ok = _real_days(column, _match(column, _DATE_OK))
        if "minimum" in constraints or "maximum" in constraints:
            ok = pa.nulls(length, pa.bool_()).fill_null(False)
        return ok
    # datetime and anything else: every present cell is checked in Python.
    return pa.nulls(length, pa.bool_()).fill_null(False)


def _real_days(dates: pa.Array, shaped: pa.Array) -> pa.Array:
    """``shaped`` (YYYY-MM-DD written right) narrowed to the days that exist.

    Every month has a 28th: only days 29 to 31 are looked at.
    """
    late = pc.and_(shaped, pc.greater_equal(pc.utf8_slice_codeunits(dates, 8, 10), "29"))
    if not pc.any(late).as_py():
        return shaped
    return pc.replace_with_mask(shaped, late, _day_exists(pc.filter(dates, late)))


_DAYS_IN_MONTH = pa.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int64())


def _day_exists(dates: pa.Array) -> pa.Array:
    """For YYYY-MM-DD strings already shaped right: does the day exist?

    Done with integer arithmetic because Arrow's strptime rolls 2020-02-30
    over to March instead of failing, and strftime is slow.
    """
    year = pc.cast(pc.utf8_slice_codeunits(dates, 0, 4), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(dates, 5, 7), pa.int64())
    day = pc.cast(pc.utf8_slice_codeunits(dates, 8, 10), pa.int64())

    def divisible(by: int) -> pa.Array:
        return pc.equal(pc.subtract(year, pc.multiply(pc.divide(year, by), by)), 0)

    leap = pc.or_(pc.and_(divisible(4), pc.invert(divisible(100))), divisible(400))
    longest = pc.take(_DAYS_IN_MONTH, month)
    longest = pc.if_else(pc.and_(pc.equal(month, 2), pc.invert(leap)), 28, longest)
    return pc.less_equal(day, longest)


def _bounded(ok: pa.Array, column: pa.Array, constraints: dict[str, Any], *, integer: bool) -> pa.Array:
    if "minimum" not in constraints and "maximum" not in constraints:
        return ok
    safe = pc.if_else(ok, column, pa.scalar("0"))
    values = pc.cast(safe, pa.int64() if integer else pa.float64())
    for name, compare in (("minimum", pc.greater_equal), ("maximum", pc.less_equal)):
        if name not in constraints:
            continue
        try:
            bound = float(constraints[name])
        except (TypeError, ValueError):
            return pa.nulls(len(column), pa.bool_()).fill_null(False)
        if integer:
            ok = pc.and_(ok, compare(values, pa.scalar(bound)))
        else:
            # Floats are close to, not equal to, frictionless's Decimals:
            # values within a hair of the bound are left to Python.
            margin = 1e-9 * max(1.0, abs(bound))
            near = pc.less_equal(pc.abs(pc.subtract(values, bound)), margin)
            ok = pc.and_(ok, pc.and_(compare(values, pa.scalar(bound)), pc.invert(near)))
    return ok


_UPPER_AS_WRITTEN = r"^[!-`{-~ÑÁÉÍÓÚÜ]+$"  # no lower-case letter, no space: upper-casing keeps it
_ASCII_UPPER_AS_WRITTEN = r"^[!-`{-~]+$"
_DISTINCT_READ_IN_PYTHON = 4096


# A pattern built only of these characters and the ranges A-Z and 0-9 matches
# no lower-case letter and no space.
_UPPER_PATTERN = re.compile(r"[\[\]{}(),|?*+0-9A-ZÑ&]*")


def _fine_as_written(reading_spec: dict[str, Any] | None, spec: Any) -> bool:
    """Is every cell the checks call fine (see _certainly_fine) read as written by the field's reading?

    ISO dates and numbers with a decimal point are; so is a code of the
    field's list (the reading keeps its codes), and an identifier matching
    a pattern of upper-case letters and digits (upper-casing keeps it). The
    other columns narrow the checks' mask with :func:`_read_as_written`.
    """
    if not reading_spec:
        return True
    kind = reading_spec.get("kind")
    if kind == "date":
        return True
    if kind == "number":
        return reading_spec.get("decimal", ".") == "."
    constraints = spec.constraints or {}
    if "enum" in constraints:
        return True
    pattern = constraints.get("pattern")
    return (not reading_spec.get("codes") and isinstance(pattern, str)
            and _UPPER_PATTERN.fullmatch(pattern.replace("A-Z", "").replace("0-9", "")) is not None)


def _read_as_written(reading: Reading, column: pa.Array, ok: pa.Array) -> pa.Array:
    """``ok`` narrowed to the cells ``reading`` certainly keeps as written.

    The other cells go through the field's cell reader, which reads them
    first (see values); a cell kept "certainly fine" must read as written,
    or its key and its count would differ from frictionless's. ISO dates
    and plain numbers with a decimal point are what the checks already
    call fine.
    """
    if isinstance(reading, NumberReading) and reading.decimal != ".":
        # 1.234 is a thousand two hundred and thirty-four here.
        return pc.and_(ok, pc.invert(pc.fill_null(pc.match_substring(column, "."), False)))
    if not isinstance(reading, TextReading):
        return ok
    if reading.codes:
        distinct = pc.unique(column)
        if len(distinct) <= _DISTINCT_READ_IN_PYTHON:
            kept = [value for value in distinct.to_pylist() if value is not None and reading.read(value)[1] is None]
            return pc.and_(ok, pc.is_in(column, value_set=pa.array(kept, pa.string())))
        ascii_keys = pa.array([key for key in reading.codes if key.isascii()], pa.string())
        kept_mask = pc.and_(_match(column, _ASCII_UPPER_AS_WRITTEN),
                            pc.invert(pc.is_in(pc.utf8_lower(column), value_set=ascii_keys)))
        kept_mask = pc.or_(kept_mask, pc.is_in(column, value_set=pa.array(sorted(reading.exact), pa.string())))
        return pc.and_(ok, pc.fill_null(kept_mask, False))
    if reading.upper:
        return pc.and_(ok, _match(column, _UPPER_AS_WRITTEN))
    return ok


def _canonical_key(value: Any) -> str | None:
    """The unique/primary-key identity of a parsed cell, as a string."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Error descriptors -----------------------------------------------------------

# Per error class: its descriptor's keys in frictionless's order (camelCase,
# snake_case), or None when a built descriptor differed from frictionless's.
_DESCRIPTOR_KEYS: dict[type, list[tuple[str, str]] | None] = {}


def error_descriptor(error_class: Any, **fields: Any) -> dict[str, Any]:
    """``error_class(**fields).to_descriptor()``, built as a plain dict.

    frictionless exports each error through its metadata machinery (a
    profile walk, case conversions, deep copies): about half a millisecond
    an error, which is most of a report's cost. The first error of each
    class is built both ways and compared; the class keeps frictionless's
    own way if they differ. The values are what frictionless keeps: passed
    and not None; lists are copied.
    """
    from frictionless.helpers import safe_format

    keys = _DESCRIPTOR_KEYS.get(error_class, [])
    if keys is None:
        return error_class(**fields).to_descriptor()
    if keys:
        return _plain_descriptor(error_class, keys, fields, safe_format)
    error = error_class(**fields)
    expected = error.to_descriptor()
    from frictionless.vendors import stringcase

    names = [(name, stringcase.snakecase(name)) for name in error.metadata_ensure_profile().get("properties", {})]
    built = _plain_descriptor(error_class, names, fields, safe_format)
    ok = built == expected and list(built) == list(expected)
    _DESCRIPTOR_KEYS[error_class] = names if ok else None
    return expected


def _plain_descriptor(error_class: Any, names: list[tuple[str, str]], fields: dict[str, Any],
                      safe_format: Callable[..., str]) -> dict[str, Any]:
    descriptor: dict[str, Any] = {}
    for name, attribute in names:
        if name == "message":
            descriptor["message"] = ""  # its place; rendered below
            continue
        if attribute in ("type", "title", "description", "tags"):
            value = getattr(error_class, attribute)
        elif attribute in fields:
            value = fields[attribute]
        else:
            continue
        if value is None or value == {}:
            continue
        descriptor[name] = list(value) if isinstance(value, list) else value
    shown = {key: value for key, value in descriptor.items() if key != "message"}
    descriptor["message"] = safe_format(error_class.template, shown)
    return descriptor


# Header -------------------------------------------------------------------


def label_error(kind: str, labels: list[str], *, note: str, label: str, field_name: str,
                field_number: int) -> dict[str, Any]:
    """frictionless's descriptor of a label error, built without copying the header twice.

    The error is made with an empty header (its message does not show the
    header) and gets the header's labels afterwards: frictionless itself
    deep-copies the whole header into each error, once more for its message.
    ``labels`` is shared by every error of the header (the report is only
    read and serialised, never changed in place).
    """
    from frictionless import errors as ferrors

    error_class = {
        "extra-label": ferrors.ExtraLabelError,
        "missing-label": ferrors.MissingLabelError,
        "blank-label": ferrors.BlankLabelError,
        "duplicate-label": ferrors.DuplicateLabelError,
        "incorrect-label": ferrors.IncorrectLabelError,
    }[kind]
    descriptor = error_class(
        note=note, labels=[], row_numbers=[1], label=label, field_name=field_name, field_number=field_number
    ).to_descriptor()
    descriptor["labels"] = labels
    return descriptor


def header_errors(labels: list[str], fields: list[Any]) -> list[tuple[str, int, Callable[[], dict[str, Any]], Light]]:
    """The errors frictionless's ``Header`` finds (``fieldsMatch: exact``), in its order, in linear time.

    Each is (type, field number, build the descriptor, (field name, label,
    note) for the error log), so only the errors a report keeps are built.
    """
    found: list[tuple[str, int, Callable[[], dict[str, Any]], Light]] = []
    shown = [str(label) for label in labels]

    def add(kind: str, *, note: str = "", label: str = "", field_name: str = "", field_number: int) -> None:
        def build() -> dict[str, Any]:
            return label_error(kind, shown, note=note, label=label, field_name=field_name, field_number=field_number)

        # A label error has no cell: the log shows its field and note.
        found.append((kind, field_number, build, (field_name, "", note)))

    if not labels:
        return found
    for number in range(len(fields) + 1, len(labels) + 1):
        add("extra-label", label=labels[number - 1], field_number=number)
    for number in range(len(labels) + 1, len(fields) + 1):
        add("missing-label", field_name=fields[number - 1].name, field_number=number)
    # Earlier positions of each label, for duplicates. frictionless searches
    # the labels before each one; a dict of positions does it in one pass.
    seen: dict[str, list[int]] = {}
    for number, (field, label) in enumerate(zip(fields, labels), start=1):
        if not label:
            add("blank-label", field_name=field.name, field_number=number)
            continue
        earlier = seen.setdefault(label, [])
        if earlier:
            note = 'at position "%s"' % ", ".join(map(str, earlier))
            add("duplicate-label", note=note, label=str(label), field_name=field.name, field_number=number)
        elif label != field.name:
            add("incorrect-label", label=str(label), field_name=field.name, field_number=number)
        earlier.append(number)
    return found


def _deduplicated(names: list[str]) -> list[str]:
    """frictionless's ``deduplicate_names`` ("x", "x2", "x3"…) without restarting at 2 for each repeat."""
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    result: list[str] = []
    for name in names:
        new_name = name
        if new_name in used:
            # Every suffix below the remembered one was taken before, and
            # taken names stay taken: the first free one is at or after it.
            suffix = next_suffix.get(name, 2)
            new_name = f"{name}{suffix}"
            while new_name in used:
                suffix += 1
                new_name = f"{name}{suffix}"
            next_suffix[name] = suffix + 1
        result.append(new_name)
        used.add(new_name)
    return result


def expected_fields(labels: list[str], fields: list[Any]) -> list[Any]:
    """``Header.get_expected_fields()`` for ``fieldsMatch: exact``: the fields by position,
    then an ``any`` field named after each extra label (deduplicated)."""
    from frictionless.fields import AnyField

    if not labels:
        return list(fields)
    matched = [fields[position] if position < len(fields) else None for position in range(len(labels))]
    names = _deduplicated([field.name if field is not None else label for field, label in zip(matched, labels)])
    # AnyField(name=…) is what Field.from_descriptor({"name": …, "type": "any"})
    # makes, without validating a descriptor per column.
    return [field if field is not None else AnyField(name=name) for field, name in zip(matched, names)]


_NULL_KEY_NOTE = 'cells composing the primary keys are all "None"'
_REMEMBERED_CELLS = 200_000


class _Spill:
    """The errors of a batch's ragged rows that no report can keep: logged at once, counted after.

    A short row under a wide header has an error per missing cell; a batch
    of them would hold millions of pending errors. The report keeps the
    first ``cap`` of each kind in row order, and ragged rows come in row
    order, so once a kind has as many pending errors from ragged rows as it
    has room left, its later ones cannot be kept. Their counts wait until
    the batch's pending errors are added, so the room is not used up early.
    """

    def __init__(self, collector: ErrorCollector) -> None:
        self.collector = collector
        self.room: dict[str, int] = {}
        self.spilled: collections.Counter[str] = collections.Counter()

    def takes(self, type_: str, row: int, field: int, light: Light) -> bool:
        room = self.room.get(type_)
        if room is None:
            room = self.room[type_] = max(0, self.collector.cap - self.collector.counts.get(type_, 0))
        if room > 0:
            self.room[type_] = room - 1
            return False
        self.spilled[type_] += 1
        self.collector.log_light(type_, row=row, field=field, light=light)
        return True

    def count(self) -> None:
        for type_, number in self.spilled.items():
            self.collector.count_only(type_, number)


class _Checker:
    """State of one validation run over batches of string columns."""

    def __init__(self, source: Source, schema: dict[str, Any], labels: list[str], collector: ErrorCollector) -> None:
        import frictionless

        from .reference import register_readings

        register_readings()
        self.collector = collector
        self.tally = Tally()
        # How frictionless prints an empty cell in an error: CSV cells are
        # "", but openpyxl gives None for an empty XLSX cell.
        self.empty_cell = "None" if source.format == "xlsx" else ""
        self.schema_obj = frictionless.Schema.from_descriptor(schema)
        self.header_errors = header_errors(labels, self.schema_obj.fields)
        expected = expected_fields(labels, self.schema_obj.fields)
        primary_key = list(self.schema_obj.primary_key)
        names = [spec.name for spec in expected]
        self.has_primary_key = bool(primary_key) and set(primary_key).issubset(names)
        schema_missing = list(self.schema_obj.missing_values)
        self.columns: list[_Column] = []
        for number, spec in enumerate(expected, start=1):
            unique = bool((spec.constraints or {}).get("unique"))
            in_key = self.has_primary_key and spec.name in primary_key
            if (unique or in_key) and spec.type not in _KEYABLE_TYPES:
                raise _Unsupported("key on typed field")
            # A field's own missingValues replace the schema's, as frictionless reads them.
            own_missing = spec.missing_values if spec.schema is None or spec.has_defined("missing_values") else schema_missing
            reading_spec = (spec.custom or {}).get(READING_KEY)
            self.columns.append(
                _Column(
                    number=number,
                    name=spec.name,
                    field=spec,
                    reader=spec.create_cell_reader(),
                    missing_values=list(own_missing),
                    required=bool(spec.required) or in_key,
                    keyed=unique or in_key,
                    unique=unique,
                    reading=reading_for(reading_spec) if reading_spec else None,
                    tokens=[value for value in own_missing if value],
                    missing_set=frozenset(own_missing),
                    counted=spec.type != "any",
                    fine_as_written=_fine_as_written(reading_spec, spec),
                )
            )
        self.primary_key = [next(c for c in self.columns if c.name == name) for name in primary_key] if self.has_primary_key else []
        self.pk_keys: list[pa.Array] = []
        self.pk_rows: list[pa.Array] = []
        # Cells of rows without a key, by row number: most reports keep these
        # primary-key errors, and their cells would otherwise cost a second
        # read of the file. A few hundred thousand cells at most.
        self.remembered: dict[int, list[Any]] = {}
        self.remember_left = min(collector.cap, _REMEMBERED_CELLS // max(1, len(self.columns)))
        self.rows = 0
        self.read_arrays: list[pa.Array] = []
        self.max_columns = 0  # set by validate_fast: wider ragged rows stop the run
        self.budget: Budget | None = None  # set by validate_fast: polled between ragged rows

    # Header -----------------------------------------------------------

    def add_header_errors(self, rules: HeaderRules | None = None) -> None:
        found = self.header_errors
        if rules is not None:
            found = [error for error in found if rules.keeps(error[0], error[1])] + list(rules.errors)
        for type_, field_number, build, light in found:
            self.collector.add(type_, build, row=0, field=field_number, light=light)

    # Batches ----------------------------------------------------------

    def check_batch(
        self, columns: list[pa.Array], numbers: pa.Array, odd_rows: list[tuple[int, list[Any]]]
    ) -> None:
        """Check a batch of well-formed rows plus the ragged rows among them."""
        from frictionless import errors as ferrors

        length = len(numbers)
        self.rows += length + len(odd_rows)
        found: list[tuple[int, int, int, str, Callable[[], dict[str, Any]], Light]] = []
        sequence = 0
        row_cache: dict[int, list[str]] = {}

        def cells_of(index: int) -> list[str]:
            if index not in row_cache:
                row_cache[index] = [column[index].as_py() for column in columns]
            return row_cache[index]

        numbers_py: list[int] | None = None
        missing_masks: list[pa.Array] = []
        blank: pa.Array | None = None
        for column, array in zip(self.columns, columns):
            if column.missing_values == [""] and not array.null_count:
                missing = pc.equal(pc.binary_length(array), 0)
            else:
                missing = pc.is_in(array, value_set=pa.array(column.missing_values, pa.string()))
            missing_masks.append(missing)
            blank = missing if blank is None else pc.and_(blank, missing)
        if blank is None:
            blank = pa.array([False] * length, pa.bool_())
        blank_indices = pc.indices_nonzero(blank) if length and pc.any(blank).as_py() else pa.array([], pa.uint64())
        # Only the first blank rows of the report are built (a file of a
        # million empty lines is a million blank rows); the row numbers of
        # the others stay in Arrow, to be counted and logged after this
        # batch's errors.
        room = max(0, self.collector.cap - self.collector.counts.get("blank-row", 0))
        blank_rows = blank_indices.slice(0, room).to_pylist()
        unbuilt_blank_rows = pc.take(numbers, blank_indices.slice(room)) if len(blank_indices) > room else None
        if blank_rows:
            built_numbers = pc.take(numbers, pa.array(blank_rows, pa.int64())).to_pylist()
            for index, row_number in zip(blank_rows, built_numbers):
                sequence += 1
                found.append(
                    (
                        row_number,
                        0,
                        sequence,
                        "blank-row",
                        lambda index=index, row_number=row_number: error_descriptor(
                            ferrors.BlankRowError, note="", cells=cells_of(index), row_number=row_number
                        ),
                        ("", "", ""),
                    )
                )

        # The cells as read (see values), for the column scans: the
        # identifier checks and the red flags see RFCs and dates as read.
        self.read_arrays = list(columns)
        for position, (column, array, missing) in enumerate(zip(self.columns, columns, missing_masks)):
            ok = _certainly_fine(column.field, array)
            if column.reading is not None and not column.fine_as_written:
                ok = _read_as_written(column.reading, array, ok)
            if column.counted and column.tokens and length:
                self._count_tokens(column, array, missing)
            fine_if_missing = pa.scalar(not column.required)
            ok = pc.if_else(missing, fine_if_missing, ok)
            # A blank row reports only itself, and its keys are all missing.
            ok = pc.or_(ok, blank)
            doubtful = pc.indices_nonzero(pc.invert(ok)).to_pylist() if length and not pc.all(ok).as_py() else []
            patches: dict[int, str | None] = {}
            if doubtful:
                if numbers_py is None:
                    numbers_py = numbers.to_pylist()
                values = pc.take(array, pa.array(doubtful, pa.int64())).to_pylist()
                reading = column.reading if column.counted else None
                # Publishers' values repeat (a date, a procedure's name): each
                # distinct one is read once per batch.
                known: dict[Any, tuple[Any, dict[str, str] | None]] = {}
                changed: dict[int, str] = {}
                for index, value in zip(doubtful, values):
                    read = known.get(value)
                    if read is None:
                        read = known[value] = column.reader(value)
                    target, notes = read
                    if column.reading is not None:
                        if reading is not None and value not in column.missing_set:
                            self.tally.value(column.name, reading, value)
                        as_read = column.reading.read_cached(value)[0]
                        if as_read != value:
                            changed[index] = as_read
                    if column.keyed:
                        patches[index] = _canonical_key(target)
                    if not notes:
                        continue
                    row_number = numbers_py[index]
                    cell = str(value) if value != "" else self.empty_cell
                    for kind, note in notes.items():
                        type_ = "type-error" if kind == "type" else "constraint-error"
                        error_class = ferrors.TypeError if kind == "type" else ferrors.ConstraintError
                        sequence += 1
                        found.append(
                            (
                                row_number,
                                column.number,
                                sequence,
                                type_,
                                lambda error_class=error_class, note=note, index=index, row_number=row_number, cell=cell, column=column: error_descriptor(
                                    error_class,
                                    note=note,
                                    cells=cells_of(index),
                                    row_number=row_number,
                                    cell=cell,
                                    field_name=column.name,
                                    field_number=column.number,
                                ),
                                (column.name, cell, note),
                            )
                        )
                if changed:
                    mask = [False] * length
                    for index in changed:
                        mask[index] = True
                    self.read_arrays[position] = pc.replace_with_mask(
                        array, pa.array(mask, pa.bool_()), pa.array([changed[i] for i in sorted(changed)], pa.string()))
            if column.keyed:
                keys = pc.if_else(missing, pa.scalar(None, pa.string()), array)
                if patches:
                    mask = [False] * length
                    for index in patches:
                        mask[index] = True
                    keys = pc.replace_with_mask(
                        keys, pa.array(mask, pa.bool_()), pa.array([patches[i] for i in sorted(patches)], pa.string())
                    )
                column.keys.append(keys)
                column.key_rows.append(numbers)

        # The primary key reads this batch's key arrays, so it runs before
        # the ragged rows append theirs.
        if self.has_primary_key:
            self._collect_primary_key(numbers)
            if self.remember_left > 0 and self.pk_keys[-1].null_count:
                self._remember_null_keys(columns, numbers)

        odd_keys: dict[str, list[str | None]] = {column.name: [] for column in self.columns if column.keyed}
        odd_pk: list[str | None] = []
        spill = _Spill(self.collector)
        for position, (row_number, cells) in enumerate(odd_rows, start=1):
            sequence = self._check_odd_row(row_number, cells, found, sequence, odd_keys, odd_pk, spill)
            if self.budget is not None and position % 1000 == 0:
                self.budget.check()
        if odd_rows:
            odd_numbers = pa.array([row_number for row_number, _ in odd_rows], pa.int64())
            for column in self.columns:
                if column.keyed:
                    column.keys.append(pa.array(odd_keys[column.name], pa.string()))
                    column.key_rows.append(odd_numbers)
            if self.has_primary_key:
                self.pk_keys.append(pa.array(odd_pk, pa.string()))
                self.pk_rows.append(odd_numbers)
                for (row_number, cells), key in zip(odd_rows, odd_pk):
                    if key is None and self.remember_left > 0:
                        self.remembered[row_number] = cells
                        self.remember_left -= 1

        found.sort(key=lambda item: (item[0], item[1], item[2]))
        for row_number, field_number, _, type_, build, light in found:
            if self.collector.wants(type_) or self.collector.log is not None:
                self.collector.add(type_, build, row=row_number, field=field_number, light=light)
            else:
                self.collector.count_only(type_)
        spill.count()
        if unbuilt_blank_rows is not None:
            self.collector.count_only("blank-row", len(unbuilt_blank_rows))
            if self.collector.log is not None:
                for row_number in _in_slices(unbuilt_blank_rows):
                    self.collector.log_light("blank-row", row=row_number, field=0, light=("", "", ""))

    def read_cells(self, cells: list[Any]) -> list[Any]:
        """A ragged row's cells as read (see values), for the column scans."""
        return [column.reading.value(cell) if column.reading is not None else cell
                for column, cell in zip(self.columns, cells)] + list(cells[len(self.columns):])

    def _count_tokens(self, column: _Column, array: pa.Array, missing: pa.Array) -> None:
        """Count the cells written as a missing value other than "" (N/A, -…)."""
        if not pc.any(missing).as_py():
            return
        written = pc.fill_null(pc.and_(missing, pc.greater(pc.binary_length(array), 0)), False)
        if not pc.any(written).as_py():
            return
        for item in pc.value_counts(pc.filter(array, written)).to_pylist():
            self.tally.missing(column.name, item["values"], item["counts"])

    def _remember_null_keys(self, columns: list[pa.Array], numbers: pa.Array) -> None:
        """Keep the cells of this batch's first rows without a key, which a report shows (no second pass for them)."""
        where = pc.indices_nonzero(pc.is_null(self.pk_keys[-1])).slice(0, self.remember_left)
        for index, row_number in zip(where.to_pylist(), pc.take(numbers, where).to_pylist()):
            self.remembered[row_number] = [array[index].as_py() for array in columns]
        self.remember_left -= len(where)

    def _collect_primary_key(self, numbers: pa.Array) -> None:
        # The key arrays of this batch were just appended (ragged rows add
        # their own entries in _check_odd_row).
        parts = [column.keys[-1] for column in self.primary_key]
        if len(parts) == 1:
            key = parts[0]
        else:
            all_null = pc.is_null(parts[0])
            for part in parts[1:]:
                all_null = pc.and_(all_null, pc.is_null(part))
            joined = pc.binary_join_element_wise(*parts, "\x1f", null_handling="replace", null_replacement="\x00")
            key = pc.if_else(all_null, pa.scalar(None, pa.string()), joined)
        self.pk_keys.append(key)
        self.pk_rows.append(numbers)

    def _check_odd_row(
        self,
        row_number: int,
        cells: list[Any],
        found: list[Any],
        sequence: int,
        odd_keys: dict[str, list[str | None]],
        odd_pk: list[str | None],
        spill: _Spill,
    ) -> int:
        """The errors frictionless's ``Row`` finds in a ragged row, built only if kept.

        frictionless copies the row's cells into each of its errors, so a
        row with thousands of extra cells costs the square of its width;
        here an error is a (field name, cell, note) until the report keeps it.
        """
        from frictionless import errors as ferrors

        if self.max_columns and len(cells) > self.max_columns:
            raise TooManyColumns(len(cells))

        def as_text() -> list[str]:
            return [str(cell) if cell is not None else "" for cell in cells]

        row_errors: list[tuple[int, str, Any, dict[str, Any], Light]] = []

        def error(number: int, type_: str, error_class: Any, light: Light, **fields: Any) -> None:
            row_errors.append((number, type_, error_class, fields, light))

        values: dict[str, Any] = {}
        blank_cells = 0
        for index, column in enumerate(self.columns):
            source = cells[index] if index < len(cells) else None
            if column.counted:
                self.tally.cell(column.name, column.reading, column.missing_set, source)
            target, notes = column.reader(source)
            type_note = notes.pop("type", None) if notes else None
            if target is None and not type_note:
                blank_cells += 1
            if type_note:
                error(column.number, "type-error", ferrors.TypeError, (column.name, str(source), type_note),
                      note=type_note, cell=str(source), field_name=column.name, field_number=column.number)
            for note in (notes or {}).values():
                error(column.number, "constraint-error", ferrors.ConstraintError, (column.name, str(source), note),
                      note=note, cell=str(source), field_name=column.name, field_number=column.number)
            values[column.name] = target
        width = len(self.columns)
        for number in range(width + 1, len(cells) + 1):
            cell = str(cells[number - 1])
            error(number, "extra-cell", ferrors.ExtraCellError, ("", cell, ""),
                  note="", cell=cell, field_name="", field_number=number)
        for column in self.columns[len(cells):]:
            error(column.number, "missing-cell", ferrors.MissingCellError, (column.name, "", ""),
                  note="", cell="", field_name=column.name, field_number=column.number)
        if blank_cells == width:
            row_errors = [(0, "blank-row", ferrors.BlankRowError, {"note": ""}, ("", "", ""))]
        for number, type_, error_class, fields, light in row_errors:
            if spill.takes(type_, row_number, number, light):
                continue
            sequence += 1

            def build(error_class: Any = error_class, fields: dict[str, Any] = fields) -> dict[str, Any]:
                return error_descriptor(error_class, cells=as_text(), row_number=row_number, **fields)

            found.append((row_number, number, sequence, type_, build, light))
        for column in self.columns:
            if column.keyed:
                odd_keys[column.name].append(_canonical_key(values[column.name]))
        if self.has_primary_key:
            keys = [_canonical_key(values[column.name]) for column in self.primary_key]
            if all(key is None for key in keys):
                joined = None
            elif len(keys) == 1:
                joined = keys[0]
            else:
                joined = "\x1f".join("\x00" if key is None else key for key in keys)
            odd_pk.append(joined)
        return sequence

    # Integrity --------------------------------------------------------

    def integrity_errors(self) -> tuple[list[tuple[str, int, int, str, Any]], Any]:
        """(type, row, field number, note, column) for unique and primary-key errors,
        and the rows of primary-key errors "all None" that no report can keep.

        Blank rows have no key: a file of empty lines has as many of these
        errors as lines, so only the first ``cap`` (the most a report keeps)
        become tuples; the others are row numbers, counted and logged.
        """
        found: list[tuple[str, int, int, str, Any]] = []
        unkept: Any = pa.array([], pa.int64())
        for column in self.columns:
            if not column.unique:
                continue
            for row, previous in _repeats(column.keys, column.key_rows):
                found.append(("unique-error", row, column.number, f"the same as in the row at position {previous}", column))
        if self.has_primary_key:
            keys = pa.chunked_array(self.pk_keys, pa.string()) if self.pk_keys else pa.chunked_array([], pa.string())
            rows = pa.chunked_array(self.pk_rows, pa.int64()) if self.pk_rows else pa.chunked_array([], pa.int64())
            null_rows = pc.filter(rows, pc.is_null(keys))
            if len(null_rows):
                null_rows = pc.take(null_rows, pc.sort_indices(null_rows))
            cap = self.collector.cap
            for row in null_rows.slice(0, cap).to_pylist():
                found.append(("primary-key", row, 0, _NULL_KEY_NOTE, None))
            if len(null_rows) > cap:
                unkept = null_rows.slice(cap)
            for row, previous in _repeats(self.pk_keys, self.pk_rows):
                found.append(("primary-key", row, 0, f"the same as in the row at position {previous}", None))
        return found, unkept


def _in_slices(numbers: Any, size: int = 65_536) -> Iterator[int]:
    """The values of an Arrow array, a slice at a time (never a million Python ints at once)."""
    for start in range(0, len(numbers), size):
        yield from numbers.slice(start, size).to_pylist()


def _repeats(keys: list[pa.Array], rows: list[pa.Array]) -> list[tuple[int, int]]:
    """(row, previous row with the same key) for every repeated non-null key."""
    if not keys:
        return []
    table = pa.table({"key": pa.chunked_array(keys, pa.string()), "row": pa.chunked_array(rows, pa.int64())})
    table = table.filter(pc.is_valid(table["key"]))
    if table.num_rows < 2:
        return []
    table = table.take(pc.sort_indices(table, sort_keys=[("key", "ascending"), ("row", "ascending")]))
    key = table["key"].combine_chunks()
    row = table["row"].combine_chunks()
    same = pc.equal(key.slice(1), key.slice(0, len(key) - 1))
    where = pc.indices_nonzero(same)
    if len(where) == 0:
        return []
    later = pc.take(row.slice(1), where).to_pylist()
    earlier = pc.take(row.slice(0, len(row) - 1), where).to_pylist()
    return sorted(zip(later, earlier))


# CSV reading --------------------------------------------------------------


def _read_labels(source: Source) -> list[str]:
    with open(source.path, encoding=source.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter or ",", quotechar='"', doublequote=True, skipinitialspace=False)
        return next(reader, [])


Batch = tuple[list[pa.Array], pa.Array, list[tuple[int, list[Any]]]]


def _csv_batches(
    source: Source, labels: list[str], budget: Budget | None = None, block_size: int = BLOCK_SIZE
) -> Iterator[Batch]:
    """Yield (columns, row numbers, ragged rows) batches; the header row is dropped.

    Row numbers follow frictionless: the header is row 1 and every CSV
    record counts, blank ones included. pyarrow reports the record number
    of each row it rejects, so the accepted rows fill the gaps in order.
    """
    rejected: list[tuple[int, str]] = []

    broken: list[str] = []
    exceeded: list[BudgetExceeded] = []

    def on_invalid(row: Any) -> str:
        # Exceptions raised here are swallowed by pyarrow, so failures are
        # noted and turned into a parse error that is re-raised below.
        if budget is not None and len(rejected) % 10_000 == 9_999:
            try:
                budget.check()
            except BudgetExceeded as over:
                exceeded.append(over)
                return "error"
        try:
            text = row.text
        except UnicodeDecodeError as error:
            broken.append(f"invalid utf8 data: {error}")
            return "error"
        if row.number is None:
            broken.append("unnumbered")
            return "error"
        rejected.append((row.number, text))
        return "skip"

    width = len(labels)
    names = [f"c{index}" for index in range(width)]
    encoding = "utf8" if source.encoding in {"utf-8", "utf-8-sig"} else source.encoding
    reader = pa_csv.open_csv(
        source.path,
        read_options=pa_csv.ReadOptions(
            use_threads=False, block_size=block_size, column_names=names, encoding=encoding
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=source.delimiter or ",",
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
            check_utf8=True,
        ),
    )
    next_number = 1  # the record number the next accepted row would have
    first = True
    used = 0  # rejected rows consumed so far
    batches = iter(reader)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except pa.ArrowInvalid:
            if exceeded:
                raise exceeded[0] from None
            if broken and broken[0] == "unnumbered":
                raise _Unsupported("pyarrow did not number a ragged row") from None
            if broken:
                raise ValueError(broken[0]) from None
            raise
        count = batch.num_rows
        if count == 0:
            continue
        # Record numbers of this batch's accepted rows: consecutive, except
        # that each rejected record inside the span pushes the rest down.
        numbers: list[int] = []
        odd: list[tuple[int, list[str]]] = []
        pending = sorted(rejected[used:])
        cursor = next_number
        position = 0
        for number, text in pending:
            gap = number - cursor
            if gap > count - position:
                break
            position += gap
            cursor = number + 1
            used += 1
            odd.append((number, _split_row(text, source)))
        numbers_array = _numbers_for(next_number, count, [n for n, _ in odd])
        next_number = max(int(numbers_array[-1].as_py()), cursor - 1) + 1
        arrays = [batch.column(index) for index in range(width)]
        if first:
            first = False
            if numbers_array[0].as_py() != 1 or [array[0].as_py() for array in arrays] != labels:
                raise _Unsupported("header row read differently by pyarrow")
            arrays = [array.slice(1) for array in arrays]
            numbers_array = numbers_array.slice(1)
        if odd and odd[0][0] == 1:
            raise _Unsupported("header row rejected by pyarrow")
        yield arrays, numbers_array, odd
    # Rejected rows after the last accepted one.
    tail = [(number, _split_row(text, source)) for number, text in sorted(rejected[used:])]
    if tail:
        yield [pa.array([], pa.string()) for _ in range(width)], pa.array([], pa.int64()), tail


def _numbers_for(start: int, count: int, skipped: list[int]) -> pa.Array:
    """``count`` record numbers from ``start`` on, leaving out ``skipped``: runs of consecutive numbers."""
    parts: list[pa.Array] = []
    number, left = start, count
    for skip in sorted(set(skipped)):
        if skip < number:
            continue
        run = min(skip - number, left)
        if run:
            parts.append(_counting(number, run))
            left -= run
        number = skip + 1
        if not left:
            break
    if left:
        parts.append(_counting(number, left))
    return pa.concat_arrays(parts) if len(parts) != 1 else parts[0]


_COUNTED: list[pa.Array] = [pa.array([], pa.int64())]


def _counting(start: int, count: int) -> pa.Array:
    """start, start + 1, … (``count`` numbers), from one array of 0, 1, 2… built once and grown."""
    base = _COUNTED[0]
    if len(base) < count:
        base = _COUNTED[0] = pa.array(range(max(count, 2 * len(base))), pa.int64())
    return pc.add(base.slice(0, count), start)


def _grouped(batches: Iterator[Batch], width: int) -> Iterator[Batch]:
    """The reader's batches joined into groups of up to GROUP_ROWS rows and CELLS_PER_BLOCK cells.

    The reader's blocks are small so that a block of empty lines under a
    wide header holds few cells; the checks cost a few dozen Arrow calls
    per batch whatever its length, so they run on groups. A ragged row's
    cells are Python strings, counted as several Arrow cells.
    """
    pending: list[Batch] = []
    rows = cells = 0
    for batch in batches:
        _, numbers, odd = batch
        count = len(numbers) + len(odd)
        size = count * max(1, width) + 8 * sum(len(row) for _, row in odd)
        if pending and (rows + count > GROUP_ROWS or cells + size > CELLS_PER_BLOCK):
            yield _joined(pending)
            pending, rows, cells = [], 0, 0
        pending.append(batch)
        rows += count
        cells += size
    if pending:
        yield _joined(pending)


def _joined(batches: list[Batch]) -> Batch:
    if len(batches) == 1:
        return batches[0]
    width = len(batches[0][0])
    arrays = [pa.concat_arrays([batch[0][index] for batch in batches]) for index in range(width)]
    numbers = pa.concat_arrays([batch[1] for batch in batches])
    return arrays, numbers, [row for batch in batches for row in batch[2]]


def _split_row(text: str, source: Source) -> list[str]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter or ",", quotechar='"')
    return next(reader, [])


# Entry point --------------------------------------------------------------


def validate_fast(source: Source, schema: dict[str, Any],
                  options: CheckOptions) -> tuple[dict[str, Any], int, ErrorCollector] | None:
    """Validate with pyarrow; None when frictionless must do it instead.

    With ``log_path``, every error is also written there (see errorlog);
    a fallback to frictionless rewrites that file from the start.
    A row wider than ``max_columns`` raises :class:`TooManyColumns`;
    ``budget`` is checked with ``cancelled``, between batches.
    """
    if source.format == "xlsx":
        from .xlsx import NotStreamable

        try:
            return _validate_fast(source, schema, options, BLOCK_SIZE)
        except NotStreamable:
            # Markup the streaming reader does not take: the whole sheet, read by calamine.
            return _validate_fast(source, schema, options, BLOCK_SIZE, stream=False)
    block_size = min(BLOCK_SIZE, max(MIN_BLOCK_SIZE, CELLS_PER_BLOCK // max(1, len(_read_labels(source)))))
    while True:
        try:
            return _validate_fast(source, schema, options, block_size)
        except _Straddled:
            # A row larger than the block: start again with larger blocks
            # (the log and the collector start afresh too).
            if block_size >= BLOCK_SIZE:
                return None  # a cell larger than BLOCK_SIZE (a 10 MB cell): frictionless copes
            block_size = min(BLOCK_SIZE, block_size * 8)


class _Straddled(Exception):
    """A row is larger than pyarrow's block."""


def _validate_fast(source: Source, schema: dict[str, Any], options: CheckOptions,
                   block_size: int, stream: bool = True) -> tuple[dict[str, Any], int, ErrorCollector] | None:
    started = time.perf_counter()
    log = ErrorLog(options.log_path) if options.log_path else None
    sheet = None
    try:
        _check_schema(schema)
        if source.format == "xlsx":
            from .xlsx import UnsupportedSheet, read_sheet, stream_sheet

            try:
                sheet = stream_sheet(source, schema) if stream else read_sheet(source, schema)
            except UnsupportedSheet as reason:
                raise _Unsupported(str(reason)) from None
            labels = sheet.labels
            # A streamed sheet comes a chunk of XML (a few thousand rows) at a time.
            batches_factory = lambda: _grouped(sheet.iter_batches(), len(labels))  # noqa: E731
        else:
            labels = _read_labels(source)
            batches_factory = lambda: _grouped(  # noqa: E731
                _csv_batches(source, labels, options.budget, block_size), len(labels))
        if options.max_columns and len(labels) > options.max_columns:
            raise TooManyColumns(len(labels))
        if not labels or not any(labels):
            raise _Unsupported("no header")
        collector = ErrorCollector(options.max_errors_per_type, log)
        checker = _Checker(source, schema, labels, collector)
        if len(checker.columns) != len(labels):
            raise _Unsupported("expected fields differ from labels")
        checker.max_columns, checker.budget = options.max_columns or 0, options.budget
        checker.add_header_errors(options.header)
        feeder = Scans(options.scans() if options.scans else [], [column.name for column in checker.columns], collector)
        reported = 0
        for arrays, numbers, odd in batches_factory():
            if options.budget is not None:
                options.budget.rows = checker.rows
                options.budget.check()
            if options.cancelled and options.cancelled():
                raise ValidationCancelled()
            checker.check_batch(arrays, numbers, odd)
            feeder.feed_arrays(checker.read_arrays, numbers)
            for row_number, cells in odd:
                feeder.add_row(row_number, checker.read_cells(cells))
            if options.progress and checker.rows - reported >= options.progress_every:
                reported = checker.rows
                options.progress(checker.rows)
        if options.budget is not None:
            options.budget.check()
        _add_integrity_errors(checker, collector, batches_factory)
        collector.summaries = feeder.finish(collector)
        collector.assumptions = checker.tally.items()
    except _Unsupported:
        return None
    except pa.ArrowInvalid as error:
        if "straddl" in str(error):
            raise _Straddled() from None
        raise
    finally:
        if sheet is not None:
            sheet.close()  # a streamed sheet's worker thread, when its rows were not all read
        if log is not None:
            log.close()
    report = build_report(
        name=_resource_name(source.path),
        place=source.path,
        labels=labels,
        collector=collector,
        rows=checker.rows,
        fields=len(schema.get("fields", [])),
        byte_count=os.path.getsize(source.path),
        seconds=time.perf_counter() - started,
    )
    return report, checker.rows, collector


def _add_integrity_errors(checker: _Checker, collector: ErrorCollector, batches_factory: Callable[[], Any]) -> None:
    from frictionless import errors as ferrors

    found, unkept = checker.integrity_errors()
    if not found and not len(unkept):
        return
    found.sort(key=lambda item: (item[1], 0 if item[0] == "unique-error" else 1, item[2]))
    kept: set[int] = set()
    for position, item in enumerate(found):
        if collector.wants(item[0]):
            kept.add(position)
        collector.count_only(item[0])
    # Rows past the first ``cap`` null keys: never kept, only counted and logged.
    collector.count_only("primary-key", len(unkept))
    if collector.log is not None:
        for row in _in_slices(unkept):
            collector.log_light("primary-key", row=row, field=0, light=("", "", _NULL_KEY_NOTE))
    # Counted above; now build the kept ones with their row cells, which
    # needs one more pass over the file for just those rows. The others are
    # only logged, without their cells (the row number says where to look).
    wanted = {found[position][1] for position in kept}
    cells = {row: checker.remembered[row] for row in wanted if row in checker.remembered}
    cells.update(_fetch_rows(batches_factory, wanted - cells.keys()))
    for position, (type_, row, field_number, note, column) in enumerate(found):
        if position not in kept:
            name = column.name if type_ == "unique-error" else ""
            collector.log_light(type_, row=row, field=field_number, light=(name, "", note))
            continue
        row_cells = cells.get(row, [])
        if type_ == "unique-error":
            descriptor = error_descriptor(
                ferrors.UniqueError,
                note=note,
                cells=row_cells,
                row_number=row,
                cell=row_cells[field_number - 1] if field_number <= len(row_cells) else "",
                field_name=column.name,
                field_number=field_number,
            )
        else:
            descriptor = error_descriptor(ferrors.PrimaryKeyError, note=note, cells=row_cells, row_number=row)
        collector.keep(type_, descriptor, row=row, field=field_number)
        collector.log_descriptor(descriptor)


def _fetch_rows(batches_factory: Callable[[], Any], wanted: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not wanted:
        return found
    highest = max(wanted)
    for arrays, numbers, odd in batches_factory():
        for number, cells in odd:
            if number in wanted:
                found[number] = cells
        if len(numbers):
            mask = pc.is_in(numbers, value_set=pa.array(sorted(wanted), pa.int64()))
            indices = pc.indices_nonzero(mask).to_pylist()
            if indices:
                numbers_py = numbers.to_pylist()
                for index in indices:
                    found[numbers_py[index]] = [array[index].as_py() for array in arrays]
            if numbers[-1].as_py() >= highest and not any(n > highest for n, _ in odd):
                break
    return found


def _resource_name(path: str) -> str:
    # frictionless names a resource after its file stem, slugified.
    stem = os.path.splitext(os.path.basename(path))[0]
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-") or "table"

"""validate_file: sniff the file, then run the fast path or frictionless."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from .mapping import HeaderMapping, map_columns
from .reference import prepare_schema, validate_with_frictionless
from .result import (
    Budget, BudgetExceeded, CheckOptions, ErrorCollector, HeaderRules, TooManyColumns, ValidationCancelled,
    ValidationResult,
)
from .scans import ScanFactory
from .source import Source, SourceProblem, header_labels, header_width, iter_rows, open_source, sample_rows
from .values import DEFAULTS_KEY, plan_readings, with_readings

__all__ = ["validate_file"]

log = logging.getLogger(__name__)

# frictionless error types that mean "could not read the file" rather than
# "the data is wrong"; they turn the result into state "error".
_UNREADABLE_TYPES = {"source-error", "scheme-error", "format-error", "resource-error", "schema-error", "general-error"}


def validate_file(
    path: str,
    table_schema: dict[str, Any],
    *,
    format: str | None = None,
    sheet: str | int | None = None,
    max_errors_per_type: int = 1000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 50_000,
    cancelled: Callable[[], bool] | None = None,
    engine: str = "auto",
    error_log: str | None = None,
    scans: ScanFactory | None = None,
    max_columns: int | None = None,
    max_seconds: float | None = None,
    max_memory_bytes: int | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> ValidationResult:
    """Check ``path`` against ``table_schema``; never raises for bad input.

    ``engine`` is "auto" (fast path when it supports the schema and file,
    frictionless otherwise), "fast" (same as auto; kept for symmetry) or
    "frictionless" (force the reference, used by tests and the benchmark).
    ``error_log`` is a path where every error is written as gzip CSV (the
    report keeps only ``max_errors_per_type`` of each kind); it is written
    only when the file could be read, i.e. for states valid and invalid.
    ``scans`` makes fresh column scans (see scans) for each pass over the
    file; their summaries are in ``result.scans``.
    ``max_columns``: a file with a wider header or row is not checked
    (state "error", problem "too-many-columns"); the header is counted
    before any other work, so no check ever costs more than linear time in
    a bounded width.
    ``max_seconds`` and ``max_memory_bytes`` (growth of the process's
    resident memory) are a budget: past either, the run stops with
    :class:`BudgetExceeded`, polled where ``cancelled`` is.
    ``mapping`` (file column label → field name, None to ignore the column)
    overrides the match of columns by name (see mapping) for the columns it
    names; a file without a header row is mapped by its columns' places
    ("1", "2", ...; otherwise its columns are the schema's, in order). A header that is the schema's names in order is checked as it
    always was; otherwise each column is checked against the field it
    holds, absent optional fields are fine and extra columns are warnings.
    A header that holds fewer than half of the required fields is not
    checked row by row (the rows are counted and scanned, no cell is held to
    a field): the result is "invalid" with problem "header-mismatch" and the
    matching and the row count in ``problem_params``.
    A file without a header row is read with its columns in the Table
    Schema's order, unless ``mapping`` names them by position ("1", "2", …);
    its first row is in ``detected["first_row"]`` (to name its columns by).
    Raises :class:`ValidationCancelled` when ``cancelled()`` returns True.
    """
    started = time.perf_counter()
    budget = Budget(max_seconds, max_memory_bytes) if (max_seconds, max_memory_bytes) != (None, None) else None
    source = open_source(path, format=format, sheet=sheet, hints=_field_hints(table_schema))
    if isinstance(source, SourceProblem):
        return _problem_result(source, {}, started)
    if max_columns:
        width = header_width(source)
        if width > max_columns:
            return _too_many_columns(width, max_columns, source, started)

    schema = prepare_schema(table_schema)
    header_rules, columns, mismatch = None, None, None
    labels = header_labels(source)
    first_row = None if source.header_rows else _first_row(source)
    if first_row is not None and mapping and any(str(number) in mapping for number in range(1, len(first_row) + 1)):
        # A file without a header row: the publisher named its columns by position ("1", "2", …).
        labels = [str(number) for number in range(1, len(first_row) + 1)]
    if labels and any(labels):
        header = map_columns(labels, table_schema, mapping)
        if not header.exact:
            columns = header.summary()
            if header.fits:
                schema, header_rules = _schema_for_header(header, labels, schema)
            else:
                schema, header_rules = _schema_for_mismatch(header, labels, schema), HeaderRules(
                    own=True, errors=tuple(_header_errors(header, labels)))
                mismatch = columns
    schema = _with_readings(source, table_schema, schema)
    options = CheckOptions(
        max_errors_per_type=max_errors_per_type,
        progress=progress,
        progress_every=max(1, progress_every),
        cancelled=cancelled,
        log_path=error_log,
        scans=scans,
        max_columns=max_columns,
        budget=budget,
        header=header_rules,
    )
    used = "frictionless"
    try:
        outcome = None
        # A file read with assumptions (header on another row, padding, …)
        # goes to frictionless, which is given the rows as they were read.
        if engine != "frictionless" and source.plain:
            from .fast import validate_fast

            outcome = validate_fast(source, schema, options)
            used = "fast"
        if outcome is None:
            used = "frictionless"
            outcome = validate_with_frictionless(source, schema, options)
    except (ValidationCancelled, BudgetExceeded):
        raise
    except TooManyColumns as wide:
        return _too_many_columns(wide.columns, max_columns or 0, source, started)
    except SourceProblemError as problem:
        return _problem_result(problem.problem, source.detected, started)
    except Exception as error:  # any reader failure is a result, not a crash
        log.warning("validation of %s failed", path, exc_info=True)
        detail = f"{type(error).__name__}: {error}"[:300]
        if isinstance(error, UnicodeDecodeError) or "utf8" in str(error).lower() or "decode" in str(error).lower():
            return _problem_result(
                SourceProblem("error", "encoding", {"encoding": source.encoding, "detail": detail}),
                source.detected,
                started,
            )
        return _problem_result(SourceProblem("error", "unreadable", {"detail": detail}), source.detected, started)

    report, rows, collector = outcome
    result = _data_result(report, rows, collector, source, used, started)
    if columns is not None:
        result.detected["columns"] = columns
    if collector.assumptions and result.state in ("valid", "invalid"):
        result.detected["assumptions"] = collector.assumptions
    if first_row is not None and result.state in ("valid", "invalid"):
        result.detected["first_row"] = first_row
    if mismatch is not None and result.state in ("valid", "invalid"):
        result.state, result.problem = "invalid", "header-mismatch"
        result.problem_params = {**mismatch, "rows": rows}
    return result


def _with_readings(source: Source, table_schema: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the reading of each field whose values may be written as publishers write them.

    The readings follow the type's defaults (see values); how a number
    column writes its decimals is decided from the first rows, taken to the
    fields the way the engines take the columns (``schema`` follows the
    file's columns).
    """
    rows = sample_rows(source) if isinstance(table_schema.get(DEFAULTS_KEY), dict) else []
    names = [spec.get("name", "") for spec in schema.get("fields", [])]
    samples = {name: [row[index] for row in rows if index < len(row)] for index, name in enumerate(names)}
    return with_readings(schema, plan_readings(table_schema, samples))


def _first_row(source: Source, columns: int = 200, chars: int = 80) -> list[str]:
    """The first row of a file without a header row, as text: what its columns hold, to name them by."""
    try:
        row = next(iter_rows(source), [])
    except Exception:  # the engines report what is wrong with the file
        return []
    return ["" if cell is None else str(json_safe(cell))[:chars] for cell in row[:columns]]


def _field_hints(table_schema: dict[str, Any]) -> list[str]:
    """The names and titles of the schema's fields, which a header row holds."""
    fields = table_schema.get("fields") if isinstance(table_schema, dict) else None
    return [str(field[key]) for field in fields or [] if isinstance(field, dict)
            for key in ("name", "title", "title_es") if field.get(key)]


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot hold written as text.

    Typed spreadsheet cells reach the report as they were read (an Excel date
    in a text column is a ``datetime``); the report is stored as JSON.
    """
    kind = type(value)
    if kind is str or kind is int or value is None:  # most of a report's values: no isinstance chain
        return value
    if kind is list and all(type(item) is str for item in value):  # an error's cells
        return list(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    # Anything else (dates and times included) as frictionless prints a cell.
    return str(value)


class SourceProblemError(Exception):
    """Raised inside an engine when the file turns out unreadable mid-way."""

    def __init__(self, problem: SourceProblem) -> None:
        super().__init__(problem.problem)
        self.problem = problem


def _schema_for_header(header: HeaderMapping, labels: list[str],
                       schema: dict[str, Any]) -> tuple[dict[str, Any], HeaderRules]:
    """The schema to check this file with, and what to do with its header's errors.

    When every matched column stands at its field's place the schema is
    kept and only the label errors the match answers are dropped (a label
    that names its field in other words, an absent optional field): the
    rest of the header is checked as before. Otherwise the schema follows
    the file: each column gets the field it holds, or an ``any`` field when
    it holds none; the header's errors are then the match's own.
    """
    specs = {spec["name"]: spec for spec in schema["fields"]}
    required = set(header.required)
    if header.in_place:
        drop = {("incorrect-label", column.number) for column in header.columns if column.field}
        drop |= {("missing-label", number) for number, name in enumerate(header.fields, start=1)
                 if number > len(labels) and name not in required}
        return schema, HeaderRules(drop=frozenset(drop))
    used = set(header.fields)
    fields: list[dict[str, Any]] = []
    for column in header.columns:
        if column.field:
            fields.append(specs[column.field])
            continue
        name = column.label or f"field{column.number}"
        while name in used:
            name += "_"
        used.add(name)
        fields.append({"name": name, "type": "any"})
    file_schema = {**schema, "fields": fields}
    primary_key = schema.get("primaryKey") or []
    if isinstance(primary_key, str):
        primary_key = [primary_key]
    if primary_key and not set(primary_key) <= set(header.matched):
        file_schema.pop("primaryKey", None)
    return file_schema, HeaderRules(own=True, errors=tuple(_header_errors(header, labels)))


def _header_errors(header: HeaderMapping, labels: list[str]) -> list[tuple[str, int, Callable[[], dict[str, Any]], Any]]:
    """The header's errors once columns were matched by name, as ``fast.header_errors`` gives them.

    A column that holds no field is an extra column (a warning); a blank
    label or a second column for a field already held is an error as
    before; each absent required field is one missing label.
    """
    from .fast import label_error

    shown = [str(label) for label in labels]
    found: list[tuple[str, int, Callable[[], dict[str, Any]], Any]] = []

    def add(kind: str, number: int, *, label: str = "", field_name: str = "", note: str = "") -> None:
        def build() -> dict[str, Any]:
            return label_error(kind, shown, note=note, label=label, field_name=field_name, field_number=number)

        found.append((kind, number, build, (field_name, "", note)))

    for column in header.extra:
        if not column.label:
            add("blank-label", column.number, field_name=f"field{column.number}")
        elif column.duplicate_of is not None:
            add("duplicate-label", column.number, label=column.label, note=f'at position "{column.duplicate_of}"')
        else:
            add("extra-label", column.number, label=column.label)
    for offset, name in enumerate(header.missing_required, start=1):
        add("missing-label", len(labels) + offset, field_name=name)
    return found


def _schema_for_mismatch(header: HeaderMapping, labels: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema that reads every column of a file whose header does not fit the type, and checks none.

    The rows are still read, to count them and to feed the column scans
    (personal data is looked for in any column), but no cell is held to a
    field the header does not fit. Columns are named after their own labels,
    so a scan takes a column for one of the type's only when the file calls
    it by that very name.
    """
    used: set[str] = set()
    fields: list[dict[str, Any]] = []
    for column in header.columns:
        name = column.label or f"field{column.number}"
        while name in used:
            name += "_"
        used.add(name)
        fields.append({"name": name, "type": "any"})
    return {key: value for key, value in schema.items() if key != "primaryKey"} | {"fields": fields}


def _too_many_columns(columns: int, limit: int, source: Source, started: float) -> ValidationResult:
    problem = SourceProblem("error", "too-many-columns", {"columns": columns, "max_columns": limit})
    return _problem_result(problem, source.detected, started)


def _problem_result(problem: SourceProblem, detected: dict[str, Any], started: float) -> ValidationResult:
    return ValidationResult(
        state=problem.state,
        report=None,
        rows=0,
        error_count=0,
        error_counts={},
        problem=problem.problem,
        problem_params=problem.params,
        detected=detected,
        seconds=time.perf_counter() - started,
        engine="fast" if problem.state == "not_validated" else "frictionless",
    )


def _data_result(
    report: dict[str, Any], rows: int, collector: ErrorCollector, source: Source, used: str, started: float
) -> ValidationResult:
    counts = dict(collector.counts)
    state, problem, params = ("valid" if not collector.total else "invalid"), None, {}
    errors = report["tasks"][0]["errors"]
    if "encoding-error" in counts:
        note = next((error.get("note", "") for error in errors if error["type"] == "encoding-error"), "")
        state, problem, params = "error", "encoding", {"encoding": source.encoding, "detail": note[:300]}
    elif unreadable := _UNREADABLE_TYPES & counts.keys():
        kind = sorted(unreadable)[0]
        note = next((error.get("note", "") for error in errors if error["type"] == kind), "")
        state, problem, params = "error", "unreadable", {"detail": f"{kind}: {note}"[:300]}
    return ValidationResult(
        state=state,
        report=json_safe(report),
        scans=collector.summaries if state != "error" else {},
        rows=rows,
        error_count=collector.total,
        error_counts=counts,
        problem=problem,
        problem_params=params,
        detected=source.detected,
        seconds=time.perf_counter() - started,
        engine=used,
    )

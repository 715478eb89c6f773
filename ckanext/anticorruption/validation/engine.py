"""validate_file: sniff the file, then run the fast path or frictionless."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from .reference import prepare_schema, validate_with_frictionless
from .result import Budget, BudgetExceeded, CheckOptions, ErrorCollector, TooManyColumns, ValidationCancelled, ValidationResult
from .scans import ScanFactory
from .source import Source, SourceProblem, header_width, open_source

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
    options = CheckOptions(
        max_errors_per_type=max_errors_per_type,
        progress=progress,
        progress_every=max(1, progress_every),
        cancelled=cancelled,
        log_path=error_log,
        scans=scans,
        max_columns=max_columns,
        budget=budget,
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
    return _data_result(report, rows, collector, source, used, started)


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
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
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

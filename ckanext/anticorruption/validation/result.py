"""The result type and the error bookkeeping shared by both engines."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errorlog import ErrorLog

__all__ = [
    "LABEL_TYPES", "WARNING_TYPES", "Budget", "BudgetExceeded", "ErrorCollector", "HeaderRules", "Light", "TooManyColumns",
    "ValidationCancelled", "ValidationResult",
]

# Findings reported row by row like errors that do not make a file invalid
# (a wrong check digit: a share of real RFCs fail it; a column the type does
# not have, which is kept as it is).
WARNING_TYPES = frozenset({"identifier-warning", "extra-label"})

# The errors frictionless finds in a header.
LABEL_TYPES = frozenset({"extra-label", "missing-label", "blank-label", "duplicate-label", "incorrect-label"})

# (field name, cell, note) of an error that is logged but not kept.
Light = tuple[str, Any, str]


class ValidationCancelled(Exception):
    """Raised by validate_file when the ``cancelled`` callback says so."""


class BudgetExceeded(Exception):
    """Raised by validate_file when a run passes its time or memory budget.

    ``reason`` is "time" or "memory"; ``rows`` how far the run had got. The
    caller decides what to do (the web process hands the run to a worker).
    """

    def __init__(self, reason: str, rows: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.rows = reason, rows


class TooManyColumns(Exception):
    """Raised inside an engine when a row is wider than the column limit."""

    def __init__(self, columns: int) -> None:
        super().__init__(columns)
        self.columns = columns


def _rss_bytes() -> int:
    """The process's resident memory now (Linux /proc; 0 where there is none)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class HeaderRules:
    """What the engines do with the header once its columns were matched by name (see mapping).

    ``drop`` holds the (type, field number) of label errors the match
    answers (a label that names its field in other words, an optional field
    that is absent); with ``own`` every label error of the engine is dropped
    and ``errors`` are the header's errors instead, as (type, field number,
    build, light) like ``fast.header_errors`` makes them.
    """

    drop: frozenset[tuple[str, int]] = frozenset()
    own: bool = False
    errors: tuple[tuple[str, int, Callable[[], dict[str, Any]], Light], ...] = ()

    def keeps(self, type_: str, field_number: int) -> bool:
        if type_ not in LABEL_TYPES:
            return True
        return not self.own and (type_, field_number) not in self.drop


@dataclass(frozen=True)
class CheckOptions:
    """How one check runs, whichever engine runs it: the report's cap, the
    callbacks, the complete error log, the column scans and the bounds."""

    max_errors_per_type: int
    progress: Callable[[int], None] | None = None
    progress_every: int = 1
    cancelled: Callable[[], bool] | None = None
    # With a path, every error is also written there (see errorlog).
    log_path: str | None = None
    # Called once per check: the column scans fed the rows (see scans).
    scans: Callable[[], list[Any]] | None = None
    # A row wider than this raises TooManyColumns.
    max_columns: int | None = None
    # Checked with ``cancelled``, between batches.
    budget: Budget | None = None
    # How the header's errors are found when its columns were matched by name.
    header: HeaderRules | None = None


class Budget:
    """A deadline and a ceiling on memory growth, checked between batches.

    Both are optional (None: no limit); ``check`` raises
    :class:`BudgetExceeded` once either is passed. The engines call it where they already poll ``cancelled``, so
    a budget costs one clock read and one small /proc read per check.
    """

    def __init__(self, seconds: float | None = None, memory_bytes: int | None = None) -> None:
        self.deadline = time.monotonic() + seconds if seconds is not None else None
        self.memory_bytes = memory_bytes
        self.baseline = _rss_bytes() if memory_bytes is not None else 0
        self.rows = 0

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time", self.rows)
        if self.memory_bytes is not None and _rss_bytes() - self.baseline > self.memory_bytes:
            raise BudgetExceeded("memory", self.rows)


@dataclass
class ValidationResult:
    state: str  # "valid" | "invalid" | "error" | "not_validated"
    report: dict[str, Any] | None
    rows: int
    error_count: int
    error_counts: dict[str, int]
    problem: str | None
    problem_params: dict[str, Any]
    detected: dict[str, Any]
    seconds: float
    engine: str  # "fast" | "frictionless"
    # The summaries of the column scans (see scans), by scan name.
    scans: dict[str, Any] = field(default_factory=dict)


# Where an error sits among the errors of its row, as frictionless emits
# them: cell errors in field order, then unique, then primary key.
_PHASE = {"unique-error": 1, "primary-key": 2}


class ErrorCollector:
    """Counts every error but keeps only the first ``cap`` of each type.

    Errors arrive as ``(sort_key, type, build)`` where ``build`` makes the
    frictionless descriptor lazily, so a file with a million bad cells never
    builds a million dicts.
    """

    def __init__(self, cap: int, log: ErrorLog | None = None) -> None:
        self.cap = cap
        # Where every error goes, kept or not (the complete CSV download);
        # without a file, every error is still counted by group.
        self.log = log if log is not None else ErrorLog(None)
        self.counts: dict[str, int] = {}
        self._kept: list[tuple[tuple[int, int, int, int], dict[str, Any]]] = []
        self._sequence = 0
        self.summaries: dict[str, Any] = {}
        # The values read with an assumption (see values.Tally.items).
        self.assumptions: list[dict[str, Any]] = []

    def add(
        self,
        type_: str,
        build: Callable[[], dict[str, Any]],
        *,
        row: int = 0,
        field: int = 0,
        light: Light | None = None,
    ) -> None:
        """Count an error; keep it while its kind is under the cap; log it.

        ``light`` is ``(field name, cell, note)``: enough for the log line of
        an error that is not kept, without building its descriptor.
        """
        count = self.counts.get(type_, 0) + 1
        self.counts[type_] = count
        if count <= self.cap:
            descriptor = build()
            self.keep(type_, descriptor, row=row, field=field)
            self.log_descriptor(descriptor)
        elif self.log is not None:
            if light is None:
                self.log.write_descriptor(build())
            else:
                self.log_light(type_, row=row, field=field, light=light)

    def keep(self, type_: str, descriptor: dict[str, Any], *, row: int = 0, field: int = 0) -> None:
        """Keep an error already counted with :meth:`count_only`."""
        self._sequence += 1
        self._kept.append(((row, _PHASE.get(type_, 0), field, self._sequence), descriptor))

    def log_descriptor(self, descriptor: dict[str, Any]) -> None:
        if self.log is not None:
            self.log.write_descriptor(descriptor)

    def log_light(self, type_: str, *, row: int, field: int, light: Light) -> None:
        if self.log is not None:
            name, cell, note = light
            self.log.write(type_, row=row, field=field, field_name=name, cell=cell, note=note)

    def wants(self, type_: str) -> bool:
        """False once ``type_`` is full, so callers can skip building cells."""
        return self.counts.get(type_, 0) < self.cap

    def count_only(self, type_: str, number: int = 1) -> None:
        self.counts[type_] = self.counts.get(type_, 0) + number

    @property
    def total(self) -> int:
        """Errors only: warnings do not make a file invalid."""
        return sum(count for type_, count in self.counts.items() if type_ not in WARNING_TYPES)

    @property
    def warning_total(self) -> int:
        return sum(count for type_, count in self.counts.items() if type_ in WARNING_TYPES)

    def errors(self) -> list[dict[str, Any]]:
        return [descriptor for _, descriptor in sorted(self._kept, key=lambda item: item[0])]


def build_report(
    *,
    name: str,
    place: str,
    labels: list[str],
    collector: ErrorCollector,
    rows: int,
    fields: int,
    byte_count: int | None,
    seconds: float,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """A descriptor shaped like ``frictionless.Report.to_descriptor()``.

    ``stats.errors`` holds the true total, not the capped list length, so a
    reader of the report alone still sees how bad the file is; the task's
    ``groups`` (ours, not frictionless's) hold the true size of each group
    of errors: kind, column and rule broken.
    """
    total = collector.total
    warning_count = len(warnings or []) + collector.warning_total
    task_stats: dict[str, Any] = {"errors": total, "warnings": warning_count, "seconds": round(seconds, 3)}
    if byte_count:
        task_stats["bytes"] = byte_count
    if fields:
        task_stats["fields"] = fields
    if rows:
        task_stats["rows"] = rows
    return {
        "valid": total == 0,
        "stats": {"tasks": 1, "errors": total, "warnings": warning_count, "seconds": round(seconds, 3)},
        "warnings": [],
        "errors": [],
        "tasks": [
            {
                "name": name,
                "type": "table",
                "valid": total == 0,
                "place": place,
                "labels": labels,
                "stats": task_stats,
                "warnings": list(warnings or []),
                "errors": collector.errors(),
                "groups": collector.log.group_counts() if collector.log is not None else [],
            }
        ],
    }

"""Column scans: checks that read whole columns beside the Table Schema checks.

A scan asks for some fields (or all of them) and both engines feed it the raw
text of those cells, batch by batch, with the row numbers the report uses. At
the end it may add row-level errors or warnings to the collector, and it
returns a summary that the job stores (the linkage of identifiers, the
privacy findings). One read of the file serves the Table Schema checks and
every scan.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

from .result import ErrorCollector

__all__ = ["ColumnScan", "ScanFactory", "Scans"]

# How many rows the frictionless engine gathers before it feeds the scans.
ROWS_PER_BATCH = 50_000


class ColumnScan:
    """What a scan implements; the base class reads nothing and finds nothing."""

    # The key of its summary in ValidationResult.scans.
    name: str = "scan"
    # Table Schema field names it reads; None reads every field.
    fields: list[str] | None = None

    def start(self, collector: ErrorCollector) -> None:
        """Called once before the first batch, with the run's collector."""

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        """``columns``: field name → string array of raw cell text ("" when empty);
        ``numbers``: the 1-based row numbers of those cells, as in the report."""

    def finish(self, collector: ErrorCollector) -> Any:
        """Add row-level errors or warnings to ``collector``; return a JSON-serialisable summary."""
        return None

    def prepare_finish(self) -> None:
        """Called on every scan once the file is read, before any scan's ``finish``: a scan may start
        work there that runs without the GIL (Arrow) while the scans before it finish."""


ScanFactory = Callable[[], list[ColumnScan]]


class Scans:
    """The scans of one engine's pass over a file, fed by field position."""

    def __init__(self, scans: Iterable[ColumnScan], field_names: list[str], collector: ErrorCollector) -> None:
        self.scans = list(scans)
        for scan in self.scans:
            scan.start(collector)
        self.field_names = field_names
        wanted: set[str] = set()
        for scan in self.scans:
            wanted.update(field_names if scan.fields is None else scan.fields)
        # (position, name) of every field some scan reads.
        self.positions = [(i, name) for i, name in enumerate(field_names) if name in wanted]
        self._pending: list[list[str]] = [[] for _ in self.positions]
        self._pending_numbers: list[int] = []

    def __bool__(self) -> bool:
        return bool(self.scans and self.positions)

    def feed_arrays(self, arrays: list[pa.Array], numbers: pa.Array) -> None:
        """A batch of well-formed rows, one string array per field in schema order."""
        if not self or not len(numbers):
            return
        columns = {name: _text(arrays[i]) for i, name in self.positions if i < len(arrays)}
        self._dispatch(columns, numbers)

    def add_row(self, number: int, cells: list[Any]) -> None:
        """One row given as cells (ragged rows, and every row of the frictionless engine)."""
        if not self:
            return
        for slot, (i, _) in enumerate(self.positions):
            cell = cells[i] if i < len(cells) else None
            self._pending[slot].append(_cell_text(cell))
        self._pending_numbers.append(number)
        if len(self._pending_numbers) >= ROWS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending_numbers:
            return
        columns = {name: pa.array(values, pa.string()) for (_, name), values in zip(self.positions, self._pending)}
        numbers = pa.array(self._pending_numbers, pa.int64())
        self._pending = [[] for _ in self.positions]
        self._pending_numbers = []
        self._dispatch(columns, numbers)

    def finish(self, collector: ErrorCollector) -> dict[str, Any]:
        self.flush()
        for scan in self.scans:
            scan.prepare_finish()
        return {scan.name: scan.finish(collector) for scan in self.scans}

    def _dispatch(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        for scan in self.scans:
            wanted = columns if scan.fields is None else {k: v for k, v in columns.items() if k in scan.fields}
            if wanted:
                scan.feed(wanted, numbers)


def _text(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.fill_null("")
    return pa.array([_cell_text(value) for value in array.to_pylist()], pa.string())


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return cell if isinstance(cell, str) else str(cell)

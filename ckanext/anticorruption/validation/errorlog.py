"""Every error of a run, one CSV line each, written while the file is checked.

The report keeps the first errors of each kind (enough to read); this log
keeps all of them (enough to fix a file with a million bad cells), gzipped,
so a publisher can download the complete list. Pure module: a file path in,
a gzip CSV out.
"""
from __future__ import annotations

import csv
import functools
import gzip
import re
from collections import Counter
from typing import Any

__all__ = ["HEADER", "MAX_CELL", "ROW_ERRORS", "ErrorLog", "constraint_in", "group_of", "spreadsheet_safe"]

HEADER = ["row", "column", "field", "error", "value", "note"]
# A 10 MB cell is shown by its beginning, not copied into every download.
MAX_CELL = 1000


# Errors about a whole row rather than one of its cells.
ROW_ERRORS = frozenset({"blank-row", "extra-cell", "primary-key", "duplicate-row"})
# frictionless notes of constraint errors read: constraint "enum" is "[...]"
_CONSTRAINT = re.compile(r'constraint "(\w+)"')


def constraint_in(type_: str, note: str | None) -> str | None:
    """Which rule a constraint error broke (required, enum, pattern, minimum, …), from its note."""
    if type_ != "constraint-error":
        return None
    found = _CONSTRAINT.search(note or "")
    return found.group(1) if found else None


# Millions of errors share a few notes (type is "date/default"): each is parsed once.
@functools.lru_cache(maxsize=4096)
def group_of(type_: str, field_name: str | None, note: str | None) -> tuple[str, str | None, str | None]:
    """The group an error is reported in: its kind, its column (none for a row's errors) and the rule it broke."""
    field = None if type_ in ROW_ERRORS else (field_name or None)
    return type_, field, constraint_in(type_, note)


def spreadsheet_safe(value: Any) -> str:
    """A cell value that a spreadsheet will show, not run (formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _shortened(value: Any) -> str:
    text = spreadsheet_safe(value)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + "…"


class ErrorLog:
    """Appends errors to ``path`` as gzip-compressed CSV (UTF-8, CRLF), and counts them by group.

    ``groups`` counts every error by :func:`group_of`: the report keeps only
    the first errors of each kind, but says exactly how many rows each group
    holds. Without a ``path`` the errors are only counted.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.count = 0
        self.groups: Counter[tuple[str, str | None, str | None]] = Counter()
        self._file = self._writer = None
        if path is not None:
            # compresslevel 1: the log must not slow a run that finds many errors.
            self._file = gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1)
            self._writer = csv.writer(self._file, lineterminator="\r\n")
            self._writer.writerow(HEADER)

    def write(self, type_: str, *, row: int, field: int, field_name: str, cell: Any, note: str) -> None:
        self.count += 1
        self.groups[group_of(type_, field_name, note)] += 1
        if self._writer is None:
            return
        # A field name comes from the file's header row and a note may quote
        # it: both are as much the publisher's text as the cell.
        self._writer.writerow([row or "", field or "", spreadsheet_safe(field_name), type_, _shortened(cell),
                               spreadsheet_safe(note)])

    def group_counts(self) -> list[dict[str, Any]]:
        """The exact size of each group, for the report."""
        return [{"type": type_, "field": field, "constraint": constraint, "count": count}
                for (type_, field, constraint), count in self.groups.items()]

    def write_descriptor(self, descriptor: dict[str, Any]) -> None:
        self.write(
            descriptor.get("type", ""),
            row=descriptor.get("rowNumber") or 0,
            field=descriptor.get("fieldNumber") or 0,
            field_name=descriptor.get("fieldName", ""),
            cell=descriptor.get("cell", ""),
            note=descriptor.get("note", ""),
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> ErrorLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Every error of a run, one CSV line each, written while the file is checked.

The report keeps the first errors of each kind (enough to read); this log
keeps all of them (enough to fix a file with a million bad cells), gzipped,
so a publisher can download the complete list. Pure module: a file path in,
a gzip CSV out.
"""
from __future__ import annotations

import csv
import gzip
from typing import Any

__all__ = ["HEADER", "MAX_CELL", "ErrorLog", "spreadsheet_safe"]

HEADER = ["row", "column", "field", "error", "value", "note"]
# A 10 MB cell is shown by its beginning, not copied into every download.
MAX_CELL = 1000


def spreadsheet_safe(value: Any) -> str:
    """A cell value that a spreadsheet will show, not run (formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _shortened(value: Any) -> str:
    text = spreadsheet_safe(value)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + "…"


class ErrorLog:
    """Appends errors to ``path`` as gzip-compressed CSV (UTF-8, CRLF)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        # compresslevel 1: the log must not slow a run that finds many errors.
        self._file = gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1)
        self._writer = csv.writer(self._file, lineterminator="\r\n")
        self._writer.writerow(HEADER)

    def write(self, type_: str, *, row: int, field: int, field_name: str, cell: Any, note: str) -> None:
        self.count += 1
        # A field name comes from the file's header row and a note may quote
        # it: both are as much the publisher's text as the cell.
        self._writer.writerow([row or "", field or "", spreadsheet_safe(field_name), type_, _shortened(cell),
                               spreadsheet_safe(note)])

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
        self._file.close()

    def __enter__(self) -> ErrorLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

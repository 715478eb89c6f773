"""Validation reports made readable: states, grouping, and the errors as CSV.

Pure module: plain dicts in, plain data out. Wording (es/en) is done by the
helpers and templates, from the structured groups built here.
"""
from __future__ import annotations

import csv
import datetime
import gzip
import io
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from ckanext.anticorruption.validation.errorlog import HEADER, constraint_in, group_of, spreadsheet_safe
from ckanext.anticorruption.validation.result import WARNING_TYPES

__all__ = [
    "FINAL_STATES",
    "constraint_of",
    "effective_state",
    "error_groups",
    "error_lines",
    "errors_csv",
    "file_name",
    "group_counts",
    "marks_in",
    "report_errors",
    "separator_guess",
    "visible_row",
    "visible_segments",
    "without_server_paths",
]

def file_name(url: str | None) -> str:
    """The name a publisher gave the file: the last segment of the resource's
    URL (an upload's name, or a link's), never its query string."""
    return unquote(urlsplit(url or "").path.rsplit("/", 1)[-1])


def without_server_paths(report: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """The report with each task's ``place`` (where the server read the file:
    a temporary or storage path) replaced by the file's name."""
    if not report or not isinstance(report.get("tasks"), list):
        return report
    tasks = [{**task, "place": name} if isinstance(task, dict) and "place" in task else task
             for task in report["tasks"]]
    return {**report, "tasks": tasks}


# pending → running → valid | invalid | error; not_validated when a file cannot
# be checked at all (e.g. a PDF), never counted as valid.
FINAL_STATES = ("valid", "invalid", "error", "not_validated")


def constraint_of(error: dict[str, Any]) -> str | None:
    """Which rule a constraint error broke (required, enum, pattern, minimum, …)."""
    return constraint_in(error.get("type") or "", error.get("note"))


def effective_state(validation: dict[str, Any], now: datetime.datetime,
                    stale_after: int) -> tuple[str, str | None]:
    """The state to show, and the problem code if the run stopped.

    A pending or running validation that has not reported for ``stale_after``
    seconds was lost (its worker crashed or was killed): it is shown as an error
    so that nobody waits for it, and it can be run again.
    """
    state = validation["state"]
    if state in ("pending", "running"):
        updated = validation.get("updated")
        if isinstance(updated, str):
            updated = datetime.datetime.fromisoformat(updated)
        if updated and (now - updated).total_seconds() > stale_after:
            return "error", "stopped"
    return state, validation.get("problem")


def report_errors(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The (capped) errors of the report's table, in row order."""
    if not report:
        return []
    errors: list[dict[str, Any]] = []
    for task in report.get("tasks", []):
        errors.extend(task.get("errors", []))
    errors.extend(report.get("errors", []))
    return errors


def group_counts(report: dict[str, Any] | None) -> dict[tuple[str, str | None, str | None], int] | None:
    """The exact size of each group of errors, as the run counted them; None for a report stored before runs did."""
    tasks = (report or {}).get("tasks") or []
    if not tasks or not isinstance(tasks[0], dict) or not isinstance(tasks[0].get("groups"), list):
        return None
    counts: dict[tuple[str, str | None, str | None], int] = {}
    for task in tasks:
        for entry in task.get("groups") or []:
            if isinstance(entry, dict) and isinstance(entry.get("count"), int):
                key = (str(entry.get("type")), entry.get("field"), entry.get("constraint"))
                counts[key] = counts.get(key, 0) + entry["count"]
    return counts


def error_groups(report: dict[str, Any] | None, error_counts: dict[str, int],
                 examples: int = 5) -> list[dict[str, Any]]:
    """Errors grouped by kind and column, the biggest groups first.

    ``count`` is the exact number of errors of the group (each is one row of
    the file for a cell's or a row's error), as the run counted them. Only a
    report stored before runs counted groups lacks it: there ``capped`` is
    true when some errors of the kind were not kept, and ``count`` is what
    was kept; ``kind_total`` gives the true total of the kind.
    """
    exact = group_counts(report)
    groups: OrderedDict[tuple[str, str | None, str | None], dict[str, Any]] = OrderedDict()
    kept_per_kind: dict[str, int] = {}
    for error in report_errors(report):
        kind = error.get("type", "error")
        key = group_of(kind, error.get("fieldName"), error.get("note"))
        kept_per_kind[kind] = kept_per_kind.get(kind, 0) + 1
        group = groups.setdefault(key, {
            "type": kind,
            "constraint": key[2],
            "title": error.get("title") or kind,
            "field": key[1],
            "field_number": error.get("fieldNumber"),
            "warning": kind in WARNING_TYPES,
            "count": 0,
            "rows": [],
        })
        group["count"] += 1
        if len(group["rows"]) < examples:
            group["rows"].append({
                "row": error.get("rowNumber"),
                "cell": error.get("cell"),
                "cells": error.get("cells"),
                "label": error.get("label"),
                "field_number": error.get("fieldNumber"),
                "note": error.get("note"),
                "message": error.get("message"),
                "scheme": error.get("scheme"),
                "problem": error.get("problem"),
                # An OCDS error: where in the JSON, the process, what the schema expects.
                "path": error.get("path"),
                "ocid": error.get("ocid"),
                "expected": error.get("expected"),
            })
    # A group whose first errors came after its kind's cap has no example
    # kept, but is a group all the same.
    for key, count in (exact or {}).items():
        if key not in groups:
            groups[key] = {"type": key[0], "constraint": key[2], "title": key[0], "field": key[1],
                           "field_number": None, "warning": key[0] in WARNING_TYPES, "count": count, "rows": []}
    for key, group in groups.items():
        total = int(error_counts.get(group["type"], 0))
        group["kind_total"] = total
        if exact is not None and key in exact:
            group["count"], group["capped"] = max(exact[key], group["count"]), False
        else:
            group["capped"] = total > kept_per_kind.get(group["type"], 0)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["type"], g["field"] or ""))


def errors_csv(report: dict[str, Any] | None) -> str:
    """The errors kept in the report, one per line, for a spreadsheet.

    Used when a run left no complete error log (see validation.errorlog).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for error in report_errors(report):
        writer.writerow([
            error.get("rowNumber", ""),
            error.get("fieldNumber", ""),
            spreadsheet_safe(error.get("fieldName", "")),  # from the file's header row
            error.get("type", ""),
            spreadsheet_safe(error.get("cell", "")),
            spreadsheet_safe(error.get("note", "")),
        ])
    return out.getvalue()


def error_lines(log: bytes | None, report: dict[str, Any] | None,
                mask: Callable[[Iterable[str]], Iterable[str]] | None = None) -> Iterator[bytes]:
    """The CSV of every error of a run, a line at a time: its complete log
    (gzip) when it has one, else the errors its report kept. ``mask``, when
    given, rewrites the lines on the way (identifiers in cells)."""
    if mask is None:
        if log:
            yield from _gunzipped(log)
        else:
            yield errors_csv(report).encode("utf-8")
        return
    text: Iterable[str] = (io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(log)), encoding="utf-8", newline="")
                           if log else io.StringIO(errors_csv(report), newline=""))
    for line in mask(text):
        yield line.encode("utf-8")


def _gunzipped(content: bytes, chunk: int = 1 << 16) -> Iterator[bytes]:
    """A gzip body, uncompressed a chunk at a time."""
    inflater = zlib.decompressobj(wbits=31)
    for start in range(0, len(content), chunk):
        yield inflater.decompress(content[start:start + chunk])
    yield inflater.flush()


# Characters a reader cannot see in a cell, each shown by a visible mark.
# Kinds are worded by the helpers ("tabulador", "espacio al final").
_MARKS = {"\t": ("tab", "⇥"), "\n": ("line-break", "↵"), "\r": ("line-break", "↵"),
          "\u0085": ("line-break", "↵"), "\u2028": ("line-break", "↵"), "\u2029": ("line-break", "↵"),
          "\ufeff": ("bom", "")}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\u180e"}
# Marks that change the direction of the text around them (U+202E shows
# "fdp.exe" as "exe.pdf"): shown by their code, never written out.
_DIRECTION = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


def _mark(char: str) -> tuple[str, str] | None:
    """(kind, symbol) for a character that does not show as itself, else None."""
    if char in _MARKS:
        kind, symbol = _MARKS[char]
        return kind, symbol or f"⟨U+{ord(char):04X}⟩"
    code = f"⟨U+{ord(char):04X}⟩"
    if char in _ZERO_WIDTH:
        return "zero-width", code
    if char in _DIRECTION:
        return "direction", code
    category = unicodedata.category(char)
    if category == "Zs" and char != " ":
        return "special-space", "⍽"
    if category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"):
        return "control", code
    return None


def visible_segments(value: Any, limit: int | None = None) -> list[dict[str, str]]:
    """A cell's text cut into plain runs (``{"text": …}``) and marks for what cannot be seen
    (``{"mark": kind, "symbol": …}``): a TAB, a line break, a space at either end, a
    non-breaking space, a zero-width character, a BOM, a direction override, a control character.

    The text itself is never changed (the template escapes it); a mark
    replaces its character. ``limit`` cuts a long text after that many
    characters, ending it with "…".
    """
    if value is None:
        return []
    text = str(value)
    # Spaces among the blanks at either end (spaces, TABs, line breaks) are marked.
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip()) if text.strip() else start
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    segments: list[dict[str, str]] = []
    plain: list[str] = []
    previous = ""
    for index, char in enumerate(text):
        if char == " " and (index < start or index >= end):
            found: tuple[str, str] | None = ("space-start" if index < start else "space-end", "␣")
        else:
            found = _mark(char)
        if found is None:
            plain.append(char)
        else:
            if plain:
                segments.append({"text": "".join(plain)})
                plain = []
            if not (char == "\n" and previous == "\r"):  # CRLF is one line break
                segments.append({"mark": found[0], "symbol": found[1]})
        previous = char
    if plain:
        segments.append({"text": "".join(plain)})
    if cut:
        segments.append({"text": "…"})
    return segments


def visible_row(cells: Iterable[Any] | None, limit: int = 200) -> list[list[dict[str, str]]]:
    """The cells of a row, each as :func:`visible_segments`, cut after ``limit`` characters in all."""
    row: list[list[dict[str, str]]] = []
    left = limit
    for cell in cells or []:
        if left <= 0:
            row.append([{"text": "…"}])
            break
        text = "" if cell is None else str(cell)
        row.append(visible_segments(text, left))
        if len(text) > left:
            break
        left -= len(text) + 3  # and the separator between cells
    return row


def marks_in(values: Iterable[Any]) -> list[str]:
    """The kinds of mark (see :func:`visible_segments`) the given values need, in a fixed order."""
    found: set[str] = set()
    for value in values:
        found.update(segment["mark"] for segment in visible_segments(value) if "mark" in segment)
    return [kind for kind in MARK_KINDS if kind in found]


MARK_KINDS = ("tab", "space-start", "space-end", "special-space", "line-break", "zero-width", "bom", "direction",
              "control")


# What a header looks like when the file was read with the wrong separator:
# one column whose label holds another separator several times.
_SEPARATORS = (";", "\t", "|", ",", "~", "^")


def separator_guess(labels: list[Any] | None, delimiter: str | None) -> str | None:
    """The separator a file read as a single column seems to use, or None.

    A header read as one column whose label holds another separator at
    least twice (three columns or more) was split at the wrong character.
    """
    if not labels or len(labels) != 1 or not isinstance(labels[0], str):
        return None
    counts = {separator: labels[0].count(separator) for separator in _SEPARATORS if separator != delimiter}
    best = max(counts, key=lambda separator: counts[separator], default=None)
    return best if best is not None and counts[best] >= 2 else None

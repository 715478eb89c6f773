"""Validation reports made readable: states, grouping, and the errors as CSV.

Pure module: plain dicts in, plain data out. Wording (es/en) is done by the
helpers and templates, from the structured groups built here.
"""
from __future__ import annotations

import csv
import datetime
import gzip
import io
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from ckanext.anticorruption.validation.errorlog import HEADER, spreadsheet_safe
from ckanext.anticorruption.validation.result import WARNING_TYPES

__all__ = [
    "FINAL_STATES",
    "constraint_of",
    "effective_state",
    "error_groups",
    "error_lines",
    "errors_csv",
    "file_name",
    "report_errors",
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

# Errors about a whole row or the header rather than one column.
_ROW_ERRORS = {"blank-row", "extra-cell", "primary-key", "duplicate-row"}
# frictionless notes of constraint errors read: constraint "enum" is "[...]"
_CONSTRAINT = re.compile(r'constraint "(\w+)"')


def constraint_of(error: dict[str, Any]) -> str | None:
    """Which rule a constraint error broke (required, enum, pattern, minimum, …)."""
    if error.get("type") != "constraint-error":
        return None
    found = _CONSTRAINT.search(error.get("note") or "")
    return found.group(1) if found else None


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


def error_groups(report: dict[str, Any] | None, error_counts: dict[str, int],
                 examples: int = 5) -> list[dict[str, Any]]:
    """Errors grouped by kind and column, the biggest groups first.

    ``count`` is exact when all errors of the kind were kept in the report;
    otherwise ``capped`` is true and ``count`` is what was kept, while
    ``kind_total`` gives the true total of the kind.
    """
    groups: OrderedDict[tuple[str, str | None, str | None], dict[str, Any]] = OrderedDict()
    kept_per_kind: dict[str, int] = {}
    for error in report_errors(report):
        kind = error.get("type", "error")
        field = None if kind in _ROW_ERRORS else error.get("fieldName")
        constraint = constraint_of(error)
        kept_per_kind[kind] = kept_per_kind.get(kind, 0) + 1
        group = groups.setdefault((kind, field, constraint), {
            "type": kind,
            "constraint": constraint,
            "title": error.get("title") or kind,
            "field": field,
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
                "note": error.get("note"),
                "message": error.get("message"),
                "scheme": error.get("scheme"),
                "problem": error.get("problem"),
            })
    for group in groups.values():
        total = int(error_counts.get(group["type"], 0))
        group["kind_total"] = total
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

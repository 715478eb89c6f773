"""Reports made readable: grouping, capped counts, stopped runs, CSV export."""
from __future__ import annotations

import csv
import datetime
import io

from ckanext.anticorruption.validation.reports import effective_state, error_groups, errors_csv


def _error(kind: str, row: int, field: str | None = None, cell: str = "") -> dict:
    return {"type": kind, "title": kind, "rowNumber": row, "fieldName": field, "fieldNumber": 1,
            "cell": cell, "cells": ["a", cell], "note": "", "message": f"{kind} at {row}"}


REPORT = {"tasks": [{"errors": [
    _error("type-error", 3, "amount", "cien"), _error("type-error", 4, "amount", "mucho"),
    _error("type-error", 5, "date", "ayer"), _error("blank-row", 6),
]}]}


def test_errors_are_grouped_by_kind_and_column_biggest_first() -> None:
    groups = error_groups(REPORT, {"type-error": 3, "blank-row": 1})

    assert [(g["type"], g["field"], g["count"]) for g in groups] == [
        ("type-error", "amount", 2), ("blank-row", None, 1), ("type-error", "date", 1)]
    assert [r["cell"] for r in groups[0]["rows"]] == ["cien", "mucho"]
    assert not any(g["capped"] for g in groups)


def test_groups_say_when_the_report_kept_fewer_errors_than_there_were() -> None:
    groups = error_groups(REPORT, {"type-error": 312, "blank-row": 1})

    amount = groups[0]
    assert amount["capped"] and amount["kind_total"] == 312


def test_a_run_that_stopped_reporting_is_shown_as_stopped() -> None:
    now = datetime.datetime(2026, 11, 27, 12, 0)
    fresh = {"state": "running", "updated": (now - datetime.timedelta(seconds=30)).isoformat()}
    stale = {"state": "running", "updated": (now - datetime.timedelta(hours=1)).isoformat()}

    assert effective_state(fresh, now, 900) == ("running", None)
    assert effective_state(stale, now, 900) == ("error", "stopped")
    assert effective_state({"state": "valid", "updated": stale["updated"]}, now, 900) == ("valid", None)


def test_errors_csv_lists_every_kept_error_and_defuses_formulas() -> None:
    report = {"tasks": [{"errors": [_error("type-error", 2, "amount", '=HYPERLINK("http://x")')]}]}

    rows = list(csv.reader(io.StringIO(errors_csv(report))))

    assert rows[0] == ["row", "column", "field", "error", "value", "note"]
    assert rows[1][:5] == ["2", "1", "amount", "type-error", "'=HYPERLINK(\"http://x\")"]


def test_errors_csv_defuses_formulas_in_field_names_and_notes() -> None:
    error = {**_error("extra-label", 1, "=HYPERLINK(\"http://x\")"), "note": "+cmd|' /C calc'!A0"}
    hostile = [{**_error("type-error", 2, name), "note": name}
               for name in ("-2+3", "@SUM(A1)", "\tx", "\rx")]

    rows = list(csv.reader(io.StringIO(errors_csv({"tasks": [{"errors": [error, *hostile]}]}))))

    assert (rows[1][2], rows[1][5]) == ("'=HYPERLINK(\"http://x\")", "'+cmd|' /C calc'!A0")
    assert [(row[2], row[5]) for row in rows[2:]] == [("'" + n, "'" + n) for n in ("-2+3", "@SUM(A1)", "\tx", "\rx")]

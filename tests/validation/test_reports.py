"""Reports made readable: grouping, exact counts, stopped runs, CSV export, what cannot be seen in a cell."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.validation.reports import (
    effective_state, error_groups, errors_csv, marks_in, separator_guess, visible_row, visible_segments,
)

from tests.real import REAL_DATA

SFP_SANCTIONS = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"


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


def test_a_report_stored_before_groups_were_counted_says_it_kept_fewer_errors_than_there_were() -> None:
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


@pytest.mark.skipif(not SFP_SANCTIONS.is_file(), reason="the real files are not next to the checkout")
@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_every_group_has_its_exact_count_although_the_report_keeps_few_errors(engine: str) -> None:
    result = validate_file(str(SFP_SANCTIONS), dataset_type("debarred_contractors").table_schema,
                           max_errors_per_type=5, engine=engine)

    groups = error_groups(result.report, result.error_counts)
    by_group = {(g["type"], g["field"], g["constraint"]): g for g in groups}

    # SFP's 1,808 rows: 22 leave the grounds of the sanction blank; the report kept 5.
    assert result.rows == 1808
    assert by_group[("constraint-error", "grounds", "required")]["count"] == 22
    assert len(result.report["tasks"][0]["errors"]) < sum(result.error_counts.values())
    assert not any(g["capped"] for g in groups)
    for kind, total in result.error_counts.items():
        assert sum(g["count"] for g in groups if g["type"] == kind) == total


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_a_group_whose_errors_all_came_after_the_cap_is_listed_with_its_count(tmp_path, engine: str) -> None:
    path = tmp_path / "montos.csv"
    path.write_text("a,b\nx,1\ny,2\n3,z\n4,w\n", encoding="utf-8")
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}]}

    result = validate_file(str(path), schema, max_errors_per_type=2, engine=engine)
    groups = {g["field"]: g for g in error_groups(result.report, result.error_counts)}

    assert result.error_counts == {"type-error": 4}
    assert (groups["a"]["count"], len(groups["a"]["rows"])) == (2, 2)
    assert (groups["b"]["count"], groups["b"]["rows"]) == (2, [])


def test_what_cannot_be_seen_in_a_cell_is_marked() -> None:
    segments = visible_segments("\tACME  SA\u00a0de CV \r\n")

    assert segments == [
        {"mark": "tab", "symbol": "⇥"}, {"text": "ACME  SA"}, {"mark": "special-space", "symbol": "⍽"},
        {"text": "de CV"}, {"mark": "space-end", "symbol": "␣"}, {"mark": "line-break", "symbol": "↵"},
    ]
    assert visible_segments(" x") == [{"mark": "space-start", "symbol": "␣"}, {"text": "x"}]
    assert visible_segments("plain text") == [{"text": "plain text"}]
    assert visible_segments(None) == [] and visible_segments(12) == [{"text": "12"}]


@pytest.mark.parametrize(("char", "kind"), [
    ("\u200b", "zero-width"), ("\ufeff", "bom"), ("\u202e", "direction"), ("\u2066", "direction"),
    ("\x07", "control"), ("\u00ad", "control"),
])
def test_characters_without_a_shape_are_shown_by_their_code_never_written_out(char: str, kind: str) -> None:
    segments = visible_segments(f"a{char}b")

    assert segments[1] == {"mark": kind, "symbol": f"⟨U+{ord(char):04X}⟩"}
    assert char not in "".join(segment.get("text", "") + segment.get("symbol", "") for segment in segments)


def test_a_long_row_is_cut_and_says_so() -> None:
    row = visible_row(["a", "b" * 300, "c"], limit=20)

    # 20 characters in all: "a", the separator between the cells (3), 16 b's.
    assert row == [[{"text": "a"}], [{"text": "b" * 16}, {"text": "…"}]]
    assert marks_in(["x ", "\ty", "z"]) == ["tab", "space-end"]


@pytest.mark.parametrize(("labels", "delimiter", "guess"), [
    (["contract_id~ocid~buyer_id"], ",", "~"),
    (["contract_id;ocid;buyer_id"], ",", ";"),
    (["nota; con punto y coma"], ",", None),
    (["contract_id", "ocid"], ",", None),
    (["a;b;c"], ";", None),
])
def test_a_header_read_as_one_column_holding_another_separator_is_noticed(labels, delimiter, guess) -> None:
    assert separator_guess(labels, delimiter) == guess

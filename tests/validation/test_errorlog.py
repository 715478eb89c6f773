"""Every error reaches the error log, whichever engine runs, while the report stays capped."""
from __future__ import annotations

import collections
import csv
import gzip
from pathlib import Path

import pytest

from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.validation.errorlog import HEADER, MAX_CELL, ErrorLog, group_of, spreadsheet_safe

from tests.validation.corpus import build_table, table_schema, write_csv


def _log_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_log_holds_every_error_although_the_report_keeps_three_per_kind(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("contracts_register", "clean", rows=400, seed=5, error_rate=0.3)
    path = write_csv(tmp_path / "many.csv", header, rows)
    log = tmp_path / "errors.csv.gz"

    result = validate_file(str(path), table_schema("contracts_register"), max_errors_per_type=3,
                           engine=engine, error_log=str(log))

    logged = _log_rows(log)
    assert logged[0] == HEADER
    assert result.error_count > 3 * len(result.error_counts)  # the report really is capped
    assert len(logged) - 1 == result.error_count
    by_kind: dict[str, int] = {}
    for line in logged[1:]:
        by_kind[line[3]] = by_kind.get(line[3], 0) + 1
    assert by_kind == result.error_counts
    # The report counts each group of errors (kind, column, rule) exactly as the log holds them.
    by_group = collections.Counter(group_of(line[3], line[2], line[5]) for line in logged[1:])
    assert {(g["type"], g["field"], g["constraint"]): g["count"] for g in result.report["tasks"][0]["groups"]} == by_group
    kept = result.report["tasks"][0]["errors"]
    assert len(kept) < result.error_count
    for error in kept:  # what the report shows is in the log, with the same row, field and value
        line = [str(error.get("rowNumber", "")), str(error.get("fieldNumber", "")), error.get("fieldName", ""),
                error["type"], spreadsheet_safe(error.get("cell", ""))]
        assert line in [row[:5] for row in logged[1:]]


def test_both_engines_log_the_same_errors(tmp_path: Path) -> None:
    header, rows = build_table("debarred_contractors", "clean", rows=300, seed=7, error_rate=0.4)
    path = write_csv(tmp_path / "debarred.csv", header, rows)
    logs = {}
    for engine in ("auto", "frictionless"):
        log = tmp_path / f"{engine}.csv.gz"
        validate_file(str(path), table_schema("debarred_contractors"), max_errors_per_type=2,
                      engine=engine, error_log=str(log))
        logs[engine] = sorted(tuple(row[:5]) for row in _log_rows(log)[1:])

    assert logs["auto"] and logs["auto"] == logs["frictionless"]


def test_log_defuses_formulas_and_shortens_huge_cells(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=3)
    amount = header.index("contract_value")
    rows[0][amount] = '=HYPERLINK("http://evil.example","x")'
    rows[1][amount] = "9" * 5000 + "x"
    path = write_csv(tmp_path / "hostile.csv", header, rows)
    log = tmp_path / "errors.csv.gz"

    validate_file(str(path), table_schema("contracts_register"), error_log=str(log))

    values = [row[4] for row in _log_rows(log)[1:] if row[2] == "contract_value"]
    assert values[0].startswith("'=HYPERLINK(")
    assert len(values[1]) == MAX_CELL + 1 and values[1].endswith("…")


def test_log_defuses_formulas_in_field_names_and_notes(tmp_path: Path) -> None:
    # Field names come from a Table Schema, which a publisher may write (another documented schema).
    name = '=HYPERLINK("http://evil.example","x")'
    path = tmp_path / "hostile-names.csv"
    path.write_text(f'"{name.replace(chr(34), chr(34) * 2)}"\nnot a number\n', encoding="utf-8")
    log_path = tmp_path / "errors.csv.gz"

    validate_file(str(path), {"fields": [{"name": name, "type": "integer"}]}, error_log=str(log_path))
    with ErrorLog(str(tmp_path / "notes.csv.gz")) as log:
        log.write("type-error", row=2, field=1, field_name="@SUM(A1)", cell="x", note="-1+2")

    assert [row[2] for row in _log_rows(log_path)[1:]] == ["'" + name]
    assert [(row[2], row[5]) for row in _log_rows(tmp_path / "notes.csv.gz")[1:]] == [("'@SUM(A1)", "'-1+2")]

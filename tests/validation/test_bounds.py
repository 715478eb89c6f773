"""Bounded work: hostile shapes cost work linear in the file, a column limit, a time and memory budget.

No timings here (they are in bench/hostile_load.py): the tests count what
the engine builds. frictionless's own header and row checks copy the whole
header (or row) into every error they make, for every error, which is what
made a 20 KB header cost a minute; the engine must build only the errors a
report keeps.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest
from frictionless.error import Error

from ckanext.anticorruption.validation import BudgetExceeded, validate_file

from tests.hostile import _xlsx
from tests.validation.corpus import build_table, table_schema, write_csv
from tests.validation.test_differential import assert_same_as_frictionless, assert_same_descriptors

SCHEMA = table_schema("contracts_register")
NAMES = [field["name"] for field in SCHEMA["fields"]]
CAP = 10


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """How many frictionless error objects of each type get built."""
    counts: collections.Counter[str] = collections.Counter()
    original = Error.__attrs_post_init__

    def counting(self: Error) -> None:
        counts[self.type] += 1
        original(self)

    monkeypatch.setattr(Error, "__attrs_post_init__", counting)
    return counts


@pytest.fixture
def cell_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The cells given to frictionless's cell readers."""
    from frictionless import Field

    seen: list[Any] = []
    original = Field.create_cell_reader

    def create(self: Field) -> Any:
        reader = original(self)

        def reading(cell: Any) -> Any:
            seen.append(cell)
            return reader(cell)

        return reading

    monkeypatch.setattr(Field, "create_cell_reader", create)
    return seen


def _wide_header(width: int) -> list[str]:
    # The schema's names with a blank, a duplicate and a wrong label among
    # them, then extra labels that repeat (frictionless names them x, x2, x3…).
    header = list(NAMES)
    header[1] = ""
    header[3] = NAMES[2]
    header[5] = "titulo"
    return header + ["x" if i % 2 else f"extra{i}" for i in range(width - len(header))]


def test_a_wide_header_reports_like_frictionless(tmp_path: Path) -> None:
    header = _wide_header(60)
    rows = [[f"C-{i}"] + [""] * 59 for i in range(3)]
    assert_same_descriptors(write_csv(tmp_path / "wide.csv", header, rows), SCHEMA)


def test_a_5000_column_header_builds_only_the_errors_the_report_keeps(tmp_path: Path, built) -> None:
    header = _wide_header(5000)
    path = write_csv(tmp_path / "wide.csv", header, [])

    result = validate_file(str(path), SCHEMA, max_errors_per_type=CAP)

    assert result.engine == "fast"
    assert result.error_counts == {
        "extra-label": 5000 - len(NAMES), "blank-label": 1, "duplicate-label": 1, "incorrect-label": 1}
    errors = result.report["tasks"][0]["errors"]
    duplicate = next(e for e in errors if e["type"] == "duplicate-label")
    assert (duplicate["fieldNumber"], duplicate["note"], duplicate["labels"]) == (4, 'at position "3"', header)
    assert [e["label"] for e in errors if e["type"] == "extra-label"] == header[len(NAMES):len(NAMES) + CAP]
    # frictionless's Header builds one error (with a copy of the header) per extra label.
    assert built["extra-label"] <= CAP


def test_a_row_with_thousands_of_extra_cells_builds_only_the_errors_the_report_keeps(tmp_path: Path, built) -> None:
    header, rows = build_table("contracts_register", "clean", rows=3)
    rows[1] = rows[1] + [f"sobra{i}" for i in range(3000)]
    path = write_csv(tmp_path / "ragged.csv", header, rows)

    result = validate_file(str(path), SCHEMA, max_errors_per_type=CAP)

    assert result.error_counts == {"extra-cell": 3000}
    kept = result.report["tasks"][0]["errors"]
    assert [(e["rowNumber"], e["fieldNumber"], e["cell"]) for e in kept] == [
        (3, len(NAMES) + 1 + i, f"sobra{i}") for i in range(CAP)]
    assert len(kept[0]["cells"]) == len(NAMES) + 3000
    assert built["extra-cell"] <= CAP


def test_short_rows_under_a_wide_header_build_only_the_errors_the_report_keeps(tmp_path: Path, built) -> None:
    header = NAMES + [f"extra{i}" for i in range(487)]
    path = tmp_path / "cortas.csv"
    path.write_text(",".join(header) + "\n" + "".join(f"C-{i}\n" for i in range(2000)), encoding="utf-8")

    result = validate_file(str(path), SCHEMA, max_errors_per_type=CAP)

    assert result.rows == 2000
    assert result.error_counts["missing-cell"] == 2000 * (len(header) - 1)
    kept = [e for e in result.report["tasks"][0]["errors"] if e["type"] == "missing-cell"]
    assert [(e["rowNumber"], e["fieldNumber"]) for e in kept] == [(2, field) for field in range(2, 2 + CAP)]
    # frictionless's Row builds every missing-cell error, with a copy of the row in each.
    assert built["missing-cell"] <= CAP


def test_ragged_rows_report_like_frictionless(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=8, error_rate=0.3)
    rows[1] = rows[1] + ["sobra", "", "más"]
    rows[2] = rows[2][:4]
    rows[3] = ["", "", ""]
    rows[4] = rows[4][:1] + ["no-es-un-número"]
    rows[5] = [rows[0][0]] + rows[5][1:] + ["x"]  # a repeated id in a ragged row
    assert_same_descriptors(write_csv(tmp_path / "ragged.csv", header, rows), SCHEMA)


def test_empty_lines_are_blank_rows_without_work_per_line(tmp_path: Path, built, cell_reads) -> None:
    path = tmp_path / "vacias.csv"
    path.write_text(",".join(NAMES) + "\n" + "\n" * 200_000, encoding="utf-8")

    result = validate_file(str(path), SCHEMA, max_errors_per_type=CAP)

    assert (result.state, result.rows) == ("invalid", 200_000)
    assert result.error_counts == {"blank-row": 200_000, "primary-key": 200_000}
    kept = result.report["tasks"][0]["errors"]
    assert [(e["type"], e["rowNumber"]) for e in kept if e["type"] == "blank-row"] == [
        ("blank-row", row) for row in range(2, 2 + CAP)]
    assert [e["rowNumber"] for e in kept if e["type"] == "primary-key"] == list(range(2, 2 + CAP))
    assert built["blank-row"] <= CAP and built["primary-key"] <= CAP
    # A blank row reports itself only: its cells are never read one by one.
    assert cell_reads == []


def test_empty_lines_report_like_frictionless(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=5)
    path = tmp_path / "vacias.csv"
    # Blank lines between rows. (A long run of them at the very end is where
    # frictionless itself drops one: 30 trailing empty lines make 29 rows.)
    # (Known difference, older than this test: a blank row's "cells" are the
    # header's width of empty strings here, [] in frictionless.)
    path.write_text(",".join(header) + "\n" + ",".join(rows[0]) + "\n" + "\n" * 12 + ",".join(rows[1]) + "\n\n",
                    encoding="utf-8")
    assert_same_as_frictionless(path, SCHEMA)


# The column limit --------------------------------------------------------------


def test_a_header_wider_than_the_limit_is_not_checked(tmp_path: Path, built) -> None:
    path = tmp_path / "ancho.csv"
    path.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n",
                    encoding="utf-8")

    result = validate_file(str(path), SCHEMA, max_columns=1000)

    assert (result.state, result.problem) == ("error", "too-many-columns")
    assert result.problem_params == {"columns": 10_000, "max_columns": 1000}
    assert sum(built.values()) == 0  # counted before any check


def test_a_row_wider_than_the_limit_stops_the_check(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=3)
    rows[2] = rows[2] + ["sobra"] * 100
    path = write_csv(tmp_path / "fila.csv", header, rows)

    result = validate_file(str(path), SCHEMA, max_columns=50)

    assert (result.state, result.problem, result.problem_params) == (
        "error", "too-many-columns", {"columns": len(NAMES) + 100, "max_columns": 50})


def test_a_sheet_wider_than_the_limit_is_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "ancho.xlsx"
    path.write_bytes(_xlsx({"datos": [[f"c{i}" for i in range(60)], list(range(60))]}))

    result = validate_file(str(path), SCHEMA, format="xlsx", max_columns=50)

    assert (result.state, result.problem, result.problem_params) == (
        "error", "too-many-columns", {"columns": 60, "max_columns": 50})


def test_a_file_within_the_limit_is_checked_as_before(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=5, error_rate=0)
    path = write_csv(tmp_path / "ok.csv", header, rows)

    assert validate_file(str(path), SCHEMA, max_columns=len(NAMES)).state == "valid"


# The budget ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_a_run_past_its_time_budget_stops(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("contracts_register", "clean", rows=2500)
    path = write_csv(tmp_path / "c.csv", header, rows)

    with pytest.raises(BudgetExceeded) as stopped:
        validate_file(str(path), SCHEMA, engine=engine, max_seconds=0)

    assert stopped.value.reason == "time"


def test_a_run_past_its_memory_budget_stops(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=2500)
    path = write_csv(tmp_path / "c.csv", header, rows)
    ballast = []

    def progress(rows: int) -> None:
        if not ballast:  # the process grows by 64 MB (touched, so resident) while the run goes on
            ballast.append(b"\x01" * (64 * 1024 * 1024))

    with pytest.raises(BudgetExceeded) as stopped:
        validate_file(str(path), SCHEMA, engine="frictionless", max_memory_bytes=32 * 1024 * 1024,
                      progress=progress, progress_every=1)

    assert stopped.value.reason == "memory"


def test_a_run_within_its_budget_ends_as_usual(tmp_path: Path) -> None:
    header, rows = build_table("contracts_register", "clean", rows=50, error_rate=0)
    path = write_csv(tmp_path / "c.csv", header, rows)

    result = validate_file(str(path), SCHEMA, max_seconds=600, max_memory_bytes=2 * 1024**3)

    assert result.state == "valid"

"""Our report equals frictionless's on a generated corpus (the core promise)."""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.validation import ValidationResult, validate_file

from .corpus import MUTATIONS, SCHEMA_TYPES, build_table, table_schema, write_csv, write_xlsx

ENCODINGS = [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("latin-1", "|")]


def error_multiset(result: ValidationResult) -> collections.Counter[tuple[Any, ...]]:
    assert result.report is not None
    errors = result.report["tasks"][0]["errors"]
    return collections.Counter((e["type"], e.get("rowNumber"), e.get("fieldName"), e.get("cell")) for e in errors)


def assert_same_as_frictionless(path: Path, schema: dict[str, Any], *, expect_fast: bool = True) -> None:
    ours = validate_file(str(path), schema, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    assert reference.engine == "frictionless"
    if expect_fast:
        assert ours.engine == "fast"
    assert (ours.state, ours.rows, ours.error_counts) == (reference.state, reference.rows, reference.error_counts)
    assert error_multiset(ours) == error_multiset(reference)
    assert ours.report and reference.report
    assert ours.report["valid"] == reference.report["valid"]


@pytest.mark.parametrize("type_name", SCHEMA_TYPES)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_csv_matches_frictionless(tmp_path: Path, type_name: str, mutation: str) -> None:
    header, rows = build_table(type_name, mutation)
    schema = table_schema(type_name)
    for encoding, delimiter in ENCODINGS:
        path = write_csv(tmp_path / f"{encoding}.csv", header, rows, encoding=encoding, delimiter=delimiter, trailing_blank=mutation == "clean")
        assert_same_as_frictionless(path, schema)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_files_match_frictionless(tmp_path: Path, seed: int) -> None:
    header, rows = build_table("contracts_register", "clean", rows=3000, seed=seed, error_rate=0.3)
    path = write_csv(tmp_path / "random.csv", header, rows)
    assert_same_as_frictionless(path, table_schema("contracts_register"))


def test_small_blocks_keep_row_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ckanext.anticorruption.validation import fast

    # Many batches with ragged and blank rows across block boundaries.
    monkeypatch.setattr(fast, "BLOCK_SIZE", 4096)
    header, rows = build_table("debarred_contractors", "missing-cells", rows=600, error_rate=0.2)
    rows[300] = rows[300][:2]
    rows.insert(450, [])
    path = write_csv(tmp_path / "blocks.csv", header, rows)
    assert_same_as_frictionless(path, table_schema("debarred_contractors"))


def _write_xlsx_with_dimension(path: Path, header: list[str], rows: list[list[str]], *, sheet: str = "Datos") -> Path:
    # A normal (not write-only) openpyxl workbook writes a <dimension>, as
    # Excel does, so openpyxl pads every row to the full width.
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append([label or None for label in header])
    for row in rows:
        worksheet.append([cell if cell != "" else None for cell in row] or [None])
    workbook.save(path)
    return path


# The blank label is written as an empty string cell, which the fast path
# cannot tell from an absent one; that file goes to frictionless.
_XLSX_FALLBACK_MUTATIONS = {"blank-label"}


@pytest.mark.parametrize("type_name", SCHEMA_TYPES)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_xlsx_matches_frictionless(tmp_path: Path, type_name: str, mutation: str) -> None:
    header, rows = build_table(type_name, mutation)
    schema = table_schema(type_name)
    ragged = write_xlsx(tmp_path / "ragged.xlsx", header, rows)
    assert_same_as_frictionless(ragged, schema, expect_fast=mutation not in _XLSX_FALLBACK_MUTATIONS)
    padded = _write_xlsx_with_dimension(tmp_path / "padded.xlsx", header, rows)
    assert_same_as_frictionless(padded, schema)


@pytest.mark.parametrize("sheet", ["Datos", 2, "2"])
def test_xlsx_sheet_selection_matches_frictionless(tmp_path: Path, sheet: str | int) -> None:
    import openpyxl

    header, rows = build_table("debarred_contractors", "typed-errors")
    workbook = openpyxl.Workbook(write_only=True)
    workbook.create_sheet("Notas").append(["otra", "cosa"])
    data = workbook.create_sheet("Datos")
    data.append(header)
    for row in rows:
        data.append([cell if cell != "" else None for cell in row])
    workbook.create_sheet("Resumen").append(["x"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    schema = table_schema("debarred_contractors")
    ours = validate_file(str(path), schema, sheet=sheet, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, sheet=sheet, max_errors_per_type=10**9, engine="frictionless")
    assert ours.engine == "fast" and ours.detected["sheet"] == "Datos"
    assert (ours.state, ours.rows, ours.error_counts) == (reference.state, reference.rows, reference.error_counts)
    assert error_multiset(ours) == error_multiset(reference)


@pytest.mark.parametrize("type_name", SCHEMA_TYPES)
def test_random_xlsx_matches_frictionless(tmp_path: Path, type_name: str) -> None:
    header, rows = build_table(type_name, "clean", rows=2000, error_rate=0.3)
    path = write_xlsx(tmp_path / "random.xlsx", header, rows)
    assert_same_as_frictionless(path, table_schema(type_name))


def _numbers(worksheet: Any) -> None:
    worksheet["B3"] = 2021


def _floats(worksheet: Any) -> None:
    worksheet["B3"] = 2021.0


def _dates(worksheet: Any) -> None:
    import datetime

    worksheet["B3"] = datetime.date(2021, 1, 1)


def _booleans(worksheet: Any) -> None:
    worksheet["D3"] = True


def _formulas(worksheet: Any) -> None:
    worksheet["B3"] = "=2000+21"


def _merged(worksheet: Any) -> None:
    worksheet.merge_cells("D3:E4")


def _empty_string(worksheet: Any) -> None:
    worksheet["D3"] = ""


@pytest.mark.parametrize("edit", [_numbers, _floats, _dates, _booleans, _formulas, _merged, _empty_string])
def test_xlsx_cells_calamine_cannot_match_fall_back(tmp_path: Path, edit: Callable[[Any], None]) -> None:
    import openpyxl

    header, rows = build_table("budgets", "typed-errors")
    path = _write_xlsx_with_dimension(tmp_path / "odd.xlsx", header, rows)
    workbook = openpyxl.load_workbook(path)
    edit(workbook.active)
    workbook.save(path)
    ours = validate_file(str(path), table_schema("budgets"), max_errors_per_type=10**9)
    assert ours.engine == "frictionless"
    assert_same_as_frictionless(path, table_schema("budgets"), expect_fast=False)

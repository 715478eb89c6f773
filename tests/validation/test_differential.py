"""Our report equals frictionless's on a generated corpus (the core promise)."""

from __future__ import annotations

import collections
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


@pytest.mark.parametrize("mutation", ["clean", "typed-errors", "duplicate-id", "blank-rows", "incorrect-label"])
def test_xlsx_matches_frictionless(tmp_path: Path, mutation: str) -> None:
    header, rows = build_table("budgets", mutation)
    path = write_xlsx(tmp_path / "table.xlsx", header, rows)
    assert_same_as_frictionless(path, table_schema("budgets"), expect_fast=False)

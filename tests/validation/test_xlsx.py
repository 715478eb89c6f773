"""xlsx.py: the sheet as openpyxl reads it, and typed cells as exact strings."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.validation.source import open_source
from ckanext.anticorruption.validation.xlsx import Sheet, exact_string, read_sheet

from tests.validation.corpus import Styled, write_excel, write_xlsx

_DAY = datetime.datetime(2024, 1, 5)
# One row per kind of cell openpyxl can hand frictionless.
_ROWS: list[list[Any]] = [
    ["text", 1500, 1500.5, -5, -0.25],
    ["scientific", 1e20, 1.5e-7, 12345678901234567890, 0],
    ["dates", _DAY, Styled(_DAY, 14), Styled(_DAY, "dd/mm/yyyy"), datetime.datetime(1900, 2, 28)],
    ["date-times", Styled(datetime.datetime(2024, 1, 5, 10, 30, 15), "yyyy-mm-dd hh:mm:ss"), Styled(0.5, "hh:mm"), Styled(datetime.timedelta(hours=30), "[h]:mm"), None],
    ["booleans", True, False, None, "último"],
    ["formats", Styled(1500.5, "#,##0.00"), Styled(0.25, "0%"), Styled(45296, "0"), Styled(None, "dd/mm/yyyy")],
    ["only text", "a", "b", "c", "d"],
]


def _openpyxl_rows(path: Path) -> list[tuple[Any, ...]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(cell.value for cell in row) for row in workbook.worksheets[0].iter_rows()]
    finally:
        workbook.close()


def _sheet_rows(sheet: Sheet) -> list[tuple[Any, ...]]:
    """The sheet's rows in order, empty string cells as None (as openpyxl gives them)."""
    rows: dict[int, tuple[Any, ...]] = {1: tuple(label or None for label in sheet.labels)}
    for columns, numbers, odd in sheet.iter_batches():
        for index, number in enumerate(numbers.to_pylist()):
            rows[number] = tuple(column[index].as_py() or None for column in columns)
        for number, cells in odd:
            rows[number] = tuple(cells)
    return [rows[number] for number in sorted(rows)]


def _typed(rows: list[tuple[Any, ...]]) -> list[list[tuple[type, Any]]]:
    # 1 == 1.0 == True in Python; the types must match too.
    return [[(type(cell), cell) for cell in row] for row in rows]


@pytest.mark.parametrize("date_1904", [False, True])
def test_values_are_openpyxls_in_an_excel_layout(tmp_path: Path, date_1904: bool) -> None:
    path = write_excel(tmp_path / "book.xlsx", ["what", "b", "c", "d", "e"], _ROWS, date_1904=date_1904)
    sheet = read_sheet(open_source(str(path)))
    assert _typed(_sheet_rows(sheet)) == _typed(_openpyxl_rows(path))


def test_values_are_openpyxls_in_an_openpyxl_layout(tmp_path: Path) -> None:
    rows = [[cell.value if isinstance(cell, Styled) else cell for cell in row] for row in _ROWS]
    path = write_xlsx(tmp_path / "book.xlsx", ["what", "b", "c", "d", "e"], rows)
    sheet = read_sheet(open_source(str(path)))
    # Without a dimension openpyxl's rows end at their last cell.
    assert {len(row) for row in _openpyxl_rows(path)} == {4, 5}
    assert _typed(_sheet_rows(sheet)) == _typed(_openpyxl_rows(path))


def test_without_a_schema_rows_with_typed_cells_are_odd(tmp_path: Path) -> None:
    path = write_excel(tmp_path / "book.xlsx", ["what", "b", "c", "d", "e"], _ROWS)
    sheet = read_sheet(open_source(str(path)))
    (_, numbers, odd), = sheet.iter_batches()
    assert numbers.to_pylist() == [8]
    assert [number for number, _ in odd] == [2, 3, 4, 5, 6, 7]


def test_with_a_schema_typed_cells_travel_as_strings(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "what"}, {"name": "amount", "type": "number"}, {"name": "day", "type": "date"}]}
    rows: list[list[Any]] = [["a", 1500, _DAY], ["b", 0.1, Styled(_DAY, 14)], ["c", "n/a", datetime.datetime(2024, 1, 5, 10, 30)]]
    sheet = read_sheet(open_source(str(write_excel(tmp_path / "book.xlsx", ["what", "amount", "day"], rows))), schema)
    (columns, numbers, odd), = sheet.iter_batches()
    assert numbers.to_pylist() == [2, 3]
    assert [column.to_pylist() for column in columns] == [["a", "b"], ["1500", "0.1"], ["2024-01-05", "2024-01-05"]]
    # A date with a time is a type error that frictionless prints its own way.
    assert odd == [(4, ["c", "n/a", datetime.datetime(2024, 1, 5, 10, 30)])]


def test_a_number_in_a_string_field_keeps_its_row_odd(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "code"}, {"name": "amount", "type": "number"}]}
    rows: list[list[Any]] = [["a", 1], [21101, 2]]
    sheet = read_sheet(open_source(str(write_excel(tmp_path / "book.xlsx", ["code", "amount"], rows))), schema)
    (columns, numbers, odd), = sheet.iter_batches()
    assert numbers.to_pylist() == [2]
    assert [column.to_pylist() for column in columns] == [["a"], ["1"]]
    assert odd == [(3, [21101, 2])]


# exact_string: the string must read exactly like the value -----------------

_FIELDS = [
    {"name": "f", "type": "number", "constraints": {"minimum": 0}},
    {"name": "f", "type": "integer", "constraints": {"minimum": 1900, "maximum": 2100}},
    {"name": "f", "type": "year"},
    {"name": "f", "type": "date"},
    {"name": "f", "type": "date", "constraints": {"minimum": "2020-01-01"}},
    {"name": "f", "type": "datetime"},
    {"name": "f", "type": "boolean"},
    {"name": "f", "type": "boolean", "trueValues": ["sí"], "falseValues": ["no"]},
    {"name": "f", "type": "string"},
    {"name": "f", "type": "string", "format": "uri"},
    {"name": "f", "type": "any"},
]
_VALUES = [
    0, 1500, -5, 2021, 999, 10**20,
    1500.5, 0.1, -0.0, 1e20, 1.5e-7, 2021.0,
    True, False,
    _DAY, datetime.datetime(2010, 1, 5), datetime.datetime(2024, 1, 5, 10, 30), datetime.datetime(2024, 1, 5, 0, 0, 0, 500000),
    datetime.time(12, 30), datetime.timedelta(hours=30),
]


def _field(spec: dict[str, Any], missing: list[str]) -> Any:
    import frictionless

    return frictionless.Schema.from_descriptor({"fields": [spec], "missingValues": missing}).fields[0]


@pytest.mark.parametrize("spec", _FIELDS, ids=lambda spec: f"{spec['type']}-{spec.get('format', '')}-{sorted(spec)}")
@pytest.mark.parametrize("missing", [[""], ["", "0", "2024-01-05", "True"]])
def test_exact_strings_read_like_their_values(spec: dict[str, Any], missing: list[str]) -> None:
    field = _field(spec, missing)
    read = field.create_cell_reader()
    string_for = exact_string(field)
    for value in _VALUES:
        text = string_for(value)
        if text is None:
            continue
        assert read(text) == read(value), (value, text)
        # What an error prints: str(value), except a date's own text.
        if not (field.type == "date" and isinstance(value, datetime.datetime)):
            assert text == str(value)


@pytest.mark.parametrize(
    ("spec", "value", "text"),
    [
        ({"type": "number"}, 1500, "1500"),
        ({"type": "number"}, 1e20, "1e+20"),
        ({"type": "integer"}, 2021, "2021"),
        ({"type": "integer"}, 2021.0, None),
        ({"type": "year"}, 2021, "2021"),
        ({"type": "year"}, 999, None),
        ({"type": "date"}, _DAY, "2024-01-05"),
        ({"type": "date"}, datetime.datetime(2024, 1, 5, 10, 30), None),
        ({"type": "date", "constraints": {"maximum": "2030-01-01"}}, _DAY, None),
        ({"type": "datetime"}, datetime.datetime(2024, 1, 5, 10, 30), "2024-01-05 10:30:00"),
        ({"type": "boolean"}, True, "True"),
        ({"type": "boolean", "trueValues": ["sí"]}, True, None),
        ({"type": "string"}, 1500, None),
        ({"type": "any"}, 1500.5, None),
    ],
)
def test_exact_string_covers_the_common_cells(spec: dict[str, Any], value: Any, text: str | None) -> None:
    assert exact_string(_field({"name": "f", **spec}, [""]))(value) == text


def test_a_date_that_is_a_missing_value_keeps_its_value() -> None:
    assert exact_string(_field({"name": "f", "type": "date"}, ["", "2024-01-05"]))(_DAY) is None

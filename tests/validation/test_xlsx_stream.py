"""xlsx.stream_sheet: the sheet read a few megabytes of XML at a time gives read_sheet's rows exactly."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.validation import validate_file, xlsx
from ckanext.anticorruption.validation.source import open_source

from tests.validation.corpus import (
    MUTATIONS, SCHEMA_TYPES, Styled, build_table, table_schema, typed_rows, write_excel, write_xlsx,
)


def _rows(batches: Any) -> tuple[list[tuple[Any, ...]], list[tuple[int, list[Any]]]]:
    """Regular rows (number and cells) in order, and the odd rows."""
    regular, odd = [], []
    for arrays, numbers, odd_rows in batches:
        regular += list(zip(numbers.to_pylist(), *[array.to_pylist() for array in arrays]))
        odd += odd_rows
    return regular, odd


def _outcome(read: Any) -> Any:
    try:
        sheet = read()
        return sheet.labels, _rows(sheet.iter_batches())
    except (xlsx.UnsupportedSheet, xlsx.NotStreamable) as reason:
        return type(reason).__name__


def assert_streamed_like_read(path: Path, schema: dict[str, Any], *, streamed: bool = True) -> None:
    source = open_source(str(path))
    assert not isinstance(source, type(None))
    whole = _outcome(lambda: xlsx.read_sheet(source, schema))
    stream = _outcome(lambda: xlsx.stream_sheet(source, schema))
    if stream == "NotStreamable":
        assert not streamed, "the plain sheet was not streamed"
        return
    assert stream == whole


@pytest.mark.parametrize("type_name", SCHEMA_TYPES)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_streamed_rows_are_read_sheets(tmp_path: Path, type_name: str, mutation: str) -> None:
    header, rows = build_table(type_name, mutation)
    schema = table_schema(type_name)
    typed = typed_rows(schema, rows)
    # openpyxl with a dimension (inline strings), and Excel's layout (shared strings).
    path = write_xlsx(tmp_path / "openpyxl.xlsx", header, typed, dimension=True, date_format="dd/mm/yyyy")
    assert_streamed_like_read(path, schema, streamed=mutation not in {"blank-label", "quoted-newlines"})
    path = write_excel(tmp_path / "excel.xlsx", header, typed)
    assert_streamed_like_read(path, schema, streamed=mutation not in {"blank-label", "quoted-newlines"})


@pytest.mark.parametrize("chunk", [200, 5_000])
def test_chunks_and_batches_keep_rows_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Rows cut across many chunks (each a batch), with empty rows, odd rows and empty cells."""
    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", chunk)
    schema = table_schema("contracts_register")
    header, rows = build_table("contracts_register", "clean", rows=300, error_rate=0.3)
    typed = typed_rows(schema, rows)
    typed[10][4] = 1500  # a number in a string field: an odd row
    typed[40][8] = datetime.datetime(2024, 1, 5, 10, 30)  # a date with a time in a date field: odd
    typed[41] = [None] * len(header)  # an empty row
    typed[77][2] = 45296
    path = write_xlsx(tmp_path / "openpyxl.xlsx", header, typed, dimension=True, date_format="dd/mm/yyyy")
    assert_streamed_like_read(path, schema)
    typed[77][2] = Styled(45296, "0")
    path = write_excel(tmp_path / "excel.xlsx", header, typed)
    assert_streamed_like_read(path, schema)
    typed[78][2] = Styled(45296, "dd/mm/yyyy")
    path = write_excel(tmp_path / "excel2.xlsx", header, typed)
    assert_streamed_like_read(path, schema)


def test_a_plain_sheet_is_never_loaded_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No calamine (which holds the whole sheet) for the labels nor the rows; the report is frictionless's."""
    import python_calamine

    schema = table_schema("contracts_register")
    header, rows = build_table("contracts_register", "typed-errors", rows=200, error_rate=0.2)
    path = write_excel(tmp_path / "excel.xlsx", header, typed_rows(schema, rows))
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")

    class Whole:
        def __init__(self, workbook: Any) -> None:
            self.workbook = workbook

        def get_sheet_by_name(self, name: str) -> Any:
            raise AssertionError("the whole sheet was loaded")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.workbook, name)

    opened = python_calamine.CalamineWorkbook.from_path
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", lambda path, **kw: Whole(opened(path, **kw)))
    ours = validate_file(str(path), schema, max_errors_per_type=10**9, max_columns=1000)
    assert ours.engine == "fast"
    assert ours.report and reference.report
    assert ours.error_counts == reference.error_counts
    assert [(e["type"], e.get("rowNumber"), e.get("fieldNumber")) for e in ours.report["tasks"][0]["errors"]] == [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber")) for e in reference.report["tasks"][0]["errors"]]


def test_markup_it_does_not_take_goes_to_read_sheet(tmp_path: Path) -> None:
    """Text with spaces at its edges without xml:space (calamine trims it): read whole, as before."""
    import zipfile

    schema = table_schema("budgets")
    header, rows = build_table("budgets", "clean")
    path = write_xlsx(tmp_path / "plain.xlsx", header, typed_rows(schema, rows), dimension=True)
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                start = data.index(b'<c r="A3" t="inlineStr"><is><t>') + len(b'<c r="A3" t="inlineStr"><is><t>')
                data = data[:start] + b" " + data[start:]
            target.writestr(item, data)
    with pytest.raises(xlsx.NotStreamable):
        sheet = xlsx.stream_sheet(open_source(str(edited)), schema)
        list(sheet.iter_batches())
    ours = validate_file(str(edited), schema, max_errors_per_type=10**9)
    reference = validate_file(str(edited), schema, max_errors_per_type=10**9, engine="frictionless")
    assert ours.engine == "fast"
    assert ours.error_counts == reference.error_counts

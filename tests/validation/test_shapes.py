"""Files as they really come: title lines, a header over two rows, no header,
a separator padded with a TAB, .xls, hidden sheets, empty columns at the right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.validation.source import open_source

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "supplier", "title": "Proveedor", "type": "string", "constraints": {"required": True}},
        {"name": "rfc", "title": "RFC", "type": "string"},
        {"name": "amount", "title": "Monto", "type": "number"},
        {"name": "date", "title": "Fecha", "type": "date"},
    ]
}
ROWS = [
    ["ACME SA DE CV", "AAA010101AAA", "1500.50", "2024-01-05"],
    ["BETA SC", "BBB020202BB2", "20", "2024-02-10"],
    ["GAMMA SAPI", "CCC030303CC3", "7", "2024-03-15"],
]


def _csv(path: Path, lines: list[list[str]], separator: str = ",") -> str:
    path.write_text("".join(separator.join(line) + "\r\n" for line in lines), encoding="utf-8")
    return str(path)


def _errors(result: Any) -> list[dict[str, Any]]:
    return result.report["tasks"][0]["errors"]


def test_title_lines_above_the_header_are_not_read_as_the_header(tmp_path: Path) -> None:
    # As SAT's 69-B list: two title lines, padded to the table's width.
    lines = [["Información actualizada al 18 de mayo de 2021", "", "", ""],
             ["Listado completo de contribuyentes", "", "", ""],
             ["supplier", "rfc", "amount", "date"], *ROWS]
    lines[4] = [*ROWS[0][:2], "mil", ROWS[0][3]]
    result = validate_file(_csv(tmp_path / "69b.csv", lines), SCHEMA)

    assert result.detected["header_rows"] == [3]
    assert "header-not-first-row" in result.detected["warnings"]
    assert result.report["tasks"][0]["warnings"] == ["header read from row 3"]
    assert result.rows == 3
    assert result.report["tasks"][0]["labels"] == ["supplier", "rfc", "amount", "date"]
    # Rows keep the numbers they have in the publisher's file.
    assert [(error["type"], error["rowNumber"], error["cell"]) for error in _errors(result)] == [("type-error", 5, "mil")]


def test_the_schemas_titles_pick_the_header_among_rows_that_look_alike(tmp_path: Path) -> None:
    lines = [["Cuenta pública", "2023", "Pesos", "Federal"],
             ["Proveedor", "RFC", "Monto", "Fecha"], *ROWS]
    source = open_source(_csv(tmp_path / "titled.csv", lines), hints=["supplier", "Proveedor", "RFC", "Monto", "Fecha"])

    assert source.header_rows == [2]


def test_a_plain_file_is_read_as_written(tmp_path: Path) -> None:
    result = validate_file(_csv(tmp_path / "plain.csv", [["supplier", "rfc", "amount", "date"], *ROWS]), SCHEMA)

    assert result.state == "valid"
    assert result.engine == "fast"
    assert "warnings" not in result.detected and "header_rows" not in result.detected


def test_a_downloaded_on_row_and_a_header_merged_over_two_rows(tmp_path: Path) -> None:
    import openpyxl

    # As the World Bank's list of debarred firms.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Downloaded on: 07/01/2025"])
    sheet.append(["Firm Name", "Country", "Period", None])
    sheet.append([None, None, "From", "To"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    sheet.append(["ACME LLC", "Georgia", "2024-12-10", "2026-12-09"])
    sheet.append(["BETA LTD", "Kosovo", "2024-12-03", "not a date"])
    path = tmp_path / "world_bank.xlsx"
    workbook.save(path)
    schema = {"fields": [{"name": "Firm Name"}, {"name": "Country"},
                         {"name": "Period From", "type": "date"}, {"name": "Period To", "type": "date"}]}

    result = validate_file(str(path), schema)

    assert result.detected["header_rows"] == [2, 3]
    assert result.report["tasks"][0]["labels"] == ["Firm Name", "Country", "Period From", "Period To"]
    assert result.rows == 2
    assert [(error["type"], error["rowNumber"], error["fieldName"]) for error in _errors(result)] == [
        ("type-error", 5, "Period To")]


def test_a_comma_followed_by_a_tab_is_one_separator(tmp_path: Path) -> None:
    # As SFP's directory of sanctioned suppliers: ", TAB" in the header, ",TAB" below.
    path = tmp_path / "sancionados.csv"
    path.write_text("supplier, \trfc, \tamount, \tdate\n"
                    '"ACME, S.A. DE C.V.",\tAAA010101AAA,\t1500.50,\t2024-01-05\n'
                    "BETA SC,\tBBB020202BB2,\tveinte,\t2024-02-10\n", encoding="cp1252")

    result = validate_file(str(path), SCHEMA)

    assert result.detected["delimiter"] == ","
    assert result.detected["padding"] == "tab"
    assert "separator-padding" in result.detected["warnings"]
    assert result.report["tasks"][0]["labels"] == ["supplier", "rfc", "amount", "date"]
    assert [(error["type"], error["rowNumber"], error["cell"]) for error in _errors(result)] == [("type-error", 3, "veinte")]
    assert _errors(result)[0]["cells"][0] == "BETA SC"


def test_a_file_without_a_header_row_is_recognised(tmp_path: Path) -> None:
    result = validate_file(_csv(tmp_path / "imco.csv", ROWS), SCHEMA)

    assert "no-header-row" in result.detected["warnings"]
    assert result.detected["header_rows"] == []
    # The first supplier is a row of data, not the header.
    assert result.rows == 3
    assert result.state == "valid"


def test_a_header_with_a_year_in_it_is_still_a_header(tmp_path: Path) -> None:
    lines = [["supplier", "rfc", "amount", "date"], *ROWS]
    assert open_source(_csv(tmp_path / "header.csv", lines), hints=["supplier"]).header_rows == [1]


def test_empty_columns_at_the_right_are_ignored(tmp_path: Path) -> None:
    lines = [[*row, "", ""] for row in [["supplier", "rfc", "amount", "date"], *ROWS]]
    result = validate_file(_csv(tmp_path / "wide.csv", lines), SCHEMA)

    assert result.state == "valid"
    assert result.detected["width"] == 4
    assert "empty-columns-ignored" in result.detected["warnings"]


def test_a_value_in_an_ignored_column_is_still_reported(tmp_path: Path) -> None:
    lines = [[*row, "", ""] for row in [["supplier", "rfc", "amount", "date"], *ROWS * 30]]
    lines[-1][-1] = "stray"  # below the rows the layout is decided from
    result = validate_file(_csv(tmp_path / "stray.csv", lines), SCHEMA)

    assert result.detected["width"] == 4
    assert ("extra-cell", 91, "stray") in [(error["type"], error["rowNumber"], error["cell"]) for error in _errors(result)]


def test_hidden_sheets_are_skipped_when_no_sheet_is_named(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    lists = workbook.active
    lists.title = "Listas"
    lists.append(["catálogo"])
    lists.sheet_state = "hidden"
    data = workbook.create_sheet("Datos")
    data.append(["supplier", "rfc", "amount", "date"])
    for row in ROWS:
        data.append(row)
    path = tmp_path / "book.xlsx"
    workbook.save(path)

    result = validate_file(str(path), SCHEMA)

    assert result.detected["sheet"] == "Datos"
    assert result.detected["hidden_sheets"] == ["Listas"]
    assert result.state == "valid"
    assert open_source(str(path), sheet="Listas").sheet == "Listas"


def test_an_xls_workbook_is_read(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Hoja1")
    rows = [["supplier", "rfc", "amount", "date"], *ROWS]
    rows[3] = [*ROWS[2][:2], "siete", ROWS[2][3]]
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            number = row_index and column == 2 and value != "siete"
            sheet.write(row_index, column, float(value) if number else value)
    path = tmp_path / "cuenta.xls"
    workbook.save(str(path))

    result = validate_file(str(path), SCHEMA, format="XLS")

    assert result.detected["format"] == "xls"
    assert result.detected["sheet"] == "Hoja1"
    assert result.rows == 3
    assert [(error["type"], error["rowNumber"], error["cell"]) for error in _errors(result)] == [("type-error", 4, "siete")]


def _data_sheet(path: Path, *, styled_column: int | None = None) -> Path:
    import openpyxl
    from openpyxl.styles import PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [["supplier", "rfc", "amount", "date"], *ROWS]:
        sheet.append(row)
    if styled_column:
        # A coloured but empty column: the sheet's dimension reaches it.
        for row in range(1, len(ROWS) + 2):
            sheet.cell(row=row, column=styled_column).fill = PatternFill("solid", fgColor="FFFF00")
    workbook.save(path)
    return path


def test_empty_columns_at_the_right_of_a_sheet_are_ignored(tmp_path: Path) -> None:
    result = validate_file(str(_data_sheet(tmp_path / "coloured.xlsx", styled_column=6)), SCHEMA)

    assert result.state == "valid"
    assert result.detected["width"] == 4
    assert result.report["tasks"][0]["labels"] == ["supplier", "rfc", "amount", "date"]


def test_a_sheet_that_declares_only_a1_is_read_whole(tmp_path: Path) -> None:
    import re
    import zipfile

    path = _data_sheet(tmp_path / "a1.xlsx")
    patched = tmp_path / "declared_a1.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(item, data)

    result = validate_file(str(patched), SCHEMA)

    assert result.report["tasks"][0]["labels"] == ["supplier", "rfc", "amount", "date"]
    assert result.state == "valid" and result.rows == 3

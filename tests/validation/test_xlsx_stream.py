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


# Markup the streaming reader tokenises itself ------------------------------

_HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c>'
               '<c r="C1" t="inlineStr"><is><t>c</t></is></c></row>')


def _sheet_with(tmp_path: Path, name: str, rows_xml: str, dimension: str = "A1:C7") -> Path:
    """A workbook (openpyxl's files) whose sheetData is ``rows_xml`` after the header row."""
    import re
    import zipfile

    base = write_xlsx(tmp_path / f"base-{name}", ["a", "b", "c"], [["x", "y", "z"]], dimension=True)
    path = tmp_path / name
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                data = re.sub(rb"<sheetData>.*</sheetData>", f"<sheetData>{_HEADER_ROW}{rows_xml}</sheetData>".encode(),
                              data, flags=re.S)
            target.writestr(item, data)
    return path


def _inline(ref: str, text: str, space: bool = False) -> str:
    preserve = ' xml:space="preserve"' if space else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


_TRICKY_ROWS = (
    # Entities, named and numeric (decimal and hexadecimal), and a reference
    # to "&" followed by what would be an entity.
    '<row r="2">' + _inline("A2", "Fish &amp; Chips &lt;S.A.&gt; &quot;q&quot; &apos;a&apos;")
    + _inline("B2", "Le&#243;n &#x00F1;and&#250; &#x1F600;") + _inline("C2", "&#38;lt; stays &amp;amp;") + "</row>"
    # Spaces kept by xml:space, a gap (no B3), and line breaks inside a text.
    + '<row r="3">' + _inline("A3", "  padded  ", space=True) + _inline("C3", "two\nlines") + "</row>"
    # Row 4 is missing; row 5 has a value-less styled cell and a number.
    + '<row r="5"><c r="A5" s="0"/><c r="B5" t="n"><v>12.5</v></c>' + _inline("C5", "last") + "</row>"
    + '<row r="6"/>'
)
_TRICKY_VALUES = [
    (2, "Fish & Chips <S.A.> \"q\" 'a'", "León ñandú 😀", "&lt; stays &amp;"),
    (3, "  padded  ", "", "two\nlines"),
    (4, "", "", ""),
    (5, "", "12.5", "last"),
    (6, "", "", ""),
    # Row 7, in the dimension but after the last row element, is not read
    # (openpyxl reads it only when a row element lies beyond the dimension).
]


_TRICKY_SCHEMA = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "number"},
                             {"name": "c", "type": "string"}]}


def test_entities_spaces_and_gaps_read_as_calamine_reads_them(tmp_path: Path) -> None:
    schema = _TRICKY_SCHEMA
    path = _sheet_with(tmp_path, "tricky.xlsx", _TRICKY_ROWS)
    assert_streamed_like_read(path, schema)
    sheet = xlsx.stream_sheet(open_source(str(path)), schema)
    assert sheet.labels == ["a", "b", "c"]
    assert _rows(sheet.iter_batches()) == (_TRICKY_VALUES, [])
    # The report (blank rows, the text in a number column) is frictionless's, cell for cell.
    schema = {**schema, "fields": [*schema["fields"][:2], {"name": "c", "type": "integer"}]}
    ours = validate_file(str(path), schema, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    assert ours.engine == "fast"
    assert ours.report and reference.report
    errors = [(e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell"), e.get("note"))
              for e in ours.report["tasks"][0]["errors"]]
    assert errors == [(e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell"), e.get("note"))
                      for e in reference.report["tasks"][0]["errors"]]
    assert ("type-error", 2, 3, "&lt; stays &amp;", 'type is "integer/default"') in errors


@pytest.mark.parametrize("chunk", [1, 7, 64, 300])
@pytest.mark.parametrize("dense", [True, False])
def test_a_chunk_may_end_anywhere_inside_a_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int,
                                                 dense: bool) -> None:
    """Reads of any size, ending inside a tag, an entity or a text: the same rows.

    Also with the columns built one by one, as for a wide dimension over few cells.
    """
    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", chunk)
    if not dense:
        monkeypatch.setattr(xlsx, "_DENSE_CELLS", 0)
        monkeypatch.setattr(xlsx, "_DENSE_FACTOR", 0)
    sheet = xlsx.stream_sheet(open_source(str(_sheet_with(tmp_path, "tricky.xlsx", _TRICKY_ROWS))), _TRICKY_SCHEMA)
    assert _rows(sheet.iter_batches()) == (_TRICKY_VALUES, [])


@pytest.mark.parametrize("rows_xml", [
    # A rich-text inline string (runs).
    '<row r="2"><c r="A2" t="inlineStr"><is><r><t>bo</t></r><r><rPr><b/></rPr><t>ld</t></r></is></c></row>',
    # A cell without a reference.
    '<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>',
    # A row without a number.
    '<row>' + _inline("A2", "x") + "</row>",
    # Spaces at a text's edge without xml:space (calamine trims them, openpyxl does not).
    '<row r="2">' + _inline("A2", " x") + "</row>",
    # An unknown entity, a formula, an error cell.
    '<row r="2">' + _inline("A2", "&nbsp;") + "</row>",
    '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>',
    '<row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>',
], ids=["runs", "no-reference", "row-without-number", "edge-spaces", "unknown-entity", "formula", "error"])
def test_other_markup_is_read_whole_with_the_same_report(tmp_path: Path, rows_xml: str) -> None:
    schema = {"fields": [{"name": name, "type": "string"} for name in "abc"]}
    path = _sheet_with(tmp_path, "other.xlsx", rows_xml, dimension="A1:C2")
    with pytest.raises((xlsx.NotStreamable, xlsx.UnsupportedSheet)):
        list(xlsx.stream_sheet(open_source(str(path)), schema).iter_batches())
    ours = validate_file(str(path), schema, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    assert ours.error_counts == reference.error_counts
    assert ours.report and reference.report
    assert [(e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell")) for e in ours.report["tasks"][0]["errors"]] == [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell")) for e in reference.report["tasks"][0]["errors"]]


def test_the_world_bank_list_streams_as_calamine_reads_it(tmp_path: Path) -> None:
    """The World Bank's debarment list (real names and addresses), saved as Excel and as openpyxl save it."""
    from python_calamine import CalamineWorkbook

    from tests.real import REAL_DATA

    real = REAL_DATA / "wiktorrajca__Data-Science-Honors-Thesis" / "world_bank_listing_of_ineligible_firms_and_individuals.xlsx"
    assert real.exists(), "the real file of record is missing"
    workbook = CalamineWorkbook.from_path(str(real))
    values = workbook.get_sheet_by_index(0).to_python()
    workbook.close()
    header = ["firm_name", "additional_info", "address", "country", "from_date", "to_date", "grounds"]
    rows = values[3:]  # below the title and the two header rows
    assert len(rows) > 1000
    schema = {"fields": [{"name": name, "type": "string"} for name in header]}
    expected = [(number, *row) for number, row in enumerate(rows, start=2)]
    for path in (write_excel(tmp_path / "excel.xlsx", header, rows),
                 write_xlsx(tmp_path / "openpyxl.xlsx", header, rows, dimension=True)):
        assert_streamed_like_read(path, schema)
        sheet = xlsx.stream_sheet(open_source(str(path)), schema)
        assert sheet.labels == header
        assert _rows(sheet.iter_batches()) == (expected, [])


_NUMBER_TEXTS = ["0", "12.5", "-3", "860445.4300000001", "9024170.119999999", "0.1", "0.00001", "1e5", "1E-3",
                 "123456789012345.5", "1234567890123456.5", "0.30000000000000004", "-0.5", "100", "007", "5.0"]


def test_vectorised_numbers_are_the_strings_of_openpyxls_values() -> None:
    """Number cells read in Arrow give what openpyxl's value gives, wherever they give anything."""
    import pyarrow as pa

    book = xlsx.Book(datetime.datetime(1899, 12, 30), frozenset({1}), frozenset())
    rests = [f'{attrs}><v>{text}</v>'.encode() for text in _NUMBER_TEXTS for attrs in ("", ' t="n"')]
    for decimals, string in ((True, xlsx._number_string), (False, xlsx._integer_string)):
        written = xlsx._written_as_read(pa.array(rests, pa.binary()), decimals)
        assert written is not None
        for rest, exact in zip(rests, written.to_pylist()):
            text = rest.split(b"<v>")[1].split(b"<")[0].decode()
            if exact is not None:
                assert exact == string(xlsx.openpyxl_value("n", text, 0, book)), text
    # The long decimals are read in Arrow, not one by one.
    assert xlsx._written_as_read(pa.array([b' t="n"><v>860445.4300000001</v>']), True).to_pylist() == ["860445.43"]


@pytest.mark.parametrize("epoch", [datetime.datetime(1899, 12, 30), datetime.datetime(1904, 1, 1)])
def test_vectorised_dates_are_openpyxls(epoch: datetime.datetime) -> None:
    import pyarrow as pa

    book = xlsx.Book(epoch, frozenset({1, 2, 3}), frozenset({3}))  # 3: a duration's format
    date_string = xlsx._DateString({""})
    serials = ["1", "59", "60", "61", "45126", "45126.5", "2958465", "2958466", "99999999", "-5"]
    rests = [f' s="{style}" t="n"><v>{serial}</v>'.encode() for serial in serials for style in (0, 1, 2, 3)]
    written = xlsx._dates_as_read(pa.array(rests, pa.binary()), book)
    assert written is not None and written.null_count < len(rests)
    for rest, exact in zip(rests, written.to_pylist()):
        if exact is None:
            continue
        style, serial = int(rest.split(b'"')[1]), rest.split(b"<v>")[1].split(b"<")[0].decode()
        assert exact == date_string(xlsx.openpyxl_value("n", serial, style, book)), rest
    assert written.to_pylist()[rests.index(b' s="1" t="n"><v>45126</v>')] == (
        "2023-07-19" if epoch.year == 1899 else "2027-07-20")


@pytest.mark.parametrize(("dimension", "rows_xml"), [
    ("A1:C6", '<row r="2">' + _inline("A2", "x") + "</row>"),  # rows 3-6 only in the dimension
    ("A1:C4", '<row r="2">' + _inline("A2", "x") + '</row><row r="6"/>'),  # a row element beyond it
    ("A1:C5", '<row r="2">' + _inline("A2", "x") + '</row><row r="4"/>'),  # an empty row element inside
], ids=["dimension-only", "element-beyond", "element-inside"])
def test_missing_rows_at_the_end_are_openpyxls(tmp_path: Path, dimension: str, rows_xml: str) -> None:
    schema = {"fields": [{"name": name, "type": "string"} for name in "abc"]}
    path = _sheet_with(tmp_path, "end.xlsx", rows_xml, dimension=dimension)
    assert_streamed_like_read(path, schema)
    ours = validate_file(str(path), schema, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    assert ours.engine == "fast"
    assert ours.report and reference.report
    assert [(e["type"], e.get("rowNumber")) for e in ours.report["tasks"][0]["errors"]] == [
        (e["type"], e.get("rowNumber")) for e in reference.report["tasks"][0]["errors"]]


# The worker thread (unzipping and tokenising ahead of the reader) ----------


def _workers() -> list[Any]:
    import threading

    return [thread for thread in threading.enumerate() if thread.name == "xlsx-chunks" and thread.is_alive()]


def _edited_sheet(path: Path, target: Path, edit: Any) -> Path:
    import zipfile

    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as written:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = edit(data)
            written.writestr(item, data)
    return target


@pytest.fixture(scope="module")
def budgets_sheet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """3,000 rows of budgets with a few errors: many chunks when they are small."""
    schema = table_schema("budgets")
    header, rows = build_table("budgets", "clean", rows=3000, error_rate=0.01)
    path = write_xlsx(tmp_path_factory.mktemp("worker") / "budgets.xlsx", header, typed_rows(schema, rows),
                      dimension=True)
    return path, schema


@pytest.mark.parametrize(("pattern", "replacement", "engine"), [
    # Spaces at a text's edge without xml:space: calamine reads the whole sheet.
    (rb'(<c r="A2900" t="inlineStr"><is><t>)', rb"\1 ", "fast"),
    # A formula: frictionless does.
    (rb'<c r="B2900"[^>]*>.*?</c>', b'<c r="B2900"><f>1+1</f><v>2</v></c>', "frictionless"),
], ids=["edge-space", "formula"])
def test_markup_found_in_a_later_chunk_still_reads_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          budgets_sheet: tuple[Path, dict[str, Any]], pattern: bytes,
                                                          replacement: bytes, engine: str) -> None:
    """Markup near the end, met by the worker after batches were checked: read whole, the report is frictionless's."""
    import re

    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", 5_000)
    plain, schema = budgets_sheet
    path = _edited_sheet(plain, tmp_path / "edited.xlsx", lambda data: re.sub(pattern, replacement, data, count=1))
    assert path.read_bytes() != plain.read_bytes()
    sheet = xlsx.stream_sheet(open_source(str(path)), schema)
    batches = sheet.iter_batches()
    assert next(batches)[1][0].as_py() == 2  # the first rows were read
    with pytest.raises(xlsx.NotStreamable):
        list(batches)
    assert not _workers()
    ours = validate_file(str(path), schema, max_errors_per_type=10**9)
    reference = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    assert ours.engine == engine
    assert ours.report and reference.report
    assert ours.error_counts == reference.error_counts
    assert [(e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell")) for e in ours.report["tasks"][0]["errors"]] == [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("cell")) for e in reference.report["tasks"][0]["errors"]]
    assert not _workers()


def test_a_damaged_sheet_is_reported_unreadable_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          budgets_sheet: tuple[Path, dict[str, Any]]) -> None:
    """Compressed bytes damaged late in the sheet: the worker's error is the result's, word for word."""
    import zipfile

    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", 5_000)
    plain, schema = budgets_sheet
    data = bytearray(plain.read_bytes())
    with zipfile.ZipFile(plain) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    at = start + int(info.compress_size * 0.7)
    data[at:at + 8] = bytes(8)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    result = validate_file(str(path), schema, max_errors_per_type=10**9)
    assert (result.state, result.problem) == ("error", "unreadable")
    assert result.problem_params == {"detail": "BadZipFile: Bad CRC-32 for file 'xl/worksheets/sheet1.xml'"}
    assert not _workers()


def test_the_worker_stays_a_few_chunks_ahead_and_stops(monkeypatch: pytest.MonkeyPatch,
                                                      budgets_sheet: tuple[Path, dict[str, Any]]) -> None:
    """Memory holds a few chunks whatever the sheet's length; a reading not taken ends its worker."""
    import time

    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", 2_000)
    tokenised = []
    cells = xlsx._cells
    monkeypatch.setattr(xlsx, "_cells", lambda part: tokenised.append(len(part)) or cells(part))
    path, schema = budgets_sheet
    sheet = xlsx.stream_sheet(open_source(str(path)), schema)
    time.sleep(0.3)
    # The chunk of the labels, those waiting, and the one the worker holds.
    assert 2 <= len(tokenised) <= xlsx._AHEAD + 2
    assert len(_workers()) == 1
    sheet.close()
    assert not _workers()
    # Read to the end, then again: the same rows.
    first = _rows(xlsx.stream_sheet(open_source(str(path)), schema).iter_batches())
    assert len(tokenised) > 100
    again = xlsx.stream_sheet(open_source(str(path)), schema)
    assert _rows(again.iter_batches()) == first == _rows(again.iter_batches())
    assert first[0][-1][0] == 3001
    assert not _workers()


def test_a_cancelled_validation_stops_the_worker_at_once(monkeypatch: pytest.MonkeyPatch,
                                                         budgets_sheet: tuple[Path, dict[str, Any]]) -> None:
    """Cancelled between batches: no worker is left unzipping a sheet nobody reads."""
    from ckanext.anticorruption.validation import ValidationCancelled, fast

    monkeypatch.setattr(xlsx, "_STREAM_CHUNK", 2_000)
    monkeypatch.setattr(fast, "GROUP_ROWS", 100)  # checked a few chunks at a time
    path, schema = budgets_sheet
    with pytest.raises(ValidationCancelled):
        validate_file(str(path), schema, cancelled=lambda: True)
    assert not _workers()

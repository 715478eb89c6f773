"""Read an XLSX sheet with calamine exactly as frictionless (openpyxl) sees it.

frictionless reads a sheet with openpyxl in read-only mode, values only,
and hands each value to the schema as it is: str, int, float, datetime,
bool or None. Two things have to come out the same here.

The shape depends on the sheet XML, not just the values:

* With a ``<dimension>`` element every row is padded with None to the
  dimension's last column, cells past it are dropped, and missing rows up
  to the last dimension row come out as all-None rows.
* Without one, each row ends at its last ``<c>`` element and missing rows
  come out empty, so a row whose last cells are empty is shorter (and
  frictionless reports missing cells).

calamine returns a rectangle of values with "" for empty cells, so the
shape is rebuilt from those two rules.

The values: text comes from calamine. Typed cells (numbers and booleans)
are read from the sheet XML the way openpyxl reads them, because calamine
gives 1.0 where openpyxl gives 1 and detects dates its own way: a ``<v>``
holding ".", "e" or "E" is a float, any other an int; a number whose style
has a date format becomes what openpyxl's ``from_excel`` makes of it in
the workbook's epoch (openpyxl's own stylesheet and workbook classes say
which styles are dates and which epoch applies); ``t="b"`` is a bool.

The fast checks take strings, so a typed cell travels as the string that
frictionless reads exactly like its value (:func:`exact_string`), or, when
there is none (a number in a string field, a date with a time in a date
field), its row goes to the odd rows with openpyxl's values, which
frictionless's own Row class checks.

A plain sheet (see :func:`stream_sheet`) is read from its XML a few
megabytes at a time instead, to the same rows, so that memory does not
grow with the sheet; :func:`read_sheet` reads the others whole.

Anything else makes :func:`read_sheet` raise :class:`UnsupportedSheet` and
the caller falls back to frictionless: formulas, merged cells, error and
ISO-date cells, empty strings, escaped control characters, phonetic runs,
value-less cells in a sheet without a dimension, typed header cells,
typed cells whose XML the scan does not recognise, and anything calamine
cannot read.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime
import gc
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pyarrow as pa
import pyarrow.compute as pc

from .source import Source
from .values import READING_KEY

__all__ = [
    "BATCH_ROWS", "Book", "NotStreamable", "Sheet", "StreamedSheet", "UnsupportedSheet", "exact_string", "first_rows",
    "openpyxl_value", "read_sheet", "stream_sheet",
]

BATCH_ROWS = 65536

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?"')
_LAST_ROW = re.compile(rb'<row r="([0-9]+)"')
# Markers of cells whose openpyxl value this module does not reproduce, or
# of layouts the shape rules above do not cover. Searched as bytes, so the
# whole sheet costs a few C-level scans.
_SHEET_MARKERS = tuple(
    re.compile(marker)
    for marker in (
        rb"<f[ >/]",  # formulas
        rb"<mergeCell",
        rb't="[ed]"',  # errors, ISO dates
        rb"_x00",  # escaped control characters (_x000D_)
        rb"<t/>", rb"></t>",  # empty strings, <t> with or without attributes
        rb"<v(?:/>|></v>)",
    )
)
_EMPTY_CELL = re.compile(rb"<c [^>]*/>|<c [^>]*></c>")
_EMPTY_SHARED = (b"<si/>", b"<t/>", b"<t></t>", b'<t xml:space="preserve"></t>', b"<rPh", b"_x00")
# A number or boolean cell as Excel and openpyxl write it. A typed cell
# written any other way is not matched, keeps calamine's value and makes
# the sheet unsupported.
_TYPED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"((?: s="[0-9]{1,5}")?(?: t="[nb]")?><v>[^<]*</v>)</c>')
_TYPED_PARTS = re.compile(rb'(?: s="([0-9]{1,5})")?(?: t="([nb])")?><v>([^<]*)</v>')
_NUMBER_TEXT = re.compile(r"-?[0-9]{1,300}(?:\.[0-9]{1,300})?(?:[eE][-+]?[0-9]{1,3})?")
_BOOLEAN_TEXT = re.compile(r"[01]")
_SHARED_STRING_VALUE = b't="s"><v>'


class UnsupportedSheet(Exception):
    """The sheet needs frictionless (openpyxl) to be read exactly."""


Batch = tuple[list[pa.Array], pa.Array, list[tuple[int, list[Any]]]]


@dataclass
class Sheet:
    """The sheet as frictionless sees it: labels plus Arrow batches of rows.

    Odd rows carry openpyxl's values (str, int, float, datetime, bool, None).
    """

    labels: list[str]
    batches: list[Batch]

    def iter_batches(self) -> Iterator[Batch]:
        return iter(self.batches)

    def close(self) -> None:
        """Nothing to end (see StreamedSheet.close)."""


@dataclass(frozen=True)
class Book:
    """What openpyxl reads from a workbook besides the cells themselves."""

    epoch: datetime.datetime
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]


# Typed cells ---------------------------------------------------------------


def openpyxl_value(kind: str, text: str, style: int, book: Book) -> Any:
    """The value openpyxl (read-only, values only) gives a typed cell.

    ``kind`` is the cell's ``t`` ("n" or "b"), ``text`` its ``<v>``,
    ``style`` its ``s`` (an index into the workbook's cellXfs).
    """
    if kind == "b":
        if not _BOOLEAN_TEXT.fullmatch(text):
            raise UnsupportedSheet(f"boolean {text!r}")
        return text == "1"
    if not _NUMBER_TEXT.fullmatch(text):
        raise UnsupportedSheet(f"number {text!r}")
    number = float(text) if "." in text or "e" in text or "E" in text else int(text)
    if style not in book.date_styles:
        return number
    from openpyxl.utils.datetime import from_excel  # not imported before a date needs it (0.1 s)

    try:
        return from_excel(number, book.epoch, timedelta=style in book.timedelta_styles)
    except (OverflowError, ValueError):
        # openpyxl turns it into an error cell with a warning.
        raise UnsupportedSheet(f"date serial {text!r} out of range") from None


def exact_string(field: Any) -> Callable[[Any], str | None]:
    """For a frictionless ``field``: value -> the string read exactly like it.

    The returned function gives, for an openpyxl value, a string that
    frictionless's cell reader turns into an equal value with the same
    notes, and that an error would print the same way, or None when no
    string does (then the row must be checked with the value itself).
    """
    type_ = field.type
    if field.format != "default":
        return _never
    reading = (field.custom or {}).get(READING_KEY) or {}
    if reading.get("kind") == "number" and reading.get("decimal", ".") != ".":
        # "1.5" would read as fifteen in a column of 1.234,50 amounts; the
        # typed number itself reads as it is.
        return _never
    if type_ == "number":
        return _number_string
    if type_ == "integer":
        return _integer_string
    if type_ == "year":
        return _year_string
    if type_ == "datetime":
        return _datetime_string
    if type_ == "date" and not {"minimum", "maximum"} & set(field.constraints or {}):
        # The cell an error prints would be the datetime's, so dates with
        # bounds keep their value.
        return _DateString(_missing_values(field))
    if type_ == "boolean":
        return _boolean_string(field.create_value_reader())
    return _never


def _missing_values(field: Any) -> set[str]:
    # The ones frictionless's cell reader uses: the field's own, else the schema's.
    if field.schema is not None and not field.has_defined("missing_values"):
        return set(field.schema.missing_values)
    return set(field.missing_values)


def _never(value: Any) -> str | None:
    return None


def _number_string(value: Any) -> str | None:
    # Decimal(str(float)) is how frictionless reads a float; str(int) reads
    # back as an equal number.
    return str(value) if type(value) in {int, float} else None


def _integer_string(value: Any) -> str | None:
    # A float 3.0 is an integer to frictionless but "3.0" is not.
    return str(value) if type(value) is int else None


def _year_string(value: Any) -> str | None:
    # A year string must have four characters; an int need not.
    return str(value) if type(value) is int and 1000 <= value <= 9999 else None


def _datetime_string(value: Any) -> str | None:
    # "YYYY-MM-DD HH:MM:SS[.ffffff]" parses back to the same naive datetime.
    return str(value) if type(value) is datetime.datetime else None


class _DateString:
    """A date at midnight as its ISO date, unless that (or the datetime's text) is a missing value."""

    def __init__(self, missing_values: set[str]) -> None:
        self.missing_values = missing_values
        # No missing value looks like a date: any midnight date reads as its ISO date.
        self.any_date = not any(re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) for value in missing_values)

    def __call__(self, value: Any) -> str | None:
        if type(value) is not datetime.datetime or (value.hour, value.minute, value.second) != (0, 0, 0):
            return None
        text = value.date().isoformat()
        if text in self.missing_values or str(value) in self.missing_values:
            return None
        return text


def _boolean_string(read: Callable[[Any], Any]) -> Callable[[Any], str | None]:
    def boolean_string(value: Any) -> str | None:
        if type(value) is not bool or read(str(value)) is not value:
            return None
        return str(value)

    return boolean_string


_DROPPED = (-1, None, None)  # a typed cell past the dimension's width


class _TypedCells:
    """Turns typed cells of one sheet into (column, value, exact string).

    Remembered per column and cell XML, because dates and codes repeat.
    """

    _REMEMBER = 100_000

    def __init__(self, book: Book, strings: list[Callable[[Any], str | None]], width: int | None) -> None:
        self.book = book
        self.strings = strings
        self.width = width
        self.known: dict[bytes, dict[bytes, tuple[int, Any, str | None]]] = {}

    def read(self, letters: bytes, rest: bytes) -> tuple[int, Any, str | None]:
        """``rest`` is the cell's XML after its reference."""
        known = self.known.get(letters)
        if known is None or len(known) > self._REMEMBER:
            known = self.known[letters] = {}
        found = known.get(rest)
        if found is None:
            found = known[rest] = self._convert(_column_number(letters) - 1, rest)
        return found

    def _convert(self, column: int, rest: bytes) -> tuple[int, Any, str | None]:
        if self.width is not None and column >= self.width:
            return _DROPPED
        parts = _TYPED_PARTS.fullmatch(rest)
        if not parts:
            raise UnsupportedSheet("typed cell")
        style, kind, text = parts.groups()
        value = openpyxl_value("b" if kind == b"b" else "n", text.decode(), int(style) if style else 0, self.book)
        exact = self.strings[column](value) if column < len(self.strings) else None
        return column, value, exact


def _place_typed_cells(values: list[list[Any]], matches: list[tuple[bytes, bytes, bytes]], cells: _TypedCells, odd: set[int], height: int) -> None:
    """Write the typed cells ``_TYPED_CELL`` found into calamine's ``values``.

    Each typed cell gets its exact string; a row where one has none joins
    ``odd`` (0-based), and every row in ``odd`` (ragged ones included) then
    gets openpyxl's values instead. Plain loops with the lookups inlined:
    this runs for every number and date in the sheet.
    """
    line: list[Any] = []
    row_text_now = b""
    row = 1
    known = cells.known
    for letters, row_text, rest in matches:
        if row_text != row_text_now:
            row_text_now = row_text
            row = _next_row(row, int(row_text), height, values)
            line = values[row - 1] if row <= height else []
        column, _, exact = (known.get(letters) or {}).get(rest) or cells.read(letters, rest)
        if column < 0 or row > height:
            continue
        if column >= len(line):
            raise UnsupportedSheet("typed cell outside calamine's range")
        if exact is None:
            odd.add(row - 1)
        else:
            line[column] = exact
    if not odd:
        return
    for letters, row_text, rest in matches:
        index = int(row_text) - 1
        if index in odd:
            column, value, _ = cells.read(letters, rest)
            if column >= 0:
                values[index][column] = value


def _next_row(previous: int, row: int, height: int, values: list[list[Any]]) -> int:
    if row <= previous:
        raise UnsupportedSheet("typed header cell or rows out of order")
    if row <= height and row > len(values):
        raise UnsupportedSheet("typed cell outside calamine's range")
    return row


# Workbook parts -------------------------------------------------------------


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _sheet_member(archive: zipfile.ZipFile, name: str) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relation = next(
        (sheet.get(f"{_DOC_RELS}id") for sheet in workbook.iter(f"{_MAIN}sheet") if sheet.get("name") == name), None
    )
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((rel.get("Target") for rel in rels.iter(f"{_RELS}Relationship") if rel.get("Id") == relation), None)
    if not relation or not target:
        raise UnsupportedSheet("sheet part not found")
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _book(archive: zipfile.ZipFile) -> Book:
    """Epoch and date styles, decided by openpyxl's own classes as it loads them."""
    from openpyxl.packaging.workbook import WorkbookPackage
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH
    from openpyxl.xml.constants import ARC_STYLE
    from openpyxl.xml.functions import fromstring

    package = WorkbookPackage.from_tree(fromstring(archive.read("xl/workbook.xml")))
    epoch = CALENDAR_MAC_1904 if package.properties and package.properties.date1904 else WINDOWS_EPOCH
    try:
        stylesheet = Stylesheet.from_tree(fromstring(archive.read(ARC_STYLE)))
    except KeyError:
        return Book(epoch, frozenset(), frozenset())
    if not stylesheet.cell_styles:
        return Book(epoch, frozenset(), frozenset())
    return Book(epoch, frozenset(stylesheet.date_formats), frozenset(stylesheet.timedelta_formats))


def _layout(xml: bytes, shared: bytes) -> tuple[int | None, int]:
    """(dimension width or None for ragged rows, number of rows openpyxl yields)."""
    data_at = xml.find(b"<sheetData")
    if data_at < 0:
        raise UnsupportedSheet("no unprefixed sheetData")
    for marker in _SHEET_MARKERS:
        if marker.search(xml):
            raise UnsupportedSheet(f"cell marker {marker.pattern!r}")
    if any(marker in shared for marker in _EMPTY_SHARED):
        raise UnsupportedSheet("empty shared string")
    head = xml[:data_at]
    if b"<dimension" in head:
        found = _DIMENSION.search(head)
        if not found:
            raise UnsupportedSheet("dimension")
        last_col, last_row = (found.group(3), found.group(4)) if found.group(3) else (found.group(1), found.group(2))
        # Value-less cells read as None, like the padding around them.
        return _column_number(last_col), min(int(last_row), _last_row_element(xml))
    # Without a dimension a value-less cell still ends its row in openpyxl
    # but not in calamine.
    if _EMPTY_CELL.search(xml):
        raise UnsupportedSheet("cell without a value")
    last = xml.rfind(b"<row ")
    if last < 0:
        return None, 0
    found = _LAST_ROW.match(xml, last)
    if not found:
        raise UnsupportedSheet("row without r")
    return None, int(found.group(1))


def _last_row_element(xml: bytes) -> int:
    """The number of the last ``<row>`` element (0 without any).

    openpyxl yields the missing rows up to the dimension's last row only
    when a row element lies beyond it: otherwise its rows end with the last
    row element (a bug of its read-only worksheet that frictionless sees).
    """
    at = xml.rfind(b"<row ")
    if at < 0:
        return 0
    found = _LAST_ROW.match(xml, at)
    if not found:
        raise UnsupportedSheet("row without r")
    return int(found.group(1))


# The first rows ---------------------------------------------------------------


def first_rows(source: Source, count: int) -> tuple[list[list[Any]], int | None]:
    """The sheet's first ``count`` rows from A1, streamed from its XML (None for an empty cell),
    and the width its ``<dimension>`` declares (None without one).

    For deciding where the header is: only as much of the sheet and of its
    shared strings is parsed as these rows need, so a million-row sheet
    costs no more than a small one. Numbers come as int or float, whatever
    their style. Rows are as wide as the cells found, not as the declared
    dimension (some exports declare A1 for a whole table).
    """
    declared: int | None = None
    with zipfile.ZipFile(source.path) as archive:
        member = _sheet_member(archive, source.sheet or "")
        cells: dict[tuple[int, int], Any] = {}
        wanted: set[int] = set()
        with archive.open(member) as stream:
            for _, element in ElementTree.iterparse(stream, events=("end",)):
                if element.tag == f"{_MAIN}dimension":
                    found = _DIMENSION.match(b'<dimension ref="' + (element.get("ref") or "").encode() + b'"')
                    if found:
                        declared = _column_number(found.group(3) or found.group(1))
                if element.tag != f"{_MAIN}row":
                    continue
                number = int(element.get("r") or 0)
                if number > count:
                    break
                for cell in element.iter(f"{_MAIN}c"):
                    found = re.match(r"([A-Z]{1,3})([0-9]+)", cell.get("r") or "")
                    if not found:
                        continue
                    value = _first_rows_value(cell)
                    if value is None:
                        continue
                    if cell.get("t") == "s":
                        wanted.add(int(value))
                    cells[(int(found.group(2)), _column_number(found.group(1).encode()))] = (cell.get("t"), value)
                element.clear()
        strings = _shared_strings(archive, max(wanted)) if wanted else []
    if not cells:
        return [], declared
    height = max(row for row, _ in cells)
    width = max(column for _, column in cells)
    rows: list[list[Any]] = [[None] * width for _ in range(height)]
    for (row, column), (kind, value) in cells.items():
        if kind == "s":
            value = strings[int(value)] if int(value) < len(strings) else None
        rows[row - 1][column - 1] = value
    return rows, declared


def _first_rows_value(cell: ElementTree.Element) -> Any:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(text.text or "" for text in cell.iter(f"{_MAIN}t")) or None
    value = cell.find(f"{_MAIN}v")
    text = value.text if value is not None else None
    if text is None or kind in {"s", "str", "e", "d"}:
        return text
    if kind == "b":
        return text == "1"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number


def _shared_strings(archive: zipfile.ZipFile, highest: int) -> list[str]:
    """Shared strings 0..``highest``, parsed no further (phonetic runs left out)."""
    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings: list[str] = []
    with stream:
        for _, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag != f"{_MAIN}si":
                continue
            phonetic = {id(text) for run in element.iter(f"{_MAIN}rPh") for text in run.iter(f"{_MAIN}t")}
            strings.append("".join(text.text or "" for text in element.iter(f"{_MAIN}t") if id(text) not in phonetic))
            element.clear()
            if len(strings) > highest:
                break
    return strings


# Reading --------------------------------------------------------------------


def read_sheet(source: Source, schema: dict[str, Any] | None = None) -> Sheet:
    """Read ``source.sheet``; raise UnsupportedSheet when frictionless must.

    ``schema`` (a Table Schema descriptor) lets typed cells travel as
    strings; without it every row with a typed cell is an odd row.
    """
    # calamine parses the sheet in Rust without holding the GIL: let it run
    # while this thread unzips and scans the XML.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        parsed = pool.submit(_calamine_values, source)
        try:
            return _read_sheet(source, schema, parsed)
        finally:
            parsed.cancel()


def _read_sheet(source: Source, schema: dict[str, Any] | None,
                parsed: concurrent.futures.Future[list[list[Any]]]) -> Sheet:
    with zipfile.ZipFile(source.path) as archive:
        xml = archive.read(_sheet_member(archive, source.sheet or ""))
        try:
            shared = archive.read("xl/sharedStrings.xml")
        except KeyError:
            shared = b""
        book = _book(archive)
    width, height = _layout(xml, shared)
    del shared
    typed = _TYPED_CELL.findall(xml)
    # Every <v> is a shared-string index or a typed cell matched above.
    if xml.count(b"<v>") != xml.count(_SHARED_STRING_VALUE) + len(typed):
        raise UnsupportedSheet("cells the scan does not recognise")
    del xml
    strings = [exact_string(field) for field in _fields(schema)]
    with _collector_paused():
        values = parsed.result()
        if len(values) > height:
            if any(any(cell != "" for cell in row) for row in values[height:]):
                raise UnsupportedSheet("values below the last row")
            del values[height:]
        if not values:
            raise UnsupportedSheet("empty sheet")
        odd = set() if width is not None else _ragged_rows(values, height)
        _place_typed_cells(values, typed, _TypedCells(book, strings, width), odd, height)
        del typed
        if width is not None:
            return _rectangular(values, width, height, odd)
        return _ragged(values, height, odd)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a sheet's million cells are built.

    They all stay alive, so the collector's passes over them find nothing
    and, with gc on, take longer than building them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _calamine_values(source: Source) -> list[list[Any]]:
    from python_calamine import CalamineError, CalamineWorkbook

    workbook = CalamineWorkbook.from_path(source.path)
    try:
        return workbook.get_sheet_by_name(source.sheet or "").to_python(skip_empty_area=False)
    except CalamineError as error:
        # Markup calamine rejects (a number with spaces) may still be
        # readable to openpyxl: frictionless decides.
        raise UnsupportedSheet(f"calamine: {error}") from None
    finally:
        workbook.close()


def _fields(schema: dict[str, Any] | None) -> list[Any]:
    if not schema:
        return []
    import frictionless

    return list(frictionless.Schema.from_descriptor(schema).fields)


def _trimmed(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return row[:end]


def _ragged_rows(values: list[list[Any]], height: int) -> set[int]:
    """Rows (0-based, header excluded) that are not as long as the header."""
    width = len(_trimmed(values[0]))
    return {index for index in range(1, height) if len(_trimmed(values[index]) if index < len(values) else ()) != width}


def _check_strings(cells: list[Any]) -> list[str | None]:
    if not all(type(cell) is str for cell in cells):
        raise UnsupportedSheet("typed cell")
    return [cell or None for cell in cells]


def _odd_cells(cells: list[Any]) -> list[Any]:
    """An odd row's cells as openpyxl gives them: typed values stay, "" is None."""
    for cell in cells:
        if type(cell) not in _OPENPYXL_TYPES:
            # A calamine value that the typed scan did not replace.
            raise UnsupportedSheet("typed cell")
    return [None if cell == "" else cell for cell in cells]


_OPENPYXL_TYPES = {str, int, float, bool, datetime.datetime, datetime.time, datetime.timedelta}


def _rectangular(values: list[list[Any]], width: int, height: int, odd: set[int]) -> Sheet:
    """Every row padded or cut to ``width``; all-empty rows up to ``height``."""
    header = values[0][:width]
    labels = _check_strings(header + [""] * (width - len(header)))
    # calamine's rows are all as wide as its range, so one padding fits all.
    padding = [""] * max(0, width - len(values[0]))
    batches = []
    for start in range(1, height, BATCH_ROWS):
        chunk = values[start : start + BATCH_ROWS]
        if padding:
            rows = [row[:width] + padding for row in chunk]
        elif len(values[0]) > width:
            rows = [row[:width] for row in chunk]
        else:
            rows = chunk
        rows += [[""] * width] * (min(BATCH_ROWS, height - start) - len(rows))
        batches.append(_batch(rows, start, width, odd))
    return Sheet(labels=[label or "" for label in labels], batches=batches)


def _ragged(values: list[list[Any]], height: int, odd: set[int]) -> Sheet:
    """Each row ends at its last non-empty cell (no value-less cells exist)."""
    labels = [label or "" for label in _check_strings(_trimmed(values[0]))]
    width = len(labels)
    batches = []
    for start in range(1, height, BATCH_ROWS):
        chunk = values[start : start + BATCH_ROWS]
        chunk += [[]] * (min(BATCH_ROWS, height - start) - len(chunk))
        rows = [_trimmed(row) for row in chunk]
        batches.append(_batch(rows, start, width, odd))
    return Sheet(labels=labels, batches=batches)


def _batch(rows: list[list[Any]], start: int, width: int, odd: set[int]) -> Batch:
    """Rows ``start``.. (0-based; row number = index + 1) split into regular and odd."""
    if not odd.intersection(range(start, start + len(rows))):
        return _columns(rows, width), pa.array(range(start + 1, start + 1 + len(rows)), pa.int64()), []
    regular: list[list[Any]] = []
    numbers: list[int] = []
    odd_rows: list[tuple[int, list[Any]]] = []
    for index, row in enumerate(rows, start=start):
        if index in odd:
            odd_rows.append((index + 1, _odd_cells(row)))
        else:
            regular.append(row)
            numbers.append(index + 1)
    return _columns(regular, width), pa.array(numbers, pa.int64()), odd_rows


def _columns(rows: list[list[Any]], width: int) -> list[pa.Array]:
    if not rows:
        return [pa.array([], pa.string()) for _ in range(width)]
    try:
        return [pa.array(column, pa.string()) for column in zip(*rows)]
    except (pa.ArrowTypeError, pa.ArrowInvalid) as error:
        raise UnsupportedSheet("typed cell") from error


# Streaming ------------------------------------------------------------------
#
# The plain markup Excel and openpyxl write (a <dimension>, cells with their
# reference first, shared or inline strings without runs, numbers, booleans)
# is read a few megabytes of XML at a time, so memory holds one batch of rows
# and the shared strings, whatever the sheet's length. Anything else raises
# NotStreamable before or while reading, and the whole sheet is read by
# read_sheet (calamine) instead, as before. A worker thread (_Chunks) unzips
# and tokenises the next chunks while the caller's thread checks the current
# one: the second core, for the C++ half of the work.

_STREAM_CHUNK = 2 * 1024 * 1024

# The chunk is cut before each cell's '<c r="', and each piece (a cell and
# the row tags after it) must have one of these shapes, checked by RE2's DFA
# without captures (pyarrow.compute, in C++): a shared string index, an
# inline string without runs, a number or boolean, or no value. A piece of
# any other shape (a formula, an error or ISO-date cell, runs, attributes in
# another order) makes the sheet NotStreamable.
_STYLE = r'(?: s="[0-9]{1,5}")?'
_ROW_TAGS = r'(?:<(?:/row>|row r="[0-9]{1,7}"[^<>]*>)|[ \t\n])*'
_CELL_SHAPE = (
    '^[A-Z]{1,3}[0-9]{1,7}"' + _STYLE
    + '(?: t="s"><v>[0-9]{1,9}</v></c>'
    + '|(?: t="[nb]")?><v>[^<]+</v></c>'
    + '| t="inlineStr"><is><t(?: xml:space="preserve")?>[^<]+</t></is></c>'
    + '|/>)' + _ROW_TAGS + "$"
)
# Then its parts: the reference, the attributes up to the tag's end (">" or
# "/"), and the value (<v>'s or <t>'s text, entities not yet read).
_CELL_PARTS = r'^(?P<ref>[A-Z]{1,3}[0-9]{1,7})"(?P<attrs>[^>/]*[>/])(?:<(?:v|is><t(?: xml:space="preserve")?)>(?P<value>[^<]*))?'
_BEFORE_CELLS = re.compile(_ROW_TAGS.encode())
_CELL_START = '<c r="'
_PRESERVE = b'xml:space="preserve"'
# Attributes (with the tag's end) -> kind of cell.
_SHARED, _INLINE, _TYPED, _EMPTY = 0, 1, 2, 3
_ATTRS = re.compile(rb'(?: s="[0-9]{1,5}")?(?:( t="s">)|( t="inlineStr">)|((?: t="[nb]")?>)|(/))')
_SHARED_ITEM = re.compile(rb'<si><t( xml:space="preserve")?>([^<]+)</t></si>')
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));")
_ENTITY_NAME = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_EDGE_SPACE = (" ", "\t", "\n", "\r")
_TEXTS_REMEMBERED = 200_000
_TYPED_REMEMBERED = 20_000  # per column: dates repeat, amounts seldom


class NotStreamable(Exception):
    """The sheet's markup is not the plain one stream_sheet reads: read_sheet reads it whole."""


@dataclass
class StreamedSheet:
    """Labels and a way to read the rows again, batch by batch, as Sheet gives them.

    The first reading goes on from where the labels were read (its worker
    thread already unzipping and tokenising the next chunks); later ones
    read the sheet again. :meth:`close` ends a reading not taken.
    """

    labels: list[str]
    source: Source
    schema: dict[str, Any] | None
    _started: Generator[Any, None, None] | None = None
    _readings: list[Generator[Any, None, None]] = dataclasses.field(default_factory=list)

    def iter_batches(self) -> Iterator[Batch]:
        batches, self._started = self._started, None
        again = batches is None
        if batches is None:
            batches = _stream_batches(self.source, self.schema)
        self._readings.append(batches)
        try:
            if again:
                next(batches)  # the labels, read again
            yield from batches
        except UnsupportedSheet as reason:
            # Batches may have been checked already: read_sheet decides afresh.
            raise NotStreamable(str(reason)) from None
        finally:
            batches.close()
            self._readings.remove(batches)

    def close(self) -> None:
        """Stops the worker of every reading not read to its end (the checks stopped early)."""
        if self._started is not None:
            self._started.close()
            self._started = None
        for batches in self._readings:
            batches.close()


def stream_sheet(source: Source, schema: dict[str, Any] | None = None) -> StreamedSheet:
    """The sheet's labels, its rows streamed later; raises NotStreamable (or UnsupportedSheet)."""
    batches = _stream_batches(source, schema)
    try:
        labels = next(batches)
    except BaseException:
        batches.close()
        raise
    return StreamedSheet(labels=[str(label) for label in labels], source=source, schema=schema, _started=batches)


def _unescape(text: str) -> str:
    """XML text with its five named entities and character references read."""
    def entity(found: re.Match[str]) -> str:
        number, hexadecimal, name = found.groups()
        if name:
            return _NAMED[name]
        code = int(number) if number else int(hexadecimal, 16)
        if not 0 < code <= 0x10FFFF:
            raise NotStreamable("character reference")
        return chr(code)

    read, count = _ENTITY.subn(entity, text)
    if count != text.count("&"):
        raise NotStreamable("entity")
    return read


def _plain_text(raw: bytes, preserve: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        text = _unescape(text)
    # calamine trims the edges of a text without xml:space="preserve"
    # (openpyxl keeps them): read_sheet decides as before.
    if not preserve and (text[0] in _EDGE_SPACE or text[-1] in _EDGE_SPACE):
        raise NotStreamable("spaces at a text's edge")
    return text


def _stream_shared(archive: zipfile.ZipFile) -> list[str]:
    try:
        data = archive.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    if any(marker in data for marker in _EMPTY_SHARED) or b"\r" in data:
        raise NotStreamable("empty shared string")
    items = _SHARED_ITEM.findall(data)
    if len(items) != data.count(b"<si>") or data.count(b"<si") != data.count(b"<si>"):
        raise NotStreamable("shared strings with runs")
    del data
    return [_plain_text(item, preserve) for preserve, item in items]


def _stream_batches(source: Source, schema: dict[str, Any] | None) -> Generator[Any, None, None]:
    """The labels, then the batches of rows."""
    with zipfile.ZipFile(source.path) as archive:
        member = _sheet_member(archive, source.sheet or "")
        with archive.open(member) as stream:
            yield from _stream_rows(archive, stream, schema)


def _stream_rows(archive: zipfile.ZipFile, stream: Any, schema: dict[str, Any] | None) -> Iterator[Any]:
    head = b""
    while b"<sheetData" not in head:
        chunk = stream.read(65536)
        if not chunk:
            raise NotStreamable("no sheetData")
        head += chunk
        if len(head) > 4 * 1024 * 1024:
            raise NotStreamable("long sheet head")
    data_at = head.find(b"<sheetData")
    found = _DIMENSION.search(head, 0, data_at)
    if found is None:
        raise NotStreamable("no dimension")
    last_col, last_row = (found.group(3), found.group(4)) if found.group(3) else (found.group(1), found.group(2))
    width, height = _column_number(last_col), int(last_row)
    if height < 1:
        raise NotStreamable("empty dimension")
    opened = head.find(b">", data_at)
    if opened < 0 or head[opened - 1:opened] == b"/":
        raise NotStreamable("empty sheetData")
    # The worker unzips and tokenises while this thread reads the shared
    # strings, the styles and the schema, then builds and checks the batches.
    chunks = _Chunks(stream, head[opened + 1:])
    try:
        del head
        reader = _ChunkReader(_stream_shared(archive), None, width, height)
        last_row_element = 0
        for cells, last_row_element in chunks:
            if reader.labels is None:
                cells = reader.header(cells)
                yield reader.labels
                # Not needed for the labels.
                strings = [exact_string(field) for field in _fields(schema)]
                reader.cells = _TypedCells(_book(archive), strings, width)
            if cells is not None and len(cells.rows):
                yield reader.batch(cells)
    finally:
        chunks.close()
    if reader.labels is None:
        raise UnsupportedSheet("empty sheet")
    # The missing rows at the end, as openpyxl yields them (see _last_row_element).
    end = min(height, last_row_element)
    if reader.next_row <= end:
        count = end - reader.next_row + 1
        yield ([pa.array([""] * count, pa.string()) for _ in range(width)],
               _row_numbers(reader.next_row, count), [])


# Chunks tokenised ahead of the reader, at most this many waiting: memory
# holds a few chunks' cells whatever the sheet's length.
_AHEAD = 2


class _Chunks:
    """The sheet's cells, chunk by chunk, unzipped and tokenised (_cells) by a worker thread.

    zlib and pyarrow.compute release the GIL, so this runs on another core
    while the reader builds and checks the previous chunk's batch. Chunks
    come in order; an exception of the worker is raised by the iteration
    where its chunk would have come, so the reader sees what it would have
    seen reading alone. :meth:`close` stops the worker and waits for it
    (the archive must not be closed under it).
    """

    _END = object()

    def __init__(self, stream: Any, buffer: bytes) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(stream, buffer), name="xlsx-chunks", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[tuple[_Cells | None, int]]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.01)  # unblocks a worker waiting to put
        self._thread.join()

    def _work(self, stream: Any, buffer: bytes) -> None:
        try:
            for item in _tokenised(stream, buffer):
                if not self._put(item):
                    return
            self._put(self._END)
        except BaseException as error:  # raised again in the reader's thread
            self._put(error)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                self._queue.put(item, timeout=0.05)
                return True
        return False


def _tokenised(stream: Any, buffer: bytes) -> Iterator[tuple[_Cells | None, int]]:
    """Each chunk's cells (whole rows of sheetData) and the last row element seen so far."""
    last_row_element = 0
    finished = False
    while not finished:
        more = stream.read(_STREAM_CHUNK)
        buffer += more
        end = buffer.rfind(b"</row>") + 6 if more else len(buffer)
        if more and end < 6:
            continue
        part, buffer = buffer[:end], buffer[end:]
        if not more:
            closing = part.find(b"</sheetData>")
            if closing < 0:
                raise NotStreamable("no end of sheetData")
            tail, part = part[closing:], part[:closing]
            for marker in _SHEET_MARKERS:
                if marker.search(tail):
                    raise NotStreamable(f"marker {marker.pattern!r}")
            finished = True
        if b"\r" in part or b"_x00" in part:
            # calamine and openpyxl read these differently: read_sheet decides.
            raise NotStreamable("carriage return or escaped character")
        if b"<row " in part:
            last_row_element = _last_row_element(part)
        cells = _cells(part)
        del part
        yield cells, last_row_element


# A number cell without a style, written as str() writes the int or float
# openpyxl reads from it: at most 15 significant digits (a double keeps
# them), no exponent, no trailing zero after the point, no leading zero.
_UNSTYLED_NUMBER = r'^(?: t="n")?><v>(0|-?[1-9][0-9]{0,14}(?:\.[0-9]{0,14}[1-9])?|-?0\.[0-9]{0,14}[1-9])</v>$'
_LONG_DECIMAL = r'^(?: t="n")?><v>-?[1-9][0-9]{0,16}\.[0-9]{1,16}</v>$'
_UNSTYLED_INTEGER = r'^(?: t="n")?><v>(0|-?[1-9][0-9]{0,17})</v>$'


def _written_as_read(rests: pa.Array, decimals: bool) -> pa.Array | None:
    """The exact string of each unstyled number cell that is its own text (None elsewhere), vectorised.

    For the others (and for all of them if none is), the typed cell is read
    in Python as read_sheet reads it.
    """
    text = rests.cast(pa.string())
    pattern = _UNSTYLED_NUMBER if decimals else _UNSTYLED_INTEGER
    plain = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    if decimals:
        value = pc.replace_substring_regex(text, r'^(?: t="n")?><v>|</v>$', "")
        digits = pc.subtract(pc.utf8_length(value), pc.add(
            pc.cast(pc.starts_with(value, "-"), pa.int32()), pc.cast(pc.match_substring(value, "."), pa.int32())))
        # repr() writes 0.00001 as 1e-05.
        tiny = pc.match_substring_regex(value, r"^-?0\.0000")
        plain = pc.and_(plain, pc.and_(pc.less_equal(digits, 15), pc.invert(tiny)))
        # More digits (a sum's rounding, 860445.4300000001): openpyxl's float
        # reads back as its repr (860445.43), said by Python once per distinct text.
        longer = pc.and_(pc.invert(plain), pc.match_substring_regex(text, _LONG_DECIMAL))
        if pc.any(longer).as_py():
            distinct = pc.unique(pc.filter(value, longer))
            reprs = pa.array([repr(float(item)) for item in distinct.to_pylist()], pa.string())
            value = pc.if_else(longer, pc.take(reprs, pc.index_in(value, distinct)), value)
            plain = pc.or_(plain, longer)
    else:
        value = pc.replace_substring_regex(text, r'^(?: t="n")?><v>|</v>$', "")
    if not pc.any(plain).as_py():
        return None
    return pc.if_else(plain, value, pa.scalar(None, pa.string()))


# A whole serial with a style: a date at midnight if the style is a date's
# (and the serial past the 1900 leap-year bug and before the year 10000).
_DATE_SERIAL = r'^ s="(?P<style>[0-9]{1,5})"(?: t="n")?><v>(?P<serial>[0-9]{2,7})</v>$'
_UNIX_EPOCH = datetime.datetime(1970, 1, 1)
_LAST_DAY = datetime.datetime(9999, 12, 31)


def _dates_as_read(rests: pa.Array, book: Book) -> pa.Array | None:
    """The ISO date of each cell that openpyxl reads as a date at midnight (None elsewhere), vectorised.

    Only whole serials from 61 (1900-03-01 in the 1900 epoch) to 9999-12-31, whose
    style is a date's (not a duration's): openpyxl's ``from_excel`` gives
    the epoch plus that many days. The others are read in Python.
    """
    styles = sorted(book.date_styles - book.timedelta_styles)
    if not styles:
        return None
    parts = pc.extract_regex(rests.cast(pa.string()), _DATE_SERIAL)
    style, serial = pc.struct_field(parts, [0]), pc.cast(pc.struct_field(parts, [1]), pa.int32())
    dated = pc.and_(pc.is_in(style, value_set=pa.array([str(item) for item in styles], pa.string())),
                    pc.and_(pc.greater_equal(serial, 61), pc.less_equal(serial, (_LAST_DAY - book.epoch).days)))
    dated = pc.fill_null(dated, False)
    if not pc.any(dated).as_py():
        return None
    days = pc.add(pc.if_else(dated, serial, 61), (book.epoch - _UNIX_EPOCH).days)
    text = pc.cast(pc.cast(pc.cast(days, pa.int32()), pa.date32()), pa.string())
    return pc.if_else(dated, text, pa.scalar(None, pa.string()))


def _row_numbers(first: int, count: int) -> pa.Array:
    from .fast import _counting

    return _counting(first, count)


@dataclass
class _Cells:
    """The cells of a chunk, in document order, as Arrow arrays."""

    rows: pa.Array  # int64, from the references
    columns: pa.Array  # int64, 0-based
    kinds: pa.Array  # int8: _SHARED, _INLINE, _TYPED or _EMPTY
    attrs: pa.Array  # string: the attributes and the tag's end (' s="1" t="n">')
    values: pa.Array  # string: <v>'s or <t>'s text as written
    pieces: pa.Array  # string: each cell's XML (for xml:space)

    def slice(self, start: int) -> _Cells:
        return _Cells(*(array.slice(start) for array in (self.rows, self.columns, self.kinds, self.attrs,
                                                          self.values, self.pieces)))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_KIND_OF_ATTRS: dict[str, int] = {}


def _cells(part: bytes) -> _Cells | None:
    """The cells of ``part`` (whole rows of sheetData), tokenised by pyarrow.compute, or None.

    The chunk is split before each cell, each piece's shape checked (a DFA,
    no captures), then its reference, attributes and value extracted: a
    handful of C++ passes over the chunk instead of a Python object per cell.
    """
    try:
        text = pa.array([part], pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:
        raise NotStreamable("not UTF-8") from None
    pieces = pc.list_flatten(pc.split_pattern(text, _CELL_START))
    del text
    if not _BEFORE_CELLS.fullmatch(pieces[0].as_py().encode()):
        raise NotStreamable("markup before the cells")
    pieces = pieces.slice(1)
    if not len(pieces):
        return None
    if not pc.all(pc.match_substring_regex(pieces, _CELL_SHAPE)).as_py():
        raise NotStreamable("cell markup")
    parts = pc.extract_regex(pieces, _CELL_PARTS)
    refs, attrs, values = (pc.struct_field(parts, [index]) for index in range(3))
    del parts
    letters = pc.utf8_rtrim(refs, "0123456789").dictionary_encode()
    places = pa.array([_column_number(item.encode()) - 1 for item in letters.dictionary.to_pylist()], pa.int64())
    columns = pc.take(places, letters.indices)
    rows = pc.cast(pc.utf8_ltrim(refs, _LETTERS), pa.int64())
    encoded = attrs.dictionary_encode()
    kinds = pa.array([_kind_of_attrs(item) for item in encoded.dictionary.to_pylist()], pa.int8())
    return _Cells(rows, columns, pc.take(kinds, encoded.indices), attrs, values, pieces)


def _kind_of_attrs(attrs: str) -> int:
    kind = _KIND_OF_ATTRS.get(attrs)
    if kind is None:
        found = _ATTRS.fullmatch(attrs.encode())
        if not found:
            raise NotStreamable("cell attributes")
        kind = _KIND_OF_ATTRS[attrs] = found.lastindex - 1
    return kind


# Beyond this many cells in a batch's rectangle (and this many times its
# cells), the columns are built one by one (a wide dimension over few cells)
# instead of from one dense array.
_DENSE_CELLS = 4_000_000
_DENSE_FACTOR = 4


class _ChunkReader:
    """Turns the cells of whole rows (see _cells) into Arrow batches, column by column."""

    def __init__(self, shared: list[str], cells: _TypedCells | None, width: int, height: int) -> None:
        self.shared = shared
        self.shared_array: pa.Array | None = None
        self.cells = cells
        self.width, self.height = width, height
        self.labels: list[str] | None = None
        self.next_row = 2  # the first row no batch has held yet
        self.texts: dict[str, str] = {}
        self.converted: dict[int, dict[bytes, tuple[int, Any, str | None]]] = {}  # dates repeat

    def header(self, cells: _Cells | None) -> _Cells | None:
        """Read row 1 (the labels) from the first chunk; the other cells are returned."""
        count = pc.sum(pc.equal(cells.rows, 1)).as_py() if cells is not None else 0
        if not count or not pc.all(pc.equal(cells.rows.slice(0, count), 1)).as_py():
            raise NotStreamable("no header row")
        line: list[Any] = [""] * self.width
        for column, kind, value, piece in zip(*(array.slice(0, count).to_pylist() for array in (
                cells.columns, cells.kinds, cells.values, cells.pieces))):
            if column >= self.width or kind == _EMPTY:
                continue
            if kind == _TYPED:
                raise UnsupportedSheet("typed header cell")
            if kind == _SHARED:
                if int(value) >= len(self.shared):
                    raise NotStreamable("shared string index")
                line[column] = self.shared[int(value)]
            else:
                line[column] = _plain_text(value.encode(), _PRESERVE if _PRESERVE.decode() in piece else b"")
        self.labels = line
        return cells.slice(count)

    def batch(self, cells: _Cells) -> Batch:
        rows, columns, kinds = cells.rows, cells.columns, cells.kinds
        first, last = self.next_row, rows[len(rows) - 1].as_py()
        order = pc.add(pc.multiply(rows, 1 << 15), columns)
        if len(rows) > 1 and not pc.all(pc.greater(order.slice(1), order.slice(0, len(order) - 1))).as_py():
            raise NotStreamable("cells out of order")
        if rows[0].as_py() < first or last > self.height:
            raise NotStreamable("rows out of order or below the dimension")
        keep = pc.and_(pc.less(columns, self.width), pc.not_equal(kinds, _EMPTY))
        values = pa.nulls(len(rows), pa.string())
        # Shared strings.
        is_shared = pc.equal(kinds, _SHARED)
        if pc.any(is_shared).as_py():
            if self.shared_array is None:
                self.shared_array = pa.array(self.shared, pa.string())
            positions = pc.cast(pc.filter(cells.values, is_shared), pa.int64())
            if pc.max(positions).as_py() >= len(self.shared):
                raise NotStreamable("shared string index")
            values = pc.replace_with_mask(values, is_shared, pc.take(self.shared_array, positions))
        # Inline strings.
        is_text = pc.equal(kinds, _INLINE)
        if pc.any(is_text).as_py():
            values = pc.replace_with_mask(values, is_text, self._inline(
                pc.filter(cells.values, is_text), pc.filter(cells.pieces, is_text)))
        # Typed cells: each distinct one of a column read once, as read_sheet reads it.
        is_typed = pc.and_(pc.equal(kinds, _TYPED), keep)
        odd_rows: set[int] = set()
        typed_values: dict[int, list[tuple[int, Any]]] = {}
        if pc.any(is_typed).as_py():
            typed_rows = pc.filter(rows, is_typed)
            typed_columns = pc.filter(columns, is_typed)
            # The cell's XML after its reference, as _TYPED_CELL takes it.
            typed_rests = pc.binary_join_element_wise(
                pc.filter(cells.attrs, is_typed), "<v>", pc.filter(cells.values, is_typed), "</v>", "").cast(pa.binary())
            exact = self._typed(typed_columns, typed_rests, typed_rows, odd_rows, typed_values)
            values = pc.replace_with_mask(values, is_typed, exact)
        values = pc.filter(values, keep)
        rows, columns = pc.filter(rows, keep), pc.filter(columns, keep)
        count = last - first + 1
        arrays = self._columns(values, rows, columns, first, count)
        numbers = _row_numbers(first, count)
        odd: list[tuple[int, list[Any]]] = []
        if odd_rows:
            for number in sorted(odd_rows):
                position = number - first
                line = [None if array[position].as_py() == "" else array[position].as_py() for array in arrays]
                for column, value in typed_values.get(number, ()):
                    line[column] = value
                odd.append((number, line))
            mask = pc.invert(pc.is_in(numbers, value_set=pa.array(sorted(odd_rows), pa.int64())))
            arrays = [pc.filter(array, mask) for array in arrays]
            numbers = pc.filter(numbers, mask)
        self.next_row = last + 1
        return arrays, numbers, odd

    def _columns(self, values: pa.Array, rows: pa.Array, columns: pa.Array, first: int, count: int) -> list[pa.Array]:
        """Rows first.. (count of them) as one array per column, "" where a row has no cell."""
        width = self.width
        if count * width <= max(_DENSE_CELLS, _DENSE_FACTOR * len(values)):
            if len(values) != count * width:
                # Cells are in order and inside the rectangle, so only missing ones make it shorter.
                places = pc.add(pc.multiply(pc.subtract(rows, first), width), columns)
                values = pc.take(values, pc.index_in(_row_numbers(0, count * width), value_set=places))
            values = pc.fill_null(values, "")
            starts = pc.multiply(_row_numbers(0, count), width)
            return [pc.take(values, pc.add(starts, column)) for column in range(width)]
        arrays = []
        for column in range(width):
            where = pc.equal(columns, column)
            column_rows = pc.filter(rows, where)
            column_values = pc.fill_null(pc.filter(values, where), "")
            if len(column_rows) == count:
                arrays.append(column_values)
            else:
                present = pc.is_in(_row_numbers(first, count), value_set=column_rows)
                arrays.append(pc.replace_with_mask(pa.array([""] * count, pa.string()), present, column_values))
        return arrays

    def _inline(self, raw: pa.Array, pieces: pa.Array) -> pa.Array:
        try:
            text = raw.cast(pa.string())
        except pa.ArrowInvalid:
            raise NotStreamable("not UTF-8") from None
        escaped = pc.match_substring(text, "&")
        if pc.any(escaped).as_py():
            text = pc.replace_with_mask(text, escaped, self._entities_read(pc.filter(text, escaped)))
        edges = pc.not_equal(pc.binary_length(text), pc.binary_length(pc.utf8_trim(text, " \t\n\r")))
        if pc.any(edges).as_py() and pc.any(pc.and_(edges, pc.invert(
                pc.match_substring(pieces, 'xml:space="preserve"')))).as_py():
            raise NotStreamable("spaces at a text's edge")
        return text

    def _entities_read(self, texts: pa.Array) -> pa.Array:
        """``texts`` with their entities read: each distinct entity of the batch replaced in one pass.

        A character reference for "&" could make an entity of the text after
        it, so such texts are read one by one instead.
        """
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(texts)], pa.int32()), texts), "\n")[0].as_py()
        found = _ENTITY_NAME.findall(joined)
        if len(found) != joined.count("&"):
            raise NotStreamable("entity")
        del joined
        read: dict[str, str] = {}
        for name in set(found):
            if name[0] != "#":
                read[f"&{name};"] = _NAMED[name]
                continue
            code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise NotStreamable("character reference")
            read[f"&{name};"] = chr(code)
        if "&" in (value for key, value in read.items() if key != "&amp;"):
            distinct = pc.unique(texts)
            unescaped = pa.array([self._unescaped(item) for item in distinct.to_pylist()], pa.string())
            return pc.take(unescaped, pc.index_in(texts, distinct))
        # "&amp;" last, so that "&amp;lt;" reads "&lt;".
        for entity in sorted(read, key=lambda entity: entity == "&amp;"):
            texts = pc.replace_substring(texts, entity, read[entity])
        return texts

    def _unescaped(self, text: str) -> str:
        read = self.texts.get(text)
        if read is None:
            if len(self.texts) > _TEXTS_REMEMBERED:
                self.texts.clear()
            read = self.texts[text] = _unescape(text)
        return read

    def _typed(self, columns: pa.Array, rests: pa.Array, rows: pa.Array, odd_rows: set[int],
               typed_values: dict[int, list[tuple[int, Any]]]) -> pa.Array:
        """The exact string of each typed cell ("" where it has none: its row is odd)."""
        cells = self.cells
        assert cells is not None, "the labels come first"
        exact = pa.nulls(len(rests), pa.string())
        for column in pc.unique(columns).to_pylist():
            where = pc.equal(columns, column)
            column_rests = pc.filter(rests, where)
            written = None
            string = cells.strings[column] if column < len(cells.strings) else None
            if string in (_number_string, _integer_string) or (isinstance(string, _DateString) and string.any_date):
                written = (_dates_as_read(column_rests, cells.book) if isinstance(string, _DateString)
                           else _written_as_read(column_rests, string is _number_string))
                if written is not None and not written.null_count:
                    exact = pc.replace_with_mask(exact, where, written)
                    continue
            distinct = pc.unique(column_rests if written is None else pc.filter(column_rests, pc.is_null(written)))
            known = self.converted.setdefault(column, {})
            if len(known) > _TYPED_REMEMBERED:
                known.clear()
            converted = []
            for rest in distinct.to_pylist():
                item = known.get(rest)
                if item is None:
                    item = known[rest] = cells._convert(column, rest)
                converted.append(item)
            strings = pa.array([item[2] for item in converted], pa.string())
            positions = pc.index_in(column_rests, distinct)
            column_exact = pc.take(strings, positions)
            if written is not None:
                column_exact = pc.coalesce(written, column_exact)
            if column_exact.null_count:
                missing = pc.is_null(column_exact)
                column_rows = pc.filter(rows, where)
                odd_rows.update(pc.filter(column_rows, missing).to_pylist())
            exact = pc.replace_with_mask(exact, where, column_exact)
        if odd_rows:
            # openpyxl's values of every typed cell in those rows.
            in_odd = pc.is_in(rows, value_set=pa.array(sorted(odd_rows), pa.int64()))
            for row, column, rest in zip(pc.filter(rows, in_odd).to_pylist(), pc.filter(columns, in_odd).to_pylist(),
                                         pc.filter(rests, in_odd).to_pylist()):
                typed_values.setdefault(row, []).append((column, cells._convert(column, rest)[1]))
        return exact

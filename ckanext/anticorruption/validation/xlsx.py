"""Read an XLSX sheet with calamine exactly as frictionless (openpyxl) sees it.

frictionless reads a sheet with openpyxl in read-only mode, values only.
What it sees depends on the sheet XML, not just the values:

* With a ``<dimension>`` element every row is padded with None to the
  dimension's last column, cells past it are dropped, and missing rows up
  to the last dimension row come out as all-None rows.
* Without one, each row ends at its last ``<c>`` element and missing rows
  come out empty, so a row whose last cells are empty is shorter (and
  frictionless reports missing cells).

calamine returns a rectangle of values with "" for empty cells, so the
shape is rebuilt from those two rules. That is only exact when every cell
element holds a non-empty string: numbers (openpyxl gives int 1 where
calamine gives 1.0), dates, booleans, error cells, formulas, merged cells,
empty strings and value-less cells all make :func:`read_sheet` raise
:class:`UnsupportedSheet`, and the caller falls back to frictionless.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

import pyarrow as pa

from .source import Source

__all__ = ["BATCH_ROWS", "Sheet", "UnsupportedSheet", "read_sheet"]

BATCH_ROWS = 65536

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?"')
_LAST_ROW = re.compile(rb'<row r="([0-9]+)"')
# Markers of cells whose openpyxl value calamine cannot reproduce, or of
# layouts the shape rules above do not cover. Searched as bytes, so the
# whole sheet costs a few C-level scans.
_SHEET_MARKERS = (
    b"<f>", b"<f ", b"<f/>",  # formulas
    b"<mergeCell",
    b't="e"', b't="d"', b't="b"', b't="n"',  # errors, dates, booleans, numbers
    b"_x00",  # escaped control characters (_x000D_)
    b"<t/>", b"<t></t>", b'<t xml:space="preserve"></t>',  # empty strings
    b"<v/>", b"<v></v>",
)
_EMPTY_CELL = re.compile(rb"<c [^>]*/>|<c [^>]*></c>")
_EMPTY_SHARED = (b"<si/>", b"<t/>", b"<t></t>", b'<t xml:space="preserve"></t>', b"<rPh", b"_x00")


class UnsupportedSheet(Exception):
    """The sheet needs frictionless (openpyxl) to be read exactly."""


@dataclass
class Sheet:
    """The sheet as frictionless sees it: labels plus Arrow batches of rows."""

    labels: list[str]
    batches: list[tuple[list[pa.Array], pa.Array, list[tuple[int, list[str | None]]]]]

    def iter_batches(self) -> Iterator[tuple[list[pa.Array], pa.Array, list[tuple[int, list[str | None]]]]]:
        return iter(self.batches)


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


def _layout(source: Source) -> tuple[int | None, int]:
    """(dimension width or None for ragged rows, number of rows openpyxl yields)."""
    with zipfile.ZipFile(source.path) as archive:
        xml = archive.read(_sheet_member(archive, source.sheet or ""))
        try:
            shared = archive.read("xl/sharedStrings.xml")
        except KeyError:
            shared = b""
    data_at = xml.find(b"<sheetData")
    if data_at < 0:
        raise UnsupportedSheet("no unprefixed sheetData")
    for marker in _SHEET_MARKERS:
        if marker in xml:
            raise UnsupportedSheet(f"cell marker {marker!r}")
    # Any <v> that is not a shared-string index is a number (t="n" is the default).
    if xml.count(b"<v>") != xml.count(b't="s"'):
        raise UnsupportedSheet("number cells")
    if any(marker in shared for marker in _EMPTY_SHARED):
        raise UnsupportedSheet("empty shared string")
    if _EMPTY_CELL.search(xml):
        raise UnsupportedSheet("cell without a value")
    head = xml[:data_at]
    if b"<dimension" in head:
        found = _DIMENSION.search(head)
        if not found:
            raise UnsupportedSheet("dimension")
        last_col, last_row = (found.group(3), found.group(4)) if found.group(3) else (found.group(1), found.group(2))
        return _column_number(last_col), int(last_row)
    last = xml.rfind(b"<row ")
    if last < 0:
        return None, 0
    found = _LAST_ROW.match(xml, last)
    if not found:
        raise UnsupportedSheet("row without r")
    return None, int(found.group(1))


def read_sheet(source: Source) -> Sheet:
    """Read ``source.sheet``; raise UnsupportedSheet when frictionless must."""
    from python_calamine import CalamineWorkbook

    width, height = _layout(source)
    workbook = CalamineWorkbook.from_path(source.path)
    try:
        values = workbook.get_sheet_by_name(source.sheet or "").to_python(skip_empty_area=False)
    finally:
        close = getattr(workbook, "close", None)
        if close:
            close()
    if len(values) > height:
        if any(any(row) for row in values[height:]):
            raise UnsupportedSheet("values below the last row")
        del values[height:]
    if not values:
        raise UnsupportedSheet("empty sheet")
    if width is not None:
        return _rectangular(values, width, height)
    return _ragged(values, height)


def _trimmed(row: list[object]) -> list[object]:
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return row[:end]


def _check_strings(cells: list[object]) -> list[str | None]:
    if not all(type(cell) is str for cell in cells):
        raise UnsupportedSheet("typed cell")
    return [cell or None for cell in cells]  # type: ignore[misc]


def _rectangular(values: list[list[object]], width: int, height: int) -> Sheet:
    """Every row padded or cut to ``width``; all-empty rows up to ``height``."""
    header = values[0][:width]
    labels = _check_strings(header + [""] * (width - len(header)))
    # calamine's rows are all as wide as its range, so one padding fits all.
    padding = [""] * max(0, width - len(values[0]))
    batches = []
    for start in range(1, height, BATCH_ROWS):
        chunk = values[start : start + BATCH_ROWS]
        rows = [row[:width] + padding if padding else row[:width] for row in chunk]
        rows += [[""] * width] * (min(BATCH_ROWS, height - start) - len(rows))
        batches.append((_columns(rows, width), pa.array(range(start + 1, start + 1 + len(rows)), pa.int64()), []))
    return Sheet(labels=[label or "" for label in labels], batches=batches)


def _ragged(values: list[list[object]], height: int) -> Sheet:
    """Each row ends at its last non-empty cell (no value-less cells exist)."""
    labels = [label or "" for label in _check_strings(_trimmed(values[0]))]
    width = len(labels)
    batches = []
    for start in range(1, height, BATCH_ROWS):
        chunk = values[start : start + BATCH_ROWS]
        chunk += [[]] * (min(BATCH_ROWS, height - start) - len(chunk))
        regular: list[list[object]] = []
        numbers: list[int] = []
        odd: list[tuple[int, list[str | None]]] = []
        for offset, row in enumerate(chunk):
            cells = _trimmed(row)
            if len(cells) == width:
                regular.append(cells)
                numbers.append(start + 1 + offset)
            else:
                odd.append((start + 1 + offset, _check_strings(cells)))
        batches.append((_columns(regular, width), pa.array(numbers, pa.int64()), odd))
    return Sheet(labels=labels, batches=batches)


def _columns(rows: list[list[object]], width: int) -> list[pa.Array]:
    if not rows:
        return [pa.array([], pa.string()) for _ in range(width)]
    try:
        return [pa.array(column, pa.string()) for column in zip(*rows)]
    except (pa.ArrowTypeError, pa.ArrowInvalid) as error:
        raise UnsupportedSheet("typed cell") from error

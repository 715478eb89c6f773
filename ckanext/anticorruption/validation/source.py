"""Open and sniff an uploaded file before validating it.

Everything here looks at bytes only: which format the content really is,
which text encoding and delimiter a CSV uses, whether an XLSX is encrypted
or a zip bomb, and which sheet to read. Problems are returned as a
:class:`SourceProblem` instead of raised, because a bad upload is an
ordinary outcome for the caller, not a bug.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DELIMITERS",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_RATIO_MIN_BYTES",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "SAMPLE_BYTES",
    "Source",
    "SourceProblem",
    "detect_delimiter",
    "detect_encoding",
    "first_rows",
    "header_labels",
    "header_width",
    "iter_rows",
    "normalize_format",
    "open_source",
    "plan_layout",
    "sample_rows",
    "xlsx_sheet_names",
]

# Enough to see past long preambles and wide rows; the rest of the file is
# checked while streaming, so a late decoding error still surfaces.
SAMPLE_BYTES = 4 * 1024 * 1024

# Zip-bomb limits, checked on the central directory before anything is
# inflated: real government spreadsheets stay far below both.
MAX_XLSX_UNCOMPRESSED_BYTES = 1024**3
MAX_XLSX_RATIO = 100
MAX_XLSX_RATIO_MIN_BYTES = 100 * 1024**2

DELIMITERS = ",;\t|"

_TEXT_FORMATS = {"csv", "tsv", "txt", "text", "tab", "psv", "dsv"}
_EXCEL_FORMATS = {"xlsx", "xlsm", "xls", "excel", "ms excel", "spreadsheet"}
_MIME_FORMATS = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": "txt",
    "text/tab-separated-values": "tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
}

# Magic numbers of formats people upload in place of a table; knowing the
# name lets the message say "this is a PDF" instead of "unreadable".
_MAGIC = [
    (b"%PDF", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
    (b"{\\rtf", "rtf"),
]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class SourceProblem:
    """Why a file cannot be validated: ``state`` is "error" or "not_validated"."""

    state: str
    problem: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """What was found about a readable file, and how it is to be read.

    The reading plan (``header_rows``, ``padded``, ``width``) says what the
    reader assumed about a file as it really came: the header on a later
    row or on two rows, no header at all, a separator padded with a TAB,
    empty columns at the right. A file read as written has the default plan
    and is :attr:`plain`.
    """

    path: str
    format: str  # "csv" | "xlsx" | "xls"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    # 1-based rows that make the header (two when a header is merged over
    # two rows); empty when the file has no header row.
    header_rows: list[int] = field(default_factory=lambda: [1])
    # The labels of a header made of several rows, joined per column.
    joined_labels: list[str] | None = None
    # Spaces and TABs after each separator are padding, not data.
    padded: bool = False
    # Columns kept; the empty columns after them (no header, no value) are not read.
    width: int | None = None
    hidden_sheets: list[str] = field(default_factory=list)
    # A sheet whose declared dimension is narrower than its cells: openpyxl
    # would read only the declared columns, so calamine reads it.
    misdeclared: bool = False

    @property
    def plain(self) -> bool:
        """Read exactly as written (the fast paths and the differential test cover these)."""
        return (self.format in {"csv", "xlsx"} and self.header_rows == [1] and not self.padded and self.width is None
                and not self.misdeclared)

    @property
    def detected(self) -> dict[str, Any]:
        found: dict[str, Any] = {"format": self.format}
        if self.format == "csv":
            found.update(encoding=self.encoding, delimiter=self.delimiter)
            if self.padded:
                found["padding"] = "tab"
        else:
            found["sheet"] = self.sheet
            if self.hidden_sheets:
                found["hidden_sheets"] = list(self.hidden_sheets)
        if self.header_rows != [1]:
            found["header_rows"] = list(self.header_rows)
        if self.width is not None:
            found["width"] = self.width
        warnings = [code for code, applies in (
            ("no-header-row", not self.header_rows),
            ("header-not-first-row", bool(self.header_rows) and self.header_rows != [1]),
            ("separator-padding", self.padded),
            ("empty-columns-ignored", self.width is not None),
        ) if applies]
        if warnings:
            found["warnings"] = warnings
        return found

    @property
    def notes(self) -> list[str]:
        """The reading assumptions as the warnings of a Frictionless report (English, like its notes)."""
        notes = []
        if not self.header_rows:
            notes.append("no header row: the first row holds data; columns are taken by position")
        elif self.header_rows != [1]:
            rows = " and ".join(str(row) for row in self.header_rows)
            notes.append(f"header read from row{'s' if len(self.header_rows) > 1 else ''} {rows}")
        if self.padded:
            notes.append("spaces and TABs after each separator read as part of the separator")
        if self.width is not None:
            notes.append(f"empty columns after column {self.width} ignored")
        return notes


def normalize_format(declared: str | None) -> str | None:
    """Map what publishers type ("CSV", ".xlsx", "text/csv") to one lowercase name."""
    if not declared:
        return None
    name = declared.strip().lower()
    name = _MIME_FORMATS.get(name, name).lstrip(".")
    return name or None


def detect_encoding(sample: bytes, *, complete: bool = False) -> str | None:
    """utf-8(-sig), cp1252 or latin-1 for ``sample``; None for UTF-16/32.

    ``complete`` says the sample is the whole file, so a multi-byte
    character cut at the end is a real error rather than a sampling artefact.
    """
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # 0x80-0x9F are C1 controls in Latin-1 but printable (€, ", ñ quotes…)
    # in Windows-1252, which is what Excel on Windows writes.
    if any(0x80 <= byte <= 0x9F for byte in sample):
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter among comma, semicolon, tab and pipe; comma when unsure."""
    lines = text.splitlines(keepends=True)[:50]
    sample = "".join(lines)
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and found in DELIMITERS:
        return found
    # The sniffer gives up on one-column files and very irregular samples;
    # the header line is the best remaining evidence.
    header = lines[0] if lines else ""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def header_width(source: Source) -> int:
    """How many columns the header row of ``source`` has (the first row when it has none), read in one linear pass."""
    if not source.plain:
        wanted = source.header_rows[-1] if source.header_rows else 1
        try:
            for number, row in enumerate(iter_rows(source), start=1):
                if number == wanted:
                    return len(row)
        except Exception:  # the engines report what is wrong with the file
            return 0
        return 0
    if source.format == "csv":
        try:
            with open(source.path, encoding=source.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=source.delimiter or ",", quotechar='"', doublequote=True)
                return len(next(reader, []))
        except (UnicodeDecodeError, csv.Error):
            return 0  # the engines report what is wrong with the file
    streamed = _streamed_header(source)
    if streamed is not None:
        return len(streamed)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(source.path)
        try:
            sheet = workbook.get_sheet_by_name(source.sheet or source.sheets[0])
            # Calamine pads every row to the sheet's width, as openpyxl does.
            return len(next(iter(sheet.iter_rows()), []))
        finally:
            close = getattr(workbook, "close", None)
            if close:
                close()
    except Exception:  # calamine raises its own error classes; the engines report them
        return 0


def header_labels(source: Source) -> list[str]:
    """The labels of the header of ``source`` as text ("" for an empty cell), to match columns by name.

    The first row of a file read as written; the row (or the two rows
    joined) the reading plan found otherwise; none for a file without a
    header row (its columns are taken in the Table Schema's order).
    """
    if not source.plain:
        if not source.header_rows:
            return []
        for number, row in enumerate(iter_rows(source), start=1):
            if number == source.header_rows[-1]:
                return [_label_text(cell) for cell in row]
        return []
    if source.format == "csv":
        try:
            with open(source.path, encoding=source.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=source.delimiter or ",", quotechar='"', doublequote=True)
                return next(reader, [])
        except (UnicodeDecodeError, csv.Error):
            return []  # the engines report what is wrong with the file
    streamed = _streamed_header(source)
    if streamed is not None:
        return streamed
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(source.path)
        try:
            sheet = workbook.get_sheet_by_name(source.sheet or source.sheets[0])
            first = next(iter(sheet.iter_rows()), [])
        finally:
            close = getattr(workbook, "close", None)
            if close:
                close()
    except Exception:  # calamine raises its own error classes; the engines report them
        return []
    return [_label_text(cell) for cell in first]


def _streamed_header(source: Source) -> list[str] | None:
    """An XLSX's first row read from the start of its XML, when it is certainly what calamine reads.

    calamine parses the whole sheet before it gives its first row (a
    million-row sheet held in memory to read a header). The first row
    streamed is the same when it fills the sheet's declared width to its
    last cell and holds only text without spaces at its edges (calamine
    trims them); None otherwise, and calamine reads it.
    """
    if source.format != "xlsx" or source.sheet is None:
        return None
    from .xlsx import first_rows

    try:
        rows, declared = first_rows(source, 1)
    except Exception:  # calamine decides, and the engines report
        return None
    if not rows or declared is None or len(rows[0]) != declared or rows[0][-1] in ("", None):
        return None
    labels = rows[0]
    if not all(label is None or (type(label) is str and label == label.strip(" \t\n\r")) for label in labels):
        return None
    return ["" if label is None else label for label in labels]


def _label_text(cell: Any) -> str:
    return "" if cell is None else str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


def xlsx_sheet_names(path: str) -> list[str]:
    return [name for name, _ in _sheets(path)]


def _sheets(path: str) -> list[tuple[str, bool]]:
    """(name, visible) of each worksheet, in the workbook's order (XLSX or XLS)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    try:
        metadata = getattr(workbook, "sheets_metadata", None)
        if metadata is None:
            return [(name, True) for name in workbook.sheet_names]
        return [(sheet.name, str(sheet.visible).rsplit(".", 1)[-1] == "Visible") for sheet in metadata]
    finally:
        close = getattr(workbook, "close", None)
        if close:
            close()


# Rows as the file holds them --------------------------------------------------

def iter_rows(source: Source, *, planned: bool = True) -> Iterator[list[Any]]:
    """Every row of ``source`` (1 per physical CSV record or sheet row), as lists of cells.

    CSV cells are strings, the separator's padding taken off; sheet cells
    are what a spreadsheet holds (text, int, float, date, bool) with None
    for an empty cell. ``planned`` applies the reading plan: the joined
    labels in place of the last header row and the ignored empty columns
    taken off each row's end.
    """
    rows = _csv_rows(source) if source.format == "csv" else _sheet_rows(source)
    if not planned:
        yield from rows
        return
    yield from _planned(source, rows)


def first_rows(source: Source) -> list[list[Any]]:
    """The first rows of ``source``, header included, as the reading plan reads them (see :func:`iter_rows`).

    Only the beginning of the file is read (the first 256 KiB of a CSV,
    the first 50 rows of a sheet, streamed from an XLSX's XML), so looking
    at a header costs the same for any file.
    """
    rows = _csv_rows(source, sample=True) if source.format == "csv" else _sheet_rows(source, sample=True)
    return list(itertools.islice(_planned(source, rows), _SAMPLE_ROWS))


def _planned(source: Source, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """``rows`` with the joined labels in place of the last header row and the ignored empty columns off."""
    last_header = source.header_rows[-1] if source.header_rows and source.joined_labels else 0
    width = source.width
    for number, row in enumerate(rows, start=1):
        if number == last_header:
            row = list(source.joined_labels or [])
        elif width is not None and len(row) > width:
            end = len(row)
            while end > width and row[end - 1] in ("", None):
                end -= 1
            row = row[:end]
        yield row


def _csv_rows(source: Source, *, sample: bool = False) -> Iterator[list[Any]]:
    """The CSV records; with ``sample``, only those in the first 256 KiB (the last one may be cut)."""
    delimiter = source.delimiter or ","
    with open(source.path, encoding=source.encoding, errors="replace" if sample else "strict", newline="") as handle:
        lines: Iterator[str] = io.StringIO(handle.read(_SAMPLE_CHARS)) if sample else handle
        if source.padded:
            # Taken off before the CSV parser sees the line, so a quoted
            # cell after a padded separator is still read as quoted.
            padding = re.compile(re.escape(delimiter) + r"[ \t]+")
            lines = (padding.sub(delimiter, line) for line in lines)
        yield from csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)


def _sheet_rows(source: Source, *, sample: bool = False) -> Iterator[list[Any]]:
    """The sheet's rows from A1 (with ``sample``, the first few), with openpyxl's kinds of values.

    Some exports declare a ``<dimension>`` of A1 for a whole table, and
    openpyxl believes it (only column A is read): calamine reads every
    cell, and the sample of an XLSX is streamed from its XML (calamine
    would parse the whole sheet first).
    """
    if sample and source.format == "xlsx":
        from .xlsx import first_rows

        rows, declared = first_rows(source, _SAMPLE_ROWS)
        width = max((len(row) for row in rows), default=0)
        if declared is not None and declared < width:
            # openpyxl (and so frictionless) would read only the declared columns.
            source.misdeclared = True
        # openpyxl pads every row to the declared width: empty columns at the right.
        yield from (row + [None] * ((declared or 0) - len(row)) for row in rows)
        return
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(source.path)
    try:
        values = workbook.get_sheet_by_name(source.sheet or "").to_python(
            skip_empty_area=False, nrows=_SAMPLE_ROWS if sample else None)
    finally:
        close = getattr(workbook, "close", None)
        if close:
            close()
    for row in values:
        # openpyxl's values: None for an empty cell, whole numbers as int.
        yield [None if cell == "" else int(cell) if type(cell) is float and cell.is_integer() else cell for cell in row]


def sample_rows(source: Source, count: int = 1000) -> list[list[Any]]:
    """Up to ``count`` data rows from the start of ``source`` (the rows under its header), as read for
    deciding how a column writes its values (see values.plan_readings); none when they cannot be read.

    The sample of a sheet is its first rows (streamed from an XLSX's XML),
    that of a CSV the records in its first 256 KiB.
    """
    reader = _csv_rows if source.format == "csv" else _sheet_rows
    skip = source.header_rows[-1] if source.header_rows else 0
    try:
        return list(itertools.islice(reader(source, sample=True), skip, skip + count))
    except Exception:  # the engines report what is wrong with the file
        return []


def _detect_padding(text: str, delimiter: str) -> bool:
    """Is (nearly) every ``delimiter`` followed by a TAB, as in files exported with ", TAB"?"""
    lines = text.splitlines()[:50]
    separators = sum(line.count(delimiter) for line in lines)
    padded = sum(line.count(delimiter + "\t") + line.count(delimiter + " \t") for line in lines)
    return separators >= 2 and padded >= 0.9 * separators


# Where the header is ----------------------------------------------------------

_SAMPLE_ROWS = 50
_SAMPLE_CHARS = 262144
_HEADER_SEARCH = 30
_NUMBER = re.compile(r"[-+]?\$?\s*[0-9][0-9.,\s]*%?")
_DATE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}(?:[ T].*)?")
_RFC = re.compile(r"[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}", re.IGNORECASE)


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _data_like(cell: Any) -> bool:
    """A value a header would not hold: a number, a date, an RFC."""
    if not _filled(cell):
        return False
    if not isinstance(cell, str):
        return not isinstance(cell, bool)
    text = cell.strip()
    return bool(_NUMBER.fullmatch(text) or _DATE.fullmatch(text) or _RFC.fullmatch(text))


def _label_key(text: Any) -> str:
    """A label reduced to letters and digits, lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(char for char in decomposed if char.isalnum()).lower()


def plan_layout(source: Source, hints: list[str] | None = None) -> None:
    """Decide ``source``'s header rows and kept width from its first rows.

    ``hints`` are the names and titles of the schema's fields: a row holding
    several of them is the header. Otherwise the header is the first row as
    filled as the data below it (title lines and a "Downloaded on" line hold
    one cell), with the row under it when that row only completes it (a
    header merged over two rows); a first row whose cells read as data
    where a header holds text means the file has no header.
    """
    reader = _csv_rows if source.format == "csv" else _sheet_rows
    rows = list(itertools.islice(reader(source, sample=True), _SAMPLE_ROWS + 1))
    if len(rows) > _SAMPLE_ROWS or (source.format == "csv" and os.path.getsize(source.path) > _SAMPLE_CHARS):
        rows = rows[:-1]  # possibly cut short by the sample's end
    if not rows:
        return
    counts = [sum(1 for cell in row if _filled(cell)) for row in rows]
    nonblank = sorted(count for count in counts if count)
    if not nonblank:
        return
    typical = nonblank[len(nonblank) // 2]
    keys = {_label_key(hint) for hint in hints or [] if _label_key(hint)}

    def matches(index: int) -> int:
        return sum(1 for cell in rows[index] if _filled(cell) and _label_key(cell) in keys)

    header = 0
    if typical >= 3:
        # Title lines, blank lines and a "Downloaded on" line hold a cell or
        # two; a header is about as filled as the rows below it.
        least = max(2, typical // 2)
        while header < min(len(rows) - 1, _HEADER_SEARCH) and counts[header] < least:
            header += 1
    if keys:
        best = max(range(min(len(rows), _HEADER_SEARCH)), key=lambda index: (matches(index), -index))
        if matches(best) >= 2 and matches(best) > matches(header) + 1:
            header = best
    if header >= len(rows) or counts[header] == 0:
        return
    below = rows[header + 1 : header + 6]
    if not matches(header) and _looks_like_data(rows[header], below):
        source.header_rows = []
        return
    header_rows = [header + 1]
    if header + 1 < len(rows) and _completes(rows[header], rows[header + 1]):
        header_rows.append(header + 2)
        source.joined_labels = _joined(rows[header], rows[header + 1])
    last = max((max((i + 1 for i, cell in enumerate(row) if _filled(cell)), default=0) for row in rows), default=0)
    source.header_rows = header_rows
    if len(rows[header]) > last and last:
        source.width = last


def _looks_like_data(row: list[Any], below: list[list[Any]]) -> bool:
    """The row's number, date and RFC cells are where the rows below have theirs."""
    data = {index for index, cell in enumerate(row) if _data_like(cell)}
    if not data or not below:
        return False
    alike = sum(1 for other in below if sum(1 for index in data if index < len(other) and _data_like(other[index])) >= len(data) / 2)
    return alike * 2 > len(below)


def _completes(upper: list[Any], lower: list[Any]) -> bool:
    """Is ``lower`` the second row of a header merged over two rows?

    Its cells are all text, some under an empty cell of ``upper`` (under a
    label merged across columns) and some empty under a label of ``upper``
    (merged down).
    """
    filled = [index for index, cell in enumerate(lower) if _filled(cell)]
    if not filled or any(not isinstance(lower[index], str) or _data_like(lower[index]) for index in filled):
        return False
    under_empty = any(index < len(upper) and not _filled(upper[index]) for index in filled)
    empty_under_label = any(_filled(cell) and (index >= len(lower) or not _filled(lower[index])) for index, cell in enumerate(upper))
    return under_empty and empty_under_label


def _joined(upper: list[Any], lower: list[Any]) -> list[str]:
    """One label per column: the upper label (carried right over its merged span) and the lower one."""
    labels = []
    carried = ""
    for index in range(max(len(upper), len(lower))):
        top = str(upper[index]).strip() if index < len(upper) and _filled(upper[index]) else ""
        bottom = str(lower[index]).strip() if index < len(lower) and _filled(lower[index]) else ""
        if top:
            carried = top
        elif bottom and carried:
            top = carried
        else:
            carried = ""
        labels.append(" ".join(dict.fromkeys(part for part in (top, bottom) if part)))
    return labels


def _sniff_binary(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample[:65536]:
        return True
    controls = sum(1 for byte in sample[:65536] if byte < 32 and byte not in b"\t\n\r\f\v\x1a")
    return controls > max(8, len(sample[:65536]) // 100)


def _is_whitespace_only(path: str, sample: bytes, size: int) -> bool:
    if sample.strip():
        return False
    if size <= len(sample):
        return True
    with open(path, "rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            if chunk.strip():
                return False
    return True


def _zip_problem(path: str) -> SourceProblem | None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return SourceProblem("error", "unreadable", {"detail": f"zip: {error}"})
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    ratio = total / max(compressed, 1)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES or (
        ratio > MAX_XLSX_RATIO and total > MAX_XLSX_RATIO_MIN_BYTES
    ):
        return SourceProblem(
            "error", "zip-bomb", {"uncompressed_bytes": total, "ratio": round(ratio, 1)}
        )
    return None


def _zip_kind(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "content.xml" in names:
        return "ods"
    return "zip"


def _open_sheet(path: str, sheet: str | int | None, format: str = "xlsx") -> Source | SourceProblem:
    if format == "xlsx" and (problem := _zip_problem(path)):
        return problem
    try:
        found = _sheets(path)
    except Exception as error:  # calamine raises its own error classes
        return SourceProblem("error", "unreadable", {"detail": f"{type(error).__name__}: {error}"[:300]})
    sheets = [name for name, _ in found]
    hidden = [name for name, visible in found if not visible]
    if not sheets:
        return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": []})
    if sheet is None or sheet == "":
        # Hidden sheets hold lookups and leftovers, not the table.
        chosen = next((name for name in sheets if name not in hidden), sheets[0])
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in sheets):
        index = int(sheet)
        if not 1 <= index <= len(sheets):
            return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": sheets})
        chosen = sheets[index - 1]
    elif sheet in sheets:
        chosen = sheet
    else:
        return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": sheets})
    return Source(path=path, format=format, sheet=chosen, sheets=sheets, hidden_sheets=hidden)


def open_source(
    path: str, *, format: str | None = None, sheet: str | int | None = None, hints: list[str] | None = None
) -> Source | SourceProblem:
    """Decide how to read ``path``: CSV with encoding and delimiter, or an XLSX or XLS sheet.

    ``hints`` (the schema's field names and titles) help find the header
    row (see :func:`plan_layout`).
    """
    source = _open(path, format=format, sheet=sheet)
    if isinstance(source, Source):
        try:
            plan_layout(source, hints)
        except Exception:  # a file the sample cannot be read from: the engines report why
            pass
    return source


def _open(path: str, *, format: str | None, sheet: str | int | None) -> Source | SourceProblem:
    declared = normalize_format(format)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except OSError as error:
        return SourceProblem("error", "unreadable", {"detail": str(error)})

    if size == 0 or _is_whitespace_only(path, sample, size):
        return SourceProblem("error", "empty-file")

    # The content decides, because declared formats are often wrong
    # ("CSV" for an .xlsx, "XLS" for an .xlsx); magic numbers are not.
    if sample.startswith(_ZIP_MAGIC):
        kind = _zip_kind(path)
        if kind == "xlsx":
            return _open_sheet(path, sheet)
        return SourceProblem("not_validated", "format-not-supported", {"format": kind})
    if sample.startswith(_OLE_MAGIC):
        # Office writes encrypted OOXML as an OLE container with an
        # "EncryptedPackage" stream; directory names are UTF-16LE.
        if "EncryptedPackage".encode("utf-16-le") in sample or _file_contains(
            path, "EncryptedPackage".encode("utf-16-le")
        ):
            return SourceProblem("error", "password-protected")
        # Excel 97-2003 (BIFF8): calamine reads it like an XLSX. Other OLE
        # files (Word's .doc) are not workbooks.
        opened = _open_sheet(path, sheet, "xls")
        if isinstance(opened, SourceProblem) and opened.problem == "unreadable":
            return SourceProblem("not_validated", "format-not-supported", {"format": "xls"})
        return opened

    binary = _sniff_binary(sample)
    if binary is not None or _looks_binary(sample):
        if declared in _TEXT_FORMATS | _EXCEL_FORMATS:
            return SourceProblem(
                "error", "not-a-table", {"format": declared, "detected": binary or "binary"}
            )
        if binary is None:
            return SourceProblem("error", "not-a-table", {"format": declared, "detected": "binary"})
        return SourceProblem("not_validated", "format-not-supported", {"format": declared or binary})

    # Text content: a declared non-tabular format (json, xml, html…) is
    # believed, since guessing a delimiter in JSON would invent errors.
    if declared is not None and declared not in _TEXT_FORMATS | _EXCEL_FORMATS:
        return SourceProblem("not_validated", "format-not-supported", {"format": declared})

    encoding = detect_encoding(sample, complete=size <= len(sample))
    if encoding is None:
        return SourceProblem("error", "encoding", {"encoding": "utf-16", "detail": "UTF-16/32 text is not supported"})
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(
        sample[:262144], final=False
    )
    delimiter = "\t" if declared == "tsv" else detect_delimiter(text)
    padded = False
    for separator in ",;|":
        if _detect_padding(text, separator):
            delimiter, padded = separator, True
            break
    return Source(path=path, format="csv", encoding=encoding, delimiter=delimiter, padded=padded)


def _file_contains(path: str, needle: bytes) -> bool:
    overlap = len(needle)
    previous = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            if needle in previous[-overlap:] + chunk:
                return True
            previous = chunk
    return False

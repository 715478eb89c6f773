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
import os
import zipfile
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
    "header_labels",
    "header_width",
    "normalize_format",
    "open_source",
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
    """What was found about a readable file."""

    path: str
    format: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)

    @property
    def detected(self) -> dict[str, Any]:
        found: dict[str, Any] = {"format": self.format}
        if self.format == "csv":
            found.update(encoding=self.encoding, delimiter=self.delimiter)
        else:
            found["sheet"] = self.sheet
        return found


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
    """How many columns the first row of ``source`` has, read in one linear pass over that row."""
    if source.format == "csv":
        try:
            with open(source.path, encoding=source.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=source.delimiter or ",", quotechar='"', doublequote=True)
                return len(next(reader, []))
        except (UnicodeDecodeError, csv.Error):
            return 0  # the engines report what is wrong with the file
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
    """The labels of the first row of ``source`` as text ("" for an empty cell), to match columns by name."""
    if source.format == "csv":
        try:
            with open(source.path, encoding=source.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=source.delimiter or ",", quotechar='"', doublequote=True)
                return next(reader, [])
        except (UnicodeDecodeError, csv.Error):
            return []  # the engines report what is wrong with the file
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
    return ["" if cell is None else str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
            for cell in first]


def xlsx_sheet_names(path: str) -> list[str]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    try:
        return list(workbook.sheet_names)
    finally:
        close = getattr(workbook, "close", None)
        if close:
            close()


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


def _open_xlsx(path: str, sheet: str | int | None) -> Source | SourceProblem:
    if problem := _zip_problem(path):
        return problem
    try:
        sheets = xlsx_sheet_names(path)
    except Exception as error:  # calamine raises its own error classes
        return SourceProblem("error", "unreadable", {"detail": f"{type(error).__name__}: {error}"[:300]})
    if not sheets:
        return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": []})
    if sheet is None or sheet == "":
        chosen = sheets[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in sheets):
        index = int(sheet)
        if not 1 <= index <= len(sheets):
            return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": sheets})
        chosen = sheets[index - 1]
    elif sheet in sheets:
        chosen = sheet
    else:
        return SourceProblem("error", "sheet-not-found", {"sheet": sheet, "sheets": sheets})
    return Source(path=path, format="xlsx", sheet=chosen, sheets=sheets)


def open_source(
    path: str, *, format: str | None = None, sheet: str | int | None = None
) -> Source | SourceProblem:
    """Decide how to read ``path``: CSV with encoding and delimiter, or an XLSX sheet."""
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
            return _open_xlsx(path, sheet)
        return SourceProblem("not_validated", "format-not-supported", {"format": kind})
    if sample.startswith(_OLE_MAGIC):
        # Office writes encrypted OOXML as an OLE container with an
        # "EncryptedPackage" stream; directory names are UTF-16LE.
        if "EncryptedPackage".encode("utf-16-le") in sample or _file_contains(
            path, "EncryptedPackage".encode("utf-16-le")
        ):
            return SourceProblem("error", "password-protected")
        return SourceProblem("not_validated", "format-not-supported", {"format": "xls"})

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
    return Source(path=path, format="csv", encoding=encoding, delimiter=delimiter)


def _file_contains(path: str, needle: bytes) -> bool:
    overlap = len(needle)
    previous = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            if needle in previous[-overlap:] + chunk:
                return True
            previous = chunk
    return False

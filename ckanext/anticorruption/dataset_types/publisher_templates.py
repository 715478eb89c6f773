"""Blank files for publishers, built from a Table Schema: CSV and XLSX.

Pure module: a Table Schema (dict) in, file bytes out. The words of the XLSX
file are in the extension's translation catalogue; the caller passes the
``gettext`` of the publisher's language (``tk._`` in a request).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

__all__ = ["csv_template", "xlsx_template"]

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2F4858")
_DATA_ROWS = 5000  # rows of the data sheet that get the drop-down lists


def _text(field: dict[str, Any], key: str, lang: str) -> str:
    return str(field.get(f"{key}_{lang}") or field.get(key) or "")


def csv_template(table_schema: dict[str, Any]) -> bytes:
    """A CSV file with the header row only (UTF-8, comma-separated)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(f["name"] for f in table_schema["fields"])
    return out.getvalue().encode("utf-8")


def _words(_: Callable[[str], str]) -> dict[str, Any]:
    # Named ``_`` so that the extraction of messages (scripts/i18n.sh) finds these strings.
    return {
        "data": _("data"),
        "notes": _("notes"),
        "lists": _("lists"),
        "column": _("Column"),
        "title": _("Name"),
        "description": _("What to write"),
        "type": _("Type"),
        "required": _("Required"),
        "allowed": _("Allowed values"),
        "example": _("Example"),
        "yes": _("yes"),
        "no": _("no"),
        "pattern": _("Must match the pattern"),
        "personal": _("Personal data"),
        "choose": _("Pick a value from the list"),
        "not_allowed": _("That value is not in the list of allowed values."),
        "types": {
            "string": _("text"), "number": _("number"), "integer": _("whole number"),
            "date": _("date (YYYY-MM-DD)"), "datetime": _("date and time"), "boolean": _("yes/no"),
            "year": _("year"),
        },
    }


def xlsx_template(table_schema: dict[str, Any], lang: str, gettext: Callable[[str], str]) -> bytes:
    """An XLSX workbook: a data sheet with the header row and drop-down lists
    for the columns with allowed values, and a notes sheet describing each column.

    ``lang`` picks the schema's own titles and descriptions (``title_es``, ...);
    ``gettext`` translates the words of the file into the same language.
    """
    words = _words(gettext)
    fields = table_schema["fields"]
    book = Workbook()
    data = book.active
    data.title = words["data"]
    data.append([f["name"] for f in fields])
    data.freeze_panes = "A2"

    lists = None
    for col, field in enumerate(fields, start=1):
        cell = data.cell(row=1, column=col)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        letter = get_column_letter(col)
        data.column_dimensions[letter].width = max(14, len(field["name"]) + 4)
        enum = field.get("constraints", {}).get("enum")
        if not enum:
            continue
        # Values go to a hidden sheet: a list typed into the rule itself is
        # limited to 255 characters and breaks on commas inside values.
        if lists is None:
            lists = book.create_sheet(words["lists"])
            lists.sheet_state = "hidden"
        for row, value in enumerate(enum, start=1):
            lists.cell(row=row, column=col, value=value)
        source = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(enum)}"
        rule = DataValidation(type="list", formula1=source, allow_blank=True)
        rule.promptTitle = _text(field, "title", lang)[:32]
        rule.prompt = words["choose"]
        rule.errorTitle = _text(field, "title", lang)[:32]
        rule.error = words["not_allowed"]
        rule.showInputMessage = rule.showErrorMessage = True
        data.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{_DATA_ROWS + 1}")

    notes = book.create_sheet(words["notes"], index=1)
    headings = ["column", "title", "description", "type", "required", "allowed", "example"]
    notes.append([words[h] for h in headings])
    for cell in notes[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for field in fields:
        constraints = field.get("constraints", {})
        allowed = ", ".join(str(v) for v in constraints.get("enum", []))
        if constraints.get("pattern"):
            allowed = f"{words['pattern']} {constraints['pattern']}"
        description = _text(field, "description", lang)
        if field.get("personal_data"):
            description = f"{description} ({words['personal']})".strip()
        notes.append([
            field["name"],
            _text(field, "title", lang),
            description,
            words["types"].get(field.get("type", "string"), field.get("type", "")),
            words["yes"] if constraints.get("required") else words["no"],
            allowed,
            str(field.get("example", "")),
        ])
    for letter, width in zip("ABCDEFG", (24, 32, 60, 18, 12, 40, 24)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A2"

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

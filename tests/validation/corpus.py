"""Builds CSV/XLSX files for real Table Schemas, clean or with injected errors.

Used by the differential test (ours vs frictionless) and by bench/validate.py.
"""

from __future__ import annotations

import csv
import datetime
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas" / "types"
SCHEMA_TYPES = ("contracts_register", "debarred_contractors", "budgets")


def table_schema(type_name: str) -> dict[str, Any]:
    with open(SCHEMAS_DIR / f"{type_name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["table_schema"]


_WORDS = ["obra", "servicio", "suministro", "mantenimiento", "consultoría", "adquisición", "carretera", "hospital", "Mérida", "Oaxaca", "año", "niño"]


def _rfc(rng: random.Random) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZÑ&"
    prefix = "".join(rng.choice(letters) for _ in range(rng.choice((3, 4))))
    return f"{prefix}{rng.randint(0, 999999):06d}{''.join(rng.choice('ABC123') for _ in range(3))}"


def good_value(spec: dict[str, Any], rng: random.Random, row: int) -> str:
    """A value frictionless accepts for ``spec``; ``row`` makes unique ids unique."""
    type_ = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    name = spec["name"]
    if constraints.get("unique"):
        return f"ID-{row:07d}"
    if "enum" in constraints:
        return rng.choice(constraints["enum"])
    if type_ == "number":
        low = float(constraints.get("minimum", 0))
        return f"{low + rng.random() * 1e7:.2f}"
    if type_ == "integer":
        low, high = int(constraints.get("minimum", 0)), int(constraints.get("maximum", 100000))
        return str(rng.randint(low, high))
    if type_ == "date":
        return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if type_ == "datetime":
        return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
    if type_ == "boolean":
        return rng.choice(spec.get("trueValues", ["true"]) + spec.get("falseValues", ["false"]))
    if spec.get("format") == "uri":
        return f"https://example.gob.mx/doc/{row}"
    pattern = constraints.get("pattern", "")
    if "ocds" in pattern:
        return f"ocds-abc123-{row}"
    if "A-ZÑ&" in pattern:
        return _rfc(rng)
    if pattern == "[A-Z]{3}":
        return rng.choice(["MXN", "USD"])
    if pattern.startswith("[0-9]{4"):
        return str(rng.randint(1000, 99999))
    if "_id" in name:
        return f"{rng.randint(1, 99):02d}-{rng.randint(100, 999)}"
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))


def bad_value(spec: dict[str, Any], rng: random.Random) -> str | None:
    """A value frictionless rejects for ``spec``, or None if any string is fine."""
    type_ = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    choices: list[str] = []
    if type_ in {"number", "integer"}:
        choices += ["n/a", "1,5", "12 345", "$10"]
        if "minimum" in constraints:
            choices.append(str(int(constraints["minimum"]) - 5))
        if "maximum" in constraints:
            choices.append(str(int(constraints["maximum"]) + 5))
    if type_ == "date":
        choices += ["31/12/2020", "2020-02-30", "2020-1-5", "ayer"]
    if "pattern" in constraints:
        choices += ["x", "abc-123", "MXN\n"]
    if "enum" in constraints:
        choices += ["Licitación Pública", "otro"]
    if constraints.get("required"):
        choices.append("")
    return rng.choice(choices) if choices else None


def rows_for(schema: dict[str, Any], count: int, *, seed: int, error_rate: float = 0.0) -> Iterator[list[str]]:
    rng = random.Random(seed)
    fields = schema["fields"]
    for row in range(count):
        cells = [good_value(spec, rng, row) for spec in fields]
        if error_rate and rng.random() < error_rate:
            index = rng.randrange(len(fields))
            bad = bad_value(fields[index], rng)
            if bad is not None:
                cells[index] = bad
        yield cells


# Each mutation edits (header, rows) in place to inject one kind of error.
Mutation = Callable[[list[str], list[list[str]], random.Random], None]


def _duplicate_id(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    rows[5][0] = rows[2][0]
    rows[9][0] = rows[2][0]


def _blank_rows(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    rows.insert(4, [])
    rows.insert(7, [""] * len(header))


def _missing_cells(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    rows[3] = rows[3][:-2]
    rows[8] = rows[8][:1]


def _extra_cells(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    rows[2] = rows[2] + ["extra"]
    rows[6] = rows[6] + ["", "more"]


def _quoted_newlines(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    for index in (1, 4, 10):
        rows[index][4] = "línea uno\nlínea dos\r\nfin"


def _incorrect_label(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    header[2] = header[2].upper()


def _blank_label(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    header[3] = ""


def _duplicate_label(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    header[4] = header[1]


def _missing_label(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    del header[-1]
    for row in rows:
        del row[-1]


def _extra_label(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    header.append("comentarios")
    for row in rows:
        row.append("nota")


def _typed_errors(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    # Spread many type and constraint errors over every field.
    for row in rows[1::3]:
        index = rng.randrange(len(row))
        row[index] = rng.choice(["", "n/a", "2020-13-45", "-3", "x"])


def _missing_pk(header: list[str], rows: list[list[str]], rng: random.Random) -> None:
    rows[3][0] = ""


MUTATIONS: dict[str, Mutation] = {
    "clean": lambda header, rows, rng: None,
    "duplicate-id": _duplicate_id,
    "blank-rows": _blank_rows,
    "missing-cells": _missing_cells,
    "extra-cells": _extra_cells,
    "quoted-newlines": _quoted_newlines,
    "incorrect-label": _incorrect_label,
    "blank-label": _blank_label,
    "duplicate-label": _duplicate_label,
    "missing-label": _missing_label,
    "extra-label": _extra_label,
    "typed-errors": _typed_errors,
    "missing-pk": _missing_pk,
}


def build_table(type_name: str, mutation: str, *, rows: int = 40, seed: int = 7, error_rate: float = 0.1) -> tuple[list[str], list[list[str]]]:
    schema = table_schema(type_name)
    rng = random.Random(f"{seed}-{type_name}-{mutation}")
    header = [spec["name"] for spec in schema["fields"]]
    body = list(rows_for(schema, rows, seed=rng.randrange(10**9), error_rate=error_rate))
    MUTATIONS[mutation](header, body, rng)
    return header, body


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",", trailing_blank: bool = False) -> Path:
    with open(path, "w", encoding=encoding, newline="", errors="replace") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            if row:
                writer.writerow(row)
            else:
                handle.write("\r\n")
        if trailing_blank:
            handle.write("\r\n")
    return path


def write_xlsx(
    path: Path,
    header: list[str],
    rows: list[list[Any]],
    *,
    sheet: str = "Datos",
    extra_sheets: tuple[str, ...] = (),
    dimension: bool = False,
    date_format: str | None = None,
) -> Path:
    """Write with openpyxl; "" cells are left out.

    Write-only mode (the default) writes no ``<dimension>``, so openpyxl
    reads rows as long as their last cell; a normal workbook writes one, as
    Excel does, and every row is read as wide as the sheet. Datetimes show
    as ``date_format`` (openpyxl's default is "yyyy-mm-dd h:mm:ss").
    """
    import openpyxl

    if not dimension:
        workbook = openpyxl.Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(header)
    else:
        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        worksheet.append([label or None for label in header])
    for row in rows:
        worksheet.append([cell if cell != "" else None for cell in row] or [None])
    if date_format and dimension:
        for line in worksheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, datetime.datetime):
                    cell.number_format = date_format
    for name in extra_sheets:
        workbook.create_sheet(name).append(["otra"])
    workbook.save(path)
    return path


# Typed cells, as a publisher's spreadsheet holds them ----------------------

_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Styled:
    """A cell value with the number format Excel shows it with."""

    value: Any
    num_format: str | int


def excel_value(spec: dict[str, Any], text: str) -> Any:
    """What a spreadsheet holds for ``text`` in a ``spec`` column.

    A number or a date where the column's type reads the text so, as
    someone typing into Excel gets; otherwise the text, None when empty.
    """
    type_ = spec.get("type", "string")
    if text == "":
        return None
    if type_ in {"number", "integer"} and _NUMBER_TEXT.fullmatch(text):
        return float(text) if "." in text else int(text)
    if type_ in {"date", "datetime"}:
        try:
            return datetime.datetime.fromisoformat(text.removesuffix("Z"))
        except ValueError:
            return text
    if type_ == "boolean" and text in {"true", "false"}:
        return text == "true"
    return text


def typed_rows(schema: dict[str, Any], rows: list[list[str]]) -> list[list[Any]]:
    fields = schema["fields"]
    return [[excel_value(fields[index], cell) if index < len(fields) else cell for index, cell in enumerate(row)] for row in rows]


def write_excel(path: Path, header: list[str], rows: list[list[Any]], *, date_format: str | int = "dd/mm/yyyy", date_1904: bool = False, sheet: str = "Datos") -> Path:
    """An XLSX laid out as Excel writes one (xlsxwriter): shared strings, a
    dimension, styles, numbers without a type. Cells may be :class:`Styled`."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    worksheet = workbook.add_worksheet(sheet)
    formats: dict[str | int, Any] = {}

    def style(num_format: str | int) -> Any:
        if num_format not in formats:
            formats[num_format] = workbook.add_format({"num_format": num_format})
        return formats[num_format]

    for row_index, row in enumerate([header, *rows]):
        for column, cell in enumerate(row):
            value, num_format = (cell.value, cell.num_format) if isinstance(cell, Styled) else (cell, None)
            if isinstance(value, datetime.datetime | datetime.time | datetime.timedelta):
                worksheet.write_datetime(row_index, column, value, style(num_format or date_format))
            elif value is None or value == "":
                if num_format is not None:
                    worksheet.write_blank(row_index, column, None, style(num_format))
            elif isinstance(value, bool):
                worksheet.write_boolean(row_index, column, value)
            elif isinstance(value, int | float):
                worksheet.write_number(row_index, column, value, style(num_format) if num_format is not None else None)
            else:
                worksheet.write_string(row_index, column, value)
    workbook.close()
    return path


"""Blank CSV and XLSX files that publishers fill in."""
from __future__ import annotations

import csv
import gettext
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

import ckanext.anticorruption
from ckanext.anticorruption.dataset_types.types import dataset_types
from ckanext.anticorruption.dataset_types.publisher_templates import csv_template, xlsx_template

ALL = list(dataset_types().values())
I18N = Path(ckanext.anticorruption.__file__).parent / "i18n"


def _in(lang: str):
    """The extension's shipped catalogue for ``lang``, as the view's ``tk._`` uses it."""
    return gettext.translation("ckanext-anticorruption", localedir=I18N, languages=[lang]).gettext


@pytest.mark.parametrize("typ", ALL, ids=[t.id for t in ALL])
def test_csv_template_is_the_header_row(typ) -> None:
    rows = list(csv.reader(io.StringIO(csv_template(typ.table_schema).decode("utf-8"))))

    assert rows == [[f["name"] for f in typ.table_schema["fields"]]]


@pytest.mark.parametrize("typ", ALL, ids=[t.id for t in ALL])
def test_xlsx_template_has_header_notes_and_drop_downs(typ) -> None:
    fields = typ.table_schema["fields"]
    book = load_workbook(io.BytesIO(xlsx_template(typ.table_schema, "es", _in("es"))))

    data, notes = book["datos"], book["notas"]
    assert [c.value for c in data[1]] == [f["name"] for f in fields]
    assert data.max_row == 1
    assert [row[0] for row in notes.iter_rows(min_row=2, values_only=True)] == [f["name"] for f in fields]
    for row, field in zip(notes.iter_rows(min_row=2, values_only=True), fields):
        assert row[1] == field["title_es"]

    enum_columns = [i for i, f in enumerate(fields, 1) if f.get("constraints", {}).get("enum")]
    rules = data.data_validations.dataValidation
    assert len(rules) == len(enum_columns)
    for rule, col in zip(rules, enum_columns):
        field = fields[col - 1]
        sheet_name, cells = rule.formula1.split("!")
        listed = [c.value for row in book[sheet_name.strip("'")][cells.replace("$", "")] for c in row]
        assert listed == field["constraints"]["enum"]
        assert rule.type == "list" and rule.showErrorMessage


def test_xlsx_template_speaks_the_publishers_language() -> None:
    schema = dataset_types()["contracts_register"].table_schema

    english = load_workbook(io.BytesIO(xlsx_template(schema, "en", _in("en"))))

    assert english.sheetnames[:2] == ["data", "notes"]
    assert english["notes"]["B2"].value == schema["fields"][0]["title"]
    assert english["notes"]["E1"].value == "Required"


def test_enum_values_with_commas_survive_in_the_drop_down() -> None:
    schema = {"fields": [{"name": "method", "type": "string", "title": "Method",
                          "constraints": {"enum": ["a, with comma", "b"]}}]}

    book = load_workbook(io.BytesIO(xlsx_template(schema, "en", _in("en"))))

    assert [c.value for c in book["lists"]["A"]] == ["a, with comma", "b"]

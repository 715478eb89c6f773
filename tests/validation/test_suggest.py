"""The header of a chosen file, read before the upload: what the upload form's mapping step is given."""

from __future__ import annotations

from pathlib import Path

from ckanext.anticorruption.validation.source import SourceProblem
from ckanext.anticorruption.validation.suggest import suggest_columns

from tests.validation.corpus import table_schema

HEADLESS = "3R INNOVACION SA DE CV,IMSS,0041/2013,19/08/2014\nACME SA DE CV,SFP,0042/2013,20/08/2014\n" * 3


def test_a_file_without_a_header_row_is_named_by_place_and_takes_the_publishers_earlier_choice(tmp_path: Path) -> None:
    path = tmp_path / "sin_encabezado.csv"
    path.write_text(HEADLESS, encoding="utf-8")
    schema = table_schema("debarred_contractors")

    found = suggest_columns(str(path), schema, mapping={"1": "supplier_name", "2": None})

    assert isinstance(found, dict) and found["no_header"] is True
    first, second, third = found["columns"][:3]
    assert (first["key"], first["sample"], first["field"], first["how"]) == (
        "1", "3R INNOVACION SA DE CV", "supplier_name", "explicit")
    assert (second["key"], second["field"], second["how"]) == ("2", None, "ignored")
    # The others hold the field at their place, as the check reads a file without a header.
    assert (third["field"], third["how"]) == (schema["fields"][2]["name"], "position")
    assert found["complete"] is False


def test_a_header_wider_than_the_bound_is_a_problem_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "ancho.csv"
    path.write_text(",".join(f"c{n}" for n in range(30)) + "\n" + ",".join("1" * 30) + "\n", encoding="utf-8")

    found = suggest_columns(str(path), table_schema("debarred_contractors"), max_columns=20)

    assert isinstance(found, SourceProblem)
    assert (found.problem, found.params) == ("too-many-columns", {"columns": 30, "max_columns": 20})

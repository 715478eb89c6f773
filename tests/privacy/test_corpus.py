"""The privacy scan over the corpus, inside real validation runs of both engines:
every seeded identifier is found, nothing in the clean look-alike files is."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.privacy.scan import PrivacyScan
from ckanext.anticorruption.validation import validate_file

from tests.privacy.corpus import CorpusFile, clean_files, seeded_files


def _scan(tmp_path: Path, file: CorpusFile, engine: str) -> dict:
    path = tmp_path / file.name
    path.write_bytes(file.csv())
    schema = file.table_schema or dataset_type(file.type_id).table_schema
    result = validate_file(str(path), schema, format="csv", engine=engine, scans=lambda: [PrivacyScan(schema)])
    assert result.state in ("valid", "invalid"), (result.problem, result.problem_params)
    return result.scans["privacy"]


def _found(summary: dict) -> dict[tuple[str, str], int]:
    return {(c["field"], kind): found["count"] for c in summary["columns"] for kind, found in c["kinds"].items()}


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
@pytest.mark.parametrize("file", seeded_files(), ids=lambda f: f.name)
def test_every_seeded_identifier_is_found_and_nothing_else(tmp_path, file: CorpusFile, engine: str) -> None:
    summary = _scan(tmp_path, file, engine)
    assert _found(summary) == dict(file.seeded)
    assert summary["findings"] == sum(file.seeded.values())


@pytest.mark.parametrize("file", clean_files(rows=500), ids=lambda f: f.name)
def test_clean_look_alikes_are_not_findings(tmp_path, file: CorpusFile) -> None:
    assert _scan(tmp_path, file, "auto") == {"findings": 0, "columns": []}


def test_no_full_value_reaches_the_summary(tmp_path) -> None:
    file = seeded_files()[0]
    summary = str(_scan(tmp_path, file, "auto"))
    for row in file.rows:
        for cell in row:
            for token in cell.replace(",", " ").replace("(", " ").split():
                if "@" in token or (len(token) >= 13 and any(c.isdigit() for c in token)):
                    assert token not in summary

"""The columns of the national tables (pure: no CKAN, no database)."""
from __future__ import annotations

import pytest

from ckanext.anticorruption.dataset_types.types import dataset_types
from ckanext.anticorruption.national.columns import PROVENANCE, national_columns, pg_type


@pytest.mark.parametrize("type_id", sorted(dataset_types()))
def test_provenance_comes_first_and_never_takes_a_fields_name(type_id: str) -> None:
    fields = dataset_types()[type_id].table_schema["fields"]
    columns = national_columns(dataset_types()[type_id].table_schema)

    assert [c["id"] for c in columns] == [c["id"] for c in PROVENANCE] + [f["name"] for f in fields]
    assert len({c["id"] for c in columns}) == len(columns)
    assert all(c["title"]["es"] and c["title"]["en"] for c in columns)


def test_table_schema_types_map_to_the_resource_tables_types() -> None:
    assert [pg_type(t) for t in ("integer", "number", "date", "datetime", "boolean", "year", "string", None, "any")] == [
        "int8", "numeric", "date", "timestamp", "bool", "int4", "text", "text", "text"]

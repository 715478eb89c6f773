"""The 30 dataset types as data: complete, consistent and valid Table Schemas."""
from __future__ import annotations

import re

import pytest
from frictionless import Schema

from ckanext.anticorruption.dataset_types import types

from tests.guide import COMMON_PRESETS, GUIDE_TYPE_IDS

ALL = list(types.dataset_types().values())
IDS = [t.id for t in ALL]
# Types whose real publications have no key unique per row: debarment lists of
# development banks give no case number and SFP's case numbers repeat across
# agencies; published budgets carry no full budget code and a line has one row
# per stage.
WITHOUT_PRIMARY_KEY = {"debarred_contractors", "budgets"}


def test_every_guide_dataset_is_a_type_in_the_guide_order() -> None:
    # An operator may add types after the Guide's 30; these come first.
    assert IDS[:30] == GUIDE_TYPE_IDS
    assert [t.guide_order for t in ALL[:30]] == list(range(1, 31))


def test_types_are_grouped_under_the_four_categories() -> None:
    groups = types.types_by_category()

    assert [c.id for c, _ in groups] == [
        "individuals_organizations", "public_resources", "regulation_procedures", "rent_extraction",
    ]
    assert sum(len(members) for _, members in groups) == len(ALL)
    assert all(members for _, members in groups)


@pytest.mark.parametrize("typ", ALL, ids=IDS)
def test_type_facts_use_the_controlled_lists(typ: types.DatasetType) -> None:
    voc = types.vocabularies()
    assert typ.category in voc.categories
    assert typ.kind in voc.kinds
    assert set(typ.standards) <= set(voc.standards)
    assert set(typ.identifier_schemes) <= set(voc.identifier_schemes)
    assert set(typ.links_to) <= set(GUIDE_TYPE_IDS)
    assert typ.personal_data in ("none", "incidental", "core")
    for text in (typ.title, typ.description):
        assert set(text) == {"en", "es"} and all(v.strip() for v in text.values())


@pytest.mark.parametrize("typ", ALL, ids=IDS)
def test_every_type_has_the_common_metadata(typ: types.DatasetType) -> None:
    assert list(typ.dataset_fields[: len(COMMON_PRESETS)]) == COMMON_PRESETS


@pytest.mark.parametrize("typ", ALL, ids=IDS)
def test_table_schema_is_valid_for_frictionless(typ: types.DatasetType) -> None:
    descriptor = typ.table_schema

    assert Schema.validate_descriptor(descriptor).valid
    schema = Schema.from_descriptor(descriptor)
    assert bool(schema.primary_key) is (typ.id not in WITHOUT_PRIMARY_KEY)
    assert all(schema.has_field(k) for k in schema.primary_key)


@pytest.mark.parametrize("typ", ALL, ids=IDS)
def test_table_schema_fields_are_bilingual_and_marked(typ: types.DatasetType) -> None:
    for field in typ.table_schema["fields"]:
        for key in ("title", "title_es", "description", "description_es"):
            assert str(field.get(key, "")).strip(), (field["name"], key)
        pattern = field.get("constraints", {}).get("pattern")
        if pattern:
            re.compile(f"^{pattern}$")
        if "identifier" in field:
            assert set(field["identifier"]["schemes"]) <= set(types.vocabularies().identifier_schemes)
        if "personal_data_public" in field:
            assert field.get("personal_data") is True, field["name"]


@pytest.mark.parametrize("typ", ALL, ids=IDS)
def test_foreign_keys_point_at_fields_of_other_types(typ: types.DatasetType) -> None:
    for fk in typ.table_schema.get("foreignKeys", []):
        target = types.dataset_type(fk["reference"]["resource"])
        assert target is not None, fk
        target_fields = {f["name"] for f in target.table_schema["fields"]}
        own_fields = {f["name"] for f in typ.table_schema["fields"]}
        assert set(fk["fields"]) <= own_fields, fk
        assert set(fk["reference"]["fields"]) <= target_fields, fk


def test_types_with_personal_data_mark_personal_columns() -> None:
    core = [t for t in ALL if t.personal_data == "core"]

    assert core
    for typ in core:
        assert any(f.get("personal_data") for f in typ.table_schema["fields"]), typ.id


def test_schemas_are_added_to_scheming_once_and_keep_the_operators() -> None:
    config = {"scheming.dataset_schemas": "ckanext.other:dataset.yaml"}

    types.add_schemas_to_config(config)
    types.add_schemas_to_config(config)

    schemas = config["scheming.dataset_schemas"].split()
    assert schemas[0] == "ckanext.other:dataset.yaml"
    assert len(schemas) == len(ALL) + 1 == len(set(schemas))
    assert config["scheming.presets"].split() == [
        "ckanext.scheming:presets.json", "ckanext.anticorruption.schemas:presets.yaml",
    ]


@pytest.mark.parametrize(
    ("resource", "follows_type_schema"),
    [({}, True), ({"schema_mode": "type"}, True), ({"schema_mode": "other"}, False),
     ({"schema_mode": "none"}, False)],
)
def test_a_resource_follows_its_type_schema_unless_told_otherwise(resource, follows_type_schema) -> None:
    schema = types.resource_table_schema("contracts_register", resource)

    assert (schema == types.dataset_type("contracts_register").table_schema) is follows_type_schema
    assert types.resource_table_schema("dataset", resource) is None


def test_localized_text_falls_back_to_english_then_any() -> None:
    assert types.localized({"en": "Budget", "es": "Presupuesto"}, "es") == "Presupuesto"
    assert types.localized({"en": "Budget"}, "es") == "Budget"
    assert types.localized({"fr": "Budget"}, "es") == "Budget"
    assert types.localized(None, "es") == ""


@pytest.mark.parametrize(
    ("plugins", "problem"),
    [
        ("activity scheming_datasets anticorruption", None),
        ("scheming_datasets dcat anticorruption", None),
        ("activity anticorruption scheming_datasets", "after scheming_datasets"),
        ("activity anticorruption", "add scheming_datasets"),
        ("activity scheming_datasets", None),
    ],
)
def test_plugin_order_mistakes_are_explained(plugins: str, problem: str | None) -> None:
    found = types.plugin_order_problem(plugins)

    assert found is None if problem is None else problem in found


def _bilingual_texts(node, path=""):
    """Every {en: …, es: …} text in a schema file, with where it is."""
    if isinstance(node, dict):
        if "en" in node or "es" in node:
            yield path, node
        for key, value in node.items():
            yield from _bilingual_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _bilingual_texts(value, f"{path}[{i}]")


@pytest.mark.parametrize(
    "path", ["presets.yaml", "vocabularies.yaml", *sorted(f"types/{t}.yaml" for t in IDS)]
)
def test_every_text_of_the_schema_files_is_in_spanish_and_english(path: str) -> None:
    import yaml

    with open(types.SCHEMAS_DIR / path, encoding="utf-8") as f:
        for where, text in _bilingual_texts(yaml.safe_load(f)):
            assert set(text) == {"en", "es"}, where
            assert all(isinstance(v, str) and v.strip() for v in text.values()), where

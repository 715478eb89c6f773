"""The Open Up Guide's dataset types, read from the schema files in ``schemas/``.

Pure module: plain data in, plain data out, no CKAN imports. Each type is one
file ``schemas/types/<id>.yaml`` that ckanext-scheming reads as a dataset
schema; its ``anticorruption`` block and its ``table_schema`` are read here.
"""
from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import ckanext.anticorruption.schemas as _schemas_package

__all__ = [
    "SCHEMAS_DIR",
    "Category",
    "DatasetType",
    "Vocabularies",
    "add_schemas_to_config",
    "dataset_type",
    "dataset_types",
    "localized",
    "plugin_order_problem",
    "preset_choices",
    "publisher_values",
    "resource_table_schema",
    "types_by_category",
    "vocabularies",
    "with_publisher_values",
]

SCHEMAS_DIR = Path(_schemas_package.__file__).parent
TYPES_DIR = SCHEMAS_DIR / "types"
SCHEMAS_MODULE = _schemas_package.__name__
PRESETS = f"{SCHEMAS_MODULE}:presets.yaml"
# ckanext-scheming's own defaults for its options (``DEFAULT_PRESETS`` and the
# empty schema list in ckanext/scheming/plugins.py). Its options are not declared
# to CKAN, so they are read with these defaults: CKAN warns "Option ... is not
# declared" whenever an undeclared option is read without one.
SCHEMING_DEFAULT_SCHEMAS = ""
SCHEMING_DEFAULT_PRESETS = "ckanext.scheming:presets.json"

# Bilingual text as stored in the schema files: {"en": "...", "es": "..."}.
Text = Mapping[str, str]


def localized(text: Text | str | None, lang: str, fallback: str = "en") -> str:
    """The text in ``lang``, else in ``fallback``, else in any language."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(fallback) or next(iter(text.values()))


@dataclass(frozen=True)
class Term:
    id: str
    title: Text
    description: Text = field(default_factory=dict)
    url: str = ""
    refers_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabularies:
    categories: dict[str, Term]
    kinds: dict[str, Term]
    standards: dict[str, Term]
    identifier_schemes: dict[str, Term]


Category = Term


@dataclass(frozen=True)
class DatasetType:
    id: str
    guide_order: int
    category: str
    kind: str
    title: Text
    description: Text
    standards: tuple[str, ...]
    identifier_schemes: tuple[str, ...]
    personal_data: str
    privacy_note: Text
    links_to: tuple[str, ...]
    table_schema: dict[str, Any]
    dataset_fields: tuple[str, ...]
    # Which column names the supplier and which the dates, for the red flags:
    # {role: award|sanction, supplier: <field>, date: <field>} or
    # {role: sanction, supplier: <field>, period: [<start field>, <end field>]}.
    red_flags: dict[str, Any] = field(default_factory=dict)

    @property
    def scheming_schema(self) -> str:
        """The schema's address in ckanext-scheming's ``module:path`` form."""
        return f"{SCHEMAS_MODULE}:types/{self.id}.yaml"


def _terms(entries: list[dict[str, Any]]) -> dict[str, Term]:
    return {
        e["id"]: Term(
            id=e["id"],
            title=e["title"],
            description=e.get("description", {}),
            url=e.get("url", ""),
            refers_to=tuple(e.get("refers_to", ())),
        )
        for e in entries
    }


@functools.cache
def vocabularies() -> Vocabularies:
    with open(SCHEMAS_DIR / "vocabularies.yaml", encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return Vocabularies(
        categories=_terms(raw["categories"]),
        kinds=_terms(raw["kinds"]),
        standards=_terms(raw["standards"]),
        identifier_schemes=_terms(raw["identifier_schemes"]),
    )


def _read_type(path: Path) -> DatasetType:
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    facts = raw["anticorruption"]
    return DatasetType(
        id=raw["dataset_type"],
        guide_order=facts["guide_order"],
        category=facts["category"],
        kind=facts["kind"],
        title=facts["title"],
        description=facts["description"],
        standards=tuple(facts.get("standards", ())),
        identifier_schemes=tuple(facts.get("identifier_schemes", ())),
        personal_data=facts.get("personal_data", "none"),
        privacy_note=facts.get("privacy_note", {}),
        links_to=tuple(facts.get("links_to", ())),
        table_schema=with_publisher_values(raw["table_schema"]),
        dataset_fields=tuple(
            f.get("field_name") or f.get("preset", "") for f in raw["dataset_fields"]
        ),
        red_flags=dict(facts.get("red_flags") or {}),
    )


@functools.cache
def publisher_values() -> dict[str, Any]:
    """How Mexican publishers write values (``schemas/values.yaml``): every type's defaults."""
    with open(SCHEMAS_DIR / "values.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _any_case(word: str) -> list[str]:
    """``word`` as written in upper and lower case: every mix for a short one ("n/a" → n/a, n/A, N/a,
    N/A), else as written, lower case, upper case and capitalised."""
    if sum(char.lower() != char.upper() for char in word) > 3:
        return list(dict.fromkeys([word, word.lower(), word.upper(), word.capitalize()]))
    options = [(char.lower(), char.upper()) if char.lower() != char.upper() else (char,) for char in word]
    return ["".join(letters) for letters in itertools.product(*options)]


def _words(words: list[Any]) -> list[str]:
    return list(dict.fromkeys(variant for word in words for variant in _any_case(str(word))))


def with_publisher_values(table_schema: dict[str, Any]) -> dict[str, Any]:
    """``table_schema`` with the defaults of ``schemas/values.yaml``.

    The empty cells publishers write (N/A, S/D, -) join the schema's own
    ``missingValues``, and a boolean field that lists no ``trueValues`` and
    ``falseValues`` gets Spanish ones (sí, no): the Table Schema's own
    properties. The rest goes in ``publisherValues``, which the validation
    reads (see validation/values.py).
    """
    defaults = publisher_values()
    missing = list(table_schema.get("missingValues", [""]))
    missing += [word for word in _words(defaults.get("missingValues") or []) if word not in missing]
    fields = []
    for spec in table_schema.get("fields") or []:
        if spec.get("type") == "boolean" and "trueValues" not in spec and "falseValues" not in spec:
            spec = {**spec, "trueValues": _words(defaults.get("trueValues") or ["true"]),
                    "falseValues": _words(defaults.get("falseValues") or ["false"])}
        fields.append(spec)
    reading = {key: defaults[key] for key in ("numbers", "dates", "upperCase", "valueAliases") if key in defaults}
    return {**table_schema, "fields": fields, "missingValues": missing, "publisherValues": reading}


@functools.cache
def _presets() -> dict[str, dict[str, Any]]:
    with open(SCHEMAS_DIR / "presets.yaml", encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return {p["preset_name"]: p["values"] for p in raw["presets"]}


def preset_choices(preset_name: str) -> list[dict[str, Any]]:
    """The choices (value and bilingual label) of one of our presets, e.g. the update frequencies."""
    return list(_presets()[preset_name].get("choices", []))


@functools.cache
def dataset_types() -> dict[str, DatasetType]:
    """All types, in the Guide's order."""
    types = [_read_type(p) for p in sorted(TYPES_DIR.glob("*.yaml"))]
    return {t.id: t for t in sorted(types, key=lambda t: t.guide_order)}


def dataset_type(type_id: str | None) -> DatasetType | None:
    return dataset_types().get(type_id or "")


def types_by_category() -> list[tuple[Category, list[DatasetType]]]:
    """The types grouped under the Guide's four categories, in the Guide's order."""
    types = list(dataset_types().values())
    return [
        (category, [t for t in types if t.category == category.id])
        for category in vocabularies().categories.values()
    ]


def _merge_words(existing: str, extra: list[str]) -> str:
    words = existing.split()
    return " ".join(words + [w for w in extra if w not in words])


def add_schemas_to_config(config: MutableMapping[str, Any]) -> None:
    """Make ckanext-scheming load every type and our presets.

    Whatever schemas and presets the operator configured are kept, and calling
    this again (plugins are reloaded in tests) adds nothing twice.
    """
    config["scheming.dataset_schemas"] = _merge_words(
        config.get("scheming.dataset_schemas", SCHEMING_DEFAULT_SCHEMAS),
        [t.scheming_schema for t in dataset_types().values()],
    )
    config["scheming.presets"] = _merge_words(
        config.get("scheming.presets", SCHEMING_DEFAULT_PRESETS) or SCHEMING_DEFAULT_PRESETS,
        [PRESETS],
    )


def resource_table_schema(type_id: str | None, resource: Mapping[str, Any]) -> dict[str, Any] | None:
    """The Table Schema a resource of a dataset of this type is checked against.

    A resource follows its type's schema unless its publisher chose another
    documented schema or none (``schema_mode`` ``other`` or ``none``).
    """
    typ = dataset_type(type_id)
    if typ is None or resource.get("schema_mode") in ("other", "none"):
        return None
    return typ.table_schema


def plugin_order_problem(plugins: str | list[str]) -> str | None:
    """Why the ``ckan.plugins`` line would leave the types unregistered, if it would.

    CKAN calls ``update_config`` in the reverse order of ``ckan.plugins``, so
    this plugin must come after ``scheming_datasets`` to hand it the schemas
    before scheming reads them.
    """
    names = plugins.split() if isinstance(plugins, str) else list(plugins)
    if "anticorruption" not in names:
        return None
    if "scheming_datasets" not in names:
        return (
            "ckanext-anticorruption needs ckanext-scheming: add scheming_datasets to "
            "ckan.plugins, before anticorruption"
        )
    if names.index("scheming_datasets") > names.index("anticorruption"):
        return (
            "List anticorruption after scheming_datasets in ckan.plugins "
            "(e.g. ckan.plugins = … scheming_datasets anticorruption), "
            "so that the dataset types reach scheming"
        )
    return None


"""Template helpers: they return data, never HTML."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.anticorruption import dataset_types as types

__all__ = [
    "anticorruption_category",
    "anticorruption_choices",
    "anticorruption_dataset_type",
    "anticorruption_field_text",
    "anticorruption_resource_table_schema",
    "anticorruption_text",
    "humanize_entity_type",
]


def current_lang() -> str:
    """The language of the current request, or the site's default outside one (CLI, jobs)."""
    default = tk.config.get("ckan.locale_default") or "en"
    try:
        return tk.h.lang() or default
    except RuntimeError:
        return default


def anticorruption_text(text: types.Text | str | None) -> str:
    """Bilingual schema text in the language the visitor is browsing in."""
    return types.localized(text, current_lang())


def anticorruption_field_text(field: dict[str, Any], key: str) -> str:
    """A Table Schema field's ``title`` or ``description`` in the visitor's language."""
    return str(field.get(f"{key}_{current_lang()}") or field.get(key) or "")


def anticorruption_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a form field from a controlled list in ``schemas/vocabularies.yaml``."""
    terms = getattr(types.vocabularies(), field["choices_source"])
    return [{"value": t.id, "label": t.title} for t in terms.values()]


def anticorruption_dataset_type(type_id: str | None) -> types.DatasetType | None:
    return types.dataset_type(type_id)


def anticorruption_category(category_id: str | None) -> types.Category | None:
    return types.vocabularies().categories.get(category_id or "")


def anticorruption_resource_table_schema(
    package: dict[str, Any], resource: dict[str, Any]
) -> dict[str, Any] | None:
    return types.resource_table_schema(package.get("type"), resource)


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    """Name the Guide's types by their plain-language titles in CKAN's own pages."""
    typ = types.dataset_type(object_type) if entity_type == "package" else None
    if typ is None:
        return next_helper(entity_type, object_type, purpose)
    title = anticorruption_text(typ.title)
    phrases = {
        "add link": tk._("Add a dataset: {type}"),
        "create label": tk._("New dataset: {type}"),
        "create title": tk._("New dataset: {type}"),
        "edit label": tk._("Edit dataset"),
        "update label": tk._("Update dataset"),
        "save label": tk._("Save dataset"),
        "search placeholder": tk._("Search {type}…"),
        "no any objects": tk._("No datasets of this type yet."),
        "no description": tk._("There is no description for this dataset"),
    }
    return phrases.get(purpose, "{type}").format(type=title)

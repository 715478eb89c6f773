"""Actions of the Guide's dataset types: the list, one type, its Table Schema."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption.dataset_types import types
from ckanext.anticorruption.logic import schema

__all__ = [
    "anticorruption_dataset_type_list",
    "anticorruption_dataset_type_show",
    "anticorruption_table_schema_show",
]


def _dataset_counts(context: Context) -> dict[str, int]:
    """Datasets of each type that the caller may see (drafts and deleted ones excluded)."""
    result = tk.get_action("package_search")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
        {
            "q": "*:*",
            "rows": 0,
            "include_private": True,
            "facet.field": ["dataset_type"],
            "facet.limit": -1,
        },
    )
    return result["facets"].get("dataset_type", {})


def _summary(typ: types.DatasetType, dataset_count: int) -> dict[str, Any]:
    voc = types.vocabularies()
    return {
        "id": typ.id,
        "guide_order": typ.guide_order,
        "title": dict(typ.title),
        "description": dict(typ.description),
        "category": typ.category,
        "category_title": dict(voc.categories[typ.category].title),
        "kind": typ.kind,
        "kind_title": dict(voc.kinds[typ.kind].title),
        "standards": list(typ.standards),
        "identifier_schemes": list(typ.identifier_schemes),
        "personal_data": typ.personal_data,
        "links_to": list(typ.links_to),
        "table_schema_url": tk.url_for(
            "anticorruption.table_schema", type_id=typ.id, _external=True
        ),
        "dataset_count": dataset_count,
    }


def _get_type(data_dict: DataDict) -> types.DatasetType:
    typ = types.dataset_type(data_dict["id"])
    if typ is None:
        raise tk.ObjectNotFound(tk._("Unknown dataset type: {id}").format(id=data_dict["id"]))
    return typ


@tk.side_effect_free
@validate(schema.no_input_schema)
def anticorruption_dataset_type_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The Open Up Guide's dataset types, in the Guide's order.

    Each has its id, bilingual title and description, category and kind, the
    URL of its Table Schema, and ``dataset_count``: how many datasets of the
    type the caller may see.
    """
    tk.check_access("anticorruption_dataset_type_list", context, data_dict)
    counts = _dataset_counts(context)
    return [_summary(t, counts.get(t.id, 0)) for t in types.dataset_types().values()]


@tk.side_effect_free
@validate(schema.id_schema)
def anticorruption_dataset_type_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One dataset type with its Table Schema.

    :param id: the type's id, e.g. ``contracts_register``
    """
    tk.check_access("anticorruption_dataset_type_show", context, data_dict)
    typ = _get_type(data_dict)
    summary = _summary(typ, _dataset_counts(context).get(typ.id, 0))
    summary["privacy_note"] = dict(typ.privacy_note)
    summary["table_schema"] = typ.table_schema
    return summary


@tk.side_effect_free
@validate(schema.id_schema)
def anticorruption_table_schema_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The Frictionless Table Schema of a dataset type.

    :param id: the type's id, e.g. ``contracts_register``
    """
    tk.check_access("anticorruption_table_schema_show", context, data_dict)
    return _get_type(data_dict).table_schema

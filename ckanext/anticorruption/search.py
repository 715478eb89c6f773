"""What the search index and its facets know about the Guide's types.

Pure module: plain dicts in and out.
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.dataset_types import types

__all__ = ["VALIDATION_FIELD", "index_fields", "label_facets"]

# Validation states are a list per dataset: CKAN's Solr schema only takes
# lists in its multi-valued vocab_* fields.
VALIDATION_FIELD = "vocab_validation_state"


def index_fields(pkg_dict: dict[str, Any], validation_states: dict[str, str] | None = None) -> dict[str, Any]:
    """The Guide category and kind of a typed dataset, the validation states
    of its files (by resource id) and its coverage facts, added to its index document."""
    if validation_states:
        pkg_dict[VALIDATION_FIELD] = sorted(set(validation_states.values()))
    typ = types.dataset_type(pkg_dict.get("type"))
    if typ is None:
        return pkg_dict
    pkg_dict["guide_category"] = typ.category
    pkg_dict["guide_kind"] = typ.kind
    # CKAN has already flattened the resources away; the dataset as shown
    # by the API is kept in the document as JSON.
    shown = json.loads(pkg_dict.get("validated_data_dict") or pkg_dict.get("data_dict") or "{}")
    pkg_dict.update(coverage.dataset_facts(shown, validation_states or {}, bool(pkg_dict.get("isopen"))))
    return pkg_dict


def label_facets(search_results: dict[str, Any], lang: str,
                 state_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Show types, categories and validation states in facets by their names, not their ids."""
    facets = search_results.get("search_facets") or {}
    titles = {
        "dataset_type": {t.id: t.title for t in types.dataset_types().values()},
        "guide_category": {c.id: c.title for c in types.vocabularies().categories.values()},
        VALIDATION_FIELD: state_labels or {},
    }
    for field, by_id in titles.items():
        for item in facets.get(field, {}).get("items", []):
            if item["name"] in by_id:
                item["display_name"] = types.localized(by_id[item["name"]], lang)
    return search_results

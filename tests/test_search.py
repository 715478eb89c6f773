"""The Guide's types and categories in the search index and its facets."""
from __future__ import annotations

from ckanext.anticorruption.search import index_fields, label_facets


def test_typed_datasets_are_indexed_with_category_and_kind() -> None:
    doc = index_fields({"type": "debarred_contractors", "guide_category": "typed in"})

    assert doc["guide_category"] == "regulation_procedures"
    assert doc["guide_kind"] == "register"


def test_other_datasets_are_left_alone() -> None:
    assert index_fields({"type": "dataset"}) == {"type": "dataset"}


def test_facets_show_titles_in_the_visitors_language() -> None:
    results = {"search_facets": {
        "dataset_type": {"items": [{"name": "budgets", "display_name": "budgets", "count": 2},
                                   {"name": "dataset", "display_name": "dataset", "count": 1}]},
        "guide_category": {"items": [{"name": "public_resources", "display_name": "public_resources", "count": 2}]},
    }}

    label_facets(results, "es")

    facets = results["search_facets"]
    assert [i["display_name"] for i in facets["dataset_type"]["items"]] == ["Presupuestos", "dataset"]
    assert facets["guide_category"]["items"][0]["display_name"] == "Recursos públicos"

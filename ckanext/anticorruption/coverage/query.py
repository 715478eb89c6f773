"""Gather the coverage facts for a caller with a fixed number of queries, and record snapshots.

Whatever the number of agencies: one Solr query with flat JSON facets over
per-cell terms indexed with each dataset (``ac_cell``, ``ac_cell_flags``)
for the public datasets (what everyone sees and what is scored), one for the
private datasets the caller may see (shown, never counted), and one database
query each (``store``) for the organizations, the declarations and the requests.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import pysolr

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels
from ckan.lib.search.common import SearchError, make_connection

from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.coverage import store
from ckanext.anticorruption.dataset_types import types as dataset_types

__all__ = ["gather", "record_snapshot", "type_summaries"]

_TRUE = "true"


def type_summaries(type_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The Guide's types (or some of them), in the Guide's order, for the matrix's columns."""
    voc = dataset_types.vocabularies()
    return [
        {"id": t.id, "title": dict(t.title), "category": t.category,
         "category_title": dict(voc.categories[t.category].title), "guide_order": t.guide_order}
        for t in dataset_types.dataset_types().values() if not type_ids or t.id in type_ids
    ]


def _quoted(values: list[str]) -> str:
    return "(" + " OR ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + ")"


def _terms(field: str, **extra: Any) -> dict[str, Any]:
    return {"type": "terms", "field": field, "limit": -1, "mincount": 1, "sort": "index", **extra}


def _facets(fq: list[str], facets: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Run flat JSON facets over the documents matching ``fq``; return each one's buckets.

    The response is read with the standard JSON parser: pysolr's ``search``
    runs CKAN's date decoder on every value, which costs more than the query
    itself for the ten thousand buckets of a national matrix.
    """
    params = {"q": "*:*", "fq": fq, "rows": 0, "wt": "json", "json.facet": json.dumps(facets)}
    try:
        text = make_connection()._select(params)
    except pysolr.SolrError as e:
        raise SearchError(f"Solr returned an error: {str(e)[:300]}") from e
    found = json.loads(text).get("facets") or {}
    return {name: (found.get(name) or {}).get("buckets", []) for name in facets}


def _base_fq(type_ids: list[str], organization_id: str | None) -> list[str]:
    fq = [
        f'+site_id:"{tk.config.get("ckan.site_id")}"',
        "+entity_type:package",
        "+state:active",
        "+dataset_type:" + _quoted(type_ids),
    ]
    if organization_id:
        fq.append("+owner_org:" + _quoted([organization_id]))
    return fq


def _iso(value: Any) -> str | None:
    """pysolr turns dates into datetimes; the matrix keeps ISO text (it is JSON)."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value or None


def _split(term: str) -> tuple[str, str]:
    organization_id, type_id = term.rsplit("|", 1)
    return organization_id, type_id


def _public_cells(type_ids: list[str], organization_id: str | None) -> dict[tuple[str, str], coverage.CellFacts]:
    """Counts per cell from three flat facets: flag combinations, fresh datasets, last update."""
    buckets = _facets(_base_fq(type_ids, organization_id) + ["+capacity:public"], {
        "flags": _terms("ac_cell_flags"),
        "fresh": _terms("ac_cell", domain={"filter": "ac_fresh_until_date:[NOW TO *]"}),
        "updated": _terms("ac_cell", facet={"updated": "max(ac_updated_date)"}),
    })
    cells: dict[tuple[str, str], coverage.CellFacts] = {}
    for bucket in buckets["flags"]:
        organization_id_, type_id, flags = coverage.flags_of(bucket["val"])
        facts = cells.setdefault((organization_id_, type_id), coverage.CellFacts())
        facts.count += bucket["count"]
        for name in coverage.FLAGS:
            if flags[name]:
                setattr(facts, name, getattr(facts, name) + bucket["count"])
    for bucket in buckets["fresh"]:
        if _split(bucket["val"]) in cells:
            cells[_split(bucket["val"])].fresh = bucket["count"]
    for bucket in buckets["updated"]:
        if _split(bucket["val"]) in cells:
            cells[_split(bucket["val"])].updated = _iso(bucket.get("updated"))
    return cells


def _private_cells(user: model.User | None, type_ids: list[str],
                   organization_id: str | None) -> dict[tuple[str, str], int]:
    """Private datasets the caller may see, counted per cell (never scored)."""
    if user is None:
        return {}
    fq = _base_fq(type_ids, organization_id) + ["+capacity:private"]
    if not authz.is_sysadmin(user.name):
        labels = get_permission_labels().get_user_dataset_labels(user)
        fq.append("+permission_labels:" + _quoted(labels))
    return {_split(b["val"]): b["count"] for b in _facets(fq, {"cells": _terms("ac_cell")})["cells"]}


def gather(user_name: str | None, organization_id: str | None = None,
           type_ids: list[str] | None = None) -> coverage.Inputs:
    """The facts of the matrix as ``user_name`` (None: anonymous) may see them."""
    types = type_summaries(type_ids)
    ids = [t["id"] for t in types]
    return coverage.Inputs(
        organizations=store.active_organizations(organization_id),
        types=types,
        public=_public_cells(ids, organization_id),
        private=_private_cells(store.user(user_name), ids, organization_id),
        declarations=store.declarations(organization_id),
        requests=store.request_counts(organization_id),
    )


def record_snapshot() -> dict[str, Any]:
    """Record the coverage as the public sees it now; return the national summary and when it was taken."""
    matrix = coverage.build_matrix(gather(None))
    taken = store.add_snapshot(coverage.snapshot_rows(matrix))
    return {"taken": taken.isoformat(), **matrix["summary"]}

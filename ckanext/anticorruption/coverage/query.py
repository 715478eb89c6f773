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

__all__ = ["gather", "gather_public", "index_version", "private_cells", "record_snapshot", "type_summaries"]

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


def _facets(fq: list[str], facets: dict[str, Any]) -> dict[str, Any]:
    """Run flat JSON facets over the documents matching ``fq``; return each one's result
    (a terms facet's ``buckets``, a query facet's own dict).

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
    return {name: (found.get(name) or {}).get("buckets", []) if facet.get("type") == "terms" else found.get(name) or {}
            for name, facet in facets.items()}


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


def _public_cells(type_ids: list[str],
                  organization_id: str | None) -> tuple[dict[tuple[str, str], coverage.CellFacts], str | None]:
    """Counts per cell from three flat facets (flag combinations, fresh datasets, last update),
    and when the first of the fresh datasets becomes outdated (None: none is fresh)."""
    buckets = _facets(_base_fq(type_ids, organization_id) + ["+capacity:public"], {
        "flags": _terms("ac_cell_flags"),
        "fresh": _terms("ac_cell", domain={"filter": "ac_fresh_until_date:[NOW TO *]"}),
        "updated": _terms("ac_cell", facet={"updated": "max(ac_updated_date)"}),
        "outdated": {"type": "query", "q": "ac_fresh_until_date:[NOW TO *]",
                     "facet": {"first": "min(ac_fresh_until_date)"}},
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
    return cells, _iso(buckets["outdated"].get("first"))


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
    inputs = gather_public(organization_id, type_ids)
    inputs.private = private_cells(user_name, organization_id, type_ids)
    return inputs


def gather_public(organization_id: str | None = None, type_ids: list[str] | None = None) -> coverage.Inputs:
    """The facts of the matrix as everyone sees them (no private dataset)."""
    types = type_summaries(type_ids)
    public, changes_at = _public_cells([t["id"] for t in types], organization_id)
    return coverage.Inputs(
        organizations=store.active_organizations(organization_id),
        types=types,
        public=public,
        changes_at=changes_at,
        declarations=store.declarations(organization_id),
        requests=store.request_counts(organization_id),
    )


def private_cells(user_name: str | None, organization_id: str | None = None,
                  type_ids: list[str] | None = None) -> dict[tuple[str, str], int]:
    """The private datasets ``user_name`` may see, counted per cell (empty for the anonymous caller)."""
    return _private_cells(store.user(user_name), [t["id"] for t in type_summaries(type_ids)], organization_id)


def index_version() -> str:
    """The version of the search index as searches see it: it changes with every commit
    (any dataset indexed, reindexed or removed, whoever did it)."""
    try:
        text = make_connection()._send_request("get", "admin/luke?show=index&numTerms=0&wt=json")
    except pysolr.SolrError as e:
        raise SearchError(f"Solr returned an error: {str(e)[:300]}") from e
    return str(json.loads(text)["index"]["version"])


def record_snapshot() -> dict[str, Any]:
    """Record the coverage as the public sees it now; return the national summary and when it was taken."""
    matrix = coverage.build_matrix(gather(None))
    taken = store.add_snapshot(coverage.snapshot_rows(matrix))
    return {"taken": taken.isoformat(), **matrix["summary"]}

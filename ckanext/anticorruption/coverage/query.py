"""Gather the coverage facts for a caller with a fixed number of queries.

Whatever the number of agencies: one Solr query with flat JSON facets over
per-cell terms indexed with each dataset (``ac_cell``, ``ac_cell_flags``)
for the public datasets (what everyone sees and what is scored), one for the
private datasets the caller may see (shown, never counted), and one database
query each for the organizations, the declarations and the requests.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import pysolr
from sqlalchemy import func

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels
from ckan.lib.search.common import SearchError, make_connection

from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.model import CoverageDeclaration, CoverageRequest

__all__ = ["gather", "organization_or_404", "type_summaries"]

_TRUE = "true"


def type_summaries(type_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The Guide's types (or some of them), in the Guide's order, for the matrix's columns."""
    voc = dataset_types.vocabularies()
    return [
        {"id": t.id, "title": dict(t.title), "category": t.category,
         "category_title": dict(voc.categories[t.category].title), "guide_order": t.guide_order}
        for t in dataset_types.dataset_types().values() if not type_ids or t.id in type_ids
    ]


def organization_or_404(id_or_name: str) -> model.Group:
    """The active organization with this id or name; ObjectNotFound otherwise."""
    # A NUL character names nothing, and PostgreSQL would refuse it in the query.
    group = model.Group.get(id_or_name) if id_or_name and "\x00" not in id_or_name else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found: {id}").format(id=id_or_name.replace("\x00", "")))
    return group


def _organizations(organization_id: str | None) -> list[dict[str, Any]]:
    query = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
    )
    if organization_id:
        query = query.filter(model.Group.id == organization_id)
    return [{"id": i, "name": n, "title": t or n} for i, n, t in query.order_by(model.Group.title, model.Group.name)]


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


def _declarations(organization_id: str | None) -> dict[tuple[str, str], coverage.Declaration]:
    query = model.Session.query(CoverageDeclaration)
    if organization_id:
        query = query.filter(CoverageDeclaration.organization_id == organization_id)
    return {
        (d.organization_id, d.type_id): coverage.Declaration(
            status=d.status, reason=d.reason, period=d.period or "", by_portal=d.by_portal,
            created=d.created.isoformat() if d.created else "",
        )
        for d in query
    }


def _requests(organization_id: str | None) -> dict[tuple[str, str], int]:
    query = model.Session.query(
        CoverageRequest.organization_id, CoverageRequest.type_id, func.count(CoverageRequest.id),
    ).group_by(CoverageRequest.organization_id, CoverageRequest.type_id)
    if organization_id:
        query = query.filter(CoverageRequest.organization_id == organization_id)
    return {(org, typ): n for org, typ, n in query}


def gather(user_name: str | None, organization_id: str | None = None,
           type_ids: list[str] | None = None) -> coverage.Inputs:
    """The facts of the matrix as ``user_name`` (None: anonymous) may see them."""
    types = type_summaries(type_ids)
    ids = [t["id"] for t in types]
    user = model.User.get(user_name) if user_name else None
    return coverage.Inputs(
        organizations=_organizations(organization_id),
        types=types,
        public=_public_cells(ids, organization_id),
        private=_private_cells(user, ids, organization_id),
        declarations=_declarations(organization_id),
        requests=_requests(organization_id),
    )

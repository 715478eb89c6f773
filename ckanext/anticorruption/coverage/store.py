"""The coverage tables (``model.py``) and the small queries that read and write them.

Every database statement of the coverage capability is here: the actions,
the auth functions, the query and the daily snapshot call these functions
and never the session themselves.
"""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import func, text

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption.coverage import scoring
from ckanext.anticorruption.model import (
    CoverageDeclaration, CoverageRequest, CoverageSnapshot, PrivacyState, Validation,
)
from ckanext.anticorruption.privacy.guard import HIDDEN_STATES

__all__ = [
    "active_organizations", "add_request", "add_snapshot", "dataset_files", "declarations", "declare", "forget_organization_records",
    "group_id_of", "has_asked", "has_demo_snapshots", "history", "organization_or_404", "portal_declared",
    "public_stamp", "request_counts", "requests_of", "snapshot_taken_since", "user", "withdraw_declaration",
]


def organization_or_404(id_or_name: str) -> model.Group:
    """The active organization with this id or name; ObjectNotFound otherwise."""
    # A NUL character names nothing, and PostgreSQL would refuse it in the query.
    group = model.Group.get(id_or_name) if id_or_name and "\x00" not in id_or_name else None
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ObjectNotFound(tk._("Organization not found: {id}").format(id=id_or_name.replace("\x00", "")))
    return group


def group_id_of(id_or_name: str) -> str | None:
    """The id of the group with this id or name, whatever its state (a purge follows a delete)."""
    group = model.Group.get(id_or_name)
    return group.id if group is not None else None


def user(name: str | None) -> model.User | None:
    """The user with this name or id; None for the anonymous caller or an unknown name."""
    return model.User.get(name) if name else None


def active_organizations(organization_id: str | None = None) -> list[dict[str, Any]]:
    """The active organizations (or one of them) by title: the matrix's rows."""
    query = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
    )
    if organization_id:
        query = query.filter(model.Group.id == organization_id)
    return [{"id": i, "name": n, "title": t or n} for i, n, t in query.order_by(model.Group.title, model.Group.name)]


# What the matrix reads from the database, summed up in one short text: the organizations (names,
# titles, states), every declaration, and the requests (only added, or deleted with their organization);
# and the national snapshots, the history shown next to the matrix.
_STAMP = text("""
    SELECT
      (SELECT md5(coalesce(string_agg(id || ':' || name || ':' || coalesce(title, '') || ':' || state, '|'
                                      ORDER BY id), ''))
         FROM "group" WHERE is_organization),
      (SELECT md5(coalesce(string_agg(organization_id || ':' || type_id || ':' || status || ':' || reason || ':'
                                      || period || ':' || by_portal || ':' || coalesce(created::text, ''), '|'
                                      ORDER BY organization_id, type_id), ''))
         FROM anticorruption_coverage_declaration),
      (SELECT count(*) || ':' || coalesce(max(id), 0) FROM anticorruption_coverage_request),
      (SELECT count(*) || ':' || coalesce(max(taken)::text, '') FROM anticorruption_coverage_snapshot
        WHERE organization_id IS NULL)
""")


def public_stamp() -> str:
    """A short text that changes whenever the organizations, the declarations, the requests or the
    national history change."""
    return ":".join(str(part) for part in model.Session.execute(_STAMP).one())


def dataset_files(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The files the public sees of each dataset, in the dataset's order, and their latest runs.

    By dataset id: ``resources`` (id, name, url, format, last_modified,
    created) and ``runs`` (by resource id: state, problem, problem_params,
    error_count). Files the privacy guard holds back are left out, as the
    search index leaves them out of the coverage facts. Three queries, whatever the number of datasets.
    """
    found: dict[str, dict[str, Any]] = {pid: {"resources": [], "runs": {}} for pid in package_ids}
    if not package_ids:
        return found
    hidden = {rid for (rid,) in model.Session.query(PrivacyState.resource_id).filter(
        PrivacyState.package_id.in_(package_ids), PrivacyState.state.in_(HIDDEN_STATES))}
    resources = model.Session.query(model.Resource).filter(
        model.Resource.package_id.in_(package_ids), model.Resource.state == "active",
    ).order_by(model.Resource.package_id, model.Resource.position)
    for resource in resources:
        if resource.id in hidden:
            continue
        found[resource.package_id]["resources"].append({
            "id": resource.id, "name": resource.name or "", "url": resource.url or "", "format": resource.format or "",
            "last_modified": resource.last_modified, "created": resource.created,
        })
    runs = model.Session.query(Validation).filter(Validation.package_id.in_(package_ids))
    for run in runs:
        if run.package_id in found and run.resource_id not in hidden:
            found[run.package_id]["runs"][run.resource_id] = {
                "state": run.state, "problem": run.problem, "problem_params": dict(run.problem_params or {}),
                "error_count": run.error_count,
            }
    return found


def declarations(organization_id: str | None = None) -> dict[tuple[str, str], scoring.Declaration]:
    """The declarations of every organization (or one) by (organization id, type id)."""
    query = model.Session.query(CoverageDeclaration)
    if organization_id:
        query = query.filter(CoverageDeclaration.organization_id == organization_id)
    return {
        (d.organization_id, d.type_id): scoring.Declaration(
            status=d.status, reason=d.reason, period=d.period or "", by_portal=d.by_portal,
            created=d.created.isoformat() if d.created else "",
        )
        for d in query
    }


def portal_declared(organization_id: str, type_id: str) -> bool:
    """Whether the portal (a sysadmin) made the declaration of this cell."""
    row = model.Session.get(CoverageDeclaration, (organization_id, type_id))
    return row is not None and row.by_portal


def declare(organization_id: str, type_id: str, *, status: str, reason: str, period: str, by_portal: bool,
            user_id: str) -> CoverageDeclaration:
    """Save the declaration of a cell, replacing the one it had."""
    row = model.Session.get(CoverageDeclaration, (organization_id, type_id))
    if row is None:
        row = CoverageDeclaration(organization_id=organization_id, type_id=type_id)
        model.Session.add(row)
    row.status, row.reason, row.period = status, reason, period
    row.by_portal = by_portal
    row.user_id = user_id
    row.created = datetime.datetime.utcnow()
    model.Session.commit()
    return row


def withdraw_declaration(organization_id: str, type_id: str) -> bool:
    """Delete the declaration of a cell; False if it had none."""
    row = model.Session.get(CoverageDeclaration, (organization_id, type_id))
    if row is None:
        return False
    model.Session.delete(row)
    model.Session.commit()
    return True


def request_counts(organization_id: str | None = None) -> dict[tuple[str, str], int]:
    """How many users asked for each cell, by (organization id, type id)."""
    query = model.Session.query(
        CoverageRequest.organization_id, CoverageRequest.type_id, func.count(CoverageRequest.id),
    ).group_by(CoverageRequest.organization_id, CoverageRequest.type_id)
    if organization_id:
        query = query.filter(CoverageRequest.organization_id == organization_id)
    return {(org, typ): n for org, typ, n in query}


def has_asked(user_id: str, organization_id: str, type_id: str) -> bool:
    return model.Session.query(CoverageRequest).filter_by(
        user_id=user_id, organization_id=organization_id, type_id=type_id,
    ).first() is not None


def add_request(user_id: str, organization_id: str, type_id: str) -> int:
    """Record that a user asked for a cell; return how many users have asked for it."""
    cell = {"organization_id": organization_id, "type_id": type_id}
    model.Session.add(CoverageRequest(user_id=user_id, **cell))
    model.Session.commit()
    return model.Session.query(CoverageRequest).filter_by(**cell).count()


def requests_of(organization_id: str) -> list[dict[str, Any]]:
    """The requests for an organization's datasets, latest first, with who asked."""
    rows = model.Session.query(CoverageRequest, model.User).join(
        model.User, model.User.id == CoverageRequest.user_id,
    ).filter(CoverageRequest.organization_id == organization_id).order_by(CoverageRequest.created.desc())
    return [{"type": r.type_id, "user": u.name, "user_display_name": u.display_name,
             "created": r.created.isoformat()} for r, u in rows]


def add_snapshot(rows: list[dict[str, Any]], *, taken: datetime.datetime | None = None,
                 demo: bool = False) -> datetime.datetime:
    """Record a snapshot (``scoring.snapshot_rows``) taken now (or at ``taken``: the demo's back-dated
    history, marked ``demo``); return when."""
    taken = taken or datetime.datetime.utcnow()
    for row in rows:
        model.Session.add(CoverageSnapshot(taken=taken, demo=demo, **row))
    model.Session.commit()
    return taken


def has_demo_snapshots() -> bool:
    """Whether the demo's back-dated history was recorded."""
    return model.Session.query(CoverageSnapshot.id).filter(CoverageSnapshot.demo.is_(True)).first() is not None


def snapshot_taken_since(moment: datetime.datetime) -> bool:
    """Whether a snapshot (not the demo's) was taken at or after ``moment``."""
    return model.Session.query(CoverageSnapshot.id).filter(
        CoverageSnapshot.taken >= moment, CoverageSnapshot.demo.is_(False)).first() is not None


def history(organization_id: str | None, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` latest snapshots of an organization (None: the nation), oldest first."""
    query = model.Session.query(CoverageSnapshot).filter(
        CoverageSnapshot.organization_id == organization_id if organization_id
        else CoverageSnapshot.organization_id.is_(None),
    ).order_by(CoverageSnapshot.taken.desc()).limit(limit)
    return [{"taken": s.taken.isoformat(), "score": s.score, "expected": s.expected,
             "published": s.published, "valid_and_fresh": s.valid_and_fresh, "demo": s.demo}
            for s in reversed(query.all())]


def forget_organization_records(organization_id: str) -> None:
    """Delete an organization's coverage declarations, requests and history (it was purged)."""
    for table in (CoverageDeclaration, CoverageRequest, CoverageSnapshot):
        model.Session.query(table).filter(table.organization_id == organization_id).delete(synchronize_session=False)
    model.Session.commit()

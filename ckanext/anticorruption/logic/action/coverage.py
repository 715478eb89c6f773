"""Actions of the coverage page: the matrix, declarations, requests, snapshots and history."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption import hooks
from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.coverage import query as coverage_query
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.logic import schema
from ckanext.anticorruption.model import CoverageDeclaration, CoverageRequest, CoverageSnapshot

__all__ = [
    "anticorruption_coverage",
    "anticorruption_coverage_declaration_delete",
    "anticorruption_coverage_declare",
    "anticorruption_coverage_history",
    "anticorruption_coverage_request_create",
    "anticorruption_coverage_request_list",
    "anticorruption_coverage_snapshot",
    # CKAN's own action, wrapped: an organization's coverage records go with it.
    "organization_purge",
]


def _check_type(type_id: str) -> None:
    if dataset_types.dataset_type(type_id) is None:
        raise tk.ValidationError({"type": [tk._("Unknown dataset type: {id}").format(id=type_id)]})


@tk.side_effect_free
@validate(schema.coverage_schema)
def anticorruption_coverage(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Which of the Guide's datasets each organization has published, how fresh and how valid.

    Only public datasets are counted and scored. Private datasets that the
    caller may see are reported per cell as ``private`` (a count), never
    counted as published.

    :param organization: an organization id or name (optional: all)
    :param type: a dataset type id, or a list of them (optional: all 30)
    :returns: ``summary`` (national totals), ``categories`` and ``types``
        (the columns), and ``rows``: one per organization with its ``score``
        and its ``cells`` by type id (``state``, ``count``, ``score``,
        ``criteria``, ``updated``, ``declaration``, ``requests``, ``private``)
    """
    tk.check_access("anticorruption_coverage", context, data_dict)
    organization_id = coverage_query.organization_or_404(data_dict["organization"]).id if data_dict.get("organization") else None
    type_ids = data_dict.get("type") or None
    for type_id in type_ids or []:
        _check_type(type_id)
    inputs = coverage_query.gather(context.get("user") or None, organization_id, type_ids)
    return coverage.build_matrix(inputs)


@validate(schema.coverage_declare_schema)
def anticorruption_coverage_declare(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Declare a type not applicable to an organization, or with nothing to report for a period.

    The reason is shown publicly. Such cells are not counted as gaps.

    :param organization: organization id or name
    :param type: dataset type id
    :param status: ``not_applicable`` or ``nothing_to_report``
    :param reason: why (required, shown publicly)
    :param period: the period with nothing to report, e.g. ``2026`` (optional)
    :param by_portal: true when a sysadmin decides which types apply to the
        organization (sysadmins only; the organization cannot remove it)
    """
    tk.check_access("anticorruption_coverage_declare", context, data_dict)
    group = coverage_query.organization_or_404(data_dict["organization"])
    _check_type(data_dict["type"])
    row = model.Session.get(CoverageDeclaration, (group.id, data_dict["type"]))
    user = model.User.get(context.get("user") or "")
    if row is None:
        row = CoverageDeclaration(organization_id=group.id, type_id=data_dict["type"])
        model.Session.add(row)
    row.status, row.reason, row.period = data_dict["status"], data_dict["reason"], data_dict.get("period") or ""
    row.by_portal = bool(data_dict.get("by_portal"))
    row.user_id = user.id if user else ""
    row.created = datetime.datetime.utcnow()
    model.Session.commit()
    return {"organization": group.name, "type": row.type_id, "status": row.status, "reason": row.reason,
            "period": row.period, "by_portal": row.by_portal}


@validate(schema.coverage_cell_schema)
def anticorruption_coverage_declaration_delete(context: Context, data_dict: DataDict) -> None:
    """Withdraw a declaration, so the cell counts as a gap again if nothing is published.

    :param organization: organization id or name
    :param type: dataset type id
    """
    tk.check_access("anticorruption_coverage_declaration_delete", context, data_dict)
    group = coverage_query.organization_or_404(data_dict["organization"])
    row = model.Session.get(CoverageDeclaration, (group.id, data_dict["type"]))
    if row is None:
        raise tk.ObjectNotFound(tk._("There is no declaration for this dataset type"))
    model.Session.delete(row)
    model.Session.commit()


@validate(schema.coverage_cell_schema)
def anticorruption_coverage_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask an organization to publish a dataset type it has not published (once per user and cell).

    :param organization: organization id or name
    :param type: dataset type id
    :returns: ``requests``: how many users have asked for this cell
    """
    tk.check_access("anticorruption_coverage_request_create", context, data_dict)
    group = coverage_query.organization_or_404(data_dict["organization"])
    _check_type(data_dict["type"])
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Sign in to ask for a dataset"))
    matrix = coverage.build_matrix(coverage_query.gather(None, group.id, [data_dict["type"]]))
    if matrix["rows"][0]["cells"][data_dict["type"]]["state"] != "missing":
        raise tk.ValidationError({"type": [tk._("Only missing datasets can be asked for")]})
    cell = {"organization_id": group.id, "type_id": data_dict["type"]}
    if model.Session.query(CoverageRequest).filter_by(user_id=user.id, **cell).first() is not None:
        raise tk.ValidationError({"type": [tk._("You have already asked for this dataset")]})
    model.Session.add(CoverageRequest(user_id=user.id, **cell))
    model.Session.commit()
    return {"organization": group.name, "type": data_dict["type"],
            "requests": model.Session.query(CoverageRequest).filter_by(**cell).count()}


@validate(schema.coverage_organization_schema)
def anticorruption_coverage_request_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The requests for an organization's missing datasets (its editors and sysadmins only).

    :param organization: organization id or name
    """
    tk.check_access("anticorruption_coverage_request_list", context, data_dict)
    group = coverage_query.organization_or_404(data_dict["organization"])
    rows = model.Session.query(CoverageRequest, model.User).join(
        model.User, model.User.id == CoverageRequest.user_id,
    ).filter(CoverageRequest.organization_id == group.id).order_by(CoverageRequest.created.desc())
    return [{"type": r.type_id, "user": u.name, "user_display_name": u.display_name,
             "created": r.created.isoformat()} for r, u in rows]


@validate(schema.no_input_schema)
def anticorruption_coverage_snapshot(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record the coverage as the public sees it now, for the history charts (sysadmins).

    :returns: the national summary that was recorded
    """
    tk.check_access("anticorruption_coverage_snapshot", context, data_dict)
    matrix = coverage.build_matrix(coverage_query.gather(None))
    taken = datetime.datetime.utcnow()
    for row in coverage.snapshot_rows(matrix):
        model.Session.add(CoverageSnapshot(taken=taken, **row))
    model.Session.commit()
    return {"taken": taken.isoformat(), **matrix["summary"]}


@tk.side_effect_free
@validate(schema.coverage_history_schema)
def anticorruption_coverage_history(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Coverage over time, from the snapshots: national, or of one organization.

    :param organization: organization id or name (optional: national)
    :param limit: how many of the latest snapshots (default 365)
    """
    tk.check_access("anticorruption_coverage_history", context, data_dict)
    organization_id = coverage_query.organization_or_404(data_dict["organization"]).id if data_dict.get("organization") else None
    query = model.Session.query(CoverageSnapshot).filter(
        CoverageSnapshot.organization_id == organization_id if organization_id
        else CoverageSnapshot.organization_id.is_(None),
    ).order_by(CoverageSnapshot.taken.desc()).limit(data_dict.get("limit") or 365)
    return [{"taken": s.taken.isoformat(), "score": s.score, "expected": s.expected,
             "published": s.published, "valid_and_fresh": s.valid_and_fresh} for s in reversed(query.all())]


@tk.chained_action
def organization_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_purge``, then the organization's coverage records go."""
    organization = model.Group.get(data_dict.get("id") or "")
    result = up_func(context, data_dict)
    if organization is not None:
        hooks.organization_purged(organization.id)
    return result

"""Actions of the coverage page: the matrix, an agency's tab, declarations, requests, snapshots and history.

They check access, then call the coverage package: ``query`` (the facts,
from Solr and the database), ``store`` (the coverage tables) and
``scoring`` (the states and scores).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption import hooks
from ckanext.anticorruption.coverage import cache as coverage_cache
from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.coverage import query as coverage_query
from ckanext.anticorruption.coverage import store
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.logic import schema

__all__ = [
    "anticorruption_coverage",
    "anticorruption_coverage_declaration_delete",
    "anticorruption_coverage_declare",
    "anticorruption_coverage_history",
    "anticorruption_coverage_organization_show",
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
    organization_id = store.organization_or_404(data_dict["organization"]).id if data_dict.get("organization") else None
    type_ids = data_dict.get("type") or None
    for type_id in type_ids or []:
        _check_type(type_id)
    if organization_id is None and type_ids is None:
        # The whole matrix, the home and coverage pages' and the export's: computed once per change.
        return coverage_cache.national_matrix(context.get("user") or None)
    inputs = coverage_query.gather(context.get("user") or None, organization_id, type_ids)
    return coverage.build_matrix(inputs)


@tk.side_effect_free
@validate(schema.coverage_organization_show_schema)
def anticorruption_coverage_organization_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An organization's coverage as its Coverage tab shows it to the caller.

    :param organization: organization id or name
    :param history_limit: how many of the latest snapshots in ``history`` (default 365)
    :returns: ``organization`` (as ``organization_show`` gives it, without
        its datasets); ``coverage`` (as ``anticorruption_coverage`` gives it
        for this organization); ``datasets``: the organization's datasets
        that the caller may see, by type id (private ones too, with their
        ``capacity``), each with ``decided_by``: the file that decides
        whether it is valid (its newest), with its ``verdict`` (see
        ``coverage.scoring.decision``) and its latest run's ``state``,
        ``problem``, ``problem_params`` and ``error_count``, or None for a
        dataset without files; ``history`` (as ``anticorruption_coverage_history``);
        ``may_declare``: whether the caller may declare its types not
        applicable or with nothing to report; ``may_decide_for_portal``:
        whether the caller may make or withdraw the portal's declarations;
        ``requests`` (as ``anticorruption_coverage_request_list``, empty for
        whoever may not read them)
    """
    tk.check_access("anticorruption_coverage_organization_show", context, data_dict)
    organization = tk.get_action("organization_show")(
        _as_caller(context), {"id": data_dict["organization"], "include_datasets": False})
    group = store.organization_or_404(organization["id"])
    of_organization = {"organization": group.id}
    may_read_requests = _may(context, "anticorruption_coverage_request_list", of_organization)
    return {
        "organization": organization,
        "coverage": coverage.build_matrix(coverage_query.gather(context.get("user") or None, group.id)),
        "datasets": _datasets_by_type(context, group.id),
        "history": store.history(group.id, data_dict.get("history_limit") or 365),
        "may_declare": _may(context, "anticorruption_coverage_declare", of_organization),
        "may_decide_for_portal": _may(context, "anticorruption_coverage_declare",
                                      {**of_organization, "by_portal": True}),
        "requests": store.requests_of(group.id) if may_read_requests else [],
    }


def _as_caller(context: Context) -> Context:
    """A context of its own for an action called on the caller's behalf."""
    return {"user": context.get("user") or "", "ignore_auth": bool(context.get("ignore_auth"))}


def _may(context: Context, action: str, data_dict: DataDict) -> bool:
    try:
        tk.check_access(action, _as_caller(context), data_dict)
    except tk.NotAuthorized:
        return False
    return True


def _datasets_by_type(context: Context, organization_id: str) -> dict[str, list[dict[str, Any]]]:
    """The organization's typed datasets the caller may see (private ones marked by CKAN), latest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    search = tk.get_action("package_search")
    start = 0
    while True:
        page = search(_as_caller(context), {
            "fq": f'+owner_org:"{organization_id}"', "include_private": True, "rows": 1000, "start": start,
            "sort": "metadata_modified desc",
            "fl": "id,name,title,dataset_type,capacity,metadata_modified,vocab_validation_state,ac_updated_date",
        })
        for dataset in page["results"]:
            found.setdefault(dataset.get("dataset_type") or "", []).append(dataset)
        start += 1000
        if start >= page["count"]:
            break
    listed = [dataset for datasets in found.values() for dataset in datasets]
    files = store.dataset_files([dataset["id"] for dataset in listed])
    for dataset in listed:
        dataset["decided_by"] = _decided_by(files[dataset["id"]])
    return found


def _decided_by(files: dict[str, Any]) -> dict[str, Any] | None:
    """The file that decides a dataset's cell, by the rule the search index applies (scoring.decision)."""
    runs = files["runs"]
    decided = coverage.decision(files["resources"], {rid: run["state"] for rid, run in runs.items()})
    resource = decided["resource"]
    if resource is None:
        return None
    stamp = resource.get("last_modified") or resource.get("created")
    run = runs.get(resource["id"]) or {}
    return {
        "id": resource["id"], "name": resource["name"] or resource["url"], "format": resource["format"],
        "updated": stamp.isoformat() if stamp else None, "verdict": decided["verdict"],
        "state": run.get("state"), "problem": run.get("problem"), "problem_params": run.get("problem_params") or {},
        "error_count": run.get("error_count") or 0,
    }


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
    group = store.organization_or_404(data_dict["organization"])
    _check_type(data_dict["type"])
    user = store.user(context.get("user"))
    row = store.declare(group.id, data_dict["type"], status=data_dict["status"], reason=data_dict["reason"],
                        period=data_dict.get("period") or "", by_portal=bool(data_dict.get("by_portal")),
                        user_id=user.id if user else "")
    return {"organization": group.name, "type": row.type_id, "status": row.status, "reason": row.reason,
            "period": row.period, "by_portal": row.by_portal}


@validate(schema.coverage_cell_schema)
def anticorruption_coverage_declaration_delete(context: Context, data_dict: DataDict) -> None:
    """Withdraw a declaration, so the cell counts as a gap again if nothing is published.

    :param organization: organization id or name
    :param type: dataset type id
    """
    tk.check_access("anticorruption_coverage_declaration_delete", context, data_dict)
    group = store.organization_or_404(data_dict["organization"])
    if not store.withdraw_declaration(group.id, data_dict["type"]):
        raise tk.ObjectNotFound(tk._("There is no declaration for this dataset type"))


@validate(schema.coverage_cell_schema)
def anticorruption_coverage_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask an organization to publish a dataset type it has not published (once per user and cell).

    :param organization: organization id or name
    :param type: dataset type id
    :returns: ``requests``: how many users have asked for this cell
    """
    tk.check_access("anticorruption_coverage_request_create", context, data_dict)
    group = store.organization_or_404(data_dict["organization"])
    type_id = data_dict["type"]
    _check_type(type_id)
    user = store.user(context.get("user"))
    if user is None:
        raise tk.NotAuthorized(tk._("Sign in to ask for a dataset"))
    matrix = coverage.build_matrix(coverage_query.gather(None, group.id, [type_id]))
    if matrix["rows"][0]["cells"][type_id]["state"] != "missing":
        raise tk.ValidationError({"type": [tk._("Only missing datasets can be asked for")]})
    if store.has_asked(user.id, group.id, type_id):
        raise tk.ValidationError({"type": [tk._("You have already asked for this dataset")]})
    return {"organization": group.name, "type": type_id, "requests": store.add_request(user.id, group.id, type_id)}


@validate(schema.coverage_organization_schema)
def anticorruption_coverage_request_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The requests for an organization's missing datasets (its editors and sysadmins only).

    :param organization: organization id or name
    """
    tk.check_access("anticorruption_coverage_request_list", context, data_dict)
    return store.requests_of(store.organization_or_404(data_dict["organization"]).id)


@validate(schema.no_input_schema)
def anticorruption_coverage_snapshot(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record the coverage as the public sees it now, for the history charts (sysadmins).

    :returns: the national summary that was recorded
    """
    tk.check_access("anticorruption_coverage_snapshot", context, data_dict)
    return coverage_query.record_snapshot()


@tk.side_effect_free
@validate(schema.coverage_history_schema)
def anticorruption_coverage_history(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Coverage over time, from the snapshots: national, or of one organization.

    :param organization: organization id or name (optional: national)
    :param limit: how many of the latest snapshots (default 365)
    :returns: oldest first, each with ``taken``, ``score``, ``expected``,
        ``published``, ``valid_and_fresh`` and ``demo`` (true for the
        back-dated history written by ``ckan anticorruption demo``)
    """
    tk.check_access("anticorruption_coverage_history", context, data_dict)
    organization_id = store.organization_or_404(data_dict["organization"]).id if data_dict.get("organization") else None
    return store.history(organization_id, data_dict.get("limit") or 365)


@tk.chained_action
def organization_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_purge``, then the organization's coverage records go."""
    organization_id = store.group_id_of(data_dict.get("id") or "")
    result = up_func(context, data_dict)
    if organization_id is not None:
        hooks.organization_purged(organization_id)
    return result

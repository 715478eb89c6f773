"""Actions of the validation of files: run one, show the latest; and CKAN's own save
and purge actions, wrapped, since every way a file appears, changes or disappears goes through them."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption import hooks, reindex
from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.datastore import load as datastore_load
from ckanext.anticorruption.logic import schema
from ckanext.anticorruption.model import Validation, error_log_of, resource_url, validation_of
from ckanext.anticorruption.privacy import guard as privacy_guard
from ckanext.anticorruption.privacy import scan as privacy
from ckanext.anticorruption.uploads import run as jobs
from ckanext.anticorruption.validation import reports

__all__ = [
    "anticorruption_validation_errors_show",
    "anticorruption_validation_run",
    "anticorruption_validation_show",
    # CKAN's own actions, wrapped: every way a file appears, changes or disappears.
    "package_create",
    "package_update",
    "dataset_purge",
]


def _resource_and_package(context: Context, resource_id: str) -> tuple[dict, dict]:
    resource = tk.get_action("resource_show")(
        {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)},
        {"id": resource_id},
    )
    package = tk.get_action("package_show")(
        {"user": context.get("user"), "ignore_auth": True}, {"id": resource["package_id"]}
    )
    return resource, package


@validate(schema.validation_run_schema)
def anticorruption_validation_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Validate a resource against its Table Schema.

    Small uploads are checked before this returns; larger files and links are
    queued for ``ckan jobs worker``. A check in the request that passes its
    time or memory budget (``sync_max_seconds``, ``sync_max_memory_mb``)
    stops and is queued too. A run supersedes any earlier run of the
    resource that is still queued or running. The answer says where the
    check happens: ``background`` (true or false) and, when true,
    ``background_reason`` (``link``, ``size``, ``requested`` or ``budget``).

    :param id: the resource id
    :param background: force (true) or avoid (false) a background job for an
        upload (optional; default: decided by the file's size). Links are
        always checked in the background: the web process never downloads
        them, whatever this says.
    :param force: run even if the file and its schema did not change (default true)
    """
    tk.check_access("anticorruption_validation_run", context, data_dict)
    resource, package = _resource_and_package(context, data_dict["id"])
    row, reason = jobs.start(package, resource, user=context.get("user"), force=data_dict.get("force", True),
                             background=data_dict.get("background"))
    return {**_validation_dict(row), "background": reason is not None, "background_reason": reason}


def _validation_dict(row: Validation, include_report: bool = False) -> dict[str, Any]:
    result = row.as_dict()
    state, problem = reports.effective_state(
        result, datetime.datetime.utcnow(),
        validation_option("stale_after"),
    )
    result["state"], result["problem"] = state, problem
    # The DataStore load that followed the run (its phase, progress, outcome), when the DataStore runs.
    result["datastore"] = datastore_load.load_of(row.resource_id) if datastore_load.enabled() else None
    if include_report:
        # Reports stored before server paths were stripped on storing still hold them.
        result["report"] = reports.without_server_paths(row.report, reports.file_name(resource_url(row.resource_id)))
    return result


@tk.side_effect_free
@validate(schema.validation_show_schema)
def anticorruption_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The latest validation of a resource: state, progress, counts and, on request, the report.

    ``datastore`` is the DataStore load that follows a run (None without the
    DataStore or before any): ``state`` (``loading``, ``indexing``,
    ``loaded``, ``not_loaded``, ``failed``), ``reason``, ``detail``,
    ``rows_loaded``, ``rows_total``, ``rows_indexed``, ``load_seconds``,
    ``index_seconds`` (``detail``, what went wrong, only for the dataset's editors).

    :param id: the resource id
    :param include_report: include the Frictionless report (default false)
    """
    tk.check_access("anticorruption_validation_show", context, data_dict)
    row = validation_of(data_dict["id"])
    if row is None:
        raise tk.ObjectNotFound(tk._("This file has not been validated"))
    result = _validation_dict(row, include_report=data_dict.get("include_report", False))
    masked = _masked_for(context, row)
    if result.get("report") and masked:
        result["report"] = privacy.mask_report(result["report"])
    if result.get("datastore") and masked:
        # What went wrong in a failed load names the DataStore's server: for the agency's editors only.
        result["datastore"]["detail"] = None
    return result


def _masked_for(context: Context, row: Validation) -> bool:
    # Cells of bad rows may hold a person's identifier: only the agency's editors see them whole.
    return not privacy_guard.may_update(context, row.package_id)


@tk.side_effect_free
@validate(schema.id_schema)
def anticorruption_validation_errors_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every error of a file's latest run, as CSV (the report keeps the first ones of each kind).

    Whoever may see the report may see its errors, masked the same way: a
    person's identifier in a bad cell is shown whole only to the editors of
    the dataset.

    :param id: the resource id
    :returns: ``filename``, ``url`` (where the CSV is downloaded),
        ``error_count``, ``masked`` (true when identifiers are masked for
        the caller) and, except through the API (the CSV can be far larger
        than an API answer should be: download it from ``url``), ``lines``:
        the CSV, a line at a time
    """
    tk.check_access("anticorruption_validation_errors_show", context, data_dict)
    row = validation_of(data_dict["id"])
    if row is None:
        raise tk.ObjectNotFound(tk._("This file has not been validated"))
    masked = _masked_for(context, row)
    result: dict[str, Any] = {
        "filename": f"errors-{row.resource_id}.csv",
        "url": tk.url_for("anticorruption.validation_errors_csv", resource_id=row.resource_id, _external=True),
        "error_count": row.error_count,
        "masked": masked,
    }
    if not context.get("api_version"):
        content = error_log_of(row.resource_id)
        report = None if content else _validation_dict(row, include_report=True).get("report")
        result["lines"] = reports.error_lines(content, report, privacy.mask_csv_lines if masked else None)
    return result


def _saved(context: Context, save: Any, data_dict: DataDict) -> Any:
    """Run CKAN's save, then check the dataset's files.

    When Solr does not answer, CKAN would roll the whole save back, and the
    publisher's upload with it: the save is kept instead, the dataset is
    indexed later by the jobs workers' sweep, and the caller gets a clear error.
    """
    try:
        result = save(context, data_dict)
    except reindex.SOLR_ERRORS as e:
        package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
        if package is None:
            raise
        model.repo.commit()
        reindex.remember(package.id, e)
        hooks.dataset_saved(context, package.id)
        raise tk.ValidationError({"search": [tk._(
            "The dataset was saved, but the search service did not answer, so it is not in search results yet. "
            "It will be added by itself as soon as the search service is back."
        )]}) from None
    package_id = result["id"] if isinstance(result, dict) else result
    hooks.dataset_saved(context, package_id)
    return result


@tk.chained_action
def package_create(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_create``, then the new dataset's files are checked."""
    return _saved(context, up_func, data_dict)


@tk.chained_action
def package_update(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_update`` (which the resource actions, ``package_patch`` and
    ``package_revise`` call too), then new and changed files are checked and
    removed files forgotten."""
    return _saved(context, up_func, data_dict)


@tk.chained_action
def dataset_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``dataset_purge``, then everything the extension kept about the dataset goes."""
    package = model.Package.get(data_dict.get("id") or "")
    result = up_func(context, data_dict)
    if package is not None:
        hooks.dataset_purged(package.id)
    return result

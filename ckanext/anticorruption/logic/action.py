"""Actions of ckanext-anticorruption: the API, the views and the CLI all call these."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.anticorruption import dataset_types as types
from ckanext.anticorruption import dcat_catalog, hooks, jobs, privacy, privacy_guard, reindex, reports
from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.logic import coverage_action, linkage_action, schema
from ckanext.anticorruption.logic.coverage_action import *  # noqa: F403  (the coverage actions)
from ckanext.anticorruption.logic.linkage_action import *  # noqa: F403  (the linkage actions)
from ckanext.anticorruption.model import Validation

__all__ = [
    *coverage_action.__all__,
    *linkage_action.__all__,
    "anticorruption_dataset_type_list",
    "anticorruption_dataset_type_show",
    "anticorruption_table_schema_show",
    "anticorruption_validation_run",
    "anticorruption_validation_show",
    "anticorruption_vocabulary_show",
    "anticorruption_organization_catalog_show",
    "anticorruption_privacy_review",
    "anticorruption_privacy_show",
    # CKAN's own actions, wrapped: every way a file appears, changes or disappears.
    "package_create",
    "package_update",
    "dataset_purge",
    "organization_purge",
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
    data, errors = tk.navl_validate(data_dict, schema.dataset_type_show_schema())
    if errors:
        raise tk.ValidationError(errors)
    typ = types.dataset_type(data["id"])
    if typ is None:
        raise tk.ObjectNotFound(tk._("Unknown dataset type: {id}").format(id=data["id"]))
    return typ


@tk.side_effect_free
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
def anticorruption_table_schema_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The Frictionless Table Schema of a dataset type.

    :param id: the type's id, e.g. ``contracts_register``
    """
    tk.check_access("anticorruption_table_schema_show", context, data_dict)
    return _get_type(data_dict).table_schema


def _resource_and_package(context: Context, resource_id: str) -> tuple[dict, dict]:
    resource = tk.get_action("resource_show")(
        {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)},
        {"id": resource_id},
    )
    package = tk.get_action("package_show")(
        {"user": context.get("user"), "ignore_auth": True}, {"id": resource["package_id"]}
    )
    return resource, package


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
    data, errors = tk.navl_validate(data_dict, schema.validation_run_schema())
    if errors:
        raise tk.ValidationError(errors)
    resource, package = _resource_and_package(context, data["id"])
    row, reason = jobs.start(package, resource, user=context.get("user"), force=data.get("force", True),
                             background=data.get("background"))
    return {**_validation_dict(row), "background": reason is not None, "background_reason": reason}


def _validation_dict(row: Validation, include_report: bool = False) -> dict[str, Any]:
    result = row.as_dict()
    state, problem = reports.effective_state(
        result, datetime.datetime.utcnow(),
        validation_option("stale_after"),
    )
    result["state"], result["problem"] = state, problem
    if include_report:
        # Reports stored before server paths were stripped on storing still hold them.
        resource = model.Session.get(model.Resource, row.resource_id)
        result["report"] = reports.without_server_paths(row.report, reports.file_name(resource.url if resource else ""))
    return result


@tk.side_effect_free
def anticorruption_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The latest validation of a resource: state, progress, counts and, on request, the report.

    :param id: the resource id
    :param include_report: include the Frictionless report (default false)
    """
    tk.check_access("anticorruption_validation_show", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.validation_show_schema())
    if errors:
        raise tk.ValidationError(errors)
    row = model.Session.get(Validation, data["id"])
    if row is None:
        raise tk.ObjectNotFound(tk._("This file has not been validated"))
    result = _validation_dict(row, include_report=data.get("include_report", False))
    if result.get("report") and not privacy_guard.may_update(context, row.package_id):
        # Cells of bad rows may hold a person's identifier: only the agency's editors see them whole.
        result["report"] = privacy.mask_report(result["report"])
    return result


def _validated(data_dict: DataDict, input_schema: dict[str, Any]) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, input_schema)
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def anticorruption_vocabulary_show(context: Context, data_dict: DataDict) -> str:
    """The SKOS concept scheme of the DCAT feeds (Guide types, categories, kinds,
    standards, geographic levels, validation states), in Spanish and English.

    :param format: ``ttl`` (default), ``rdf``, ``xml``, ``jsonld`` or ``n3``
    """
    tk.check_access("anticorruption_vocabulary_show", context, data_dict)
    data = _validated(data_dict, schema.vocabulary_show_schema())
    return dcat_catalog.vocabulary_document(data["format"])


@tk.side_effect_free
def anticorruption_organization_catalog_show(context: Context, data_dict: DataDict) -> str:
    """A DCAT catalog of one organization's public datasets, with the site's
    DCAT profile, paged like ``/catalog.<format>``. Private and draft datasets
    are never in it, whoever asks.

    :param id: the organization's id or name
    :param format: ``ttl`` (default), ``rdf``, ``xml``, ``jsonld`` or ``n3``
    :param page: the page, from 1 (``ckanext.dcat.datasets_per_page`` datasets each)
    :param modified_since: only datasets modified since this ISO 8601 date (optional)
    """
    tk.check_access("anticorruption_organization_catalog_show", context, data_dict)
    data = _validated(data_dict, schema.organization_catalog_show_schema())
    organization = tk.get_action("organization_show")(
        {"user": context.get("user")}, {"id": data["id"], "include_datasets": False})
    page_url = (lambda page: tk.url_for(
        "anticorruption_dcat.organization_catalog", id=organization["name"],
        fmt=data["format"], page=page, _external=True))
    return dcat_catalog.organization_catalog(
        context, organization, data["format"], data["page"], data.get("modified_since"), page_url)


def _privacy_state_or_404(resource_id: str) -> Any:
    state = privacy_guard.state_of(resource_id)
    if state is None:
        raise tk.ObjectNotFound(tk._("This file has not been scanned for personal data"))
    return state


@tk.side_effect_free
def anticorruption_privacy_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The privacy scan of a file and its reviews, for the editors of its dataset.

    ``state`` is ``clean``, ``warned``, ``scanning``, ``quarantined``,
    ``confirmed`` or ``not_scanned``; ``findings`` lists per column the kinds
    of personal identifiers found, with counts, masked examples and the first
    rows; ``reviews`` who decided what, when and why, newest first.

    :param id: the resource id
    """
    tk.check_access("anticorruption_privacy_show", context, data_dict)
    data = _validated(data_dict, schema.privacy_show_schema())
    state = _privacy_state_or_404(data["id"])
    return {**state.as_dict(), "hidden": state.state in privacy_guard.HIDDEN_STATES,
            "reviews": privacy_guard.reviews_of(data["id"])}


def anticorruption_privacy_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An editor of the agency confirms that a file with privacy findings may be published.

    The decision, its author, the time, the justification and the findings
    reviewed are recorded. A quarantined file becomes visible again, until
    its file changes. To remove the data instead, replace the file: the new
    file is scanned again (the replacement is recorded as a review too).

    :param id: the resource id
    :param decision: ``confirm``
    :param justification: why publishing these data is lawful or why they are not personal data
    """
    tk.check_access("anticorruption_privacy_review", context, data_dict)
    data = _validated(data_dict, schema.privacy_review_schema())
    state = _privacy_state_or_404(data["id"])
    if state.state not in ("quarantined", "warned"):
        raise tk.ValidationError({"id": [tk._("This file has no privacy findings to review")]})
    review = privacy_guard.confirm(state, context.get("user"), data["justification"])
    return {**state.as_dict(), "hidden": False, "review": review.as_dict()}


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
        hooks.dataset_saved(context, _whole_package(context, package.id))
        raise tk.ValidationError({"search": [tk._(
            "The dataset was saved, but the search service did not answer, so it is not in search results yet. "
            "It will be added by itself as soon as the search service is back."
        )]}) from None
    package_id = result["id"] if isinstance(result, dict) else result
    hooks.dataset_saved(context, _whole_package(context, package_id))
    return result


def _whole_package(context: Context, package_id: str) -> dict[str, Any]:
    # Files held back by the privacy guard included, or they would look removed.
    return tk.get_action("package_show")({"ignore_auth": True, "user": context.get("user")}, {"id": package_id})


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


@tk.chained_action
def organization_purge(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_purge``, then the organization's coverage records go."""
    organization = model.Group.get(data_dict.get("id") or "")
    result = up_func(context, data_dict)
    if organization is not None:
        hooks.organization_purged(organization.id)
    return result

"""What happens when datasets and organizations are saved or purged, whichever way.

CKAN calls its resource hooks only from the resource actions, so a file
added, replaced or removed through ``package_create``, ``package_update``,
``package_patch`` or ``package_revise`` (the API, harvesters, ``ckanapi
load``) would go unchecked. Every one of those ends in ``package_create`` or
``package_update`` (the resource actions call ``package_update`` too), so the
extension wraps those two (``logic/action/validation.py``) and they call
:func:`dataset_saved` once the save is committed and the files are stored:
:func:`reconcile` then starts a run (``uploads/run.py``) for each new or
changed file and forgets the removed ones.

A save whose caller commits later (``defer_commit``) is reconciled by a
background job queued when that commit happens.

The plugin's index and show hooks are here too: what the search index and
``package_show`` hold back (files in privacy review) and add (validation
states).
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import event
from sqlalchemy.orm import Session

from ckanext.anticorruption import search
from ckanext.anticorruption.coverage.store import forget_organization_records
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.identifiers import linkage
from ckanext.anticorruption.model import forget_package_records, forget_resource_records, validation_states
from ckanext.anticorruption.national import refresh as national
from ckanext.anticorruption.privacy import guard as privacy_guard
from ckanext.anticorruption.uploads import run

__all__ = [
    "dataset_deleted", "dataset_indexed", "dataset_purged", "dataset_saved", "dataset_shown", "forget_resource",
    "national_sync_later", "organization_purged", "reconcile", "reconcile_later", "resource_table_changed",
]

log = logging.getLogger(__name__)

_DEFERRED = "anticorruption_saved_datasets"


def dataset_saved(context: dict[str, Any], package_id: str) -> None:
    """A dataset was created or updated: check its new and changed files, forget the removed ones."""
    if context.get("defer_commit"):
        model.Session().info.setdefault(_DEFERRED, {})[package_id] = context.get("user")
        return
    reconcile(_whole_package(package_id, context.get("user")), context.get("user"))


def _whole_package(package_id: str, user: str | None) -> dict[str, Any]:
    # Files held back by the privacy guard included, or they would look removed.
    return tk.get_action("package_show")({"ignore_auth": True, "user": user}, {"id": package_id})


def reconcile(package: dict[str, Any], user: str | None) -> None:
    """After any save of a dataset: forget the files that are gone, check the new and changed ones.

    Every way a resource appears, changes or disappears ends here: the
    resource actions, ``package_create``/``update``/``patch``/``revise``,
    forms, the API, harvesters, ``ckanapi load``. Only datasets of the
    Guide's types have Table Schemas; others are left alone. The resources
    are already stored: whatever happens here, they are kept.
    """
    current = {r["id"]: r for r in package.get("resources") or [] if r.get("id")}
    for resource_id in validation_states(package["id"]):
        if resource_id not in current:
            forget_resource(resource_id)
    if dataset_types.dataset_type(package.get("type")) is None:
        return
    _national_sync(package["id"])
    for resource in current.values():
        try:
            _, reason = run.start(package, resource, user=user, force=False)
            run.tell_publisher(reason)
        except Exception:
            log.exception("Could not start the validation of resource %s", resource["id"])
            model.Session.rollback()


def forget_resource(resource_id: str) -> None:
    """A resource is gone: its report, error log, privacy findings, links and DataStore table go with it."""
    from ckanext.anticorruption.datastore import load as datastore_load

    datastore_load.forget(resource_id)
    linkage.forget(resource_id)
    privacy_guard.forget_resource(resource_id)
    forget_resource_records(resource_id)
    national.forget_resource(resource_id)


def dataset_deleted(id_or_name: str) -> None:
    """``after_dataset_delete``: a deleted dataset's files leave the national files."""
    package = model.Package.get(id_or_name)
    if package is not None:
        national.forget_package(package.id)


def dataset_purged(package_id: str) -> None:
    """A dataset was purged: nothing the extension kept about it stays."""
    forget_package_records(package_id)
    national.forget_package(package_id)


def organization_purged(organization_id: str) -> None:
    """An organization was purged: its coverage declarations, requests and snapshots go, and its
    datasets (left without an agency) leave the national files."""
    forget_organization_records(organization_id)
    national.forget_organization(organization_id)


def _national_table(type_id: str) -> str:
    """A type's national table, its dataset published by the site user the first time."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("anticorruption_national_publish")(
        {"ignore_auth": True, "user": site_user}, {"id": type_id})["table"]


def resource_table_changed(resource_id: str) -> None:
    """The loader created, replaced or dropped a file's DataStore table: its rows in its type's
    national table are replaced, or leave (also when the file may not be there: private, held back,
    not valid)."""
    national.refresh_for_resource(resource_id, _national_table)


def _national_sync(package_id: str) -> None:
    try:
        national.sync_package(package_id, _national_table)
    except Exception:  # the dataset is saved whatever happens to the national files
        log.exception("Could not bring the national files up to date with dataset %s", package_id)


def national_sync_later(package_id: str) -> None:
    """Background job: a dataset's files that became eligible after a reindex enter the national
    files (queued when their type had no national dataset yet)."""
    _national_sync(package_id)


def dataset_indexed(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: files held back for a privacy review are left out of the
    index (and so of search and the DCAT catalog); the public files' validation states go in."""
    return search.index_fields(*privacy_guard.index_view(pkg_dict, validation_states(pkg_dict["id"])))


def dataset_shown(context: dict[str, Any], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_show``: held-back files only for those who may update the dataset,
    and each file's validation state."""
    shown = privacy_guard.filter_shown(context, pkg_dict, lambda: _fresh_package(context, pkg_dict["id"]))
    return run.attach_states(shown)


def _fresh_package(context: dict[str, Any], package_id: str) -> dict[str, Any]:
    # Served from the search index, whose copy lacks the held-back files: read the database.
    fresh_context: dict[str, Any] = {"ignore_auth": True, "use_cache": False, "for_view": context.get("for_view")}
    if context.get("schema"):
        fresh_context["schema"] = context["schema"]
    return tk.get_action("package_show")(fresh_context, {"id": package_id})


def reconcile_later(package_id: str, user: str | None) -> None:
    """Background job: the reconciliation of a save that was committed by its caller."""
    try:
        package = _whole_package(package_id, None)
    except tk.ObjectNotFound:
        return
    reconcile(package, user)


@event.listens_for(Session, "after_commit")
def _queue_deferred(session: Session) -> None:
    saved = session.info.pop(_DEFERRED, None)
    for package_id, user in (saved or {}).items():
        try:
            tk.enqueue_job(reconcile_later, [package_id, user], title=f"anticorruption reconcile {package_id}")
        except Exception:  # Redis down: the next save of the dataset reconciles it
            log.exception("Could not queue the reconciliation of dataset %s", package_id)

"""What happens when datasets and organizations are saved or purged, whichever way.

CKAN calls its resource hooks only from the resource actions, so a file
added, replaced or removed through ``package_create``, ``package_update``,
``package_patch`` or ``package_revise`` (the API, harvesters, ``ckanapi
load``) would go unchecked. Every one of those ends in ``package_create`` or
``package_update`` (the resource actions call ``package_update`` too), so the
extension wraps those two (``logic/action.py``) and they call
:func:`dataset_saved` once the save is committed and the files are stored.

A save whose caller commits later (``defer_commit``) is reconciled by a
background job queued when that commit happens.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import event
from sqlalchemy.orm import Session

from ckanext.anticorruption.uploads import run as jobs
from ckanext.anticorruption.coverage.store import forget_organization_records

__all__ = ["dataset_purged", "dataset_saved", "organization_purged", "reconcile_later"]

log = logging.getLogger(__name__)

_DEFERRED = "anticorruption_saved_datasets"


def dataset_saved(context: dict[str, Any], package: dict[str, Any]) -> None:
    """A dataset was created or updated: check its new and changed files, forget the removed ones."""
    if context.get("defer_commit"):
        model.Session().info.setdefault(_DEFERRED, {})[package["id"]] = context.get("user")
        return
    jobs.reconcile(package, context.get("user"))


def dataset_purged(package_id: str) -> None:
    jobs.forget_package(package_id)


def organization_purged(organization_id: str) -> None:
    forget_organization_records(organization_id)


def reconcile_later(package_id: str, user: str | None) -> None:
    """Background job: the reconciliation of a save that was committed by its caller."""
    try:
        package = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    except tk.ObjectNotFound:
        return
    jobs.reconcile(package, user)


@event.listens_for(Session, "after_commit")
def _queue_deferred(session: Session) -> None:
    saved = session.info.pop(_DEFERRED, None)
    for package_id, user in (saved or {}).items():
        try:
            tk.enqueue_job(reconcile_later, [package_id, user], title=f"anticorruption reconcile {package_id}")
        except Exception:  # Redis down: the next save of the dataset reconciles it
            log.exception("Could not queue the reconciliation of dataset %s", package_id)

"""Keeping the national tables in step with the files: one file changes, only its rows change.

Every way a file enters or leaves ends here: the loader replacing or
dropping a resource table (``refresh_for_resource``), a dataset saved,
made private or public, a file held back or released by the privacy guard
(``sync_package``), a resource, dataset or organization deleted or purged
(``forget_*``). A file is in its type's national table exactly when it is
eligible (``store.FileFacts``: public dataset of an active agency, the latest
check of the file valid, not held back) and its resource table exists.

``national_table(type_id)`` gives the name of a type's national table,
creating its dataset if needed; the caller (``hooks.py``) passes it, since
creating a dataset is an action and nothing here calls one.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.national import store
from ckanext.anticorruption.national.columns import national_columns

__all__ = [
    "NationalTable", "NoTableYet", "existing_table", "forget_organization", "forget_package", "forget_resource", "rebuild_type",
    "refresh_for_resource", "sync_package",
]

log = logging.getLogger(__name__)

NationalTable = Callable[[str], str]
# The job that publishes a type's national dataset and syncs a dataset, for callers that
# cannot call an action (``hooks.py`` defines it; named, since nothing here imports upwards).
_SYNC_LATER = "ckanext.anticorruption.hooks.national_sync_later"


class NoTableYet(Exception):
    pass


def existing_table(type_id: str) -> str:
    """The national table of a type if it exists (its dataset is published), without creating it."""
    state = store.state_of(type_id)
    if state and state["table_name"] and store.national_resource_active(state["table_name"]) \
            and store.table_exists(state["table_name"]):
        return state["table_name"]
    raise NoTableYet(type_id)


def _changed(type_ids: set[str]) -> None:
    """Rows of these types changed: have their Parquet files written again in the background."""
    from ckanext.anticorruption.national import files

    for type_id in type_ids:
        try:
            tk.enqueue_job(files.write_parquet, [type_id], title=f"anticorruption national parquet {type_id}")
        except Exception:  # Redis down: the download writes it when asked
            log.warning("Could not queue the Parquet file of %s; it is written when downloaded", type_id)


def _columns(type_id: str) -> list[dict]:
    return national_columns(dataset_types.dataset_type(type_id).table_schema)


def _copy(facts: store.FileFacts, national_table: NationalTable) -> int:
    return store.replace_file(facts, national_table(facts["type_id"]), _columns(facts["type_id"]))


def refresh_for_resource(resource_id: str, national_table: NationalTable) -> int | None:
    """A file's resource table was created, replaced or dropped: replace its rows in its type's
    national table, or take them out. Returns the rows copied (None: the file is not in)."""
    facts = store.file_facts([resource_id]).get(resource_id)
    if (facts is None or dataset_types.dataset_type(facts["type_id"]) is None or not facts.eligible
            or not store.table_exists(resource_id)):
        forget_resource(resource_id)
        return None
    copied = _copy(facts, national_table)
    _changed({facts["type_id"]})
    return copied


def sync_package(package_id: str, national_table: NationalTable = existing_table) -> None:
    """After a dataset changed (saved, made private or public, a file held back or released):
    take out the files that are no longer eligible, copy in those that became so.

    Files already in with the same dataset and agency are left as they are:
    a new version of a file changes its check first (and so leaves), then
    comes back through ``refresh_for_resource`` once loaded.
    """
    present = store.sources_of(package_id=package_id)
    resource_ids = set(store.package_resource_ids(package_id)) | set(present)
    facts = store.file_facts(sorted(resource_ids))
    changed: set[str] = set()
    leaving = [rid for rid in present if rid not in facts or not facts[rid].eligible
               or facts[rid]["type_id"] != present[rid]["type_id"]]
    for rid in leaving:
        changed.add(present[rid]["type_id"])
    store.forget_resources(leaving)
    for rid, fact in facts.items():
        if not fact.eligible or dataset_types.dataset_type(fact["type_id"]) is None:
            continue
        known = present.get(rid) if rid not in leaving else None
        if known and (known["package_name"], known["organization_id"]) == (fact["package_name"],
                                                                           fact["organization_id"]):
            continue
        if store.table_exists(rid):
            try:
                _copy(fact, national_table)
            except NoTableYet:
                # The type's first file, seen after a reindex: its dataset is published by a job.
                try:
                    tk.enqueue_job(_SYNC_LATER, [package_id], title=f"anticorruption national {package_id}")
                except Exception:  # Redis down: the file enters when the loader next calls the hook
                    log.warning("Could not queue the national sync of dataset %s", package_id)
                break
            changed.add(fact["type_id"])
    _changed(changed)


def forget_resource(resource_id: str) -> None:
    """A file is gone, no longer valid or no longer public: its rows leave."""
    present = store.sources_of(resource_ids=[resource_id])
    if present:
        store.forget_resources([resource_id])
        _changed({s["type_id"] for s in present.values()})


def forget_package(package_id: str) -> None:
    """A dataset was deleted or purged: all its rows leave."""
    present = store.sources_of(package_id=package_id)
    store.forget_resources(list(present))
    _changed({s["type_id"] for s in present.values()})


def forget_organization(organization_id: str) -> None:
    """An agency was purged: its datasets belong to no agency now, so their rows leave."""
    present = store.sources_of(organization_id=organization_id)
    store.forget_resources(list(present))
    _changed({s["type_id"] for s in present.values()})


def rebuild_type(type_id: str, national_table: NationalTable) -> int:
    """Build a type's national table from scratch from every eligible file's resource table."""
    table = national_table(type_id)
    resource_ids = [rid for (rid,) in model.Session.query(model.Resource.id).join(
        model.Package, model.Package.id == model.Resource.package_id).filter(model.Package.type == type_id)]
    store.truncate(type_id, table)
    total = 0
    columns = _columns(type_id)
    for rid, fact in store.file_facts(resource_ids).items():
        if fact.eligible and store.table_exists(rid):
            total += store.replace_file(fact, table, columns)
    _changed({type_id})
    return total

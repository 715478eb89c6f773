"""At the end of a run: the resource's DataStore table follows what the run found.

Only checked data becomes a table, the rule of the linkage index
(``uploads.run.feeds_index``): a valid file is loaded; an invalid one is not
(or only its valid rows, ``ckanext.anticorruption.datastore.load_invalid =
valid_rows``), nor a file whose header did not fit its type, nor one the
privacy guard holds back. Anything else the resource now is (invalid,
unreadable, without a schema, OCDS, quarantined, removed) drops its table.
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption.config import option
from ckanext.anticorruption.datastore import store
from ckanext.anticorruption.datastore.columns import TableSpool, rows_with_errors, table_fields

__all__ = ["Spool", "after_run", "enabled", "forget", "spool_for", "takes"]

log = logging.getLogger(__name__)

# What the resource page says of a table loaded here (next to ckanext-xloader's own messages).
LOADED_BY = "anticorruption"


def enabled() -> bool:
    """Whether CKAN runs the DataStore (the ``datastore`` plugin)."""
    import ckan.plugins as plugins

    return plugins.plugin_loaded("datastore")


def takes(resource_id: str) -> bool:
    """Whether this loader, not ckanext-xloader, fills the resource's table: a file of one of the 30 types
    that is checked against a Table Schema (its table then has the schema's types, or it has none)."""
    from ckanext.anticorruption.dataset_types import types as dataset_types

    resource = model.Resource.get(resource_id)
    if resource is None or resource.package is None:
        return False
    extras = resource.extras or {}
    return dataset_types.resource_table_schema(resource.package.type, {
        "schema_mode": extras.get("schema_mode")}) is not None or extras.get("schema_mode") == "other"


class Spool:
    """The temporary file a run's :class:`TableSpool` writes, with the Table Schema it was written for."""

    def __init__(self, table_schema: dict[str, Any], path: str) -> None:
        self.table_schema, self.path = table_schema, path
        self.scan: TableSpool | None = None

    def make_scan(self) -> TableSpool:
        # A new pass over the file (the fast path gave way to frictionless) writes the spool again.
        self.close()
        self.scan = TableSpool(self.table_schema, self.path)
        return self.scan

    def close(self) -> None:
        if self.scan is not None:
            self.scan.close()

    @property
    def rows(self) -> int:
        return self.scan.rows if self.scan is not None else 0


@contextlib.contextmanager
def spool_for(table_schema: dict[str, Any] | None) -> Iterator[Spool | None]:
    """A spool for a run that checks a table against ``table_schema`` (None when nothing will be loaded)."""
    if not table_schema or not table_schema.get("fields") or not enabled():
        yield None
        return
    handle, path = tempfile.mkstemp(prefix="anticorruption-", suffix=".datastore.csv")
    os.close(handle)
    spool = Spool(table_schema, path)
    try:
        yield spool
    finally:
        spool.close()  # a run stopped mid-way (superseded, past its budget) left it open
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def after_run(package: dict[str, Any], resource_id: str, run_id: str | None, outcome: dict[str, Any],
              spool: Spool | None, error_log: bytes | None = None) -> None:
    """Load the run's rows into the resource's table, or drop the table; never raises."""
    if not enabled():
        return
    from ckanext.anticorruption.model import Validation

    try:
        row = model.Session.get(Validation, resource_id)
        if run_id is not None and (row is None or row.run_id != run_id):
            return  # superseded: the newer run decides
        rows = _rows_to_load(resource_id, outcome, spool, error_log)
        if rows is None:
            forget(resource_id, package_id=package["id"])
            return
        assert spool is not None
        fields = table_fields(spool.table_schema, _language())
        count = store.replace_table(resource_id, fields, spool.path, skip_rows=rows)
        log.info("Resource %s loaded into the DataStore: %d rows", resource_id, count)
        if store.set_datastore_active(resource_id, True):
            model.Session.commit()
        _add_views(package["id"], resource_id)
        _table_changed(resource_id)
    except Exception:
        log.exception("The DataStore table of resource %s could not be loaded", resource_id)
        model.Session.rollback()


def _rows_to_load(resource_id: str, outcome: dict[str, Any], spool: Spool | None,
                  error_log: bytes | None) -> list[int] | None:
    """None when the resource gets no table; otherwise the rows to leave out (those with errors)."""
    from ckanext.anticorruption.privacy import guard as privacy_guard
    from ckanext.anticorruption.uploads.run import feeds_index

    if spool is None or spool.scan is None or not feeds_index(outcome):
        return None
    state = privacy_guard.state_of(resource_id)
    if state is not None and state.state in privacy_guard.HIDDEN_STATES:
        return None
    if outcome.get("state") == "valid":
        return []
    if option("datastore", "load_invalid") != "valid_rows" or not error_log:
        return None
    with gzip.open(io.BytesIO(error_log), "rt", encoding="utf-8", newline="") as text:
        reader = csv.DictReader(text)
        return rows_with_errors(int(entry["row"]) for entry in reader if (entry.get("row") or "").isdigit())


def forget(resource_id: str, *, package_id: str | None = None) -> None:
    """The resource has no table any more (invalid, held back, removed): drop it, clear ``datastore_active``."""
    if not enabled():
        return
    try:
        dropped = store.drop_table(resource_id)
        if store.set_datastore_active(resource_id, False):
            model.Session.commit()
        if dropped:
            log.info("DataStore table of resource %s dropped", resource_id)
            _table_changed(resource_id)
    except Exception:
        log.exception("The DataStore table of resource %s could not be dropped", resource_id)
        model.Session.rollback()


def _language() -> str:
    return str(tk.config.get("ckan.locale_default") or "en").split("_")[0]


def _add_views(package_id: str, resource_id: str) -> None:
    """The DataTables preview of a resource in the DataStore (when its plugin runs), and CKAN's default views
    of such a resource (``ckan.views.default_views``), as xloader adds them."""
    import ckan.plugins as plugins
    from ckan.lib import datapreview
    from ckan.lib.dictization import model_dictize

    resource = model.Resource.get(resource_id)
    if resource is None or resource.package is None:
        return
    # In the site user's name: with CKAN's activity plugin, a view made by no user cannot be recorded.
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context: dict[str, Any] = {"model": model, "session": model.Session, "ignore_auth": True, "user": site_user}
    package = model_dictize.package_dictize(resource.package, context)
    found = next((r for r in package.get("resources") or [] if r["id"] == resource_id), None)
    if found is None:
        return
    datapreview.add_views_to_resource(context, found, package, create_datastore_views=True)
    if plugins.plugin_loaded("datatables_view"):
        datapreview.add_views_to_resource(context, found, package, view_types=["datatables_view"])


def _table_changed(resource_id: str) -> None:
    from ckanext.anticorruption import hooks

    hooks.resource_table_changed(resource_id)

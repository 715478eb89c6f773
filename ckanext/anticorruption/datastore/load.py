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
import datetime
import gzip
import io
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption.config import option
from ckanext.anticorruption.datastore import store
from ckanext.anticorruption.datastore.columns import TableSpool, rows_with_errors, table_fields

__all__ = ["Spool", "after_run", "build_search_index", "enabled", "forget", "load_of", "spool_for", "sweep", "takes"]

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
    """Where a run's :class:`TableSpool` writes the rows it read, with the Table Schema they were written for.

    A COPY into a new hidden table, fed as the file is read
    (:class:`store.CopyStream`), so that little is left to do when the
    validation ends; when the DataStore cannot start one, the temporary
    file at ``path``, copied in at the end.
    """

    def __init__(self, table_schema: dict[str, Any], path: str) -> None:
        self.table_schema, self.path = table_schema, path
        self.scan: TableSpool | None = None
        self.stream: store.CopyStream | None = None

    def make_scan(self) -> TableSpool:
        # A new pass over the file (the fast path gave way to frictionless) writes the spool again.
        self.close()
        self.scan = TableSpool(self.table_schema, self.path, sink=self._open)
        return self.scan

    def _open(self) -> Any:
        self.discard()
        try:
            self.stream = store.CopyStream(table_fields(self.table_schema, _language()))
            return self.stream
        except Exception as e:  # the DataStore is away: the file, and the load says what happens at the end
            log.warning("No COPY could be started for the DataStore table, spooling to a file: %s", e)
            return open(self.path, "wb")

    def swap(self, resource_id: str, skip_rows: list[int], progress: Callable[[int], None] | None = None) -> int:
        """The rows in as the resource's table (see ``store.replace_table``); its row count."""
        if self.stream is None:
            return store.replace_table(resource_id, table_fields(self.table_schema, _language()), self.path,
                                       skip_rows=skip_rows, progress=progress, rows=self.rows)
        stream, self.stream = self.stream, None
        return stream.swap(resource_id, skip_rows=skip_rows)

    @property
    def rows_copied(self) -> int:
        return self.stream.rows if self.stream is not None else 0

    def discard(self) -> None:
        """Nothing of the rows is loaded: the COPY under way, if any, is rolled back."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            stream.abort()

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
    handle, path = tempfile.mkstemp(prefix="anticorruption-", suffix=".datastore.pgcopy")
    os.close(handle)
    spool = Spool(table_schema, path)
    try:
        yield spool
    finally:
        spool.close()  # a run stopped mid-way (superseded, past its budget) left it open
        spool.discard()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def after_run(package: dict[str, Any], resource_id: str, run_id: str | None, outcome: dict[str, Any],
              spool: Spool | None, error_log: bytes | None = None) -> bool:
    """Load the run's rows into the resource's table, or drop the table; never raises.

    The load's phase, progress and outcome are recorded (:class:`DatastoreLoad`)
    and always end: ``loaded``/``indexing`` when the table is in, ``not_loaded``
    with the reason, or ``failed`` with what went wrong (the validation's own
    result is not touched). True when the table was swapped in and its
    full-text search is still to be built (:func:`build_search_index`).
    """
    if not enabled():
        return False
    from ckanext.anticorruption.model import Validation

    started = time.monotonic()
    try:
        row = model.Session.get(Validation, resource_id)
        if run_id is not None and (row is None or row.run_id != run_id):
            return False  # superseded: the newer run decides
        rows, reason = _rows_to_load(resource_id, outcome, spool, error_log)
        if rows is None:
            if spool is not None:
                spool.discard()
            forget(resource_id, package_id=package["id"])
            if run_id is not None:
                _record(resource_id, run_id, state="not_loaded", reason=reason, started=None)
            return False
        assert spool is not None and run_id is not None
        # Most rows are in already: the COPY was fed as the validation read them.
        _record(resource_id, run_id, state="loading", reason=None, rows_total=max(spool.rows - len(rows), 0),
                rows_loaded=min(spool.rows_copied, spool.rows), started=_now())
        count = spool.swap(resource_id, rows, progress=lambda lines: _progress(resource_id, run_id, rows_loaded=lines))
        log.info("Resource %s loaded into the DataStore: %d rows", resource_id, count)
        if store.set_datastore_active(resource_id, True):
            model.Session.commit()
        _record(resource_id, run_id, state="indexing", rows_loaded=count, rows_total=count,
                load_seconds=time.monotonic() - started)
        _add_views(package["id"], resource_id)
        _table_changed(resource_id)
        return True
    except Exception as e:
        log.exception("The DataStore table of resource %s could not be loaded", resource_id)
        model.Session.rollback()
        if run_id is not None:
            # The table of the resource's previous file is not this file's: it goes, if the DataStore answers.
            with contextlib.suppress(Exception):
                forget(resource_id, package_id=package["id"])
            _record_failure(resource_id, run_id, e, load_seconds=time.monotonic() - started)
        return False


def build_search_index(resource_id: str, run_id: str) -> None:
    """The second step of a load: fill the new table's ``_full_text`` and build its search index.

    The table is already readable (``indexing``); a ``datastore_search``
    with ``q`` finds its rows once this ends (``loaded``). A newer run of
    the resource stops it. Never raises: a failure is recorded (``failed``,
    the table stays, without full-text search).
    """
    started = time.monotonic()

    def cancelled() -> bool:
        return _current_run(resource_id) != run_id

    try:
        done = store.fill_full_text(
            resource_id, chunk_rows=option("datastore", "full_text_chunk_rows"), cancelled=cancelled,
            progress=lambda filled, total: _progress(resource_id, run_id, rows_indexed=filled))
        if done:
            _record(resource_id, run_id, state="loaded", index_seconds=time.monotonic() - started)
    except Exception as e:
        log.exception("The search index of the DataStore table of resource %s could not be built", resource_id)
        model.Session.rollback()
        _record_failure(resource_id, run_id, e, reason="search-index", index_seconds=time.monotonic() - started)


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _current_run(resource_id: str) -> str | None:
    from ckanext.anticorruption.model import Validation

    table = Validation.__table__
    with model.meta.engine.connect() as conn:
        return conn.execute(sa.select(table.c.run_id).where(table.c.resource_id == resource_id)).scalar()


def _record(resource_id: str, run_id: str, **values: Any) -> None:
    """Store the load's phase (the caller's session is committed)."""
    from ckanext.anticorruption.model import DatastoreLoad

    row = model.Session.get(DatastoreLoad, resource_id, populate_existing=True)
    if row is None:
        row = DatastoreLoad(resource_id=resource_id, run_id=run_id)
        model.Session.add(row)
    elif row.run_id != run_id:
        if "started" not in values:  # a later step of a superseded run: the newer run's record stays
            return
        row.run_id = run_id
    if "started" in values:  # a new load: nothing of the previous one stays
        row.reason = row.detail = row.load_seconds = row.index_seconds = None
        row.rows_loaded = row.rows_total = row.rows_indexed = 0
    for key, value in values.items():
        setattr(row, key, value)
    row.updated = _now()
    model.Session.commit()


def _record_failure(resource_id: str, run_id: str, error: Exception, reason: str = "load", **values: Any) -> None:
    try:
        _record(resource_id, run_id, state="failed", reason=reason,
                detail=f"{type(error).__name__}: {error}".strip()[:500], **values)
    except Exception:  # the extension's database is away too: the sweep ends the load when its beat stops
        log.exception("The failed DataStore load of resource %s could not be recorded", resource_id)
        model.Session.rollback()


def _progress(resource_id: str, run_id: str, **values: Any) -> None:
    """Progress of a phase, from its own connection (the load's transactions are the DataStore's)."""
    from ckanext.anticorruption.model import DatastoreLoad

    table = DatastoreLoad.__table__
    try:
        with model.meta.engine.begin() as conn:
            conn.execute(table.update().where(table.c.resource_id == resource_id, table.c.run_id == run_id)
                         .values(updated=_now(), **values))
    except Exception as e:  # progress is not worth failing a load for
        log.debug("Progress of the DataStore load of %s not stored: %s", resource_id, e)


def _rows_to_load(resource_id: str, outcome: dict[str, Any], spool: Spool | None,
                  error_log: bytes | None) -> tuple[list[int] | None, str | None]:
    """(None, why) when the resource gets no table; otherwise (the rows to leave out, those with errors, None)."""
    from ckanext.anticorruption.privacy import guard as privacy_guard
    from ckanext.anticorruption.uploads.run import COLUMNS_NOT_RECOGNISED, feeds_index

    if outcome.get("problem") in COLUMNS_NOT_RECOGNISED:
        return None, "header-mismatch"
    if spool is None or spool.scan is None or not feeds_index(outcome):
        return None, "not-checked" if outcome.get("state") != "invalid" else "invalid"
    state = privacy_guard.state_of(resource_id)
    if state is not None and state.state in privacy_guard.HIDDEN_STATES:
        return None, "held-back"
    if outcome.get("state") == "valid":
        return [], None
    if option("datastore", "load_invalid") != "valid_rows" or not error_log:
        return None, "invalid"
    with gzip.open(io.BytesIO(error_log), "rt", encoding="utf-8", newline="") as text:
        reader = csv.DictReader(text)
        return rows_with_errors(int(entry["row"]) for entry in reader if (entry.get("row") or "").isdigit()), None


def load_of(resource_id: str) -> dict[str, Any] | None:
    """The resource's DataStore load as recorded (phase, progress, outcome), or None if it never had one."""
    from ckanext.anticorruption.model import DatastoreLoad

    row = model.Session.get(DatastoreLoad, resource_id, populate_existing=True)
    return row.as_dict() if row is not None else None


def sweep(silent_since: datetime.datetime) -> int:
    """End the loads whose worker died mid-way (no beat since ``silent_since``): ``failed``; returns how many.

    A run's heartbeat (``uploads.run``) beats for its load too, until the
    load ends; the table keeps what the last swap put in it.
    """
    from ckanext.anticorruption.model import DatastoreLoad

    table = DatastoreLoad.__table__
    with model.meta.engine.begin() as conn:
        ended = conn.execute(table.update().where(
            table.c.state.in_(DatastoreLoad.UNFINISHED), table.c.updated < silent_since).values(
            state="failed", reason="worker-lost", updated=_now(),
            detail="The process that was loading the file stopped before the end")).rowcount
    return ended


def forget(resource_id: str, *, package_id: str | None = None) -> None:
    """The resource has no table any more (invalid, held back, removed): drop it, clear ``datastore_active``.

    The record of its last load goes too; a run that knows why there is no
    table (``after_run``) records that next.
    """
    if not enabled():
        return
    from ckanext.anticorruption.model import DatastoreLoad

    try:
        model.Session.query(DatastoreLoad).filter_by(resource_id=resource_id).delete()
        model.Session.commit()
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

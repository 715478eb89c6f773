"""The SQL of the resources' DataStore tables, through CKAN's DataStore backend.

A table is never filled in place: :func:`replace_table` creates a new one
under a hidden name with CKAN's own ``create_table`` (columns, and the data
dictionary as column comments, as ``datastore_create`` stores it), COPYs
the spool into it (binary COPY data, ``pgcopy``), builds its primary key,
and only then, in the same transaction, drops the resource's old table and renames the new one to the resource id. Readers see
the old rows or the new ones, never a half table. The full-text column
(``_full_text``) and its index follow in :func:`fill_full_text`, set-based
and in chunks, while the new table is already readable (as XLoader does
after its COPY).
"""
from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model
from ckanext.datastore.backend import postgres as backend

__all__ = ["CopyStream", "drop_table", "fill_full_text", "full_text_expression", "replace_table", "set_datastore_active",
           "table_exists"]

log = logging.getLogger(__name__)


def _ident(name: str) -> str:
    return backend.identifier(name)


def table_exists(resource_id: str) -> bool:
    with backend.get_write_engine().connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
                            {"t": resource_id}).first() is not None


def replace_table(resource_id: str, fields: list[dict[str, Any]], spool_path: str, *,
                  skip_rows: Sequence[int] = (), progress: Callable[[int], None] | None = None,
                  rows: int = 0) -> int:
    """Fill a new table of ``fields`` from the spool (minus ``skip_rows``) and swap it in; returns its row count.

    The spool is binary COPY data (``pgcopy``), its columns ``fields`` then
    each row's ``_id``: its row number in the file (as the validation report
    numbers rows), copied, not drawn from the sequence row by row, and the
    rows of ``skip_rows`` are found by it.

    The COPY runs without CKAN's full-text trigger (a plpgsql call per row,
    most of the time of a load): ``_full_text`` stays empty, for
    :func:`fill_full_text` to fill afterwards, set-based, while the table is
    already readable. The trigger is created at the swap, so that rows
    written later (``datastore_upsert``) get their ``_full_text`` as in any
    DataStore table. ``progress`` is told about how many of the spool's
    ``rows`` COPY has read so far.
    """
    engine = backend.get_write_engine()
    backend._cache_types(engine)
    hidden = f"_anticorruption_{uuid.uuid4().hex[:20]}"
    names = [field["id"] for field in fields]
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL statement_timeout TO 0"))
        _create_hidden(conn, hidden, fields)
        columns = ", ".join(_ident(name) for name in names + ["_id"])
        cursor = conn.connection.driver_connection.cursor()
        with open(spool_path, "rb") as spool:
            size = os.fstat(spool.fileno()).st_size
            cursor.copy_expert(f"COPY {_ident(hidden)} ({columns}) FROM STDIN WITH (FORMAT binary)",
                               _Counted(spool, progress, rows, size) if progress is not None else spool)
        count = _swap(conn, hidden, resource_id, skip_rows)
    return count


def _create_hidden(conn: Any, hidden: str, fields: list[dict[str, Any]]) -> None:
    """The new table, as ``datastore_create`` makes it, but its primary key built after the COPY (see _swap)."""
    backend.create_table({"connection": conn}, {"resource_id": hidden, "fields": [dict(f) for f in fields]}, {})
    # One index build over the loaded ``_id``s costs less than a B-tree insert per copied row (bench/README.md).
    conn.execute(sa.text(f"ALTER TABLE {_ident(hidden)} DROP CONSTRAINT {_ident(hidden + '_pkey')}"))


def _swap(conn: Any, hidden: str, resource_id: str, skip_rows: Sequence[int]) -> int:
    """In the transaction that filled ``hidden``: leave out ``skip_rows``, the primary key, then the swap.
    Its row count."""
    cursor = conn.connection.driver_connection.cursor()
    if skip_rows:
        cursor.execute(f"DELETE FROM {_ident(hidden)} WHERE _id = ANY(%s)", (list(skip_rows),))
    cursor.execute(f"ALTER TABLE {_ident(hidden)} ADD CONSTRAINT {_ident(hidden + '_pkey')} PRIMARY KEY (_id)")
    cursor.execute(f"SELECT count(*), coalesce(max(_id), 0) FROM {_ident(hidden)}")
    count, last = cursor.fetchone()
    # Rows written later (datastore_upsert) are numbered after the file's.
    cursor.execute("SELECT setval(%s, %s, false)", (_ident(hidden + "__id_seq"), last + 1))
    # The swap: the old table goes, the new one takes the resource's name, and its sequence and primary
    # key the names CKAN gives a table of that name (its search indexes come with fill_full_text).
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {_ident(resource_id)} CASCADE"))
    conn.execute(sa.text(f"ALTER TABLE {_ident(hidden)} RENAME TO {_ident(resource_id)}"))
    conn.execute(sa.text(f"ALTER SEQUENCE {_ident(hidden + '__id_seq')} RENAME TO {_ident(resource_id + '__id_seq')}"))
    conn.execute(sa.text(f"ALTER INDEX {_ident(hidden + '_pkey')} RENAME TO {_ident(resource_id + '_pkey')}"))
    backend._create_fulltext_trigger(conn, resource_id)
    _clear_table_stats(conn, resource_id)
    return count


class CopyStream:
    """A COPY into a new hidden table, fed while the validation reads the file; swapped in at the end.

    The validation's spool writes its rows here (binary COPY data) instead of to a file: a
    thread runs the COPY on its own DataStore connection, reading from a
    bounded queue, so PostgreSQL parses and stores the rows while the
    validation reads the next ones (on another core), and when the
    validation ends, only the end of the COPY and the swap are left. The
    hidden table is in an uncommitted transaction: nobody sees it, and
    :meth:`abort` (the file is not to be loaded, or read again) leaves
    nothing behind. A failure of the COPY never stops the validation: it
    is kept and raised by :meth:`swap`.
    """

    # Bounded memory: at most this many chunks of at most CHUNK_BYTES wait for PostgreSQL (a batch of the
    # validation, a few MB, is handed over in such slices, not copied).
    QUEUE_CHUNKS = 32
    CHUNK_BYTES = 256 * 1024

    def __init__(self, fields: list[dict[str, Any]]) -> None:
        engine = backend.get_write_engine()
        backend._cache_types(engine)
        self.hidden = f"_anticorruption_{uuid.uuid4().hex[:20]}"
        self.names = [field["id"] for field in fields]
        self.error: BaseException | None = None
        self.rows = 0
        self._queue: queue.Queue[memoryview | None] = queue.Queue(maxsize=self.QUEUE_CHUNKS)
        self._conn = engine.connect()
        try:
            self._conn.execute(sa.text("SET LOCAL statement_timeout TO 0"))
            _create_hidden(self._conn, self.hidden, fields)
        except BaseException:
            self._conn.rollback()
            self._conn.close()
            raise
        self._thread = threading.Thread(target=self._copy, name=f"copy-{self.hidden}", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        columns = ", ".join(_ident(name) for name in self.names + ["_id"])
        reader = _QueueReader(self._queue)
        try:
            cursor = self._conn.connection.driver_connection.cursor()
            cursor.copy_expert(f"COPY {_ident(self.hidden)} ({columns}) FROM STDIN WITH (FORMAT binary)", reader,
                               size=self.CHUNK_BYTES)
        except BaseException as e:  # kept for swap(); the writer stops feeding
            self.error = e
            while not reader.done and self._queue.get() is not None:  # let a writer that is waiting finish
                pass

    def write(self, data: Any) -> int:
        """Called by the spool: hand binary COPY data to the COPY (waits while PostgreSQL is behind)."""
        if self.error is None and data:
            view = memoryview(data).cast("B")
            for start in range(0, len(view), self.CHUNK_BYTES):
                self._put(view[start:start + self.CHUNK_BYTES])
        return len(data)

    def count_rows(self, rows: int) -> None:
        """The spool wrote that many more rows (the load's progress)."""
        self.rows += rows

    def _put(self, item: memoryview | None) -> None:
        while True:
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """The end of the rows: the COPY finishes (the transaction stays open until swap or abort)."""
        if self._thread.is_alive():
            self._put(None)
            self._thread.join()

    @property
    def closed(self) -> bool:
        return not self._thread.is_alive()

    def swap(self, resource_id: str, *, skip_rows: Sequence[int] = ()) -> int:
        """Finish the COPY and swap the new table in as the resource's (see :func:`replace_table`); its row count."""
        self.close()
        try:
            if self.error is not None:
                raise self.error
            count = _swap(self._conn, self.hidden, resource_id, skip_rows)
            self._conn.commit()
            return count
        except BaseException:
            self._conn.rollback()
            raise
        finally:
            self._conn.close()

    def abort(self) -> None:
        """Nothing of this COPY is kept (the transaction that holds the hidden table is rolled back)."""
        try:
            self.close()
            self._conn.rollback()
        except Exception as e:  # the DataStore is away: its transaction is gone with the connection
            log.debug("Abort of the COPY into %s: %s", self.hidden, e)
        finally:
            with contextlib.suppress(Exception):
                self._conn.close()


class _QueueReader:
    """What COPY reads: the chunks of the queue, until None (each byte copied once, into what read returns)."""

    def __init__(self, chunks: queue.Queue[memoryview | None]) -> None:
        self.chunks, self.done = chunks, False
        self.rest: memoryview = memoryview(b"")

    def read(self, size: int = -1) -> bytes:
        while not len(self.rest) and not self.done:
            chunk = self.chunks.get()
            if chunk is None:
                self.done = True
            else:
                self.rest = chunk
        if size is None or size < 0:
            size = len(self.rest)
        out, self.rest = bytes(self.rest[:size]), self.rest[size:]
        return out

    readline = read


class _Counted:
    """The spool as COPY reads it, telling ``progress`` about how many rows were read (about once a second)."""

    def __init__(self, spool: Any, progress: Callable[[int], None], rows: int, size: int) -> None:
        self.spool, self.progress, self.rows, self.size = spool, progress, rows, max(size, 1)
        self.read_bytes, self.told = 0, time.monotonic()

    def read(self, size: int = -1) -> bytes:
        chunk = self.spool.read(size)
        self.read_bytes += len(chunk)
        if time.monotonic() - self.told >= 1 or not chunk:
            self.told = time.monotonic()
            self.progress(self.rows * self.read_bytes // self.size)
        return chunk

    readline = read


def full_text_expression(conn: Any, table: str) -> str:
    """The ``_full_text`` of a row of ``table`` in SQL, as CKAN's ``populate_full_text_trigger`` makes it.

    The trigger (``ckanext/datastore/set_permissions.sql``) takes the row as
    JSON, joins the text of every value of a column whose name does not
    begin with ``_``, in column order, with spaces, and gives it to the
    one-argument ``to_tsvector`` (the database's ``default_text_search_config``;
    ``ckan.datastore.default_fts_lang`` is only for queries and per-column
    indexes). Here the same text per column, without the per-row plpgsql
    call: a text column as it is, any other as its JSON text
    (``to_json(c) #>> '{}'``: dates and timestamps in ISO form, ``true``).
    A row with no value at all gets no vector, as with the trigger.
    """
    columns = conn.execute(sa.text(
        "SELECT attname, atttypid = 'text'::regtype FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
        "AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_%' ORDER BY attnum"),
        {"t": _ident(table)}).fetchall()
    if not columns:
        return "NULL"
    parts = [_ident(name) if is_text else f"to_json({_ident(name)}) #>> '{{}}'" for name, is_text in columns]
    return (f"CASE WHEN num_nonnulls({', '.join(parts)}) = 0 THEN NULL "
            f"ELSE to_tsvector(concat_ws(' ', {', '.join(parts)})) END")


def fill_full_text(resource_id: str, *, chunk_rows: int = 100_000, progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> bool:
    """Fill the ``_full_text`` of the rows that have none, a chunk of ``_id`` at a time, then build CKAN's
    search indexes of the table (``create_indexes``: the ``_full_text`` index, per-column ones if configured).

    Each chunk is its own short transaction: readers never wait, and a
    ``datastore_search`` with ``q`` finds the rows filled so far. Stops
    (False) when ``cancelled`` says a newer file took the table over.
    ``progress`` is told (rows filled, rows in the table).
    """
    engine = backend.get_write_engine()
    with engine.connect() as conn:
        expression = full_text_expression(conn, resource_id)
        total, last = conn.execute(sa.text(
            f"SELECT count(*) FILTER (WHERE _full_text IS NULL), coalesce(max(_id), 0) FROM {_ident(resource_id)}")).one()
    done = 0
    for low in range(0, last, chunk_rows):
        if cancelled is not None and cancelled():
            return False
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL statement_timeout TO 0"))
            done += conn.execute(sa.text(
                f"UPDATE {_ident(resource_id)} SET _full_text = {expression} "
                f"WHERE _id > :low AND _id <= :high AND _full_text IS NULL"),
                {"low": low, "high": low + chunk_rows}).rowcount
        if progress is not None:
            progress(min(done, total), total)
    if cancelled is not None and cancelled():
        return False
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL statement_timeout TO 0"))
        present = set(backend._get_index_names(conn, resource_id))
        fields = backend._get_fields(conn, resource_id)
        wanted = backend._build_fts_indexes({"resource_id": resource_id}, "{name}", fields)[0]
        if not set(wanted) <= present:  # a table made by datastore_create, or loaded again, has them
            backend.create_indexes({"connection": conn}, {"resource_id": resource_id})
    return True


def _clear_table_stats(conn: Any, resource_id: str) -> None:
    """Forget the row count CKAN cached for the table (``clear_table_stats``), in the swap's transaction."""
    conn.execute(sa.text("DELETE FROM _table_stats WHERE resource_id = :r"), {"r": resource_id})


def drop_table(resource_id: str) -> bool:
    """Drop the resource's table if it has one; True when it had."""
    engine = backend.get_write_engine()
    with engine.begin() as conn:
        existed = conn.execute(sa.text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
                               {"t": resource_id}).first() is not None
        if existed:
            conn.execute(sa.text(f"DROP TABLE {_ident(resource_id)} CASCADE"))
            _clear_table_stats(conn, resource_id)
    return existed


def set_datastore_active(resource_id: str, active: bool) -> bool:
    """Set the resource's ``datastore_active`` as ``datastore_create``/``_delete`` do; True when it changed.

    Written on the stored resource, not through ``resource_patch``, which
    would save the dataset again and start its reconciliation (see hooks).
    The caller commits and reindexes the dataset.
    """
    resource = model.Resource.get(resource_id)
    if resource is None or bool((resource.extras or {}).get("datastore_active")) == active:
        return False
    resource.extras = {**(resource.extras or {}), "datastore_active": active}
    return True

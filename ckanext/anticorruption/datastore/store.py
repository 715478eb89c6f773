"""The SQL of the resources' DataStore tables, through CKAN's DataStore backend.

A table is never filled in place: :func:`replace_table` creates a new one
under a hidden name with CKAN's own ``create_table`` (columns, and the data
dictionary as column comments, as ``datastore_create`` stores it), COPYs
the spool into it (CKAN's full-text trigger fills ``_full_text``), builds
CKAN's indexes, and only then, in the same transaction, drops the
resource's old table and renames the new one to the resource id. Readers see
the old rows or the new ones, never a half table.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import ckan.model as model
from ckanext.datastore.backend import postgres as backend

from ckanext.anticorruption.datastore.columns import ROW_COLUMN

__all__ = ["drop_table", "replace_table", "set_datastore_active", "table_exists"]

log = logging.getLogger(__name__)


def _ident(name: str) -> str:
    return backend.identifier(name)


def table_exists(resource_id: str) -> bool:
    with backend.get_write_engine().connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
                            {"t": resource_id}).first() is not None


def replace_table(resource_id: str, fields: list[dict[str, Any]], spool_path: str, *,
                  skip_rows: Sequence[int] = ()) -> int:
    """Fill a new table of ``fields`` from the spool (minus ``skip_rows``) and swap it in; returns its row count."""
    engine = backend.get_write_engine()
    backend._cache_types(engine)
    hidden = f"_anticorruption_{uuid.uuid4().hex[:20]}"
    names = [field["id"] for field in fields]
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL statement_timeout TO 0"))
        backend.create_table({"connection": conn}, {"resource_id": hidden, "fields": [dict(f) for f in fields]}, {})
        conn.execute(sa.text(f"ALTER TABLE {_ident(hidden)} ADD COLUMN {_ident(ROW_COLUMN)} int8"))
        backend._create_fulltext_trigger(conn, hidden)
        columns = ", ".join(_ident(name) for name in names + [ROW_COLUMN])
        cursor = conn.connection.driver_connection.cursor()
        with open(spool_path, "rb") as spool:
            cursor.copy_expert(f"COPY {_ident(hidden)} ({columns}) FROM STDIN WITH (FORMAT csv)", spool)
        if skip_rows:
            cursor.execute(f"DELETE FROM {_ident(hidden)} WHERE {_ident(ROW_COLUMN)} = ANY(%s)", (list(skip_rows),))
        cursor.execute(f"ALTER TABLE {_ident(hidden)} DROP COLUMN {_ident(ROW_COLUMN)}")
        cursor.execute(f"SELECT count(*) FROM {_ident(hidden)}")
        count = cursor.fetchone()[0]
        # CKAN's indexes are built before the swap, while nobody waits for the table.
        backend.create_indexes({"connection": conn}, {"resource_id": hidden})
        renames = _index_renames(conn, hidden, resource_id)
        # The swap: the old table goes, the new one takes the resource's name, its sequence and indexes
        # take the names CKAN gives a table of that name.
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {_ident(resource_id)} CASCADE"))
        conn.execute(sa.text(f"ALTER TABLE {_ident(hidden)} RENAME TO {_ident(resource_id)}"))
        conn.execute(sa.text(f"ALTER SEQUENCE {_ident(hidden + '__id_seq')} RENAME TO {_ident(resource_id + '__id_seq')}"))
        for old, new in renames + [(hidden + "_pkey", resource_id + "_pkey")]:
            conn.execute(sa.text(f"ALTER INDEX {_ident(old)} RENAME TO {_ident(new)}"))
        _clear_table_stats(conn, resource_id)
    return count


def _index_renames(conn: Any, hidden: str, resource_id: str) -> list[tuple[str, str]]:
    """(name, name CKAN gives it on a table named ``resource_id``) for each full-text index of ``hidden``."""
    fields = backend._get_fields(conn, hidden)
    mine = backend._build_fts_indexes({"resource_id": hidden}, "{name}", fields)[0]
    theirs = backend._build_fts_indexes({"resource_id": resource_id}, "{name}", fields)[0]
    present = set(backend._get_index_names(conn, hidden))
    return [(old, new) for old, new in zip(mine, theirs) if old in present]


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

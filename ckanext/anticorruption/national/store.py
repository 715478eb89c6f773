"""The national tables' SQL: in the DataStore database, next to the resource tables they are built from.

A type's national table is the DataStore table of the CSV resource of its
national dataset (so ``datastore_search`` queries it). Its rows are copied
from the resource tables the loader writes (one per valid file, named by
resource id, one column per Table Schema field), never from the files.
Two small tables of our own keep what is in each national table:
``anticorruption_national_source`` (one row per file copied in) and
``anticorruption_national_state`` (per type: its table, when its rows last
changed, how many). A file's rows change in one transaction: delete its
rows, copy them again, record it.

The eligibility of a file (public dataset of an agency, valid, not held
back) is read from CKAN's own database here too.
"""
from __future__ import annotations

import datetime
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_read_engine, get_write_engine, identifier, literal_string

from ckanext.anticorruption.model import PrivacyState, Validation
from ckanext.anticorruption.national.columns import Column
from ckanext.anticorruption.privacy.guard import HIDDEN_STATES

__all__ = [
    "FileFacts", "copy_csv", "file_count", "file_facts", "forget_resources", "national_resource_active", "package_resource_ids",
    "record_table", "replace_file", "resource_table_columns", "sources_of", "state_of", "table_exists", "truncate",
]

_SOURCE = "anticorruption_national_source"
_STATE = "anticorruption_national_state"
_BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS {_SOURCE} (
    resource_id text PRIMARY KEY,
    type_id text NOT NULL,
    package_id text NOT NULL,
    package_name text NOT NULL,
    organization_id text NOT NULL,
    row_count bigint NOT NULL,
    loaded timestamp NOT NULL
);
CREATE INDEX IF NOT EXISTS {_SOURCE}_package ON {_SOURCE} (package_id);
CREATE INDEX IF NOT EXISTS {_SOURCE}_organization ON {_SOURCE} (organization_id);
CREATE TABLE IF NOT EXISTS {_STATE} (
    type_id text PRIMARY KEY,
    table_name text,
    changed timestamp NOT NULL,
    row_count bigint NOT NULL DEFAULT 0
);
-- `ckan datastore set-permissions` gives every table of the DataStore whose name does not begin with
-- "_" CKAN's full-text trigger, which needs a _full_text column these tables do not have.
DROP TRIGGER IF EXISTS zfulltext ON {_SOURCE};
DROP TRIGGER IF EXISTS zfulltext ON {_STATE};
"""
_ready: set[str] = set()


def _engine() -> sa.Engine:
    engine = get_write_engine()
    if str(engine.url) not in _ready:
        with engine.begin() as conn:
            # Two processes creating the tables at once would collide on the catalog.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('anticorruption_national'))"))
            conn.exec_driver_sql(_BOOKKEEPING)
        _ready.add(str(engine.url))
    return engine


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


# --- CKAN's side: may this file be in a national table? ---------------------------------------

class FileFacts(dict):
    """What decides whether a file is in its type's national table, and its provenance."""

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reasons(self) -> list[str]:
        """Why the file stays out (empty: it goes in)."""
        checks = [
            (self["resource_state"] == "active" and self["package_state"] == "active", "deleted"),
            (not self["private"], "private"),
            (bool(self["organization_id"]) and self["organization_state"] == "active", "no agency"),
            (self["validation_state"] == "valid", "not valid"),
            (self["privacy_state"] not in HIDDEN_STATES, "held back"),
        ]
        return [reason for ok, reason in checks if not ok]


def file_facts(resource_ids: Sequence[str]) -> dict[str, FileFacts]:
    """The facts of each file that CKAN still has (purged ones are absent)."""
    if not resource_ids:
        return {}
    org = sa.orm.aliased(model.Group)
    rows = (
        model.Session.query(
            model.Resource.id, model.Resource.state, model.Resource.last_modified, model.Resource.metadata_modified,
            model.Resource.created, model.Package.id, model.Package.name, model.Package.type,
            model.Package.state, model.Package.private, model.Package.owner_org, org.name, org.title, org.state,
            Validation.state, PrivacyState.state)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .outerjoin(org, sa.and_(org.id == model.Package.owner_org, org.is_organization.is_(True)))
        .outerjoin(Validation, Validation.resource_id == model.Resource.id)
        .outerjoin(PrivacyState, PrivacyState.resource_id == model.Resource.id)
        .filter(model.Resource.id.in_(list(resource_ids)))
    )
    facts = {}
    for (rid, r_state, last_modified, r_modified, r_created, pid, pname, ptype, p_state, private, owner_org,
         org_name, org_title, org_state, v_state, privacy_state) in rows:
        facts[rid] = FileFacts(
            resource_id=rid, resource_state=r_state, file_date=last_modified or r_modified or r_created,
            package_id=pid, package_name=pname, type_id=ptype, package_state=p_state, private=bool(private),
            organization_id=owner_org if org_name else None, organization_name=org_name,
            organization_title=org_title, organization_state=org_state, validation_state=v_state,
            privacy_state=privacy_state,
        )
    return facts


def national_resource_active(resource_id: str) -> bool:
    """Whether the national dataset's CSV resource (whose DataStore table is the national table)
    is still there: a national dataset deleted or purged is published again."""
    found = (model.Session.query(model.Resource.state, model.Package.state)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .filter(model.Resource.id == resource_id).first())
    return found is not None and found == ("active", "active")


def package_resource_ids(package_id: str) -> list[str]:
    """Every resource CKAN has for a dataset, deleted ones included."""
    return [rid for (rid,) in model.Session.query(model.Resource.id).filter(model.Resource.package_id == package_id)]


# --- the DataStore's side ------------------------------------------------------------------------

def table_exists(table: str) -> bool:
    with _engine().connect() as conn:
        return conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": identifier(table)}).scalar()


def resource_table_columns(table: str) -> set[str]:
    with _engine().connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t) AND attnum > 0 AND NOT attisdropped"),
            {"t": identifier(table)})
        return {name for (name,) in rows}


def sources_of(*, package_id: str | None = None, organization_id: str | None = None,
               resource_ids: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """The files copied into national tables, by resource id, of a dataset, an agency or given files."""
    where, params = [], {}
    if package_id is not None:
        where.append("package_id = :package_id")
        params["package_id"] = package_id
    if organization_id is not None:
        where.append("organization_id = :organization_id")
        params["organization_id"] = organization_id
    if resource_ids:
        where.append("resource_id = ANY(:resource_ids)")
        params["resource_ids"] = list(resource_ids)
    with _engine().connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {_SOURCE} WHERE {' OR '.join(where) or 'false'}"), params)
        return {row.resource_id: dict(row._mapping) for row in rows}



def state_of(type_id: str) -> dict[str, Any] | None:
    """A type's national table, when its rows last changed and how many there are (None: never had any)."""
    with _engine().connect() as conn:
        row = conn.execute(sa.text(f"SELECT * FROM {_STATE} WHERE type_id = :t"), {"t": type_id}).first()
        return dict(row._mapping) if row else None


def _touch(conn: sa.Connection, type_id: str, table: str | None, delta: int) -> None:
    conn.execute(sa.text(f"""
        INSERT INTO {_STATE} (type_id, table_name, changed, row_count) VALUES (:t, :table, :now, greatest(:d, 0))
        ON CONFLICT (type_id) DO UPDATE SET changed = :now, row_count = greatest({_STATE}.row_count + :d, 0),
            table_name = coalesce(:table, {_STATE}.table_name)"""),
        {"t": type_id, "table": table, "now": _now(), "d": delta})


def _delete_rows(conn: sa.Connection, resource_ids: list[str]) -> None:
    if not resource_ids:
        return
    rows = conn.execute(sa.text(f"""
        SELECT s.type_id, st.table_name, array_agg(s.resource_id), sum(s.row_count)
        FROM {_SOURCE} s LEFT JOIN {_STATE} st USING (type_id)
        WHERE s.resource_id = ANY(:ids) GROUP BY s.type_id, st.table_name"""), {"ids": resource_ids}).all()
    for type_id, table, ids, count in rows:
        if table and conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": identifier(table)}).scalar():
            conn.execute(sa.text(f"DELETE FROM {identifier(table)} WHERE resource = ANY(:ids)"), {"ids": ids})
        conn.execute(sa.text(f"DELETE FROM {_SOURCE} WHERE resource_id = ANY(:ids)"), {"ids": ids})
        _touch(conn, type_id, None, -int(count or 0))


def forget_resources(resource_ids: Sequence[str]) -> None:
    """Take files' rows out of the national tables (nothing happens for a file that is not in one)."""
    if not resource_ids:
        return
    with _engine().begin() as conn:
        _delete_rows(conn, list(resource_ids))


def replace_file(facts: FileFacts, national_table: str, columns: list[Column]) -> int:
    """In one transaction: delete the file's rows from its type's national table and copy them again
    from its resource table (the type's fields it has, cast to the national types; missing
    ones empty), with the provenance. Returns the number of rows copied."""
    source = facts["resource_id"]
    present = resource_table_columns(source)
    provenance = {
        "agency": literal_string(facts["organization_name"] or ""),
        "agency_title": literal_string(facts["organization_title"] or ""),
        "dataset": literal_string(facts["package_name"]),
        "resource": literal_string(source),
        "file_date": f"{literal_string(facts['file_date'].isoformat())}::timestamp" if facts["file_date"] else "NULL",
    }
    targets, values = [], []
    for column in columns:
        if not column["field"]:
            targets.append(identifier(column["id"]))
            values.append(provenance[column["id"]])
        elif column["id"] in present:
            targets.append(identifier(column["id"]))
            values.append(f"{identifier(column['id'])}::{column['type']}")
    with _engine().begin() as conn:
        # One refresh of a type at a time: the row counts stay exact.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"national:{facts['type_id']}"})
        _index_resource_column(conn, national_table)
        _delete_rows(conn, [source])
        copied = conn.execute(sa.text(
            f"INSERT INTO {identifier(national_table)} ({', '.join(targets)}) "
            f"SELECT {', '.join(values)} FROM {identifier(source)}")).rowcount
        conn.execute(sa.text(f"""
            INSERT INTO {_SOURCE} (resource_id, type_id, package_id, package_name, organization_id, row_count, loaded)
            VALUES (:r, :t, :p, :pn, :o, :n, :now)"""),
            {"r": source, "t": facts["type_id"], "p": facts["package_id"], "pn": facts["package_name"],
             "o": facts["organization_id"], "n": copied, "now": _now()})
        _touch(conn, facts["type_id"], national_table, copied)
    return copied


class _Chunks:
    """A bounded queue of chunks, written by the thread that runs COPY, read by the caller."""

    def __init__(self) -> None:
        self.queue: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)

    def write(self, data: bytes | str) -> int:
        self.queue.put(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        return len(data)


def copy_csv(table: str, column_ids: list[str]) -> Iterator[bytes]:
    """The national table as CSV rows (no header), streamed by PostgreSQL's ``COPY … TO STDOUT``.

    COPY writes into a bounded queue from a thread, so memory stays at a few
    chunks whatever the size; a client that goes away stops the copy.
    """
    chunks = _Chunks()
    stop = threading.Event()
    sql = (f"COPY (SELECT {', '.join(identifier(c) for c in column_ids)} FROM {identifier(table)} ORDER BY _id) "
           "TO STDOUT WITH (FORMAT csv)")

    def run() -> None:
        conn = get_read_engine().raw_connection()
        try:
            writer = _StopWriter(chunks, stop)
            with conn.cursor() as cursor:
                cursor.copy_expert(sql, writer, size=_CHUNK)
            writer.flush()
            chunks.queue.put(None)
        except BaseException as e:  # noqa: BLE001 - handed to the reader, which raises it
            # A COPY cut short leaves the connection mid-copy: it must not go back to the pool.
            conn.invalidate()
            chunks.queue.put(e)
        finally:
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while (item := chunks.queue.get()) is not None:
            if isinstance(item, BaseException):
                if isinstance(item, _Stopped):
                    return
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let the copier see the stop and finish
            try:
                chunks.queue.get(timeout=0.1)
            except queue.Empty:
                pass


class _Stopped(Exception):
    pass


class _StopWriter:
    """COPY writes a row at a time: gather them into chunks of about ``_CHUNK`` bytes."""

    def __init__(self, chunks: _Chunks, stop: threading.Event) -> None:
        self.chunks, self.stop, self.buffer = chunks, stop, bytearray()

    def write(self, data: bytes | str) -> int:
        if self.stop.is_set():
            raise _Stopped()
        self.buffer += data.encode("utf-8") if isinstance(data, str) else data
        if len(self.buffer) >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.chunks.write(bytes(self.buffer))
            self.buffer.clear()


_CHUNK = 256 * 1024


_indexed: set[str] = set()


def _index_resource_column(conn: sa.Connection, national_table: str) -> None:
    """A file's rows are found by its id: without an index each change would read the whole table."""
    if national_table not in _indexed:
        index = identifier(f"{national_table}_resource")
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {index} ON {identifier(national_table)} (resource)"))
        _indexed.add(national_table)


def truncate(type_id: str, national_table: str) -> None:
    """Empty a type's national table and forget its files (before a rebuild from scratch)."""
    with _engine().begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"national:{type_id}"})
        conn.execute(sa.text(f"TRUNCATE {identifier(national_table)}"))
        conn.execute(sa.text(f"DELETE FROM {_SOURCE} WHERE type_id = :t"), {"t": type_id})
        conn.execute(sa.text(f"UPDATE {_STATE} SET row_count = 0, changed = :now WHERE type_id = :t"),
                     {"t": type_id, "now": _now()})


def record_table(type_id: str, national_table: str) -> None:
    """A type's national table was created (its dataset published)."""
    with _engine().begin() as conn:
        conn.execute(sa.text(f"""
            INSERT INTO {_STATE} (type_id, table_name, changed, row_count) VALUES (:t, :table, :now, 0)
            ON CONFLICT (type_id) DO UPDATE SET table_name = :table, changed = :now, row_count = 0"""),
            {"t": type_id, "table": national_table, "now": _now()})
        conn.execute(sa.text(f"DELETE FROM {_SOURCE} WHERE type_id = :t"), {"t": type_id})


def file_count(type_id: str) -> int:
    with _engine().connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {_SOURCE} WHERE type_id = :t"), {"t": type_id}).scalar()

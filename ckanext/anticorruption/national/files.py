"""The national files: CSV streamed from the table, Parquet written from it and cached.

The CSV is always the table as it is now: PostgreSQL's ``COPY … TO STDOUT``
streamed through (``store.copy_csv``). The Parquet file is written from the
same stream, read by pyarrow in batches, into the cache directory, named after the moment
the type's rows last changed, so a file is either current or not used: after
a change the background job writes the new one, and a download that comes
first writes it itself (bounded memory: a few batches at a time).
"""
from __future__ import annotations

import csv
import datetime
import fcntl
import io
import itertools
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.config import national_option
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.national import store
from ckanext.anticorruption.national.columns import national_columns

__all__ = ["cache_dir", "columns_of", "csv_chunks", "parquet_file", "write_parquet"]

log = logging.getLogger(__name__)

_ARROW = {"numeric": pa.float64(), "date": pa.date32(), "timestamp": pa.timestamp("us"), "bool": pa.bool_()}


def columns_of(type_id: str) -> list[dict[str, Any]]:
    return national_columns(dataset_types.dataset_type(type_id).table_schema)


def cache_dir() -> Path:
    """Where the Parquet files are kept (``national.cache_dir``, else under ``ckan.storage_path``)."""
    configured = national_option("cache_dir")
    base = Path(configured) if configured else Path(tk.config.get("ckan.storage_path") or "/tmp") / "anticorruption_national"
    base.mkdir(parents=True, exist_ok=True)
    return base


def _header(columns: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([c["id"] for c in columns])
    return out.getvalue().encode("utf-8")


def csv_chunks(type_id: str) -> Iterator[bytes]:
    """The national CSV of a type: a header row (the columns' names), then every row, streamed."""
    columns = columns_of(type_id)
    state = store.state_of(type_id)
    yield _header(columns)
    table = state and state["table_name"]
    if table and store.table_exists(table):
        yield from store.copy_csv(table, [c["id"] for c in columns])


def _stamp(changed: datetime.datetime | None) -> str:
    return changed.strftime("%Y%m%dT%H%M%S%f") if changed else "empty"


def _arrow_schema(columns: list[dict[str, Any]]) -> pa.Schema:
    return pa.schema([pa.field(c["id"], _ARROW.get(c["type"], pa.string())) for c in columns])


class _Stream(io.RawIOBase):
    """The CSV chunks COPY streams, as a file pyarrow reads block by block."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _write(path: Path, table: str | None, columns: list[dict[str, Any]], batch_rows: int) -> None:
    """Write the Parquet file from the table's rows, a batch at a time: COPY streams them as CSV and
    pyarrow reads and types them in blocks (in C++, far faster than rows as Python objects), so
    memory stays at a few blocks whatever the size."""
    schema = _arrow_schema(columns)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        chunks = store.copy_csv(table, [c["id"] for c in columns]) if table and store.table_exists(table) else iter(())
        first = next(chunks, None)
        if first is not None:  # no row at all: the file has the columns and no row group
            reader = pa_csv.open_csv(
                io.BufferedReader(_Stream(itertools.chain([first], chunks)), 1 << 20),
                read_options=pa_csv.ReadOptions(column_names=schema.names, block_size=_block_size(batch_rows)),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=schema, true_values=["t"], false_values=["f"],
                    # COPY writes NULL as an empty unquoted value, an empty text as "".
                    strings_can_be_null=True, quoted_strings_can_be_null=False),
            )
            for batch in reader:
                writer.write_batch(batch)
    os.replace(tmp, path)


def _block_size(batch_rows: int) -> int:
    # About a kilobyte a row for the widest types; at least a megabyte.
    return max(1 << 20, batch_rows * 1024)


def parquet_file(type_id: str) -> tuple[Path, datetime.datetime | None]:
    """The current Parquet file of a type, written now if the rows changed since the last one;
    and when the rows last changed (None: the type never had any)."""
    state = store.state_of(type_id)
    changed = state["changed"] if state else None
    path = cache_dir() / f"{type_id}.{_stamp(changed)}.parquet"
    if path.exists():
        return path, changed
    with open(cache_dir() / f".{type_id}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer per type on this host; the others wait and reuse it
        if not path.exists():
            _write(path, state and state["table_name"], columns_of(type_id),
                   int(national_option("batch_rows")))
            for old in cache_dir().glob(f"{type_id}.*.parquet"):
                if old != path:
                    old.unlink(missing_ok=True)
    return path, changed


def write_parquet(type_id: str) -> None:
    """Background job: write a type's Parquet file after its rows changed."""
    path, _ = parquet_file(type_id)
    log.info("National Parquet file of %s written: %s", type_id, path)

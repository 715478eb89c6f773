"""Benchmark: the national contracts file for 300 agencies, after one file changes.

    make services
    .venv/bin/python bench/national.py [--agencies 300] [--rows 1000]

Uses the *test* databases (ckan_test and datastore_test, which the test suite
resets anyway; set the environment as ``scripts/test.sh`` does, or
``test.ini``'s default ports are used). It seeds, in bulk, one agency per
organization with one public contracts dataset whose file is valid, and puts
each file's resource table straight into the DataStore database as the loader
would (one typed column per Table Schema field, ``--rows`` rows each). Then it
prints, in one run:

* a full rebuild from scratch: the national table built again from every
  resource table (``anticorruption_national_rebuild``), the whole CSV streamed
  (``COPY … TO STDOUT``) and the Parquet file written;
* one file changing (its resource table replaced by new rows, which is the
  loader's work and not counted): the hook ``resource_table_changed`` (delete
  that file's rows and copy them again), the whole CSV streamed and the Parquet
  file written again; the target is under 5 s for the three;
* the rows in the table and the files' sizes, and a check that the changed
  file's new rows, and only them, are in the CSV.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TYPE = "contracts_register"
TARGET_SECONDS = 5.0


def load_ckan(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(ini)
    config["ckanext.anticorruption.coverage.snapshot_hour"] = "-1"
    return make_app(config)


def reset_databases() -> None:
    import ckan.model as model
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    from ckanext.anticorruption.national import store

    model.repo.rebuild_db()
    ckan = Path(sys.executable).with_name("ckan")
    subprocess.run([str(ckan), "-c", os.environ.get("CKAN_INI", str(ROOT / "test.ini")), "db",
                    "pending-migrations", "--apply"], check=True, capture_output=True)
    with get_write_engine().begin() as conn:
        for (name,) in conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND left(tablename, 1) <> '_'")).all():
            conn.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
    store._ready.clear()


def _value(field: dict[str, Any], pg: str, prefix: str) -> str:
    """An SQL expression of the series ``g`` for a column of this type."""
    name = field["name"]
    if pg == "numeric":
        return "(g * 1234.5)::numeric"
    if pg == "date":
        return "date '2025-01-01' + (g % 365)"
    if pg == "timestamp":
        return "timestamp '2025-01-01' + g * interval '1 minute'"
    if pg == "bool":
        return "g % 2 = 0"
    if name == "contract_id":
        return f"'{prefix}-' || g"
    if name == "currency":
        return "'MXN'"
    return f"'{name} ' || (g % 97)"


def create_resource_table(conn: Any, resource_id: str, fields: list[dict[str, Any]], rows: int, prefix: str) -> None:
    """A file's DataStore table as the loader writes it (typed columns named as the fields)."""
    import sqlalchemy as sa

    from ckanext.anticorruption.national.columns import pg_type

    columns = [(f["name"], pg_type(f.get("type"))) for f in fields]
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{resource_id}"'))
    conn.execute(sa.text(
        f'CREATE TABLE "{resource_id}" (_id serial PRIMARY KEY, _full_text tsvector, '
        + ", ".join(f'"{name}" {pg}' for name, pg in columns) + ")"))
    conn.execute(sa.text(
        f'INSERT INTO "{resource_id}" ({", ".join(chr(34) + n + chr(34) for n, _ in columns)}) '
        f"SELECT {', '.join(_value(f, pg, prefix) for f, (_, pg) in zip(fields, columns))} "
        f"FROM generate_series(1, {rows}) g"))


def seed(agencies: int, rows: int) -> list[str]:
    """Agencies, each with a public contracts dataset whose one file is valid and loaded; the file ids."""
    import ckan.model as model
    from ckanext.datastore.backend.postgres import get_write_engine

    from ckanext.anticorruption.dataset_types.types import dataset_type
    from ckanext.anticorruption.model import Validation

    fields = dataset_type(TYPE).table_schema["fields"]
    resource_ids = []
    for i in range(agencies):
        org = model.Group(name=f"agency-{i:03d}", title=f"Agency {i:03d}", type="organization",
                          is_organization=True)
        model.Session.add(org)
        model.Session.flush()
        pkg = model.Package(name=f"contracts-{i:03d}", title=f"Contracts {i:03d}", type=TYPE,
                            owner_org=org.id, private=False, state="active")
        model.Session.add(pkg)
        model.Session.flush()
        res = model.Resource(package_id=pkg.id, url=f"contracts-{i:03d}.csv", format="CSV",
                             url_type="upload")
        model.Session.add(res)
        model.Session.flush()
        model.Session.add(Validation(resource_id=res.id, package_id=pkg.id, run_id=str(uuid.uuid4()),
                                     state="valid", source=""))
        resource_ids.append(res.id)
    model.Session.commit()
    with get_write_engine().begin() as conn:
        for i, resource_id in enumerate(resource_ids):
            create_resource_table(conn, resource_id, fields, rows, f"A{i:03d}")
    return resource_ids


def stream_csv() -> tuple[int, int]:
    """The whole national CSV, streamed and thrown away: its bytes and lines."""
    from ckanext.anticorruption.national import files

    size = lines = 0
    for chunk in files.csv_chunks(TYPE):
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def timed(label: str, function: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.2f} s")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=os.environ.get("CKAN_INI", str(ROOT / "test.ini")))
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()

    app = load_ckan(args.ini)
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk
        from ckanext.datastore.backend.postgres import get_write_engine

        from ckanext.anticorruption import hooks
        from ckanext.anticorruption.dataset_types.types import dataset_type
        from ckanext.anticorruption.national import files

        reset_databases()
        start = time.perf_counter()
        resource_ids = seed(args.agencies, args.rows)
        print(f"Seeded {args.agencies} agencies x {args.rows} rows in {time.perf_counter() - start:.1f} s "
              f"(CKAN rows + resource tables in the DataStore)")
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"user": site_user, "ignore_auth": True}

        print("\nFull rebuild from scratch (baseline):")
        full = [
            timed("national table (INSERT ... SELECT per file)", lambda: tk.get_action(
                "anticorruption_national_rebuild")(dict(context), {"id": TYPE}))[0],
            timed("CSV streamed (COPY ... TO STDOUT)", stream_csv)[0],
            timed("Parquet written (COPY stream, pyarrow batches)", files.parquet_file, TYPE)[0],
        ]
        shown = tk.get_action("anticorruption_national_show")({}, {"id": TYPE})
        size, lines = stream_csv()
        parquet, _ = files.parquet_file(TYPE)
        print(f"  {'total':<44} {sum(full):8.2f} s   ({shown['rows']:,} rows from {shown['files']} files; "
              f"CSV {size / 1e6:.1f} MB, Parquet {parquet.stat().st_size / 1e6:.1f} MB)")

        changed = resource_ids[len(resource_ids) // 2]
        with get_write_engine().begin() as conn:  # the loader's work: not counted
            create_resource_table(conn, changed, dataset_type(TYPE).table_schema["fields"], args.rows, "NEW")

        print("\nOne file changes (incremental):")
        incremental = [
            timed("national table (hook: that file's rows)", hooks.resource_table_changed, changed)[0],
            timed("CSV streamed (COPY ... TO STDOUT)", stream_csv)[0],
            timed("Parquet written again", files.parquet_file, TYPE)[0],
        ]
        total = sum(incremental)
        print(f"  {'total':<44} {total:8.2f} s   target < {TARGET_SECONDS:.0f} s: "
              f"{'met' if total < TARGET_SECONDS else 'NOT met'}; the table alone "
              f"{full[0] / incremental[0]:.0f}x faster than the rebuild")

        new_rows = sum(1 for chunk in files.csv_chunks(TYPE) for line in chunk.split(b"\n") if b",NEW-" in line)
        old_rows = sum(1 for chunk in files.csv_chunks(TYPE) for line in chunk.split(b"\n")
                       if f",A{len(resource_ids) // 2:03d}-".encode() in line)
        assert (new_rows, old_rows) == (args.rows, 0), (new_rows, old_rows)
        assert stream_csv()[1] == lines, "the number of rows changed"
        print(f"\nChecked: the changed file's {new_rows:,} new rows are in the CSV and its old ones are not. "
              f"Peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.")


if __name__ == "__main__":
    main()

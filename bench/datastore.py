"""Benchmark: loading a valid contracts file into the DataStore, next to our validation alone and XLoader.

    .venv/bin/python bench/datastore.py [--rows 1000000] [--datastore-url postgresql://…/datastore_test]

The DataStore is the test one (``scripts/services.sh start``, then the URL
of ``datastore_test`` on your PG_PORT; it needs CKAN's DataStore functions,
set up by ``scripts/test.sh``). Each figure comes from its own child process,
so its peak memory (VmHWM) is its own:

- ours, validation alone: ``validate_file`` on the file;
- ours, validation + load: the same run with the DataStore spool as a column
  scan, which feeds a COPY into a new hidden table while the file is read
  (``store.CopyStream``), then the end of the COPY and the swap
  (``datastore/store.py``: the table is queryable from there); then, timed apart, its full-text
  column filled and CKAN's search index built (``fill_full_text``, the
  follow-up step of the same job);
- XLoader 2.x: ``ckanext.xloader.loader.load_csv`` (COPY, then its own
  full-text fill) + ``create_column_indexes`` on the same file.

The load's target: at most 2× the validation alone, at most 500 MB.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.validation.corpus import rows_for, table_schema  # noqa: E402

_PRELUDE = """
import json, re, sys, time
import frictionless, pyarrow, sqlalchemy
from ckan.common import config
config.update({
    "ckan.datastore.write_url": sys.argv[4], "ckan.datastore.read_url": sys.argv[4],
    "ckan.datastore.default_fts_lang": "english", "ckan.datastore.default_fts_index_method": "gist",
    "ckan.datastore.default_fts_index_field_types": [],
})
def peak_mb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
schema = json.load(open(sys.argv[2]))
"""

_VALIDATE = _PRELUDE + """
from ckanext.anticorruption.validation import validate_file
started = time.perf_counter()
result = validate_file(sys.argv[1], schema, max_errors_per_type=10**9)
json.dump({"seconds": time.perf_counter() - started, "state": result.state, "rows": result.rows,
           "rss_mb": peak_mb()}, open(sys.argv[3], "w"))
"""

_LOAD = _PRELUDE + """
from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.datastore.columns import TableSpool, table_fields
from ckanext.anticorruption.datastore import store
table = "bench-anticorruption-contracts"
streams = []
def stream():
    # As the job does (datastore/load.py, Spool): a COPY into a hidden table, fed as the file is read.
    streams.append(store.CopyStream(table_fields(schema)))
    return streams[-1]
started = time.perf_counter()
result = validate_file(sys.argv[1], schema, max_errors_per_type=10**9,
                       scans=lambda: [TableSpool(schema, sink=stream)])
validated = time.perf_counter()
assert result.state == "valid" and len(streams) == 1, (result.error_counts, len(streams))
count = streams[0].swap(table)
loaded = time.perf_counter()
# The table is in the DataStore and readable; then its full-text search, as the job does next.
filled = []
store.fill_full_text(table, progress=lambda done, total: filled.append(time.perf_counter()))
indexed = time.perf_counter()
with store.backend.get_write_engine().connect() as conn:
    searchable = conn.execute(sqlalchemy.text(
        f'SELECT count(*) FROM "{table}" WHERE _full_text IS NOT NULL')).scalar()
store.drop_table(table)
json.dump({"seconds": loaded - started, "validate": validated - started, "load": loaded - validated,
           "full_text": indexed - loaded, "index": indexed - filled[-1], "searchable": searchable, "rows": count, "rss_mb": peak_mb()},
          open(sys.argv[3], "w"))
"""

# XLoader's loader calls CKAN's actions (datastore_create, which resource_patches the resource), so this
# child starts CKAN (test.ini and the services of the environment) before its clock starts, and makes a real
# dataset and resource with the actions, as the site's sysadmin. The resource is a link with no schema
# (schema_mode "none"): our own hooks then neither check it nor load it, and XLoader's plugin is not enabled
# (it would queue its own job), so what is timed is XLoader's load_csv + create_column_indexes alone.
_XLOADER = """
import sys
sys.path.append(sys.argv[5])  # ckanext-xloader 2.x and its dependencies, after our own packages
""" + _PRELUDE + """
import logging, os, uuid
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config(os.environ["CKAN_INI"]))
import ckan.model as model
import ckan.plugins.toolkit as tk
import ckanext
ckanext.__path__.append(os.path.join(sys.argv[5], "ckanext"))  # CKAN's ckanext is not a namespace package
from ckanext.xloader import loader
# Its plugin is not enabled (that would load it for every upload): its options' defaults, as its declaration has them.
import yaml
from ckan.common import config as ckan_config
for group in yaml.safe_load(open(os.path.join(sys.argv[5], "ckanext", "xloader", "config_declaration.yaml")))["groups"]:
    for option in group["options"]:
        if "default" in option and option["key"] not in ckan_config:
            value = option["default"]
            if option.get("type") == "list" and isinstance(value, str):
                value = value.split()
            ckan_config[option["key"]] = value
import importlib.util
spec = importlib.util.spec_from_file_location("bench_guide", os.path.join(os.getcwd(), "tests", "guide.py"))
guide = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guide)  # a "tests" package of site-packages would shadow ours
minimal_dataset = guide.minimal_dataset
from ckanext.anticorruption.datastore import store
logging.basicConfig(level=logging.WARNING)
log = logging.getLogger("xloader")
with app._wsgi_app.test_request_context():
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = lambda: {"user": site_user["name"], "ignore_auth": True}
    suffix = uuid.uuid4().hex[:8]
    org = tk.get_action("organization_create")(context(), {"name": "bench-xloader-" + suffix})
    package = tk.get_action("package_create")(context(), dict(
        minimal_dataset("contracts_register", org["id"], name="bench-xloader-" + suffix)))
    resource = tk.get_action("resource_create")(context(), {
        "package_id": package["id"], "url": "http://bench.invalid/contracts.csv", "format": "CSV",
        "schema_mode": "none", "schema_reason": "Benchmark of XLoader: not checked"})
    try:
        started = time.perf_counter()
        fields = loader.load_csv(sys.argv[1], resource_id=resource["id"], mimetype="text/csv", logger=log)
        loaded = time.perf_counter()
        loader.create_column_indexes(fields=fields, resource_id=resource["id"], logger=log)
        seconds = time.perf_counter() - started
        # create_column_indexes (2.6.0) runs on engine.connect() and neither commits nor closes: its transaction
        # (CREATE INDEX, ENABLE TRIGGER) stays open, holding its locks, until the connection is collected, and
        # is then rolled back. That, not datastore_create, is what hung earlier runs of this bench: the DROP TABLE
        # that cleans up waited for the lock of that forgotten transaction in the same process.
        import gc
        gc.collect()
        with store.backend.get_write_engine().connect() as conn:
            indexes = conn.execute(sqlalchemy.text("SELECT count(*) FROM pg_indexes WHERE tablename = :t"),
                                   {"t": resource["id"]}).scalar()
            trigger = conn.execute(sqlalchemy.text(
                "SELECT tgenabled FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND tgname = 'zfulltext'"),
                {"t": '"' + resource["id"] + '"'}).scalar()
            searchable = conn.execute(sqlalchemy.text(
                f'SELECT count(*) FROM "{resource["id"]}" WHERE _full_text IS NOT NULL')).scalar()
        rows = tk.get_action("datastore_search")(context(), {"resource_id": resource["id"], "limit": 0})["total"]
        json.dump({"seconds": seconds, "load_csv": loaded - started, "rows": rows, "rss_mb": peak_mb(),
                   "indexes": indexes, "trigger_enabled": trigger == "O", "searchable": searchable},
                  open(sys.argv[3], "w"))
    finally:
        store.drop_table(resource["id"])
        tk.get_action("dataset_purge")(context(), {"id": package["id"]})
        tk.get_action("organization_purge")(context(), {"id": org["id"]})
"""


# A child that has not finished by then is stopped and reported (XLoader's can hang in datastore_create here).
CHILD_TIMEOUT = 900


def generate(path: Path, rows: int) -> dict[str, Any]:
    """A valid contracts file (the corpus's rows without the optional identifiers of other bodies)."""
    schema = table_schema("contracts_register")
    blank = {i for i, field in enumerate(schema["fields"])
             if field.get("identifier") and not (field.get("constraints") or {}).get("required")}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([field["name"] for field in schema["fields"]])
        for row in rows_for(schema, rows, seed=42):
            writer.writerow(["" if i in blank else cell for i, cell in enumerate(row)])
    return schema


def child(code: str, *args: str) -> tuple[dict[str, Any] | None, str]:
    out = args[2]
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"still running after {CHILD_TIMEOUT} s, stopped"
    if done.returncode:
        return None, (os.environ.get("BENCH_DEBUG") and done.stderr[-3000:]) or (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    return json.loads(Path(out).read_text()), ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    port = os.environ.get("PG_PORT", "5432")
    parser.add_argument("--datastore-url", default=f"postgresql://ckan_default:pass@127.0.0.1:{port}/datastore_test")
    parser.add_argument("--xloader", default=str(ROOT / ".dev" / "bench-xloader"),
                        help="where ckanext-xloader 2.x is installed for the bench (pip install --target)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        path = directory / f"contracts_{args.rows}.csv"
        print(f"generating {args.rows} valid contract rows…", flush=True)
        schema = generate(path, args.rows)
        schema_path = directory / "schema.json"
        schema_path.write_text(json.dumps(schema))
        common = (str(path), str(schema_path))
        # Validation alone runs twice (before and after the load), the faster run counts: the first child
        # of a run also pays for cold caches.
        runs = [child(_VALIDATE, *common, str(directory / "v.json"), args.datastore_url)]
        if runs[0][0] is None:
            sys.exit(f"validation failed: {runs[0][1]}")
        load, why = child(_LOAD, *common, str(directory / "l.json"), args.datastore_url)
        if load is None:
            sys.exit(f"load failed: {why}")
        runs.append(child(_VALIDATE, *common, str(directory / "v.json"), args.datastore_url))
        validation = min((run for run, _ in runs if run is not None), key=lambda run: run["seconds"])
        xloader, why = (None, f"not installed at {args.xloader}") if not Path(args.xloader).is_dir() else child(
            _XLOADER, *common, str(directory / "x.json"), args.datastore_url, args.xloader)

        target = 2 * validation["seconds"]
        print(f"{'':<46} {'rows':>9} {'seconds':>8} {'peak MB':>8}")
        print(f"{'ours: validation alone':<46} {validation['rows']:>9} {validation['seconds']:>8.2f} "
              f"{validation['rss_mb']:>8.0f}")
        print(f"{'ours: validation feeding the COPY':<46} {load['rows']:>9} {load['validate']:>8.2f}")
        print(f"{'ours: then end of COPY, key, swap (queryable)':<46} {load['rows']:>9} {load['load']:>8.2f}")
        print(f"{'ours: validation + load':<46} {load['rows']:>9} {load['seconds']:>8.2f} {load['rss_mb']:>8.0f}")
        print(f"{'ours: then full-text fill + index (separate)':<46} {load['searchable']:>9} "
              f"{load['full_text']:>8.2f}")
        print(f"{'  of which the full-text index (CKAN):':<46} {'':>9} {load['index']:>8.2f}")
        print(f"{'ours: all of it (validation to searchable)':<46} {load['rows']:>9} "
              f"{load['seconds'] + load['full_text']:>8.2f}")
        if xloader is not None:
            print(f"{'XLoader 2.x load_csv (COPY + full text)':<46} {xloader['rows']:>9} {xloader['load_csv']:>8.2f}")
            print(f"{'XLoader 2.x load_csv + create_column_indexes':<46} {xloader['rows']:>9} "
                  f"{xloader['seconds']:>8.2f} {xloader['rss_mb']:>8.0f}")
            if xloader["indexes"] <= 1 or not xloader["trigger_enabled"]:
                print(f"  XLoader left {xloader['indexes']} index(es) on its table and its full-text trigger "
                      f"{'enabled' if xloader['trigger_enabled'] else 'DISABLED'}: create_column_indexes never "
                      "commits (engine.connect() without commit), so its indexes and trigger are rolled back")
            print(f"  XLoader rows with _full_text: {xloader['searchable']} of {xloader['rows']}")
        else:
            print(f"XLoader 2.x: could not run here ({why})")
        # The load is all the run takes beyond the validation alone: feeding the COPY, its end, the swap.
        extra = load["seconds"] - validation["seconds"]
        ratio = extra / validation["seconds"]
        print(f"load (validation + load - validation alone) / validation alone: {ratio:.2f}x "
              f"(target <= 2x: {'met' if extra <= target else 'NOT met'}); "
              f"validation + load / validation alone: {load['seconds'] / validation['seconds']:.2f}x; "
              f"with the full-text fill: {(extra + load['full_text']) / validation['seconds']:.2f}x; "
              f"peak {load['rss_mb']:.0f} MB (target <= 500: {'met' if load['rss_mb'] <= 500 else 'NOT met'})")
        print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Benchmark: the coverage page and its JSON export at national scale.

    make services
    .venv/bin/python bench/coverage.py [--orgs 300] [--datasets 20000] [--repeat 15]

Seeds organizations and datasets of the 30 types into the *test* database
(ckan_test, which the test suite resets anyway) and into Solr under a site
id of its own, which it removes at the end. Then it prints, in one run:

* the median server time of ``/coverage`` and ``/coverage.json`` (Flask test
  client, in process, so this is the time CKAN spends, without the network);
* the number of Solr and SQL queries per request, at a tenth of the
  organizations and at all of them (they must not grow with the agencies);
* the same for a naive implementation that asks Solr once per cell, as a
  baseline (run once: it is slow by design).

Datasets are written in bulk: rows in PostgreSQL and documents in Solr with
the same coverage fields our plugin indexes (``coverage.dataset_facts``);
going through ``package_create`` for 20,000 datasets would take about a
quarter of an hour and measure CKAN's indexer rather than the page.
"""
from __future__ import annotations

import argparse
import datetime
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SITE_ID = "bench.coverage.anticorruption"
TARGET_MS = 300
_EU = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = [_EU + f for f in ("MONTHLY", "QUARTERLY", "ANNUAL", "ANNUAL", "IRREG", "DAILY")]


def load_ckan(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(ini)
    config["ckan.site_id"] = SITE_ID
    config["ckanext.anticorruption.coverage.snapshot_hour"] = "-1"
    return make_app(config)


class Counter:
    """Counts SQL statements (SQLAlchemy events) and Solr requests (pysolr)."""

    def __init__(self) -> None:
        import pysolr
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.sql = self.solr = 0
        event.listen(Engine, "before_cursor_execute", self._on_sql)
        original = pysolr.Solr._send_request

        def counted(solr: Any, *args: Any, **kwargs: Any) -> Any:
            self.solr += 1
            return original(solr, *args, **kwargs)

        pysolr.Solr._send_request = counted

    def _on_sql(self, *args: Any) -> None:
        self.sql += 1

    def reset(self) -> None:
        self.sql = self.solr = 0


def reset_database() -> None:
    import ckan.model as model

    model.repo.rebuild_db()
    ckan = Path(sys.executable).with_name("ckan")
    subprocess.run([str(ckan), "-c", str(ROOT / "test.ini"), "db", "pending-migrations", "--apply"],
                   check=True, capture_output=True)


def seed(orgs: int, datasets: int, seed_value: int = 7) -> list[str]:
    """Organizations in PostgreSQL; datasets as rows and Solr documents; return the org ids."""
    import ckan.model as model
    from ckan.lib.search.common import make_connection

    from ckanext.anticorruption.coverage import scoring as coverage
    from ckanext.anticorruption.dataset_types import types as dataset_types

    rng = random.Random(seed_value)
    type_ids = list(dataset_types.dataset_types())
    ids = [str(uuid.uuid4()) for _ in range(orgs)]
    model.Session.bulk_insert_mappings(model.Group, [
        {"id": org_id, "name": f"bench-agency-{i:03d}", "title": f"Agencia {i:03d}", "type": "organization",
         "is_organization": True, "state": "active", "approval_status": "approved",
         "created": datetime.datetime.utcnow()}
        for i, org_id in enumerate(ids)])
    model.Session.commit()
    now = datetime.datetime.now(datetime.timezone.utc)
    docs, packages = [], []
    for n in range(datasets):
        owner = ids[min(int(rng.paretovariate(1.2)) - 1, orgs - 1)] if n % 3 else rng.choice(ids)
        type_id = rng.choice(type_ids)
        private = rng.random() < 0.1
        modified = now - datetime.timedelta(days=rng.randint(0, 500))
        dataset_id, name = str(uuid.uuid4()), f"bench-{n:06d}"
        fmt = rng.choice(["CSV", "CSV", "XLSX", "PDF"])
        state = rng.choice(["valid", "valid", "valid", "invalid", "not_validated"])
        shown = {"owner_org": owner, "type": type_id,
                 "frequency": rng.choice(FREQUENCIES), "metadata_modified": modified.isoformat(),
                 "resources": [{"id": f"{dataset_id}-file", "format": fmt, "created": modified.isoformat()}]}
        doc = {
            "id": dataset_id, "name": name, "title": f"Datos {n}", "site_id": SITE_ID, "entity_type": "package",
            "state": "active", "dataset_type": type_id, "type": type_id, "owner_org": owner,
            "capacity": "private" if private else "public",
            "permission_labels": [f"member-{owner}"] if private else ["public"],
            "metadata_created": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "metadata_modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "res_format": [fmt], "vocab_validation_state": [state],
            "index_id": f"{dataset_id}-{SITE_ID}",
        }
        doc.update(coverage.dataset_facts(shown, {f"{dataset_id}-file": state}, is_open=rng.random() < 0.85))
        docs.append(doc)
        packages.append({"id": dataset_id, "name": name, "title": doc["title"], "type": type_id,
                         "owner_org": owner, "private": private, "state": "active",
                         "metadata_created": modified.replace(tzinfo=None),
                         "metadata_modified": modified.replace(tzinfo=None)})
    model.Session.bulk_insert_mappings(model.Package, packages)
    model.Session.commit()
    solr = make_connection()
    for start in range(0, len(docs), 5000):
        solr.add(docs[start:start + 5000], commit=False)
    solr.commit()
    return ids


def clear_solr() -> None:
    from ckan.lib.search.common import make_connection

    make_connection().delete(q=f'site_id:"{SITE_ID}"', commit=True)


def naive_matrix(organization_ids: list[str]) -> int:
    """One package_search per cell, criteria computed from the returned datasets."""
    import ckan.plugins.toolkit as tk

    from ckanext.anticorruption.dataset_types import types as dataset_types

    cells = 0
    search = tk.get_action("package_search")
    for org_id in organization_ids:
        for type_id in dataset_types.dataset_types():
            result = search({"ignore_auth": True}, {
                "fq": f'+owner_org:"{org_id}" +dataset_type:{type_id} +capacity:public', "rows": 1000,
                "fl": "id,ac_open,ac_valid,ac_invalid,ac_machine_readable,ac_fresh_until_date,ac_updated_date"})
            cells += 1 if result["count"] else 0
    return cells


def timed_requests(client: Any, path: str, repeat: int, counter: Counter) -> tuple[float, int, int, int]:
    """(median ms, Solr queries, SQL queries, response bytes) of ``repeat`` GETs."""
    times = []
    size = 0
    for _ in range(repeat):
        counter.reset()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    return statistics.median(times), counter.solr, counter.sql, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow one-query-per-cell baseline")
    parser.add_argument("--profile", action="store_true", help="print where the page spends its time (full scale)")
    args = parser.parse_args()

    app = load_ckan(args.ini)
    flask_app = app._wsgi_app
    client = flask_app.test_client()
    counter = Counter()
    results: dict[int, dict[str, tuple[float, int, int, int]]] = {}
    if True:
        try:
            for scale in (max(1, args.orgs // 10), args.orgs):
                datasets = args.datasets * scale // args.orgs
                print(f"seeding {scale} organizations and {datasets} datasets…", flush=True)
                clear_solr()
                reset_database()
                ids = seed(scale, datasets)
                client.get("/coverage")  # warm up templates and caches
                results[scale] = {
                    "page": timed_requests(client, "/coverage", args.repeat, counter),
                    "json": timed_requests(client, "/coverage.json", args.repeat, counter),
                }
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(client.get, "/coverage")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            naive = None
            if not args.skip_naive:
                print(f"naive baseline: one Solr query per cell ({len(ids) * 30} cells)…", flush=True)
                with flask_app.test_request_context():
                    counter.reset()
                    started = time.perf_counter()
                    naive_matrix(ids)
                    naive = ((time.perf_counter() - started) * 1000, counter.solr, counter.sql)
        finally:
            clear_solr()

    small, full = sorted(results)
    print()
    print(f"{'':34} {'median ms':>10} {'Solr q':>7} {'SQL q':>6} {'bytes':>10}")
    for scale in (small, full):
        for label, key in (("/coverage", "page"), ("/coverage.json", "json")):
            ms, solr, sql, size = results[scale][key]
            print(f"{label + f' ({scale} orgs)':34} {ms:>10.1f} {solr:>7} {sql:>6} {size:>10}")
    if naive:
        print(f"{f'naive, one query per cell ({full} orgs)':34} {naive[0]:>10.1f} {naive[1]:>7} {naive[2]:>6}")
    page_ms = results[full]["page"][0]
    json_ms = results[full]["json"][0]
    constant = all(results[small][k][1:3] == results[full][k][1:3] for k in ("page", "json"))
    print()
    print(f"target: median ≤ {TARGET_MS} ms → page {page_ms:.0f} ms, JSON {json_ms:.0f} ms: "
          f"{'met' if max(page_ms, json_ms) <= TARGET_MS else 'NOT met'}")
    print(f"queries per request independent of the number of organizations: {'yes' if constant else 'NO'}")
    if naive:
        print(f"speed-up over the naive baseline (page): {naive[0] / page_ms:.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

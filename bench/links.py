"""Benchmark: red flags for 1,000,000 contract rows against 50,000 sanctioned suppliers.

    .venv/bin/python bench/links.py [--rows 1000000] [--sanctioned 50000] [--no-db]

Generates a contracts register (suppliers drawn from a pool four times the
size of the sanctions register, dates over five years) and a sanctions
register, then prints, in one run:

* the validation of the contracts file without and with the identifier
  scans: the difference is what gathering the identifiers costs;
* matching the two files' identifiers and comparing every award date with
  the sanction periods (pure, in memory);
* with the database (default; needs ``make services`` and the test
  database, which the suite resets anyway): writing both files' links to the
  linkage index and answering ``anticorruption_identifier_matches``' query
  for the contracts dataset;
* the total, against the issue's target of 10 s, and a naive baseline that
  reads the rows one by one with the csv module.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _rfc(rng: random.Random) -> str:
    from stdnum.mx import rfc

    body = ("".join(rng.choice(_LETTERS) for _ in range(3)) + f"{rng.randrange(0, 100):02d}"
            f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" + rng.choice("ABCDEFGH") + rng.choice("123456789"))
    return body + rfc.calc_check_digit(body)


def _day(rng: random.Random, start: datetime.date, span: int) -> str:
    return (start + datetime.timedelta(days=rng.randrange(span))).isoformat()


def generate(directory: Path, rows: int, sanctioned: int) -> tuple[Path, Path]:
    from ckanext.anticorruption.dataset_types import types as dataset_types

    rng = random.Random(7)
    pool = list({_rfc(rng) for _ in range(sanctioned * 4 + 1000)})[: sanctioned * 4]
    barred = pool[:sanctioned]
    start = datetime.date(2021, 1, 1)
    sanctions = directory / "sanciones.csv"
    header = [f["name"] for f in dataset_types.dataset_type("debarred_contractors").table_schema["fields"]]
    with open(sanctions, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for number, supplier in enumerate(barred, start=1):
            begin = _day(rng, start, 1500)
            end = "" if number % 5 == 0 else (datetime.date.fromisoformat(begin) + datetime.timedelta(days=730)).isoformat()
            writer.writerow([f"S-{number}", supplier, "Proveedor SA de CV", "persona moral", "27-SFP", "SFP",
                             "inhabilitación", "Motivo", begin, begin, end, "1000.00", "MXN"])
    contracts = directory / "contratos.csv"
    header = [f["name"] for f in dataset_types.dataset_type("contracts_register").table_schema["fields"]]
    with open(contracts, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for number in range(1, rows + 1):
            writer.writerow([f"C-{number}", f"ocds-abc123-{number}", "09-210", rng.choice(pool), "Proveedor SA de CV",
                             "Obra", "48250000.00", "MXN", _day(rng, start, 1826), "", "", "licitación pública", ""])
    return contracts, sanctions


def validate(path: Path, type_id: str, scans: bool) -> tuple[float, Any]:
    from ckanext.anticorruption.dataset_types import types as dataset_types
    from ckanext.anticorruption.identifiers.schemes import Registry
    from ckanext.anticorruption.validation import validate_file
    from ckanext.anticorruption.identifiers.scan import IdentifierCheck, IdentifierLinks

    typ = dataset_types.dataset_type(type_id)
    registry = Registry.of([])
    factory = (lambda: [IdentifierCheck(typ.table_schema, registry),
                        IdentifierLinks(typ.table_schema, registry, typ.red_flags)]) if scans else None
    started = time.perf_counter()
    result = validate_file(str(path), typ.table_schema, scans=factory)
    return time.perf_counter() - started, result


def naive(contracts: Path, sanctions: Path) -> tuple[float, int]:
    """Row by row: a dict of sanction periods, then every contract row looked up."""
    started = time.perf_counter()
    periods: dict[str, list[tuple[str, str]]] = {}
    with open(sanctions, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            periods.setdefault(row["supplier_id"], []).append((row["sanction_start"], row["sanction_end"] or "9999"))
    flagged = set()
    with open(contracts, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for begin, end in periods.get(row["supplier_id"], ()):
                if begin <= row["date_signed"] <= end:
                    flagged.add(row["supplier_id"])
    return time.perf_counter() - started, len(flagged)


def _links(summary: dict[str, Any], resource_id: str, package_id: str) -> list[dict[str, Any]]:
    return [{**link, "resource_id": resource_id, "package_id": package_id,
             "moments": link.get("dates", link.get("periods")), "role": summary["role"]}
            for link in summary["links"] if link["field"] == summary["supplier"]]


def with_database(ini: str, contracts_summary: dict[str, Any], sanctions_summary: dict[str, Any]) -> tuple[float, float, int]:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.model as model

        from ckanext.anticorruption.identifiers import linkage

        packages, resources = [], []
        for type_id in ("contracts_register", "debarred_contractors"):
            package = model.Package(id=str(uuid.uuid4()), name=f"bench-links-{uuid.uuid4().hex[:8]}", type=type_id,
                                    state="active", private=False)
            resource = model.Resource(package_id=package.id, url="file.csv")
            resource.id, resource.state = str(uuid.uuid4()), "active"
            model.Session.add_all([package, resource])
            packages.append(package)
            resources.append(resource)
        model.Session.commit()
        try:
            started = time.perf_counter()
            linkage.replace(resources[0].id, packages[0].id, "contracts_register", contracts_summary)
            linkage.replace(resources[1].id, packages[1].id, "debarred_contractors", sanctions_summary)
            stored = time.perf_counter() - started
            started = time.perf_counter()
            found = linkage.matches_for_package(packages[0].id, None)
            queried = time.perf_counter() - started
            flagged = len({m["award"]["identifier"] for m in found["awards"] if m["in_force"]})
        finally:
            from ckanext.anticorruption.model import IdentifierLink

            for package, resource in zip(packages, resources):
                model.Session.query(IdentifierLink).filter_by(resource_id=resource.id).delete()
                model.Session.delete(resource)
                model.Session.delete(package)
            model.Session.commit()
    return stored, queried, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sanctioned", type=int, default=50_000)
    parser.add_argument("--no-db", action="store_true", help="Skip the database stages.")
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    args = parser.parse_args()

    from ckanext.anticorruption.identifiers import redflags

    with tempfile.TemporaryDirectory() as tmp:
        print(f"Generating {args.rows:,} contract rows and {args.sanctioned:,} sanctioned suppliers…", flush=True)
        contracts, sanctions = generate(Path(tmp), args.rows, args.sanctioned)
        validate(sanctions, "debarred_contractors", scans=False)  # imports and warm-up
        plain, _ = validate(contracts, "contracts_register", scans=False)
        scanned, contracts_result = validate(contracts, "contracts_register", scans=True)
        sanctions_seconds, sanctions_result = validate(sanctions, "debarred_contractors", scans=True)
        assert contracts_result.state == "valid", contracts_result.error_counts
        awards = _links(contracts_result.scans["links"], "contracts", "p1")
        barred = _links(sanctions_result.scans["links"], "sanctions", "p2")
        started = time.perf_counter()
        matches = redflags.match(awards, barred)
        matched = time.perf_counter() - started
        in_force = len({m["award"]["identifier"] for m in matches if m["in_force"]})
        naive_seconds, naive_flagged = naive(contracts, sanctions)

        gather = max(scanned - plain, 0.0)
        rows = [
            ("contracts validation, no scans", plain),
            ("contracts validation, with identifier scans", scanned),
            ("  of which gathering and checking identifiers", gather),
            ("sanctions validation, with scans", sanctions_seconds),
            ("match in memory (dates vs periods)", matched),
        ]
        total = gather + sanctions_seconds + matched
        if not args.no_db:
            stored, queried, db_flagged = with_database(args.ini, contracts_result.scans["links"],
                                                        sanctions_result.scans["links"])
            rows += [("write both files' links to the index", stored),
                     ("matches query for the contracts dataset", queried)]
            total += stored + queried
            assert db_flagged == in_force, (db_flagged, in_force)
        print()
        print(f"{'stage':48} {'seconds':>9}")
        for label, seconds in rows:
            print(f"{label:48} {seconds:9.2f}")
        print(f"{'total: identifiers gathered, stored, matched':48} {total:9.2f}   target < {TARGET_SECONDS:.0f} s")
        print(f"{'naive csv row loop (matching only)':48} {naive_seconds:9.2f}")
        print()
        print(f"suppliers in the contracts: {len(awards):,}; in both files: {len({m['award']['identifier'] for m in matches}):,}; "
              f"sanctioned at signature: {in_force:,} (naive loop: {naive_flagged:,})")
        assert in_force == naive_flagged


if __name__ == "__main__":
    main()

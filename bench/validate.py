"""Benchmark: our validate_file against frictionless on big generated files.

    .venv/bin/python bench/validate.py [--rows 1000000] [--xlsx-rows 100000] [--quick]

``--rows 0`` skips the CSV, ``--xlsx-rows 0`` the XLSX.

Ours runs in a child process so its peak RSS is measured alone.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.validation.corpus import rows_for, table_schema, typed_rows, write_xlsx  # noqa: E402

# A worker imports its libraries once; the child does so before the clock
# starts, as frictionless is already imported in this process. Peak memory is
# VmHWM, which (unlike ru_maxrss) does not inherit this process's peak.
_CHILD = """
import json, re, sys, time
import frictionless, pyarrow, python_calamine
from ckanext.anticorruption.validation import validate_file
schema = json.load(open(sys.argv[2]))
started = time.perf_counter()
result = validate_file(sys.argv[1], schema, max_errors_per_type=10**9)
seconds = time.perf_counter() - started
errors = [(e["type"], e.get("rowNumber"), e.get("fieldName"), e.get("cell")) for e in result.report["tasks"][0]["errors"]]
json.dump({"seconds": seconds, "engine": result.engine, "rows": result.rows, "errors": errors,
           "rss_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024},
          open(sys.argv[3], "w"))
"""


def generate(directory: Path, rows: int, xlsx_rows: int) -> list[Path]:
    schema = table_schema("contracts_register")
    header = [field["name"] for field in schema["fields"]]
    paths = []
    if rows:  # --rows 0 benchmarks the XLSX alone
        import csv

        csv_path = directory / f"contracts_{rows}.csv"
        with open(csv_path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows_for(schema, rows, seed=42, error_rate=0.002))
        paths.append(csv_path)
    if xlsx_rows:
        # As a publisher's Excel holds it: amounts as numbers, dates as
        # date-formatted serials, a <dimension>.
        typed = typed_rows(schema, list(rows_for(schema, xlsx_rows, seed=43, error_rate=0.002)))
        xlsx_path = write_xlsx(
            directory / f"contracts_{xlsx_rows}.xlsx", header, typed, sheet="contratos", dimension=True, date_format="dd/mm/yyyy"
        )
        paths.append(xlsx_path)
    return paths


def run_ours(path: Path, schema_path: Path, directory: Path) -> dict[str, Any]:
    out = directory / "ours.json"
    subprocess.run([sys.executable, "-c", _CHILD, str(path), str(schema_path), str(out)], check=True, cwd=ROOT)
    return json.loads(out.read_text())


def run_frictionless(path: Path, schema: dict[str, Any]) -> tuple[float, list[tuple[Any, ...]]]:
    from ckanext.anticorruption.validation import validate_file

    started = time.perf_counter()
    result = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    seconds = time.perf_counter() - started
    assert result.report is not None
    errors = [(e["type"], e.get("rowNumber"), e.get("fieldName"), e.get("cell")) for e in result.report["tasks"][0]["errors"]]
    return seconds, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="50k CSV rows, 5k XLSX rows")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.xlsx_rows = 50_000, 5_000
    schema = table_schema("contracts_register")
    import frictionless  # noqa: F401  (imported before any clock starts, as in the child)

    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        schema_path = directory / "schema.json"
        schema_path.write_text(json.dumps(schema))
        print(f"generating {args.rows} CSV rows and {args.xlsx_rows} XLSX rows…", flush=True)
        paths = generate(directory, args.rows, args.xlsx_rows)
        lines = []
        header = f"{'file':<28} {'rows':>9} {'MB':>7} {'frictionless s':>15} {'ours s':>8} {'ratio':>7} {'engine':>12} {'our peak MB':>11} {'agree':>6}"
        for path in paths:
            ours = run_ours(path, schema_path, directory)
            reference_seconds, reference_errors = run_frictionless(path, schema)
            agree = collections.Counter(map(tuple, ours["errors"])) == collections.Counter(reference_errors)
            lines.append(
                f"{path.name:<28} {ours['rows']:>9} {os.path.getsize(path) / 1e6:>7.1f} {reference_seconds:>15.2f} "
                f"{ours['seconds']:>8.2f} {reference_seconds / ours['seconds']:>6.1f}x {ours['engine']:>12} {ours['rss_mb']:>11.0f} {str(agree):>6}"
            )
        print(header)
        print("\n".join(lines))


if __name__ == "__main__":
    main()

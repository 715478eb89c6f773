"""Benchmark: our validate_file against frictionless and against the physical limit.

    .venv/bin/python bench/validate.py [--rows 1000000] [--xlsx-rows 100000] [--xlsx-large 400000] [--quick] [--warm]

``--rows 0`` skips the CSV, ``--xlsx-rows 0`` the XLSX, ``--xlsx-large 0``
the larger XLSX (ours only: it shows whether our peak memory grows with
the rows).

The limit ("bare") is a plain pyarrow.csv parse of the same file with the
same Table Schema checks written directly in pyarrow.compute (types,
required, patterns, enums, minimum, the unique key), counting errors per
kind, without any report: see :func:`bare_check`. Both sides run without
column scans; ours is also timed with the scans a portal run uses
(identifier checks, identifier links, privacy), and with the type's
Table Schema as the portal holds it (publisher values), for information.

Ours and the bare baseline run in child processes, so each one's peak
memory (VmHWM) is measured alone. With ``--warm`` both ours and
frictionless first validate a 200-row file of the same kind outside the
clock, as a worker that has already validated a file.
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
import collections, json, re, sys, time
import frictionless, pyarrow, python_calamine
from ckanext.anticorruption.validation import validate_file
sys.path.insert(0, "bench")
import validate as bench
path, schema, mode = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[4]
scans = bench.portal_scans() if mode == "scans" else None
if mode == "scans":
    schema = bench.portal_schema()
if len(sys.argv) > 5:  # --warm: a worker that has already validated a file (plugins loaded, modules imported)
    validate_file(sys.argv[5], schema, max_errors_per_type=10**9)
started, cpu = time.perf_counter(), time.process_time()
if mode == "bare":
    counts, rows = bench.bare_check(path, schema)
    seconds, engine, errors = time.perf_counter() - started, "bare", None
else:
    result = validate_file(path, schema, max_errors_per_type=10**9, scans=scans)
    seconds, engine, rows = time.perf_counter() - started, result.engine, result.rows
    errors = [(e["type"], e.get("rowNumber"), e.get("fieldName"), e.get("cell")) for e in result.report["tasks"][0]["errors"]]
    counts = collections.Counter(error[0] for error in errors)
cpu = time.process_time() - cpu
json.dump({"seconds": seconds, "cpu": cpu, "engine": engine, "rows": rows, "errors": errors, "counts": counts,
           "rss_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024},
          open(sys.argv[3], "w"))
"""


def portal_schema() -> dict[str, Any]:
    """The contracts Table Schema as the portal holds it (with its publisher values)."""
    from ckanext.anticorruption.dataset_types import types as dataset_types

    return dataset_types.dataset_type("contracts_register").table_schema


def portal_scans() -> Any:
    """The scans of a portal run (uploads.run._scans_for), without the plugins' extra schemes."""
    from ckanext.anticorruption.dataset_types import types as dataset_types
    from ckanext.anticorruption.identifiers.scan import IdentifierCheck, IdentifierLinks
    from ckanext.anticorruption.identifiers.schemes import Registry
    from ckanext.anticorruption.privacy.scan import PrivacyScan

    typ = dataset_types.dataset_type("contracts_register")
    registry, schema = Registry.of([]), typ.table_schema
    return lambda: [IdentifierCheck(schema, registry), IdentifierLinks(schema, registry, typ.red_flags or {}),
                    PrivacyScan(schema)]


# The shapes the bare baseline accepts for a number and a date (frictionless
# accepts a few more, such as "1e3"; the generated files hold none).
_BARE_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"


def bare_check(path: str, schema: dict[str, Any]) -> tuple[dict[str, int], int]:
    """The limit: pyarrow.csv parses the file, pyarrow.compute checks it; errors are only counted.

    What a competent engineer writes without our engine's reporting: every
    column read as text (a typed parse stops at the first bad cell), each
    field's checks as a vectorised expression per batch, repeated keys
    found with a group-by at the end. One thread, as ours (a worker shares
    the machine), 4 MB blocks, quoted line breaks allowed.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    fields = schema["fields"]
    names = [spec["name"] for spec in fields]
    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(use_threads=False, block_size=4 * 1024 * 1024),
        # Quoted line breaks are legal CSV (the generated file has some).
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(column_types={name: pa.string() for name in names},
                                              strings_can_be_null=False),
    )
    counts: collections.Counter[str] = collections.Counter()
    key_fields = set(schema.get("primaryKey") or []) | {
        spec["name"] for spec in fields if (spec.get("constraints") or {}).get("unique")}
    keys: dict[str, list[Any]] = {name: [] for name in key_fields}
    rows = 0
    for batch in reader:
        rows += batch.num_rows
        for spec in fields:
            column = batch.column(spec["name"])
            constraints = spec.get("constraints") or {}
            present = pc.not_equal(column, "")
            if constraints.get("required") or spec["name"] in key_fields:
                counts["constraint-error"] += len(column) - pc.sum(present).as_py()
            type_ = spec.get("type", "string")
            if type_ == "number":
                shaped = pc.match_substring_regex(column, _BARE_NUMBER)
                counts["type-error"] += pc.sum(pc.and_(present, pc.invert(shaped))).as_py()
                values = pc.cast(pc.if_else(shaped, column, "0"), pa.float64())
                if "minimum" in constraints:
                    below = pc.and_(shaped, pc.less(values, float(constraints["minimum"])))
                    counts["constraint-error"] += pc.sum(below).as_py()
            elif type_ == "date":
                dates = pc.strptime(column, format="%Y-%m-%d", unit="s", error_is_null=True)
                # strptime rolls 2020-02-30 over to March 1st: the day must be the one written.
                written = pc.utf8_ltrim(pc.utf8_slice_codeunits(pc.if_else(pc.is_valid(dates), column, "0"), -2), "-")
                real = pc.fill_null(pc.equal(pc.day(dates), pc.cast(written, pa.int64())), False)
                counts["type-error"] += pc.sum(pc.and_(present, pc.invert(real))).as_py()
            else:
                if "pattern" in constraints:
                    # "\n?": frictionless's Python "$" also matches before a final line break.
                    fits = pc.match_substring_regex(column, "^(?:" + constraints["pattern"] + ")\n?$")
                    counts["constraint-error"] += pc.sum(pc.and_(present, pc.invert(fits))).as_py()
                if "enum" in constraints:
                    listed = pc.is_in(column, value_set=pa.array([str(value) for value in constraints["enum"]]))
                    counts["constraint-error"] += pc.sum(pc.and_(present, pc.invert(listed))).as_py()
            if spec["name"] in keys:
                keys[spec["name"]].append(pc.if_else(present, column, None))
    primary_key = schema.get("primaryKey") or []
    for name, chunks in keys.items():
        table = pa.table({"key": pa.chunked_array(chunks, pa.string())})
        if name in primary_key:  # a row without its key
            counts["primary-key"] += table.num_rows - pc.count(table["key"]).as_py()
        table = table.filter(pc.is_valid(pc.field("key")))
        repeated = table.group_by("key").aggregate([("key", "count")])
        extra = pc.sum(pc.subtract(repeated["key_count"], 1)).as_py() or 0
        counts["primary-key" if name in primary_key else "unique-error"] += extra
        if name in primary_key and any(
                (spec.get("constraints") or {}).get("unique") for spec in fields if spec["name"] == name):
            counts["unique-error"] += extra
    return dict(+counts), rows


def generate(directory: Path, rows: int, xlsx_rows: int) -> list[Path]:
    schema = table_schema("contracts_register")
    header = [field["name"] for field in schema["fields"]]
    paths = []
    if rows and (directory / f"contracts_{rows}.csv").exists():  # kept by an earlier --dir run
        paths.append(directory / f"contracts_{rows}.csv")
    elif rows:  # --rows 0 benchmarks the XLSX alone
        import csv

        csv_path = directory / f"contracts_{rows}.csv"
        with open(csv_path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows_for(schema, rows, seed=42, error_rate=0.002))
        paths.append(csv_path)
    if xlsx_rows and (directory / f"contracts_{xlsx_rows}.xlsx").exists():
        paths.append(directory / f"contracts_{xlsx_rows}.xlsx")
    elif xlsx_rows:
        # As a publisher's Excel holds it: amounts as numbers, dates as
        # date-formatted serials, a <dimension>.
        typed = typed_rows(schema, list(rows_for(schema, xlsx_rows, seed=43, error_rate=0.002)))
        xlsx_path = write_xlsx(
            directory / f"contracts_{xlsx_rows}.xlsx", header, typed, sheet="contratos", dimension=True, date_format="dd/mm/yyyy"
        )
        paths.append(xlsx_path)
    return paths


_FRICTIONLESS_CPU: dict[str, float] = {}


_WARM: list[Path] = []  # --warm: a small file of the same kind each side validates before the clock


def run_child(path: Path, schema_path: Path, directory: Path, mode: str = "ours") -> dict[str, Any]:
    """``mode``: "ours", "scans" (ours with the portal's schema and scans) or "bare"."""
    out = directory / f"{mode}.json"
    warm = [str(item) for item in _WARM if item.suffix == path.suffix and mode != "bare"]
    subprocess.run([sys.executable, "-c", _CHILD, str(path), str(schema_path), str(out), mode, *warm], check=True,
                   cwd=ROOT)
    return json.loads(out.read_text())


def run_frictionless(path: Path, schema: dict[str, Any]) -> tuple[float, list[tuple[Any, ...]]]:
    from ckanext.anticorruption.validation import validate_file

    for warm in _WARM:
        if warm.suffix == path.suffix:
            validate_file(str(warm), schema, max_errors_per_type=10**9, engine="frictionless")
    started, cpu = time.perf_counter(), time.process_time()
    result = validate_file(str(path), schema, max_errors_per_type=10**9, engine="frictionless")
    seconds = time.perf_counter() - started
    _FRICTIONLESS_CPU[path.name] = time.process_time() - cpu
    assert result.report is not None
    errors = [(e["type"], e.get("rowNumber"), e.get("fieldName"), e.get("cell")) for e in result.report["tasks"][0]["errors"]]
    return seconds, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--xlsx-large", type=int, default=400_000, help="a larger XLSX, ours only (memory)")
    parser.add_argument("--quick", action="store_true", help="50k CSV rows, 5k and 20k XLSX rows")
    parser.add_argument("--dir", help="keep the generated files here, and reuse those already there")
    parser.add_argument("--warm", action="store_true",
                        help="each side first validates a 200-row file of the same kind, before the clock: a "
                             "worker's steady state (modules imported, frictionless's plugins loaded)")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.xlsx_rows, args.xlsx_large = 50_000, 5_000, 20_000
    schema = table_schema("contracts_register")
    import frictionless  # noqa: F401  (imported before any clock starts, as in the child)

    with tempfile.TemporaryDirectory() as name:
        directory = Path(args.dir or name)
        directory.mkdir(parents=True, exist_ok=True)
        schema_path = directory / "schema.json"
        schema_path.write_text(json.dumps(schema))
        print(f"generating {args.rows} CSV rows and {args.xlsx_rows} + {args.xlsx_large} XLSX rows…", flush=True)
        paths = generate(directory, args.rows, args.xlsx_rows)
        if args.xlsx_large:
            paths += generate(directory, 0, args.xlsx_large)
        if args.warm:
            warm = directory / "warm"
            warm.mkdir(exist_ok=True)
            _WARM.extend(generate(warm, 200 if args.rows else 0, 200 if args.xlsx_rows or args.xlsx_large else 0))
        print(f"load average before the runs: {os.getloadavg()[0]:.2f}")
        lines = []
        header = (f"{'file':<28} {'rows':>9} {'MB':>7} {'frictionless s':>15} {'ours s':>8} {'ratio':>7} "
                  f"{'bare s':>7} {'limit':>6} {'engine':>8} {'our peak MB':>11} {'agree':>6}")
        notes = []
        for path in paths:
            ours = run_child(path, schema_path, directory)
            large = path.suffix == ".xlsx" and args.xlsx_large and path.name == f"contracts_{args.xlsx_large}.xlsx"
            bare = None
            if path.suffix == ".csv":
                # The machine is shared: each side runs twice, interleaved, and keeps its faster run.
                bare = run_child(path, schema_path, directory, "bare")
                ours = min(ours, run_child(path, schema_path, directory), key=lambda run: run["seconds"])
                bare = min(bare, run_child(path, schema_path, directory, "bare"), key=lambda run: run["seconds"])
            if large:
                reference_seconds, agree, ratio = float("nan"), "-", "-"
            else:
                reference_seconds, reference_errors = run_frictionless(path, schema)
                agree = str(collections.Counter(map(tuple, ours["errors"])) == collections.Counter(reference_errors))
                ratio = f"{reference_seconds / ours['seconds']:.1f}x"
            limit = f"{ours['seconds'] / bare['seconds']:.2f}x" if bare else "-"
            bare_seconds = f"{bare['seconds']:.2f}" if bare else "-"
            lines.append(
                f"{path.name:<28} {ours['rows']:>9} {os.path.getsize(path) / 1e6:>7.1f} {reference_seconds:>15.2f} "
                f"{ours['seconds']:>8.2f} {ratio:>7} {bare_seconds:>7} {limit:>6} {ours['engine']:>8} "
                f"{ours['rss_mb']:>11.0f} {agree:>6}"
            )
            if path.name in _FRICTIONLESS_CPU:
                notes.append(f"{path.name}: CPU seconds frictionless {_FRICTIONLESS_CPU[path.name]:.2f}, ours "
                             f"{ours['cpu']:.2f}: {_FRICTIONLESS_CPU[path.name] / ours['cpu']:.1f}x")
            elif path.suffix == ".xlsx":
                notes.append(f"{path.name}: ours {ours['cpu']:.2f} CPU seconds")
            if bare:
                same = bare["counts"] == ours["counts"]
                notes.append(f"{path.name}: bare counts {bare['counts']} (ours {'the same' if same else ours['counts']}); "
                             f"bare peak {bare['rss_mb']:.0f} MB; CPU seconds ours {ours['cpu']:.2f}, bare "
                             f"{bare['cpu']:.2f}: {ours['cpu'] / bare['cpu']:.2f}x")
                scanned = run_child(path, schema_path, directory, "scans")
                notes.append(f"{path.name}: ours as a portal run (type schema with publisher values, identifier and "
                             f"privacy scans) {scanned['seconds']:.2f} s, peak {scanned['rss_mb']:.0f} MB")
        print(header)
        print("\n".join(lines))
        print("\n".join(notes))
        print("limit = ours s / bare s: a plain pyarrow.csv parse with the same checks in pyarrow.compute, "
              "both without scans; ratio = frictionless s / ours s")
        print(f"load average after the runs: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

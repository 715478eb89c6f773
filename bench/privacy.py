"""Benchmark of the privacy scan: recall on the seeded corpus, false positives
on clean look-alike files, and its cost inside a validation of 1,000,000 rows.

    .venv/bin/python bench/privacy.py [--rows 1000000] [--clean-rows 10000]

Prints, in one run: recall per seeded file, the false-positive rate on the
clean files (cells and columns flagged wrongly / all), and the validation
time of a 1M-row contracts CSV without and with the scan (fast engine).
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckanext.anticorruption.dataset_types.types import dataset_type  # noqa: E402
from ckanext.anticorruption.privacy.scan import PrivacyScan  # noqa: E402
from ckanext.anticorruption.validation import validate_file  # noqa: E402
from tests.privacy.corpus import CONTRACTS_HEADER, clean_files, contracts_rows, seeded_files  # noqa: E402


def scan(path: Path, schema: dict) -> tuple[dict, float, int]:
    started = time.perf_counter()
    result = validate_file(str(path), schema, format="csv", scans=lambda: [PrivacyScan(schema)])
    return result.scans["privacy"], time.perf_counter() - started, result.rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clean-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print("Recall on the seeded files")
        for file in seeded_files():
            path = directory / file.name
            path.write_bytes(file.csv())
            summary, _, _ = scan(path, file.table_schema or dataset_type(file.type_id).table_schema)
            found = {(c["field"], k): v["count"] for c in summary["columns"] for k, v in c["kinds"].items()}
            hit = sum(min(found.get(key, 0), n) for key, n in file.seeded.items())
            print(f"  {file.name:48} seeded {sum(file.seeded.values()):5}  found {hit:5}  "
                  f"recall {hit / sum(file.seeded.values()):.1%}  other findings {sum(found.values()) - hit}")

        print(f"False positives on clean files ({args.clean_rows:,} rows each)")
        cells = flagged_cells = columns = flagged_columns = 0
        for file in clean_files(rows=args.clean_rows):
            path = directory / file.name
            path.write_bytes(file.csv())
            summary, seconds, rows = scan(path, dataset_type(file.type_id).table_schema)
            file_cells = sum(1 for row in file.rows for cell in row if cell)
            cells += file_cells
            columns += len(file.header)
            flagged_cells += summary["findings"]
            flagged_columns += len(summary["columns"])
            print(f"  {file.name:48} cells {file_cells:7,}  flagged {summary['findings']}  "
                  f"columns flagged {len(summary['columns'])}/{len(file.header)}")
        print(f"  total: cells {flagged_cells}/{cells:,} = {flagged_cells / cells:.4%}; "
              f"columns {flagged_columns}/{columns} = {flagged_columns / columns:.1%}")

        print("False positives on random values that follow each of the 30 types' Table Schema "
              "(tests/validation/corpus.py, 2,000 rows each)")
        from ckanext.anticorruption.dataset_types.types import dataset_types
        from tests.validation.corpus import rows_for, write_csv

        cells = flagged_cells = columns = flagged_columns = 0
        kinds: dict[str, int] = {}
        for typ in dataset_types().values():
            header = [f["name"] for f in typ.table_schema["fields"]]
            rows = list(rows_for(typ.table_schema, 2000, seed=3))
            summary, _, _ = scan(write_csv(directory / f"{typ.id}.csv", header, rows), typ.table_schema)
            cells += sum(1 for row in rows for cell in row if cell)
            columns += len(header)
            flagged_cells += summary["findings"]
            flagged_columns += len(summary["columns"])
            for column in summary["columns"]:
                for kind, found in column["kinds"].items():
                    kinds[kind] = kinds.get(kind, 0) + found["count"]
        print(f"  total: cells {flagged_cells}/{cells:,} = {flagged_cells / cells:.4%}; "
              f"columns {flagged_columns}/{columns} = {flagged_columns / columns:.1%}; by kind {kinds}")

        if args.rows:
            path = directory / "contracts.csv"
            rng = random.Random(1)
            with open(path, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(CONTRACTS_HEADER)
                for start in range(0, args.rows, 100_000):
                    writer.writerows(contracts_rows(rng, min(100_000, args.rows - start)))
            schema = dataset_type("contracts_register").table_schema
            for _ in range(2):  # warm the page cache and the imports
                started = time.perf_counter()
                plain = validate_file(str(path), schema, format="csv")
                without = time.perf_counter() - started
                summary, with_scan, rows = scan(path, schema)
            print(f"A {rows:,}-row contracts CSV ({path.stat().st_size / 1e6:.0f} MB, engine {plain.engine}):")
            print(f"  validation without the scan {without:6.2f} s")
            print(f"  validation with the scan    {with_scan:6.2f} s  (+{with_scan - without:.2f} s, "
                  f"{(with_scan - without) / without:+.0%}); cells flagged {summary['findings']}")


if __name__ == "__main__":
    main()

"""Real files from Mexican public bodies, as a publisher uploads them.

For each real CSV, XLS and XLSX in ``../shared/real-data`` (or
``ANTICORRUPTION_REAL_DATA_DIR``) and the type it is published as, prints:
how its header was matched to the type's columns, the verdict as published
(columns matched by name, title and alias, with no mapping from anyone), the
errors left, their kinds, and the seconds the check took. Pure engine, no
CKAN: the same ``validate_file`` the worker runs.

    python bench/real_files.py [--only SUBSTRING]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckanext.anticorruption.dataset_types.types import dataset_type  # noqa: E402
from ckanext.anticorruption.validation import validate_file  # noqa: E402

REAL_DATA = Path(os.environ.get("ANTICORRUPTION_REAL_DATA_DIR", ROOT.parent / "shared" / "real-data"))

# (file under real-data, the Guide type it is published as); see real-data/README.md.
FILES = [
    ("jmtoral__sancionados_marzo19/proveedores_sancionados.csv", "debarred_contractors"),
    ("anabcm__Compranet-sancionados/data/ProveedoresyContratistasSancionados.csv", "debarred_contractors"),
    ("wiktorrajca__Data-Science-Honors-Thesis/world_bank_listing_of_ineligible_firms_and_individuals.xlsx",
     "debarred_contractors"),
    ("wiktorrajca__Data-Science-Honors-Thesis/european_bank_for_reconstruction_and_development_ineligible_firms.csv",
     "debarred_contractors"),
    ("Cihua01__Python230221/Listado_Completo_69-B.csv", "tax_records"),
    ("procurement-analytics__compranet-data/data/sample/sample_Contratos2013_150514080004.csv", "contracts_register"),
    ("procurement-analytics__compranet-data/data/sample/sample_Contratos2014_150514075704.csv", "contracts_register"),
    ("lapanquecita__cuenta-publica/csv/2023.csv", "budgets"),
    ("lapanquecita__cuenta-publica/xls/2023.xls", "budgets"),
]


def _row(name: str, type_id: str) -> list[str]:
    path = REAL_DATA / name
    if not path.is_file():
        return [name, type_id, "absent", "", "", "", ""]
    started = time.perf_counter()
    result = validate_file(str(path), dataset_type(type_id).table_schema)
    seconds = time.perf_counter() - started
    columns = (result.detected or {}).get("columns") or {}
    header = f"{columns.get('matched', '?')}/{columns.get('fields', '?')}" if columns else "exact"
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(
        (result.error_counts or {}).items(), key=lambda item: -item[1])[:3])
    verdict = result.state + (f" ({result.problem})" if result.problem else "")
    return [name.split("/")[-1][:44], type_id, header, verdict, f"{result.error_count:,}", kinds, f"{seconds:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the files whose path contains this")
    args = parser.parse_args()
    if not REAL_DATA.is_dir():
        sys.exit(f"The real files are not at {REAL_DATA} (set ANTICORRUPTION_REAL_DATA_DIR).")
    head = ["file", "type", "header matched", "verdict as published", "errors left", "most frequent", "seconds"]
    rows = [head] + [_row(name, type_id) for name, type_id in FILES if args.only in name]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    final = sum(1 for row in rows[1:] if row[3].split(" ")[0] in ("valid", "invalid"))
    print(f"\n{final} of {len(rows) - 1} files reached a final state (valid or invalid) as published.")


if __name__ == "__main__":
    main()

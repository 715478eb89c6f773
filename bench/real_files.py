"""Real files from Mexican public bodies, as a publisher uploads them.

For each real CSV, XLS and XLSX in ``../shared/real-data`` (or
``ANTICORRUPTION_REAL_DATA_DIR``), with the type it is published as and the
column mapping a publisher would choose for it (``tests/real/mappings.yaml``),
prints side by side:

- by position: the verdict when columns are taken in the Table Schema's order
  (how the portal read files before columns were matched by name);
- as published: the verdict with the automatic mapping only (columns matched
  by name, title and alias, values read as publishers write them), and its
  errors;
- with the publisher's mapping: the verdict and the errors left, their most
  frequent kinds, and the seconds the check took.

Pure engine, no CKAN: the same ``validate_file`` the worker runs.

    python bench/real_files.py [--only SUBSTRING]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckanext.anticorruption.dataset_types.types import dataset_type  # noqa: E402
from ckanext.anticorruption.validation import validate_file  # noqa: E402
from ckanext.anticorruption.validation.source import SourceProblem, header_labels, open_source  # noqa: E402

from tests.real import REAL_DATA, RealFile, real_files  # noqa: E402


def _verdict(result) -> str:
    return result.state + (f" ({result.problem})" if result.problem else "")


def _by_position(path: Path, real: RealFile, schema: dict) -> str:
    """The verdict with the file's columns taken as the schema's, one by one."""
    source = open_source(str(path), sheet=real.sheet)
    labels = [] if isinstance(source, SourceProblem) else header_labels(source)
    names = [spec["name"] for spec in schema.get("fields", [])]
    mapping = {label: (names[i] if i < len(names) else None) for i, label in enumerate(labels) if label}
    result = validate_file(str(path), schema, sheet=real.sheet, mapping=mapping or None)
    return f"{_verdict(result)} {result.error_count:,}"


def _row(real: RealFile) -> list[str]:
    path = REAL_DATA / real.path
    if not path.is_file():
        return [real.id, real.type, "absent", "", "", "", "", "", ""]
    schema = dataset_type(real.type).table_schema
    by_position = _by_position(path, real, schema)
    published = validate_file(str(path), schema, sheet=real.sheet)
    started = time.perf_counter()
    mapped = validate_file(str(path), schema, sheet=real.sheet,
                           mapping={label: field or None for label, field in real.column_mapping.items()} or None)
    seconds = time.perf_counter() - started
    columns = (mapped.detected or {}).get("columns") or {}
    header = f"{columns.get('matched', '?')}/{columns.get('fields', '?')}" if columns else "exact"
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(
        (mapped.error_counts or {}).items(), key=lambda item: -item[1])[:3])
    return [real.id[:44], real.type, by_position, f"{_verdict(published)} {published.error_count:,}", header,
            _verdict(mapped), f"{mapped.error_count:,}", kinds, f"{seconds:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the files whose path contains this")
    args = parser.parse_args()
    if not REAL_DATA.is_dir():
        sys.exit(f"The real files are not at {REAL_DATA} (set ANTICORRUPTION_REAL_DATA_DIR).")
    head = ["file", "type", "by position", "as published (automatic)", "mapped columns",
            "with the publisher's mapping", "errors left", "most frequent", "seconds"]
    rows = [head] + [_row(real) for real in real_files() if args.only in real.path]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    final = sum(1 for row in rows[1:] if row[5].split(" ")[0] in ("valid", "invalid"))
    print(f"\n{final} of {len(rows) - 1} files reached a final state with the publisher's mapping; "
          "tests/real/test_mapped.py holds each error left to a true defect of the data.")


if __name__ == "__main__":
    main()

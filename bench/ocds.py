"""Time the OCDS check of a large release package built from the federal government's real releases.

    .venv/bin/python bench/ocds.py [RELEASES]

Prints the file's size, the seconds and the peak memory of the check (JSON
read, each release against the 1.1 schema, the suppliers gathered for the
linkage index), and the releases checked per second.
"""
from __future__ import annotations

import copy
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from ckanext.anticorruption.identifiers.ocds import OcdsPartyLinks
from ckanext.anticorruption.identifiers.schemes import Registry
from ckanext.anticorruption.validation.ocds import validate_ocds

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data" / "open-contracting__sample-data" / "mexico"


def main(count: int) -> None:
    samples = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted((REAL / "administracion-publica-federal" / "sample" / "records").glob("*.json"))]
    releases = []
    for n in range(count):
        release = copy.deepcopy(samples[n % len(samples)])
        release["ocid"] = f"ocds-07smqs-bench-{n}"
        release["id"] = str(n)
        if n % 100 == 0:
            release["date"] = "31/12/2017"  # an error now and then
        releases.append(release)
    package = {"uri": "https://api.datos.gob.mx/v1/bench", "version": "1.1", "publishedDate": "2018-01-04T19:23:45Z",
               "publisher": {"name": "SHCP"}, "releases": releases}
    with tempfile.NamedTemporaryFile(suffix=".json") as f, tempfile.NamedTemporaryFile(suffix=".csv.gz") as log:
        f.write(json.dumps(package, ensure_ascii=False).encode("utf-8"))
        f.flush()
        size = Path(f.name).stat().st_size
        registry = Registry.of([])
        started = time.perf_counter()
        result = validate_ocds(f.name, error_log=log.name, scans=lambda: [OcdsPartyLinks(registry)])
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count:,} releases, {size / 1e6:.1f} MB: {result.state}, {result.error_count:,} errors, "
          f"{len(result.scans['links']['links']):,} links, {seconds:.2f} s ({count / seconds:,.0f} releases/s), "
          f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)

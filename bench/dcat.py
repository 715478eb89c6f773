"""Benchmark: a 100-dataset DCAT catalog page with our profile and with plain euro_dcat_ap_3.

    PG_PORT=… SOLR_PORT=… (as for the tests)
    .venv/bin/python bench/dcat.py [--ini test.ini] [--datasets 100] [--repeat 5]

Creates the datasets (every Guide type in turn, fully described, two files
each with validation states) in the database of the given configuration
under the organization ``bench-dcat``, times what ``/catalog.ttl`` does for
one page (``package_search`` of 100 datasets, then the serialization to
Turtle) with each profile, and purges the datasets again.

The baseline is ckanext-dcat's ``EuropeanDCATAP3Profile`` unchanged except
for its constructor, which on this site refuses to start because no
scheming schema is called ``dataset`` (see ``dcat_profile.py``): the same
constructor as ours, none of our steps.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Before CKAN loads its plugins, which put CKAN's own `tests` package first.
from tests.dcat.conftest import populated_dataset, set_validation_state  # noqa: E402
from tests.guide import GUIDE_TYPE_IDS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        run(args.datasets, args.repeat)


def run(count: int, repeat: int) -> None:
    import ckan.plugins.toolkit as tk
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile

    class PlainEuroDCATAP3(EuropeanDCATAP3Profile):
        def __init__(self, graph, dataset_type="dataset", compatibility_mode=False):
            try:
                super().__init__(graph, dataset_type=dataset_type, compatibility_mode=compatibility_mode)
            except tk.ObjectNotFound:
                self._dataset_schema = None

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    try:
        org = tk.get_action("organization_show")(dict(context), {"id": "bench-dcat"})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(dict(context), {"name": "bench-dcat", "title": "Bench DCAT"})
    created = []
    print(f"Creating {count} datasets…", file=sys.stderr)
    for i in range(count):
        type_id = GUIDE_TYPE_IDS[i % len(GUIDE_TYPE_IDS)]
        data = populated_dataset(type_id, org["id"], name=f"bench-dcat-{i}")
        dataset = tk.get_action("package_create")(dict(context), data)
        for resource, state in zip(dataset["resources"], ("valid", "invalid")):
            set_validation_state(resource["id"], dataset["id"], state)
        created.append(dataset["id"])

    def page(profile: type | None) -> tuple[float, int]:
        started = time.perf_counter()
        results = tk.get_action("package_search")(
            {"user": ""}, {"q": "*:*", "fq": f'owner_org:"{org["id"]}"', "rows": count,
                           "sort": "metadata_modified desc"})["results"]
        serializer = RDFSerializer(profiles=["anticorruption"])
        if profile is not None:
            serializer._profiles = [profile]  # the baseline has no entry point of its own
        body = serializer.serialize_catalog({}, results, _format="ttl")
        return time.perf_counter() - started, len(body)

    try:
        page(None), page(PlainEuroDCATAP3)  # warm caches (schemas, vocabulary, licences)
        ours, plain = [], []
        for _ in range(repeat):
            ours.append(page(None))
            plain.append(page(PlainEuroDCATAP3))
    finally:
        for dataset_id in created:
            tk.get_action("dataset_purge")(dict(context), {"id": dataset_id})

    ours_s = statistics.median(t for t, _ in ours)
    plain_s = statistics.median(t for t, _ in plain)
    print(f"DCAT catalog page of {count} datasets (package_search + Turtle), median of {repeat}:")
    print(f"  anticorruption  {ours_s:7.3f} s  {ours[0][1] / 1024:8.0f} KiB")
    print(f"  euro_dcat_ap_3  {plain_s:7.3f} s  {plain[0][1] / 1024:8.0f} KiB")
    ratio = ours_s / plain_s
    print(f"  ratio {ratio:.2f} (target: at most 1.50) -> {'OK' if ratio <= 1.5 else 'OVER TARGET'}")


if __name__ == "__main__":
    os.environ.setdefault("CKAN_INI", str(ROOT / "test.ini"))
    main()

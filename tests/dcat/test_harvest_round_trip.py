"""A second CKAN site harvests this one's DCAT catalog and gets the same typed datasets.

The first site is the live test server (the test database); the second has its
own database (``ckan_harvest_test`` on the same PostgreSQL, created by
``scripts/services.sh``), its own configuration and ``ckan.site_id`` (it shares
the Solr core, which CKAN filters by site), and runs ckanext-dcat's RDF
harvester through ckanext-harvest's CLI (``harvester run-test``: gather, fetch
and import in one process).
"""
from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dcat.mapping import own_fields

from tests.guide import GUIDE_TYPE_IDS, minimal_dataset
from tests.dcat.conftest import create_populated

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

BIN = Path(sys.executable).parent
SECOND_DB = "ckan_harvest_test"


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


class SecondSite:
    """A CKAN site of its own, driven through its command line."""

    def __init__(self, directory: Path, first_ini: str) -> None:
        self.db_url = _with_path(tk.config["sqlalchemy.url"], f"/{SECOND_DB}")
        redis = urlsplit(tk.config["ckan.redis.url"])
        parser = configparser.RawConfigParser(strict=False)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(first_ini)
        settings = {
            "sqlalchemy.url": self.db_url,
            "ckan.site_id": "harvest.test",
            "ckan.site_url": "http://harvest.test",
            "ckan.redis.url": _with_path(tk.config["ckan.redis.url"], "/2"),
            "ckan.plugins": "harvest dcat dcat_rdf_harvester scheming_datasets anticorruption",
            "ckan.harvest.mq.type": "redis",
            "ckan.harvest.mq.hostname": redis.hostname or "127.0.0.1",
            "ckan.harvest.mq.port": str(redis.port or 6379),
            "ckan.harvest.mq.redis_db": "2",
            "ckan.storage_path": str(directory / "storage"),
        }
        for key, value in settings.items():
            parser.set("app:main", key, value)
        self.ini = directory / "second.ini"
        with open(self.ini, "w") as f:
            parser.write(f)
        self.env = {k: v for k, v in os.environ.items() if k not in ("CKAN_INI", "CKAN_SITE_URL")}
        self.env.update(CKAN_SQLALCHEMY_URL=self.db_url, CKAN_REDIS_URL=settings["ckan.redis.url"])

    def run(self, *args: str) -> str:
        command = [str(BIN / "ckan"), "-c", str(self.ini), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def action(self, action_name: str, **data: Any) -> Any:
        args = [f"{k}:{json.dumps(v)}" for k, v in data.items()]
        # ckanapi's `ckan api` command
        return json.loads(self.run("api", "action", action_name, *args))

    def reset(self) -> None:
        try:
            sa.create_engine(self.db_url).connect().close()
        except sa.exc.OperationalError as e:
            pytest.fail(f"the second site needs the database {SECOND_DB} next to the test database "
                        f"(scripts/services.sh creates it): {e}")
        self.run("db", "clean", "--yes")
        self.run("db", "upgrade")
        self.run("db", "pending-migrations", "--apply")
        self.run("search-index", "clear")


@pytest.fixture
def second_site(tmp_path: Path, request: pytest.FixtureRequest) -> SecondSite:
    site = SecondSite(tmp_path, request.config.getoption("ckan_ini"))
    site.reset()
    return site


def _files(dataset: dict[str, Any]) -> list[tuple]:
    return sorted((r["name"], r["url"], r["format"], r["schema_mode"], r.get("schema_url") or "")
                  for r in dataset["resources"])


def test_a_second_site_harvests_every_type_back(agency, live_server: str, second_site: SecondSite) -> None:
    sources = {type_id: create_populated(type_id, agency["id"]) for type_id in GUIDE_TYPE_IDS}
    call_action("package_create", **{**minimal_dataset("budgets", agency["id"], name="borrador-privado"),
                                     "private": True})

    second_site.action("organization_create", name="cosecha", title="Cosecha")
    # Through the action: ckanext-harvest 1.6.3's `harvester source create`
    # creates the source on CKAN 2.12 but then fails printing its status.
    second_site.action("harvest_source_create", name="portal-nacional", title="Portal nacional",
                       url=f"{live_server}/catalog.ttl", source_type="dcat_rdf", owner_org="cosecha",
                       frequency="MANUAL", config=json.dumps({"rdf_format": "text/turtle"}))
    second_site.run("harvester", "run-test", "portal-nacional")
    found = second_site.action("package_search", q="*:*", rows=1000, include_private=True,
                               fq="-dataset_type:harvest")

    harvested = {d["type"]: d for d in found["results"]}
    assert found["count"] == len(GUIDE_TYPE_IDS), sorted(d["name"] for d in found["results"])
    assert sorted(harvested) == sorted(GUIDE_TYPE_IDS)
    assert not [d for d in found["results"] if d["title"] == "Prueba budgets"], "a private dataset was harvested"
    for type_id, source in sources.items():
        copy = harvested[type_id]
        assert copy["title"] == source["title"]
        for field in ("guide_category", "guide_kind", "frequency", "temporal_start", "temporal_end",
                      "spatial_level", "spatial_text", "contact_name", "contact_email", "license_id", "notes"):
            assert copy.get(field) == source.get(field), (type_id, field)
        for field in ("language", "data_standards", *own_fields(type_id)):
            value = source.get(field)
            if isinstance(value, list):
                assert sorted(copy.get(field) or []) == sorted(value), (type_id, field)
            else:
                assert (copy.get(field) or None) == (value or None), (type_id, field)
        # The Table Schema link: same type (so the same /anticorruption/schemas/<type>.json),
        # and each file follows the same schema.
        assert _files(copy) == _files(source), type_id

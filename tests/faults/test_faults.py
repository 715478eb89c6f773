"""The portal and its workers against real failures: a killed worker, Redis,
Solr and PostgreSQL going away and coming back. No one acts in between: every
run must reach a final state and every upload must be kept by themselves."""
from __future__ import annotations

import http.server
import time

import pytest
import requests

import ckan.model as model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.model import IndexPending

from tests.conftest import http_server
from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW
from tests.faults.conftest import FINAL, run_state, wait_for

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

# faults.ini checks files of up to 300 bytes in the request, larger ones in the background.
SMALL = (HEADER + "\n" + ROW + "\n").encode()
BIG = (HEADER + "\n" + "\n".join(ROW.replace("C-1", f"C-{i}") for i in range(1, 6)) + "\n").encode()


@pytest.fixture
def agency():
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    return editor, dataset


def _upload(portal: str, editor: dict, dataset: dict, data: bytes, name: str) -> requests.Response:
    return requests.post(f"{portal}/api/3/action/resource_create", timeout=60,
                         headers={"Authorization": editor["token"]},
                         data={"package_id": dataset["id"], "format": "CSV", "name": name},
                         files={"upload": (f"{name}.csv", data)})


def _resources(dataset: dict) -> list[dict]:
    model.Session.rollback()
    return call_action("package_show", id=dataset["id"])["resources"]


class _SlowThenFine(http.server.BaseHTTPRequestHandler):
    """The first download trickles for ever (the worker is busy with it); later ones are served at once."""

    served = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if type(self).served == 1:
            self.send_header("Content-Length", str(10 * len(BIG)))
            self.end_headers()
            try:
                for _ in range(120):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                return
        else:
            self.send_header("Content-Length", str(len(BIG)))
            self.end_headers()
            self.wfile.write(BIG)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slow_link():
    _SlowThenFine.served = 0
    with http_server(_SlowThenFine) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/contratos.csv"


def test_a_run_whose_worker_is_killed_is_final_within_two_minutes(processes, agency, slow_link) -> None:
    editor, dataset = agency
    first = processes.worker()
    resource = call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                           url=slow_link, format="CSV", name="enlace")
    wait_for(lambda: run_state(resource["id"])[0] == "running", 90, "the worker never started the run", first)

    processes.kill(first)
    processes.worker()
    took = wait_for(lambda: run_state(resource["id"])[0] in FINAL, 120,
                    "the run was not final two minutes after its worker was killed",
                    explain=lambda: processes.explain([resource["id"]]))

    assert run_state(resource["id"]) == ("valid", 1)
    print(f"final {took:.0f} s after the worker was killed")


def test_uploads_while_redis_is_down_are_kept_and_checked_when_it_is_back(processes, agency) -> None:
    editor, dataset = agency
    redis, env = processes.proxy("redis")
    portal = processes.web(**env)
    processes.supervised_worker(**env)

    redis.down()
    answers = [_upload(portal, editor, dataset, data, f"archivo-{i}")
               for i, data in enumerate((SMALL, BIG, SMALL, BIG))]

    assert [a.status_code for a in answers] == [200] * 4, [a.text[:300] for a in answers]
    uploaded = [a.json()["result"]["id"] for a in answers]
    assert [r["id"] for r in _resources(dataset)] == uploaded
    assert [run_state(i)[0] for i in uploaded] == ["valid", "pending", "valid", "pending"]

    redis.up()
    wait_for(lambda: all(run_state(i)[0] in FINAL for i in uploaded), 120,
             "runs queued while Redis was down did not end after it came back",
             explain=lambda: processes.explain(uploaded))
    assert {run_state(i)[0] for i in uploaded} == {"valid"}


def test_an_upload_while_solr_is_down_is_kept_and_indexed_when_it_is_back(processes, agency) -> None:
    editor, dataset = agency
    solr, env = processes.proxy("solr")
    portal = processes.web(**env)
    processes.supervised_worker(**env)

    solr.down()
    answer = _upload(portal, editor, dataset, SMALL, "durante-la-caida")

    assert answer.status_code == 409
    assert "will be added by itself as soon as the search service is back" in answer.text
    kept = _resources(dataset)
    assert [r["name"] for r in kept] == ["durante-la-caida"]
    assert run_state(kept[0]["id"])[0] == "valid"
    # The dataset waits for the index, and so does the national file's dataset that its valid file created.
    national = model.Package.get("national-contracts-register")
    assert national is not None
    assert {row.package_id for row in model.Session.query(IndexPending)} == {dataset["id"], national.id}

    solr.up()
    wait_for(lambda: model.Session.query(IndexPending).count() == 0 or model.Session.rollback(), 60,
             "the index did not catch up after Solr came back", explain=processes.explain)
    found = call_action("package_search", fq=f"id:{dataset['id']}")["results"]
    assert [r["name"] for r in found[0]["resources"]] == ["durante-la-caida"]


def test_portal_and_worker_recover_when_postgresql_restarts(processes, agency) -> None:
    editor, dataset = agency
    database, env = processes.proxy("db")
    portal = processes.web(**env)
    processes.supervised_worker(**env)
    assert _upload(portal, editor, dataset, SMALL, "antes").status_code == 200

    database.down()  # every connection of the portal and the worker is cut, as by a restart
    time.sleep(3)
    database.up()

    after = _upload(portal, editor, dataset, BIG, "despues")
    assert after.status_code == 200, after.text[:500]
    resource_id = after.json()["result"]["id"]
    wait_for(lambda: run_state(resource_id)[0] in FINAL, 120, "the worker did not recover from the restart",
             explain=lambda: processes.explain([resource_id]))
    assert run_state(resource_id)[0] == "valid"
    assert requests.get(f"{portal}/dataset/{dataset['name']}", timeout=30).status_code == 200

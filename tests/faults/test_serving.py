"""`make serve`: the portal under gunicorn with several worker processes, and a
jobs worker that is started again when it dies (`ckan anticorruption worker`)."""
from __future__ import annotations

import os
import signal

import pytest
import requests

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.faults.conftest import FINAL, _descendants, run_state, wait_for
from tests.faults.test_faults import BIG, _upload
from tests.hostile import HEADER, ROW
from tests.guide import minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


def _worker_pids(supervisor) -> list[int]:
    """The RQ worker processes under the supervisor (its children running `ckan jobs worker`)."""
    pids = []
    for pid in _descendants(supervisor.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().split(b"\0")
        except OSError:
            continue
        if b"jobs" in command and b"worker" in command:
            pids.append(pid)
    return pids


def test_gunicorn_serves_the_portal_and_a_killed_worker_is_started_again(processes) -> None:
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    portal = processes.gunicorn(workers=2)
    for path in ("/", "/coverage", "/anticorruption/types", f"/dataset/{dataset['name']}"):
        answer = requests.get(portal + path, timeout=60)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    assert "gunicorn" in answer.headers.get("Server", "")

    supervisor = processes.supervisor()
    first = _worker_pids(supervisor)
    assert len(first) >= 1
    for pid in first:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: bool(set(_worker_pids(supervisor)) - set(first)) and
             processes.log.read_text(errors="replace").count("has started on queue") >= 2, 90,
             "the supervisor did not start the worker again", explain=lambda: processes.explain())
    assert supervisor.poll() is None
    assert "worker exited with code" in processes.log.read_text(errors="replace")

    # The restarted worker checks an upload sent through gunicorn.
    answer = _upload(portal, editor, dataset, BIG, "contratos")
    assert answer.status_code == 200, answer.text[:300]
    resource_id = answer.json()["result"]["id"]
    wait_for(lambda: run_state(resource_id)[0] in FINAL, 120, "the upload was not checked by the restarted worker",
             explain=lambda: processes.explain([resource_id]))
    assert run_state(resource_id)[0] == "valid"


def _peak_memory_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmHWM:")).split()[1]) / 1024


def test_a_50_mb_upload_is_streamed_to_storage_and_checked_in_the_background(processes, tmp_path) -> None:
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    path = tmp_path / "contratos-2025.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        number = 0
        while f.tell() < 50 * 1024 * 1024:
            number += 1
            f.write(ROW.replace("C-1,ocds-abc123-1", f"C-{number},ocds-abc123-{number}") + "\n")
    size = path.stat().st_size
    portal = processes.gunicorn(workers=1)
    server = processes.started[-1]
    (web,) = [pid for pid in _descendants(server.pid)]  # the one gunicorn worker
    requests.get(portal + "/", timeout=60)  # the worker has built its application
    with open(f"/proc/{web}/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from what the worker holds now
    before = _peak_memory_mb(web)
    processes.supervisor()

    with open(path, "rb") as f:
        answer = requests.post(f"{portal}/api/3/action/resource_create", timeout=300,
                               headers={"Authorization": editor["token"]},
                               data={"package_id": dataset["id"], "format": "CSV", "name": "contratos-2025"},
                               files={"upload": (path.name, f, "text/csv")})
    grew = _peak_memory_mb(web) - before

    assert answer.status_code == 200, answer.text[:300]
    resource = answer.json()["result"]
    assert run_state(resource["id"])[0] in ("pending", "running")  # the web request did not check it
    assert resource["size"] == size
    stored = requests.get(resource["url"], timeout=120, stream=True)
    assert stored.status_code == 200
    assert sum(len(chunk) for chunk in stored.iter_content(1 << 20)) == size
    # Streamed: the web process never held the file (50 MB) in memory.
    assert grew < 25, f"the web worker's peak memory grew by {grew:.0f} MB for a {size / 2**20:.0f} MB upload"
    wait_for(lambda: run_state(resource["id"])[0] in FINAL, 180, "the 50 MB upload was not checked in the background",
             explain=lambda: processes.explain([resource["id"]]))
    assert run_state(resource["id"]) == ("valid", 0)  # by the worker, at its first attempt
    print(f"50 MB upload: web worker peak memory +{grew:.1f} MB")

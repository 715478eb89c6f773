"""Benchmark: hostile uploads against a real CKAN web process.

    make services
    .venv/bin/python bench/hostile_load.py [--ini test.ini] [--timeout 120]

Starts ``ckan run`` (the real web server, on a free port of 127.0.0.1, with
the test configuration and the *test* database, which the suite resets
anyway), creates a publisher with an API token and a contracts dataset, then
uploads through the API (``resource_create``, multipart), one at a time:

* a 20 KB CSV whose header is 3,519 short labels (the attacker's file);
* a 1 MB CSV: the header, then a million empty lines (the operator's file);
* a CSV with 10,000 columns (header and one row);
* a CSV with 1,000 columns, the default limit: checked in full, so this is
  the linear header check at its widest.

For each it prints the request's wall time and the web process's peak
memory growth during the request (its VmHWM, reset through
``/proc/<pid>/clear_refs`` before the request, minus its VmRSS then), next
to the targets (5 s, 300 MB), and the run's final state: a run that went on
in the background is finished by ``ckan jobs worker --burst``, whose time is
shown too. Loopback only; every wait is bounded. The ports of the services
come from PG_PORT, REDIS_PORT and SOLR_PORT, as for ``make test``.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Imported before CKAN loads its plugins, which bring another top-level "tests".
from tests.guide import minimal_dataset  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MB = 300


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CKAN_SQLALCHEMY_URL",
                   f"postgresql://ckan_default:pass@127.0.0.1:{env.get('PG_PORT', '5432')}/ckan_test")
    env.setdefault("CKAN_SOLR_URL", f"http://127.0.0.1:{env.get('SOLR_PORT', '8983')}/solr/ckan")
    env.setdefault("CKAN_REDIS_URL", f"redis://127.0.0.1:{env.get('REDIS_PORT', '6379')}/1")
    return env


def files(directory: Path) -> list[tuple[str, Path]]:
    from ckanext.anticorruption.dataset_types import types as dataset_types

    names = [f["name"] for f in dataset_types.dataset_type("contracts_register").table_schema["fields"]]
    wide = directory / "cabecera-ancha.csv"
    labels, size, i = [], 0, 0
    while size < 20_000:
        labels.append(f"c{i}")
        size += len(labels[-1]) + 1
        i += 1
    wide.write_text(",".join(labels) + "\n", encoding="utf-8")
    empty = directory / "lineas-vacias.csv"
    header = ",".join(names) + "\n"
    empty.write_text(header + "\n" * (1_000_000 - len(header)), encoding="utf-8")
    huge = directory / "diez-mil-columnas.csv"
    huge.write_text(",".join(f"col{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n",
                    encoding="utf-8")
    limit = directory / "mil-columnas.csv"
    limit.write_text(",".join(names + [f"extra{i}" for i in range(1000 - len(names))]) + "\n"
                     + ",".join(["C-1"] + [""] * 999) + "\n", encoding="utf-8")
    return [(f"20 KB wide header ({len(labels):,} columns)", wide), ("1 MB of empty lines", empty),
            ("10,000 columns", huge), ("1,000 columns (the limit)", limit)]


def setup(ini: str, env: dict[str, str]) -> tuple[str, str, str]:
    """A publisher with an API token, an organization and a contracts dataset: (token, dataset id, org id)."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("CKAN_")})
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        site = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
        name = f"bench-hostile-{uuid.uuid4().hex[:8]}"
        user = tk.get_action("user_create")(dict(site), {
            "name": name, "email": f"{name}@example.org", "password": uuid.uuid4().hex + "Aa1!"})
        token = tk.get_action("api_token_create")(dict(site), {"user": user["name"], "name": "bench"})["token"]
        org = tk.get_action("organization_create")(dict(site), {
            "name": name, "users": [{"name": user["name"], "capacity": "editor"}]})
        dataset = tk.get_action("package_create")(
            {"user": user["name"]}, {**minimal_dataset("contracts_register", org["id"]), "name": name})
    return token, dataset["id"], org["id"]


def cleanup(ini: str, dataset_id: str, org_id: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        site = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
        tk.get_action("dataset_purge")(dict(site), {"id": dataset_id})
        tk.get_action("organization_purge")(dict(site), {"id": org_id})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def serve(ini: str, env: dict[str, str], log: Any) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("ckan")), "-c", ini, "run", "-H", "127.0.0.1", "-p", str(port),
         "--disable-reloader"],
        stdout=log, stderr=subprocess.STDOUT, env=dict(env, CKAN_SITE_URL=url),
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"{url}/api/3/action/status_show", timeout=2).ok:
                return server, url
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit(f"ckan run did not start; see {log.name}")
        time.sleep(0.3)


def upload(url: str, pid: int, token: str, dataset_id: str, path: Path, timeout: float) -> tuple[float, float, dict[str, Any]]:
    """(seconds, peak memory growth in MB, the action's answer) of one resource_create."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current RSS
    before = _kb(pid, "VmRSS")
    started = time.perf_counter()
    with open(path, "rb") as f:
        response = requests.post(f"{url}/api/3/action/resource_create", headers={"Authorization": token},
                                 data={"package_id": dataset_id, "name": path.name, "format": "CSV"},
                                 files={"upload": (path.name, f, "text/csv")}, timeout=timeout)
    seconds = time.perf_counter() - started
    peak = (_kb(pid, "VmHWM") - before) / 1024
    response.raise_for_status()
    return seconds, peak, response.json()["result"]


def validation(url: str, token: str, resource_id: str) -> dict[str, Any]:
    response = requests.get(f"{url}/api/3/action/anticorruption_validation_show",
                            params={"id": resource_id}, headers={"Authorization": token}, timeout=30)
    response.raise_for_status()
    return response.json()["result"]


def run_worker(ini: str, env: dict[str, str], timeout: float) -> float:
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("ckan")), "-c", ini, "jobs", "worker", "--burst"],
                   env=env, capture_output=True, timeout=timeout, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--timeout", type=float, default=120, help="bound on each request and each worker run (s)")
    args = parser.parse_args()
    env = _environment()

    token, dataset_id, org_id = setup(args.ini, env)
    log_path = ROOT / ".dev" / "logs" / "bench-hostile-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, open(log_path, "wb") as log:
        server, url = serve(args.ini, env, log)
        try:
            baseline = _kb(server.pid, "VmRSS") / 1024
            for label, path in files(Path(tmp)):
                seconds, peak, resource = upload(url, server.pid, token, dataset_id, path, args.timeout)
                state = validation(url, token, resource["id"])
                in_request = state["state"]
                worker = None
                if in_request in ("pending", "running"):
                    worker = run_worker(args.ini, env, args.timeout)
                    state = validation(url, token, resource["id"])
                final = state["state"] + (f" ({state['problem']})" if state.get("problem") else "")
                counts = ", ".join(f"{k} {v:,}" for k, v in sorted((state.get("error_counts") or {}).items()))
                rows.append((label, path.stat().st_size, seconds, peak, in_request, worker, final, counts))
        finally:
            server.terminate()
            server.wait(timeout=30)
    cleanup(args.ini, dataset_id, org_id)

    print(f"web process (ckan run) at start: {baseline:.0f} MB resident")
    print(f"{'file':36} {'bytes':>10} {'request s':>10} {'target':>7} {'peak +MB':>9} {'target':>7}  "
          f"{'after the request':18} {'worker s':>8}  final state")
    for label, size, seconds, peak, in_request, worker, final, counts in rows:
        ok_time = "ok" if seconds <= TARGET_SECONDS else "OVER"
        ok_mem = "ok" if peak < TARGET_MB else "OVER"
        print(f"{label:36} {size:>10,} {seconds:>10.2f} {'≤5 ' + ok_time:>7} {peak:>9.0f} {'<300 ' + ok_mem:>7}  "
              f"{in_request:18} {(f'{worker:.1f}' if worker is not None else '-'):>8}  {final}"
              + (f": {counts}" if counts else ""))


if __name__ == "__main__":
    main()

"""Fixtures shared by the whole suite. CKAN's own fixtures come from its pytest plugin."""
from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, plus the extension's own tables, migrated and emptied
    (migrating needs the plugins loaded)."""
    reset_db()
    migrate_db_for("anticorruption")
    from ckan import model

    from ckanext.anticorruption import model as own

    for table in own.__all__:
        model.Session.query(getattr(own, table)).delete()
    model.Session.commit()


@contextlib.contextmanager
def http_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[http.server.ThreadingHTTPServer]:
    """A real HTTP server on 127.0.0.1 answering with ``handler``; ``server.seen`` is free for the handler."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A real CKAN web server on 127.0.0.1 with the test configuration.

    It shares the test database, so what a test creates through factories or
    actions is what the browser sees.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ini = request.config.getoption("ckan_ini")
    env = dict(os.environ, CKAN_SITE_URL=url)
    log_path = ROOT / ".dev" / "logs" / "live-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [Path(sys.executable).with_name("ckan"), "-c", ini, "run",
             "-H", "127.0.0.1", "-p", str(port), "--disable-reloader"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the CKAN test server did not start; log: {log_path}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def no_outside_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail the test if anything connects to an address outside this machine.

    A guard on the network, not a mock: connections to loopback go through
    untouched. Tests of the link guard use it so that a regression shows as a
    failure here instead of a packet to a real host. Yields the loopback
    destinations connected to.
    """
    import ipaddress

    connected: list[object] = []
    attempts: list[object] = []

    def _loopback(address: object) -> bool:
        if not isinstance(address, tuple):  # Unix sockets (PostgreSQL, Redis) stay on this machine
            return True
        try:
            return ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _guarded(original):
        def connect(self: socket.socket, address: object):
            if not _loopback(address):
                attempts.append(address)
                pytest.fail(f"a connection to {address!r}, outside this machine, was attempted")
            connected.append(address)
            return original(self, address)
        return connect

    monkeypatch.setattr(socket.socket, "connect", _guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(socket.socket.connect_ex))
    yield connected
    # In case a library swallowed the failure raised inside connect().
    assert not attempts, f"connections outside this machine were attempted: {attempts}"


@pytest.fixture
def coverage_agency(clean_db):
    """The SFP with an editor and a member, a public budget and a private spending dataset; the SHCP with nothing."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from tests.guide import minimal_dataset

    editor, member = factories.UserWithToken(), factories.UserWithToken()
    org = factories.Organization(name="sfp", title="Secretaría de la Función Pública", users=[
        {"name": editor["name"], "capacity": "editor"}, {"name": member["name"], "capacity": "member"}])
    factories.Organization(name="shcp", title="Secretaría de Hacienda")
    call_action("package_create", {"user": editor["name"]}, **minimal_dataset("budgets", org["id"], name="presupuesto"))
    call_action("package_create", {"user": editor["name"]}, private=True,
                **minimal_dataset("spending", org["id"], name="gasto-secreto"))
    return {"org": org, "editor": editor, "member": member}

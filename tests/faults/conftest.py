"""Real services failing under a running portal: processes, proxies and helpers.

The portal (``ckan run``) and its jobs workers run as separate processes, as
in production, with the test database, Solr core and Redis database. A
service "goes down" by a TCP proxy between it and the portal that stops
accepting and drops every open connection, which is what the portal sees
when the service stops or restarts; the service itself keeps running for the
rest of the suite. Everything listens on 127.0.0.1 only.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

import ckan.model as model
import ckan.plugins.toolkit as tk

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".dev" / "logs" / "faults"
FINAL = ("valid", "invalid", "error", "not_validated")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a service; ``down()`` refuses and cuts every connection, ``up()`` serves again."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target_port = free_port(), target_port
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.up()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(), freeing the port
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def via_proxy(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def port_of(url: str) -> int:
    return urlsplit(url).port or {"postgresql": 5432, "redis": 6379, "http": 80}[urlsplit(url).scheme]


@pytest.fixture
def faults_ini(request, tmp_path) -> str:
    """The test configuration, with the workers sweeping on their own and links to this machine allowed."""
    ini = tmp_path / "faults.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{Path(request.config.getoption('ckan_ini')).resolve()}\n"
        f"ckan.storage_path = {ROOT / '.dev' / 'test-storage'}\n"
        "ckanext.anticorruption.validation.sweep_seconds = 5\n"
        "ckanext.anticorruption.validation.link_allowed_networks = 127.0.0.0/8\n"
        "ckanext.anticorruption.validation.sync_max_bytes = 300\n"
        # Uploads of up to 1 GB, as config/demo.ini allows them.
        "ckan.max_resource_size = 1024\n"
    )
    return str(ini)


class Processes:
    """CKAN processes started by a test, stopped (killed if need be) after it."""

    def __init__(self, ini: str, name: str) -> None:
        self.ini, self.name, self.started = ini, name, []
        self.proxies: list[TcpProxy] = []
        self.stopping = False
        LOGS.mkdir(parents=True, exist_ok=True)

    def _spawn(self, label: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.log = LOGS / f"{self.name}-{label}-{len(self.started)}.log"
        with open(self.log, "wb") as log:
            process = subprocess.Popen([str(Path(sys.executable).with_name("ckan")), "-c", self.ini, *args],
                                       stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
                                       start_new_session=True)
        self.started.append(process)
        return process

    def worker(self, **env: str) -> subprocess.Popen:
        """A jobs worker, once it listens to the queue."""
        return self._listening("worker", ["jobs", "worker"], env)

    def _listening(self, label: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        process = self._spawn(label, args, env)
        log = self.log
        wait_for(lambda: "has started on queue" in log.read_text(errors="replace"), 90,
                 f"the {label} did not start its worker (log: {log})", process)
        return process

    def proxy(self, service: str) -> tuple[TcpProxy, dict[str, str]]:
        """A proxy in front of one of the test's services ("db", "solr", "redis"), and the
        environment that points CKAN at it."""
        url = service_urls()[service]
        proxy = TcpProxy(port_of(url))
        self.proxies.append(proxy)
        variable = {"db": "CKAN_SQLALCHEMY_URL", "solr": "CKAN_SOLR_URL", "redis": "CKAN_REDIS_URL"}[service]
        return proxy, {variable: via_proxy(url, proxy)}

    def supervised_worker(self, **env: str) -> None:
        """A worker restarted whenever it exits, as systemd's Restart=always does (an RQ worker
        stops when Redis goes away)."""
        self.worker(**env)

        def watch() -> None:
            while not self.stopping:
                worker = self.started[-1]
                if worker.poll() is not None:
                    time.sleep(2)
                    if not self.stopping:
                        self._spawn("worker", ["jobs", "worker"], env)
                time.sleep(0.5)

        threading.Thread(target=watch, daemon=True).start()

    def web(self, **env: str) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = self._spawn("web", ["run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader"],
                             {**env, "CKAN_SITE_URL": url})
        wait_for(lambda: _answers(url), 90, f"the portal did not start (log in {LOGS})", server)
        return url

    def gunicorn(self, workers: int = 2, **env: str) -> str:
        """The portal as `make serve` runs it: gunicorn with the extension's WSGI application."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        self.log = LOGS / f"{self.name}-gunicorn-{len(self.started)}.log"
        with open(self.log, "wb") as log:
            server = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
                 "--worker-class", "gthread", "--threads", "4",
                 "--bind", f"127.0.0.1:{port}", "ckanext.anticorruption.wsgi:application"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, **env, "CKAN_INI": self.ini, "CKAN_SITE_URL": url})
        self.started.append(server)
        wait_for(lambda: _answers(url), 90, f"gunicorn did not serve the portal (log: {self.log})", server)
        return url

    def supervisor(self, **env: str) -> subprocess.Popen:
        """`ckan anticorruption worker`: a jobs worker started again whenever it exits."""
        return self._listening("supervisor", ["anticorruption", "worker"], env)

    def explain(self, resource_ids: list[str] = ()) -> str:
        """The stored runs of ``resource_ids`` and the end of every process's log, for a failure message."""
        from ckanext.anticorruption.model import Validation

        model.Session.rollback()
        lines = [f"run {row.resource_id}: {row.state} problem={row.problem} attempts={row.attempts} "
                 f"updated={row.updated} run_id={row.run_id}"
                 for row in model.Session.query(Validation).filter(Validation.resource_id.in_(list(resource_ids)))]
        for log in sorted(LOGS.glob(f"{self.name}-*.log")):
            tail = log.read_text(errors="replace").splitlines()[-25:]
            lines += [f"--- {log.name} (exit {self._exit_of(log)})", *tail]
        return "\n".join(lines)

    def _exit_of(self, log: Path) -> str:
        number = int(log.stem.rsplit("-", 1)[1])
        process = self.started[number] if number < len(self.started) else None
        return "?" if process is None else str(process.poll())

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL a worker and the job process it forked (RQ gives that one a session of its own)."""
        for pid in [*_descendants(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)

    def stop_all(self) -> None:
        self.stopping = True
        time.sleep(1)
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        for proxy in self.proxies:
            proxy.down()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/3/action/status_show", timeout=3).ok
    except requests.RequestException:
        return False


@pytest.fixture
def processes(request, faults_ini) -> Iterator[Processes]:
    running = Processes(faults_ini, request.node.name)
    try:
        yield running
    finally:
        running.stop_all()


def wait_for(condition: Callable[[], bool], seconds: float, message: str,
             process: subprocess.Popen | None = None, explain: Callable[[], str] | None = None) -> float:
    """Poll ``condition`` until true; return the seconds it took, or fail with ``message``
    (and what ``explain`` says then: a failure in CI must say why by itself)."""
    started = time.monotonic()
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"{message} (the process ended with {process.returncode})")
        if time.monotonic() - started > seconds:
            pytest.fail(f"{message}\n{explain()}" if explain else message)
        time.sleep(0.5)
    return time.monotonic() - started


def run_state(resource_id: str) -> tuple[str | None, int]:
    """The run of a resource as stored now (a fresh read, not this session's snapshot)."""
    from ckanext.anticorruption.model import Validation

    model.Session.rollback()
    row = model.Session.query(Validation.state, Validation.attempts).filter_by(resource_id=resource_id).first()
    return (row[0], row[1]) if row else (None, 0)


def service_urls() -> dict[str, str]:
    return {"db": tk.config["sqlalchemy.url"], "solr": tk.config["solr_url"], "redis": tk.config["ckan.redis.url"]}

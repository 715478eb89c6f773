"""Links are fetched only from public addresses, unless the operator allows a network."""
from __future__ import annotations

import http.server
import io
import socket
from collections.abc import Iterator

import pytest

from ckanext.anticorruption.uploads.download import (
    DownloadProblem,
    address_problem,
    allowed_networks,
    checked_link,
    download,
)

from tests.conftest import http_server


def _resolver(*addresses: str):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.5", "192.168.1.1", "169.254.169.254",  # loopback, private, cloud metadata
    "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "fc00::1", "fe80::1", "::ffff:127.0.0.1",
])
def test_internal_addresses_are_refused(address: str) -> None:
    problem = address_problem("http://files.example.gob.mx/a.csv", [], _resolver(address))

    assert problem is not None and problem.problem == "link-forbidden"
    assert problem.params == {"host": "files.example.gob.mx"}


def test_a_name_with_one_internal_address_among_public_ones_is_refused() -> None:
    problem = address_problem("https://datos.example/a.csv", [], _resolver("200.1.2.3", "10.0.0.8"))

    assert problem is not None and problem.problem == "link-forbidden"


def test_public_addresses_pass() -> None:
    assert address_problem("https://datos.example/a.csv", [], _resolver("200.1.2.3", "2001:4860::8888")) is None


def test_an_allowed_network_lets_an_intranet_server_through() -> None:
    allowed = allowed_networks("10.20.0.0/16 192.168.5.7")

    assert address_problem("http://intranet/a.csv", allowed, _resolver("10.20.3.4")) is None
    assert address_problem("http://intranet/a.csv", allowed, _resolver("192.168.5.7")) is None
    assert address_problem("http://intranet/a.csv", allowed, _resolver("10.21.0.1")).problem == "link-forbidden"


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://datos.example/a.csv", "link-invalid"),
    ("file:///etc/passwd", "link-invalid"),
    ("http:///a.csv", "link-invalid"),
])
def test_only_http_links_are_fetched(url: str, problem: str) -> None:
    assert address_problem(url, [], _resolver("200.1.2.3")).problem == problem


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    assert address_problem("http://no-such-host.invalid/a.csv", [], fail).problem == "link-unreachable"


# The link guard against parser confusion and DNS rebinding (issue 13). These
# tests run with a guard on the network: a regression fails the test before a
# packet leaves this machine.

ATTACK = "http://127.0.0.1:8983\\@8.8.8.8/solr/ckan/select?q=*:*&wt=csv"


def _by_name(host: str, port: int) -> list[str]:
    """Numeric hosts resolve to themselves; names to a public address."""
    return [host] if host.replace(".", "").isdigit() or ":" in host else ["200.1.2.3"]


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Host")))
        if self.path == "/hop":
            self.send_response(302)
            self.send_header("Location", f"http://second.example.test:{self.server.server_address[1]}/rows.csv")
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"id,secret\n1,internal rows\n")


@pytest.fixture
def local_server() -> Iterator[http.server.ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 that records what it is asked."""
    with http_server(_Handler) as server:
        yield server


@pytest.mark.usefixtures("no_outside_network")
@pytest.mark.parametrize("allowed", ["", "127.0.0.0/8"])
def test_the_backslash_link_that_reached_solr_is_refused(allowed: str) -> None:
    problem = address_problem(ATTACK, allowed_networks(allowed), _by_name)

    assert problem is not None and problem.problem == "link-malformed"


def test_the_backslash_link_is_refused_before_any_connection(local_server, no_outside_network) -> None:
    port = local_server.server_address[1]
    url = f"http://127.0.0.1:{port}\\@8.8.8.8/solr/ckan/select?q=*:*&wt=csv"

    with pytest.raises(DownloadProblem) as refused:
        download(url, io.BytesIO(), timeout=5, max_bytes=1000, allowed=[], resolve=_by_name)

    assert refused.value.problem == "link-malformed"
    assert local_server.seen == [] and no_outside_network == []


@pytest.mark.usefixtures("no_outside_network")
@pytest.mark.parametrize("url", [
    "http://user:secret@200.1.2.3/a.csv",
    "https://token@datos.example/a.csv",
    "http://200.1.2.3:80@datos.example/a.csv",
    "http://:@datos.example/a.csv",
])
def test_links_with_a_user_or_password_are_refused_without_echoing_them(url: str) -> None:
    problem = address_problem(url, [], _by_name)

    assert problem is not None and problem.problem == "link-malformed"
    assert "secret" not in repr(problem.params) and "token" not in repr(problem.params)


@pytest.mark.usefixtures("no_outside_network")
@pytest.mark.parametrize("url", [
    "http://200.1.2.3\t/a.csv",  # urlsplit drops the tab, urllib3 keeps it in the host
    "http://datos.example\n.evil/a.csv",
    "http://datos.example/a\\b.csv",
])
def test_links_the_two_parsers_read_differently_are_refused(url: str) -> None:
    assert address_problem(url, [], _by_name).problem == "link-malformed"


@pytest.mark.usefixtures("no_outside_network")
@pytest.mark.parametrize("address", [
    "::7f00:1",              # IPv4-compatible ::127.0.0.1
    "::a9fe:a9fe",           # IPv4-compatible ::169.254.169.254 (cloud metadata)
    "64:ff9b::7f00:1",       # NAT64 of 127.0.0.1
    "64:ff9b::a00:5",        # NAT64 of 10.0.0.5
    "64:ff9b::a9fe:a9fe",    # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:5",      # local-use NAT64: where the IPv4 sits is the operator's choice
    "2002:7f00:1::1",        # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",      # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "::ffff:a9fe:a9fe",      # IPv4-mapped 169.254.169.254
])
def test_ipv6_addresses_are_judged_by_the_ipv4_address_inside(address: str) -> None:
    problem = address_problem("http://files.example.gob.mx/a.csv", [], _resolver(address))

    assert problem is not None and problem.problem == "link-forbidden"


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:808:808"])
def test_ipv6_addresses_of_a_public_ipv4_address_pass(address: str) -> None:
    assert address_problem("http://files.example.gob.mx/a.csv", [], _resolver(address)) is None


def test_allowed_networks_apply_to_the_ipv4_address_inside() -> None:
    allowed = allowed_networks("127.0.0.0/8")

    assert address_problem("http://intranet/a.csv", allowed, _resolver("::ffff:127.0.0.1")) is None
    assert address_problem("http://intranet/a.csv", allowed, _resolver("64:ff9b::a00:5")).problem == "link-forbidden"


def test_the_name_is_resolved_once_and_the_checked_address_is_connected_to(
        local_server, no_outside_network, monkeypatch) -> None:
    """DNS rebinding: the name answers a loopback address (allowed here, as an
    operator would an intranet) to the check, then a public one to anyone
    asking again. Each hop of a redirect is looked up once and connected to
    at the address that was checked, with its own name as Host."""
    port = local_server.server_address[1]
    asked: list[str] = []
    system = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if not str(host).endswith(".example.test"):
            return system(host, *args, **kwargs)
        asked.append(host)
        address = "127.0.0.1" if asked.count(host) == 1 else "8.8.8.8"
        return system(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    target = io.BytesIO()

    size = download(f"http://first.example.test:{port}/hop", target, timeout=5, max_bytes=1000,
                    allowed=allowed_networks("127.0.0.0/8"))

    assert target.getvalue() == b"id,secret\n1,internal rows\n" and size == len(target.getvalue())
    assert asked == ["first.example.test", "second.example.test"]
    assert local_server.seen == [("/hop", f"first.example.test:{port}"),
                                 ("/rows.csv", f"second.example.test:{port}")]
    assert ("127.0.0.1", port) in no_outside_network


def test_https_keeps_the_host_name_for_the_server_name_and_the_certificate() -> None:
    link = checked_link("https://datos.example.gob.mx/a.csv", [], _resolver("200.1.2.3"))

    assert (link.host, link.address, link.port, link.host_header) == (
        "datos.example.gob.mx", "200.1.2.3", 443, "datos.example.gob.mx")

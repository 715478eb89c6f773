"""Links are fetched only from public addresses, unless the operator allows a network."""
from __future__ import annotations

import pytest

from ckanext.anticorruption.download import address_problem, allowed_networks


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

"""Bounded downloads of linked files and schemas, refused for internal addresses.

A publisher's link is fetched by the worker, inside the portal's network. So
that a link cannot reach the database, Solr, a cloud metadata service or any
other internal host (server-side request forgery), every address a host name
resolves to, and every redirect hop, must be public, unless the operator
allows a network on purpose. Size and time are bounded so that a link that
hangs or streams without end cannot block a worker.

Checking a URL and then handing it to an HTTP client is not enough: the check
and the connection must agree on the host. So a link is parsed once, by the
parser the connection uses (urllib3's), refused when the standard library
would read it differently (a backslash, user info), its name is resolved once,
and the connection goes to the address that was checked, never to whatever a
second DNS lookup answers.

No CKAN imports: limits and allowed networks come in as arguments.
"""
from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import LocationParseError, ReadTimeoutError
from urllib3.util import parse_url

__all__ = ["DownloadProblem", "CheckedLink", "address_problem", "allowed_networks", "checked_link", "download"]

MAX_REDIRECTS = 5
Resolver = Callable[[str, int], Iterable[str]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}

# IPv6 ranges that carry an IPv4 address, which is where the packets end up.
# ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::/96 (NAT64, RFC 6052)
# hold it in the last 32 bits; 6to4 (2002::/16) in bits 16-48. The standard
# library calls 64:ff9b::/96 and ::/96 global, whatever the IPv4 inside.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215): its prefix length, hence where the IPv4 address
# sits, is the operator's choice, so it is judged internal as a whole.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


class DownloadProblem(Exception):
    """Why a link could not be fetched, as a problem code plus its parameters."""

    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem, self.params = problem, params


@dataclasses.dataclass(frozen=True)
class CheckedLink:
    """A link that may be fetched, and the one address it may be fetched from."""

    url: str
    scheme: str
    host: str  # as urllib3 reads it: lower case, IDNA-encoded, IPv6 without brackets
    port: int
    address: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def allowed_networks(text: str | None) -> list[Network]:
    """Networks an operator lets links reach, from a space-separated list of CIDRs."""
    return [ipaddress.ip_network(item, strict=False) for item in (text or "").split()]


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address delivers to, if it embeds one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _address_allowed(address: Address, allowed: list[Network]) -> bool:
    if any(address in network for network in allowed):
        return True
    inner = _embedded_ipv4(address)
    if inner is not None:
        return _address_allowed(inner, allowed)
    if address in _LOCAL_NAT64:
        return False
    return address.is_global and not address.is_multicast


def _same_host(ours: str, theirs: str | None) -> bool:
    """Whether urlsplit's host name is urllib3's, once both are spelt the same way."""
    if theirs is None:
        return False
    try:
        theirs = theirs.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return ours.strip("[]").lower() == theirs.lower()


def _parsed(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url`` as the connection will read them, or DownloadProblem."""
    invalid = DownloadProblem("link-invalid", url=url[:200])
    # urlsplit drops tabs and line breaks where urllib3 keeps them, and urllib3
    # ends the host at a backslash where urlsplit does not: refuse both, since
    # the address checked would not be the one connected to.
    # Not echoed: the address may hold a password.
    malformed = DownloadProblem("link-malformed")
    if "\\" in url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise malformed
    try:
        ours = parse_url(url)
        theirs = urlsplit(url)
        their_port = theirs.port
    except (LocationParseError, ValueError):
        raise invalid from None
    scheme = (ours.scheme or "").lower()
    if scheme not in DEFAULT_PORTS or not ours.host:
        raise invalid
    # User info is how both known parser confusions hide a second host; a
    # public link needs none.
    if ours.auth is not None or "@" in (theirs.netloc or ""):
        raise malformed
    port = ours.port or DEFAULT_PORTS[scheme]
    if (theirs.scheme.lower() != scheme or not _same_host(ours.host, theirs.hostname)
            or (their_port or DEFAULT_PORTS[scheme]) != port):
        raise malformed
    return scheme, ours.host.strip("[]"), port


def checked_link(url: str, allowed: list[Network], resolve: Resolver = _resolve) -> CheckedLink:
    """``url`` with the address to connect to: http(s) to a host whose addresses are all public or allowed.

    The name is resolved once, here; raises DownloadProblem.
    """
    scheme, host, port = _parsed(url)
    try:
        addresses = [ipaddress.ip_address(text.split("%")[0]) for text in resolve(host, port)]
    except (OSError, ValueError, UnicodeError):
        raise DownloadProblem("link-unreachable", detail="name not resolved") from None
    if not addresses:
        raise DownloadProblem("link-unreachable", detail="name not resolved")
    if not all(_address_allowed(address, allowed) for address in addresses):
        raise DownloadProblem("link-forbidden", host=host[:200])
    return CheckedLink(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))


def address_problem(url: str, allowed: list[Network], resolve: Resolver = _resolve) -> DownloadProblem | None:
    """None if ``url`` may be fetched, else why not (see ``checked_link``)."""
    try:
        checked_link(url, allowed, resolve)
    except DownloadProblem as problem:
        return problem
    return None


class _PinnedAdapter(HTTPAdapter):
    """Connects to the checked address, whatever the name resolves to by now.

    The request keeps the link's host name in its Host header and, for https,
    as the TLS server name, so virtual hosts answer and the certificate is
    checked against the name the publisher gave (requests' default context
    verifies it against ``server_hostname``).
    """

    def __init__(self, link: CheckedLink) -> None:
        self._link = link
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request: requests.PreparedRequest, verify: Any,
                                        proxies: Any = None, cert: Any = None) -> Any:
        _, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if self._link.scheme == "https":
            pool_kwargs["server_hostname"] = self._link.host
        return self.poolmanager.connection_from_host(
            host=self._link.address, port=self._link.port, scheme=self._link.scheme, pool_kwargs=pool_kwargs)


@contextlib.contextmanager
def _pinned_session(link: CheckedLink) -> Iterator[requests.Session]:
    with requests.Session() as session:
        # No proxies, .netrc or CA bundle from the worker's environment: a
        # proxy would resolve the name again itself.
        session.trust_env = False
        adapter = _PinnedAdapter(link)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        yield session


def download(
    url: str,
    target: IO[bytes],
    *,
    timeout: int,
    max_bytes: int,
    allowed: list[Network],
    resolve: Resolver = _resolve,
) -> int:
    """Write the body of ``url`` into ``target``; return its size or raise DownloadProblem."""
    deadline = time.monotonic() + timeout
    try:
        with contextlib.ExitStack() as sessions:
            response = _open(url, timeout, allowed, resolve, sessions)
            with response:
                if response.status_code >= 400:
                    raise DownloadProblem("link-status", status=response.status_code)
                received = 0
                for chunk in response.iter_content(chunk_size=1 << 16):
                    received += len(chunk)
                    if received > max_bytes:
                        raise DownloadProblem("link-too-large", limit=max_bytes)
                    if time.monotonic() > deadline:
                        raise DownloadProblem("link-too-slow", seconds=timeout)
                    target.write(chunk)
    except requests.Timeout:
        raise DownloadProblem("link-too-slow", seconds=timeout) from None
    except requests.RequestException as e:
        # A read that times out while streaming arrives as a ConnectionError.
        if any(isinstance(a, ReadTimeoutError) for a in e.args):
            raise DownloadProblem("link-too-slow", seconds=timeout) from None
        raise DownloadProblem("link-unreachable", detail=type(e).__name__) from None
    target.flush()
    return received


def _open(url: str, timeout: int, allowed: list[Network], resolve: Resolver,
          sessions: contextlib.ExitStack) -> requests.Response:
    """GET ``url``, following redirects by hand so that each hop is checked and pinned."""
    for _ in range(MAX_REDIRECTS + 1):
        link = checked_link(url, allowed, resolve)
        session = sessions.enter_context(_pinned_session(link))
        response = session.get(link.url, headers={"Host": link.host_header}, stream=True,
                               timeout=(10, timeout), allow_redirects=False)
        if not response.is_redirect:
            return response
        location = response.headers.get("location", "")
        response.close()
        url = urljoin(url, location)
    raise DownloadProblem("link-unreachable", detail="too many redirects")

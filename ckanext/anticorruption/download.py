"""Bounded downloads of linked files and schemas, refused for internal addresses.

A publisher's link is fetched by the worker, inside the portal's network. So
that a link cannot reach the database, Solr, a cloud metadata service or any
other internal host (server-side request forgery), every address a host name
resolves to, and every redirect hop, must be public, unless the operator
allows a network on purpose. Size and time are bounded so that a link that
hangs or streams without end cannot block a worker.

No CKAN imports: limits and allowed networks come in as arguments.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

__all__ = ["DownloadProblem", "address_problem", "allowed_networks", "download"]

MAX_REDIRECTS = 5
Resolver = Callable[[str, int], Iterable[str]]


class DownloadProblem(Exception):
    """Why a link could not be fetched, as a problem code plus its parameters."""

    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem, self.params = problem, params


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def allowed_networks(text: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks an operator lets links reach, from a space-separated list of CIDRs."""
    return [ipaddress.ip_network(item, strict=False) for item in (text or "").split()]


def address_problem(
    url: str,
    allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
    resolve: Resolver = _resolve,
) -> DownloadProblem | None:
    """None if ``url`` may be fetched: http(s) to a host whose addresses are all public or allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return DownloadProblem("link-invalid", url=url[:200])
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = list(resolve(parts.hostname, port))
    except (OSError, ValueError, UnicodeError):
        return DownloadProblem("link-unreachable", detail="name not resolved")
    if not addresses:
        return DownloadProblem("link-unreachable", detail="name not resolved")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if any(address in network for network in allowed):
            continue
        if not address.is_global or address.is_multicast:
            return DownloadProblem("link-forbidden", host=parts.hostname[:200])
    return None


def download(
    url: str,
    target: IO[bytes],
    *,
    timeout: int,
    max_bytes: int,
    allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
    resolve: Resolver = _resolve,
) -> int:
    """Write the body of ``url`` into ``target``; return its size or raise DownloadProblem."""
    deadline = time.monotonic() + timeout
    try:
        response = _open(url, timeout, allowed, resolve)
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


def _open(url: str, timeout: int, allowed: list[Any], resolve: Resolver) -> requests.Response:
    """GET ``url``, following redirects by hand so that each hop is checked."""
    for _ in range(MAX_REDIRECTS + 1):
        problem = address_problem(url, allowed, resolve)
        if problem is not None:
            raise problem
        response = requests.get(url, stream=True, timeout=(10, timeout), allow_redirects=False)
        if not response.is_redirect:
            return response
        location = response.headers.get("location", "")
        response.close()
        url = urljoin(url, location)
    raise DownloadProblem("link-unreachable", detail="too many redirects")

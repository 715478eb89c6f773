"""Benchmark: N concurrent clients against the portal's pages for a while, CKAN's /dataset as the baseline.

    .venv/bin/python bench/load.py [--url http://127.0.0.1:5000] [--clients 50] [--seconds 60]

Run it against `make serve` (gunicorn and a supervised worker) or `make demo`
(CKAN's development server). Each client takes the pages in turn (`/`,
`/coverage`, `/coverage.json`, `/anticorruption/types`, `/dataset` and one
dataset's page, found through the API unless `--dataset` names it), on its own
keep-alive connection, for `--seconds`; the clients are spread over
`--processes` processes (default 5) so that the bench's own interpreter lock
is not counted as the portal's latency. Prints, per page, the requests, the
errors (a status other than 200, or no answer within 30 s), requests per
second and p50/p95/p99 latency, then the issue's targets: no error, `/coverage`
p95 at most 500 ms, no page of ours slower (p95) than CKAN's own `/dataset`.

Loopback only, and bounded: at most 500 clients and 600 seconds.
"""
from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import multiprocessing
import multiprocessing.queues
import socket
import sys
import threading
import time
import urllib.parse

PAGES = ["/", "/coverage", "/coverage.json", "/anticorruption/types", "/dataset"]
BASELINE = "/dataset"
TIMEOUT = 30.0
MAX_CLIENTS, MAX_SECONDS = 500, 600


def loopback(url: str) -> tuple[str, int]:
    """The host and port of ``url``, refused unless every address it names is this machine's."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or not parsed.hostname:
        raise SystemExit(f"--url must be an http:// URL of this machine, not {url!r}")
    port = parsed.port or 80
    addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, port, proto=socket.IPPROTO_TCP)}
    if not addresses or not all(ipaddress.ip_address(address).is_loopback for address in addresses):
        raise SystemExit(f"{parsed.hostname} is not a loopback address: this bench only loads this machine")
    return parsed.hostname, port


def a_dataset(host: str, port: int) -> str:
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    connection.request("GET", "/api/3/action/package_search?rows=1")
    answer = connection.getresponse()
    body = json.loads(answer.read())
    results = body.get("result", {}).get("results") or []
    if not results:
        raise SystemExit("the portal has no public dataset: load the demo (make demo or make serve) first")
    return f"/dataset/{results[0]['name']}"


def client(host: str, port: int, pages: list[str], offset: int, until: float,
           timings: dict[str, list[float]], errors: dict[str, int], lock: threading.Lock) -> None:
    connection = None
    turn = offset
    mine: dict[str, list[float]] = {page: [] for page in pages}
    failed: dict[str, int] = {page: 0 for page in pages}
    while time.monotonic() < until:
        page = pages[turn % len(pages)]
        turn += 1
        started = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
            connection.request("GET", page, headers={"Accept-Encoding": "identity"})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                failed[page] += 1
            mine[page].append(time.perf_counter() - started)
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            failed[page] += 1
            if connection is not None:
                connection.close()
            connection = None
    if connection is not None:
        connection.close()
    with lock:
        for page in pages:
            timings[page].extend(mine[page])
            errors[page] += failed[page]


def clients(host: str, port: int, pages: list[str], offsets: list[int], until: float,
            answers: multiprocessing.queues.Queue) -> None:
    """A process's share of the clients, each in its thread; their timings and errors are put on ``answers``."""
    timings: dict[str, list[float]] = {page: [] for page in pages}
    errors: dict[str, int] = {page: 0 for page in pages}
    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(host, port, pages, offset, until, timings, errors, lock),
                                daemon=True) for offset in offsets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, until - time.monotonic()) + TIMEOUT + 5)
    with lock:
        answers.put((timings, errors))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--dataset", help="A dataset page's path, e.g. /dataset/contratos-2025")
    parser.add_argument("--processes", type=int, default=5,
                        help="Processes the clients are spread over (default 5: 10 clients each by default)")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")
    host, port = loopback(args.url)
    pages = PAGES + [args.dataset or a_dataset(host, port)]
    timings: dict[str, list[float]] = {page: [] for page in pages}
    errors: dict[str, int] = {page: 0 for page in pages}
    processes = max(1, min(args.processes, args.clients))
    print(f"{args.clients} clients in {processes} processes for {args.seconds:.0f} s against {args.url} …",
          flush=True)
    started = time.monotonic()
    until = started + args.seconds
    # The clients are spread over processes, each with its threads: in one process, a client whose answer
    # has arrived would wait for that process's interpreter lock behind the others, and the bench would
    # count its own wait as the portal's.
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    shares = [list(range(first, args.clients, processes)) for first in range(processes)]
    children = [context.Process(target=clients, args=(host, port, pages, share, until, answers), daemon=True)
                for share in shares]
    for child in children:
        child.start()
    for _ in children:
        got_timings, got_errors = answers.get(timeout=args.seconds + TIMEOUT + 60)
        for page in pages:
            timings[page].extend(got_timings[page])
            errors[page] += got_errors[page]
    for child in children:
        child.join(10)
    elapsed = time.monotonic() - started

    print()
    print(f"{'page':42} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    p95 = {}
    for page in pages:
        values = timings[page]
        p95[page] = percentile(values, 0.95) * 1000
        print(f"{page[:42]:42} {len(values):9} {errors[page]:7} {len(values) / elapsed:7.1f} "
              f"{percentile(values, 0.5) * 1000:8.0f} {p95[page]:8.0f} {percentile(values, 0.99) * 1000:8.0f}")
    total = sum(len(values) for values in timings.values())
    print(f"{'all pages':42} {total:9} {sum(errors.values()):7} {total / elapsed:7.1f}")
    print()
    ours = [page for page in pages if page != BASELINE]
    slower = [page for page in ours if p95[page] > p95[BASELINE]]
    print(f"errors: {sum(errors.values())} (target 0)")
    print(f"/coverage p95: {p95['/coverage']:.0f} ms (target <= 500 ms)")
    print(f"pages of ours slower (p95) than CKAN's {BASELINE} ({p95[BASELINE]:.0f} ms): "
          f"{', '.join(slower) if slower else 'none'} (target: none)")


if __name__ == "__main__":
    sys.exit(main())

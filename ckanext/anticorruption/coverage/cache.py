"""The national coverage matrix as the public sees it, computed once per change and shared by the web processes.

The home page, the coverage page and its JSON export show the whole matrix
(every organization by every type) to every visitor; building it costs a
Solr facet query, three database queries and the scoring of every cell. It
is kept in Redis (one copy for every web process) and in each process, under
a stamp of everything it is made of, read at each request:

- the version of the search index (``query.index_version``), which changes
  with every commit: a dataset created, updated, deleted or purged, made
  private or public, reindexed at the end of a validation run or by the
  privacy guard, whoever did it (an action, the CLI, a background job);
- the organizations, the declarations and the requests (``store.public_stamp``);
- the time: the matrix holds until the first fresh public dataset becomes
  outdated (``Inputs.changes_at``), and one day at most.

Only public data is kept. A caller who may see private datasets gets a copy
with their own private counts added (``scoring.with_private``); nothing of
theirs is stored. Without Redis each process keeps its own copy; if the
stamp cannot be read, the matrix is computed as before.
"""
from __future__ import annotations

import collections
import datetime
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError

from ckanext.anticorruption.coverage import query
from ckanext.anticorruption.coverage import scoring
from ckanext.anticorruption.coverage import store

__all__ = ["derived", "national_matrix", "public_matrix"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_DERIVED = 64  # values kept per matrix, the last used (tables, whole pages and exports by language and key)
MAX_AGE = 24 * 3600  # seconds; also the Redis key's lifetime, so that a matrix nobody asks for goes
# A Redis that hangs must not hold the page: without an answer in this time, compute.
REDIS_TIMEOUT = 0.5

_local: dict[str, Any] = {}
_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}
_redis_failing = False


def national_matrix(user_name: str | None) -> dict[str, Any]:
    """The whole matrix as ``user_name`` (None: anonymous) may see it. Do not change what it returns:
    without private datasets of the caller's it is the copy shared by every request of the process."""
    return scoring.with_private(public_matrix(), query.private_cells(user_name))


def public_matrix(max_age: float = 0) -> dict[str, Any]:
    """The whole matrix as everyone sees it, computed only when something it shows has changed.

    ``max_age``: seconds during which the matrix kept by this process is
    returned without reading the stamp again (0: the stamp is read at every
    call, and the matrix is never behind a change).
    """
    now = time.time()
    if max_age > 0:
        with _lock:
            if now - _local.get("checked", -math.inf) < max_age and now < _local.get("until", 0):
                return _local["matrix"]
    try:
        stamp = f"{query.index_version()}|{store.public_stamp()}"
    except SearchError:
        log.warning("Could not read the search index's version: the coverage matrix is computed without cache")
        return scoring.build_matrix(query.gather_public())
    with _lock:
        if _local.get("stamp") == stamp and now < _local["until"]:
            _local["checked"] = now
            return _local["matrix"]
    found = _redis_get(stamp, now)
    if found is None:
        inputs = query.gather_public()
        found = {"stamp": stamp, "until": min(now + MAX_AGE, _epoch(inputs.changes_at)),
                 "matrix": scoring.build_matrix(inputs)}
        _redis_set(found)
    with _lock:
        _local.update(found, derived=collections.OrderedDict(), checked=now)
    return found["matrix"]


def derived(matrix: dict[str, Any], key: Any, build: Callable[[], T]) -> T:
    """``build()``, kept with the shared public matrix while it is current, when ``matrix`` is that
    matrix (what is built must depend on nothing else but ``key``); built afresh for any other
    matrix (a caller's copy with their private counts). The ``MAX_DERIVED`` values last used are kept."""
    with _lock:
        kept = _local.get("derived") if _local.get("matrix") is matrix else None
        if kept is not None and key in kept:
            kept.move_to_end(key)
            return kept[key]
    value = build()
    if kept is not None:
        with _lock:
            if _local.get("matrix") is matrix:
                kept[key] = value
                while len(kept) > MAX_DERIVED:
                    kept.popitem(last=False)
    return value


def _epoch(iso: str | None) -> float:
    if not iso:
        return float("inf")
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _key() -> str:
    return f"ckanext-anticorruption:{tk.config.get('ckan.site_id')}:coverage-matrix"


def _client() -> redis.Redis:
    url = tk.config.get("ckan.redis.url")
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    return _clients[url]


def _redis_failed(error: Exception) -> None:
    # Said once, not at every request, while Redis stays away.
    global _redis_failing
    if not _redis_failing:
        log.warning("Redis does not answer (%s): each web process keeps its own coverage matrix", error)
    _redis_failing = True


def _redis_get(stamp: str, now: float) -> dict[str, Any] | None:
    global _redis_failing
    try:
        text = _client().get(_key())
    except redis.RedisError as e:
        _redis_failed(e)
        return None
    _redis_failing = False
    if text is None:
        return None
    found = json.loads(text)
    return found if found.get("stamp") == stamp and now < found.get("until", 0) else None


def _redis_set(found: dict[str, Any]) -> None:
    text = json.dumps(found, separators=(",", ":"))
    try:
        _client().set(_key(), text, ex=MAX_AGE)
    except redis.RedisError as e:
        _redis_failed(e)

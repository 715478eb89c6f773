"""Keeping the search index up to date when Solr is away for a while.

A dataset saved while Solr does not answer is kept (see the wrapped
``package_create``/``package_update``) and remembered here; the jobs
workers' sweep indexes it again once Solr answers.
"""
from __future__ import annotations

import logging

import ckan.lib.search as search

from ckanext.anticorruption.model import index_caught_up, index_later, pending_index_ids

__all__ = ["catch_up", "rebuild", "remember"]

log = logging.getLogger(__name__)

# What CKAN raises when Solr cannot be reached or refuses a document.
SOLR_ERRORS = (search.SearchIndexError, search.SearchError, search.common.SolrConnectionError)


def remember(package_id: str, error: Exception) -> None:
    log.warning("Dataset %s saved, but not indexed yet: %s", package_id, error)
    index_later(package_id, str(error))


def rebuild(package_id: str) -> bool:
    """Index a dataset again; if Solr is away, remember it for later. True when indexed."""
    _sync_national(package_id)
    try:
        search.rebuild(package_id)
    except SOLR_ERRORS as e:
        remember(package_id, e)
        return False
    return True


def _sync_national(package_id: str) -> None:
    # Reindexing is how a file's visibility changes without a save (held back, released, the
    # dataset kept private by the policy): the national files follow it. Imported here: the
    # privacy guard imports this module, and the national files read the guard's states.
    from ckanext.anticorruption.national import refresh

    try:
        refresh.sync_package(package_id)
    except Exception:
        log.exception("Could not bring the national files up to date with dataset %s", package_id)


def catch_up() -> int:
    """Index the datasets saved while Solr was away; stop at the first failure (Solr still away)."""
    done = 0
    for package_id in pending_index_ids():
        try:
            search.rebuild(package_id)
        except SOLR_ERRORS as e:
            log.info("Search index still not reachable: %s", e)
            break
        index_caught_up(package_id)
        done += 1
    if done:
        log.info("Search index caught up with %s datasets", done)
    return done

"""Whole pages rendered once for every anonymous visitor while what they show is unchanged.

The home page, the national coverage page and the list of dataset types are
the same for every visitor who is not signed in: they show public data only.
Rendering them (CKAN's page frame, searches, the matrix, the trend) is most
of their cost. For such a visitor each is rendered once per change of the
public data (kept with the coverage matrix as everyone sees it, whose stamp
covers the search index, the organizations, declarations, requests and
history), of the language and of the page's own key.

A kept page holds the CSRF token of the visitor it was rendered for (the
page's meta and the language form). Each visitor gets it with their own
token, which CKAN adds to their session as it would have on rendering, so
their forms work. Signed-in users, requests with messages waiting to be
shown (they are in the page) and anything but GET and HEAD are rendered
as before.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, session
from flask_wtf.csrf import generate_csrf

import ckan.plugins.toolkit as tk

from ckanext.anticorruption import config
from ckanext.anticorruption.coverage import cache as coverage_cache
from ckanext.anticorruption.views import context

__all__ = ["anonymous_visit", "public", "public_matrix"]

Matrix = dict[str, Any]


def anonymous_visit() -> bool:
    """Whether this request may be answered with a page kept for every anonymous visitor."""
    return (request.method in ("GET", "HEAD") and not tk.current_user.is_authenticated
            and not session.get("_flashes"))


def public_matrix(auth: str | None = None) -> Matrix:
    """The coverage matrix as everyone sees it, at most ``anonymous_page_seconds`` behind (for anonymous visitors:
    a signed-in user's pages read the current state), after the action's own check for ``auth``."""
    if auth:
        tk.check_access(auth, context(), {})
    return coverage_cache.public_matrix(max_age=config.coverage_option("anonymous_page_seconds"))


def public(key: Callable[[Matrix], Any], render: Callable[[Matrix], str], *, auth: str | None = None) -> str | None:
    """For an anonymous visitor, the page ``render(matrix)`` gives, rendered once per change of the public data and
    of ``key(matrix)``, with this visitor's CSRF token; ``matrix``: the coverage matrix as everyone sees it, at most
    ``anonymous_page_seconds`` behind. ``key`` None: rendered for this request only (a query that is not the page's
    own). None when the page must be rendered as usual (a signed-in user, a message waiting, not GET)."""
    if not anonymous_visit():
        return None
    matrix = public_matrix(auth)
    page_key = key(matrix)
    if page_key is None:
        return render(matrix)
    html, token = coverage_cache.derived(matrix, ("page", tk.h.lang(), page_key),
                                         lambda: (render(matrix), generate_csrf()))
    mine = generate_csrf()
    return html if token == mine else html.replace(token, mine)

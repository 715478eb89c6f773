"""Whole pages rendered once for every anonymous visitor while what they show is unchanged.

The national coverage page is the same for every visitor who is not signed
in: it shows public data only. Rendering it (CKAN's page frame, the matrix,
the trend) is most of its cost. For such a visitor it is rendered once per
change of its data, language and filters, and kept (``keep``, e.g. with the
coverage matrix it shows).

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

__all__ = ["anonymous_visit", "page"]

Render = Callable[[], str]
Keep = Callable[[Any, Callable[[], tuple[str, str]]], tuple[str, str]]


def anonymous_visit() -> bool:
    """Whether this request may be answered with a page kept for every anonymous visitor."""
    return (request.method in ("GET", "HEAD") and not tk.current_user.is_authenticated
            and not session.get("_flashes"))


def page(keep: Keep, key: Any, render: Render) -> str:
    """The page ``render()`` gives, rendered once per ``key`` (see ``keep``), with this visitor's CSRF token."""
    html, token = keep(key, lambda: (render(), generate_csrf()))
    mine = generate_csrf()
    return html if token == mine else html.replace(token, mine)

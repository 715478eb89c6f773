"""CKAN's home page (the extension's template), kept for anonymous visitors (see ``page_cache``)."""
from __future__ import annotations

import functools
from typing import Any

from flask import Flask, request

from ckanext.anticorruption.identifiers import linkage
from ckanext.anticorruption.views import page_cache

__all__ = ["keep_for_anonymous"]


def keep_for_anonymous(app: Flask) -> Flask:
    """Wrap CKAN's ``home.index`` view: an anonymous visitor gets the page rendered once per change of the
    public data and of the red flags it lists (``linkage.index_version``), with their own CSRF token."""
    index = app.view_functions.get("home.index")
    if index is None or getattr(index, "kept_for_anonymous", False):
        return app

    @functools.wraps(index)
    def kept_index(*args: Any, **kwargs: Any) -> Any:
        kept = page_cache.public(lambda matrix: None if request.args else ("home", linkage.index_version()),
                                 lambda matrix: index(*args, **kwargs))
        return kept if kept is not None else index(*args, **kwargs)

    kept_index.kept_for_anonymous = True  # type: ignore[attr-defined]
    app.view_functions["home.index"] = kept_index
    return app

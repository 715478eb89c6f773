"""Cross-site request forgery checks for the extension's forms.

CKAN 2.12 exempts a view from Flask-WTF's CSRF check *for good* as soon as one
request authenticated by an API token (or an anonymous one) reaches it
(``csrf.exempt`` in ``ckan_before_request``). After that, a signed-in
editor's browser could be made to post to our forms from another site with
its cookies alone. So every state-changing request to our blueprints checks
the token itself, before the view runs, unless that very request is
authenticated by an API token (which a browser never adds on its own).
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

import ckan.plugins.toolkit as tk

__all__ = ["protect"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def protect(blueprint: Blueprint) -> Blueprint:
    """Check the CSRF token of every POST (PUT, PATCH, DELETE) to ``blueprint``."""
    blueprint.before_request(_check_token)
    return blueprint


def _authenticated_by_token() -> bool:
    return bool(g.get("login_via_auth_header") and tk.current_user.is_authenticated
                and request.headers.get(tk.config.get("apitoken_header_name")))


def _check_token() -> None:
    if request.method in _SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if _authenticated_by_token():
        return
    from ckan.config.middleware.flask_app import csrf

    # Flask-WTF's own check (form field or X-CSRFToken header, and the
    # referrer on https); it raises CSRFError, which CKAN answers with 400.
    csrf.protect()

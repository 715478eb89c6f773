"""The extension's pages: one blueprint module per capability. A view calls an
action and renders a template; the action decides permissions and masking."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.anticorruption.views import csrf

__all__ = ["anticorruption", "context", "get_blueprints"]

# The pages under /anticorruption (types, validation, privacy, identifiers) share one blueprint.
anticorruption = csrf.protect(Blueprint("anticorruption", __name__, url_prefix="/anticorruption"))


def context() -> Context:
    """The context of an action called by a page: the signed-in user, if any."""
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _refuse_nul() -> None:
    """No id, name or form value of these pages holds a NUL character, and
    PostgreSQL refuses one in a query: answer 404 (a path) or 400 (a
    parameter) instead of failing the request."""
    if any("\x00" in str(value) for value in (tk.request.view_args or {}).values()):
        tk.abort(404, tk._("Not found"))
    for values in (tk.request.args, tk.request.form):
        if any("\x00" in value for _, value in values.items(multi=True)):
            tk.abort(400, tk._("The request contains a NUL character."))


def get_blueprints() -> list[Blueprint]:
    # The modules add their routes when imported.
    from ckanext.anticorruption.views import coverage, dcat, identifiers, national, privacy, types, validation  # noqa: F401

    blueprints = [anticorruption, coverage.coverage_blueprint, dcat.anticorruption_dcat]
    for blueprint in blueprints:
        if _refuse_nul not in blueprint.before_request_funcs.get(None, []):
            blueprint.before_request(_refuse_nul)
    return blueprints

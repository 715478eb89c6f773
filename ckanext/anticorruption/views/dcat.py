"""DCAT pages of the extension: the concept scheme and the catalog of each agency.

ckanext-dcat serves /catalog.<format> and /dataset/<id>.<format> itself.
"""
from __future__ import annotations

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.views import context, csrf
from ckanext.anticorruption.dcat import catalog as dcat_catalog
from ckanext.anticorruption.dcat.vocabulary import COLLECTIONS

__all__ = ["anticorruption_dcat"]

anticorruption_dcat = csrf.protect(Blueprint("anticorruption_dcat", __name__))

_FORMAT = "<any(" + ", ".join(dcat_catalog.FORMATS) + "):fmt>"



def _rdf(body: str, fmt: str) -> Response:
    return Response(body, headers={"Content-Type": dcat_catalog.content_type(fmt),
                                   "Access-Control-Allow-Origin": "*"})


@anticorruption_dcat.route(f"/anticorruption/vocabulary.{_FORMAT}")
def vocabulary(fmt: str) -> Response:
    """The SKOS concept scheme that the DCAT feeds refer to."""
    return _rdf(tk.get_action("anticorruption_vocabulary_show")(context(), {"format": fmt}), fmt)


@anticorruption_dcat.route("/anticorruption/vocabulary/<collection>/<notation>")
def concept(collection: str, notation: str) -> Response:
    """A concept's URI leads to the page of its type, or else to the scheme."""
    if collection not in COLLECTIONS:
        return tk.abort(404)
    if collection == "types":
        return tk.redirect_to("anticorruption.type_read", type_id=notation)
    return tk.redirect_to("anticorruption_dcat.vocabulary", fmt="ttl")


@anticorruption_dcat.route(f"/organization/<id>/catalog.{_FORMAT}")
def organization_catalog(id: str, fmt: str) -> Response:
    """The DCAT catalog of one agency's public datasets (paged: ?page=2)."""
    try:
        body = tk.get_action("anticorruption_organization_catalog_show")(context(), {
            "id": id, "format": fmt,
            "page": tk.request.args.get("page", 1),
            "modified_since": tk.request.args.get("modified_since"),
        })
    except tk.ObjectNotFound:
        return tk.abort(404)
    except tk.NotAuthorized:
        return tk.abort(403)
    except tk.ValidationError as e:
        return tk.abort(400, str(e.error_summary))
    return _rdf(body, fmt)

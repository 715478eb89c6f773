"""The DCAT documents the extension serves next to ckanext-dcat's own: the
concept scheme and the catalog of one organization (agency).

Called by the actions in ``logic/action/dcat.py``; permissions are checked and
datasets searched there.
"""
from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCT, FOAF
from ckanext.dcat.utils import CONTENT_TYPES, catalog_uri, publisher_uri_organization_fallback, url_to_rdflib_format
from rdflib import RDF, Literal, URIRef

from ckanext.anticorruption.dcat.profile import site_vocabulary
from ckanext.anticorruption.dcat.vocabulary import concept_scheme_graph

__all__ = ["FORMATS", "check_page", "content_type", "organization_catalog", "organization_search", "pagination",
           "solr_time", "vocabulary_document"]

FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")
# Solr's ``start`` is a 32-bit integer: a page beyond it fails the query.
_SOLR_MAX_START = 2**31 - 1


def content_type(fmt: str) -> str:
    return f"{CONTENT_TYPES[fmt]}; charset=utf-8"


def vocabulary_document(fmt: str) -> str:
    return concept_scheme_graph(site_vocabulary()).serialize(format=url_to_rdflib_format(fmt))


def check_page(page: int, per_page: int) -> None:
    """Refuse, with a message, a page so far that Solr cannot even look for it."""
    if per_page * page > _SOLR_MAX_START:
        raise tk.ValidationError({"page": [tk._("There is no page {page}").format(page=page)]})


def solr_time(moment: datetime.datetime) -> str:
    """A moment as Solr reads dates: UTC, ending in Z. A time with a zone
    (``…+02:00``, ``…Z``) is converted, not given two zones."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def pagination(count: int, page: int, per_page: int, page_url: Callable[[int], str]) -> dict[str, Any]:
    """The Hydra paging of a catalog page, as ckanext-dcat's serializer takes it."""
    if count == 0:
        return {}
    last = max(1, math.ceil(count / per_page))
    info: dict[str, Any] = {
        "count": count, "items_per_page": per_page,
        "current": page_url(page), "first": page_url(1), "last": page_url(last),
    }
    if page > 1:
        info["previous"] = page_url(min(page - 1, last))
    if page < last:
        info["next"] = page_url(page + 1)
    return info


class _OrganizationCatalogSerializer(RDFSerializer):
    """ckanext-dcat's serializer, with the catalog named after the organization
    and published by it, as a part of the site's catalog."""

    def __init__(self, catalog_ref: URIRef, publisher_ref: URIRef) -> None:
        super().__init__()
        self.catalog_ref = catalog_ref
        self.publisher_ref = publisher_ref

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None = None) -> URIRef:
        site_ref = super().graph_from_catalog(catalog_dict)
        for predicate, obj in list(self.g.predicate_objects(site_ref)):
            self.g.remove((site_ref, predicate, obj))
            self.g.add((self.catalog_ref, predicate, obj))
        self.g.add((self.catalog_ref, DCT.isPartOf, site_ref))
        self.g.add((self.catalog_ref, DCT.publisher, self.publisher_ref))
        return self.catalog_ref


def organization_search(organization_id: str, page: int, per_page: int,
                        modified_since: datetime.datetime | None) -> dict[str, Any]:
    """The ``package_search`` of one page of an organization's catalog: its public
    datasets (no drafts, no harvest sources), the most recently modified first."""
    check_page(page, per_page)
    fq = [f'owner_org:"{organization_id}"', "-dataset_type:harvest"]
    if modified_since:
        fq.append(f"metadata_modified:[{solr_time(modified_since)} TO NOW]")
    return {"q": "*:*", "fq": " ".join(fq), "rows": per_page, "start": per_page * (page - 1),
            "sort": "metadata_modified desc", "include_private": False, "include_drafts": False}


def organization_catalog(organization: dict[str, Any], fmt: str, page: int, per_page: int,
                         found: dict[str, Any], page_url: Callable[[int], str]) -> str:
    """One page of the DCAT catalog of an organization's public datasets, from what
    the search of ``organization_search`` ``found`` (its ``results`` and ``count``)."""
    home = tk.url_for("organization.read", id=organization["name"], _external=True)
    serializer = _OrganizationCatalogSerializer(
        URIRef(f"{catalog_uri().rstrip('/')}/organization/{organization['name']}/catalog"),
        URIRef(publisher_uri_organization_fallback({"organization": organization})),
    )
    serializer.g.add((serializer.publisher_ref, RDF.type, FOAF.Agent))
    serializer.g.add((serializer.publisher_ref, FOAF.name, Literal(organization["title"])))
    return serializer.serialize_catalog(
        {"title": organization["title"], "description": organization.get("description") or None,
         "homepage": home},
        found["results"], _format=fmt,
        pagination_info=pagination(found["count"], page, per_page, page_url),
    )

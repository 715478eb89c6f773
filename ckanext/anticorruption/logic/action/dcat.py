"""Actions of the DCAT feeds: the SKOS vocabulary, one organization's catalog, and
ckanext-dcat's catalog actions, wrapped so that odd paging and dates get a message, not a 500.

ckanext-dcat 2.4.4 (``ckanext/dcat/logic.py``, ``_search_ckan_datasets``)
hands any page to Solr as ``start`` (a 20-digit page fails the query) and
writes ``modified_since`` as its ISO form plus "Z", so a time with a zone
(``+02:00`` or ``Z``) reaches Solr with two zones. Both came back as Solr
errors, i.e. 500s, from ``/catalog.<format>``. These wrappers check the
page and turn a zoned time into UTC before ckanext-dcat sees them; its own
code is unchanged.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context, DataDict
from dateutil.parser import parse as parse_date

from ckanext.anticorruption.dcat import catalog as dcat_catalog
from ckanext.anticorruption.logic import schema

__all__ = [
    "anticorruption_organization_catalog_show",
    "anticorruption_vocabulary_show",
    "dcat_catalog_search",
    "dcat_catalog_show",
]


def _checked(data_dict: DataDict) -> DataDict:
    data = dict(data_dict)
    try:
        page = int(data.get("page") or 1)
    except (TypeError, ValueError):
        page = 1  # ckanext-dcat refuses it itself, with its message
    dcat_catalog.check_page(page, int(tk.config.get("ckanext.dcat.datasets_per_page")))
    if data.get("modified_since"):
        try:
            moment = parse_date(str(data["modified_since"]))
        except (ValueError, OverflowError):
            return data  # ckanext-dcat refuses it itself, with its message
        if moment.tzinfo is not None:
            data["modified_since"] = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None).isoformat()
    return data


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    return up(context, _checked(data_dict))


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    return up(context, _checked(data_dict))


@tk.side_effect_free
@validate(schema.vocabulary_show_schema)
def anticorruption_vocabulary_show(context: Context, data_dict: DataDict) -> str:
    """The SKOS concept scheme of the DCAT feeds (Guide types, categories, kinds,
    standards, geographic levels, validation states), in Spanish and English.

    :param format: ``ttl`` (default), ``rdf``, ``xml``, ``jsonld`` or ``n3``
    """
    tk.check_access("anticorruption_vocabulary_show", context, data_dict)
    return dcat_catalog.vocabulary_document(data_dict["format"])


@tk.side_effect_free
@validate(schema.organization_catalog_show_schema)
def anticorruption_organization_catalog_show(context: Context, data_dict: DataDict) -> str:
    """A DCAT catalog of one organization's public datasets, with the site's
    DCAT profile, paged like ``/catalog.<format>``. Private and draft datasets
    are never in it, whoever asks.

    :param id: the organization's id or name
    :param format: ``ttl`` (default), ``rdf``, ``xml``, ``jsonld`` or ``n3``
    :param page: the page, from 1 (``ckanext.dcat.datasets_per_page`` datasets each)
    :param modified_since: only datasets modified since this ISO 8601 date (optional)
    """
    tk.check_access("anticorruption_organization_catalog_show", context, data_dict)
    organization = tk.get_action("organization_show")(
        {"user": context.get("user")}, {"id": data_dict["id"], "include_datasets": False})
    page_url = (lambda page: tk.url_for(
        "anticorruption_dcat.organization_catalog", id=organization["name"],
        fmt=data_dict["format"], page=page, _external=True))
    page, per_page = data_dict["page"], tk.config.get("ckanext.dcat.datasets_per_page")
    search = dcat_catalog.organization_search(organization["id"], page, per_page, data_dict.get("modified_since"))
    # Searched as the caller; the query itself leaves private and draft datasets out, whoever asks.
    found = tk.get_action("package_search")({"user": context.get("user")}, search)
    return dcat_catalog.organization_catalog(organization, data_dict["format"], page, per_page, found, page_url)

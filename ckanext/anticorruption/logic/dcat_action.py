"""ckanext-dcat's catalog actions, wrapped so that odd paging and dates get a message, not a 500.

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
from ckan.types import Action, Context, DataDict
from dateutil.parser import parse as parse_date

from ckanext.anticorruption import dcat_catalog

__all__ = ["dcat_catalog_search", "dcat_catalog_show"]


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

"""The ``anticorruption`` DCAT profile: ckanext-dcat's ``euro_dcat_ap_3`` plus our steps.

Enabled with ``ckanext.dcat.rdf.profiles = anticorruption``. It is a subclass of
``EuropeanDCATAP3Profile`` rather than a second profile listed after it because
ckanext-dcat 2.4.4 builds every profile for the scheming type ``dataset``, and
a site whose datasets all have their own types has no such schema: the
``euro_dcat_ap_3`` profile then refuses to start ("Unknown dataset schema:
dataset"). This class carries on without that schema and uses each dataset's
own type instead. The mapping itself lives in ``mapping.py``.
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, resource_uri
from ckanext.scheming.helpers import scheming_get_dataset_schema
from rdflib.term import URIRef

from ckanext.anticorruption.config import dcat_option
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.dcat import mapping as dcat_mapping
from ckanext.anticorruption.model import validation_states
from ckanext.anticorruption.dcat.vocabulary import Vocabulary

__all__ = ["AnticorruptionDCATProfile", "site_vocabulary"]


@functools.lru_cache(maxsize=8)
def _vocabulary(base: str) -> Vocabulary:
    return Vocabulary(base)


def site_vocabulary() -> Vocabulary:
    """The concepts of this site, under its catalog URI (``ckanext.dcat.base_uri`` or the site URL)."""
    return _vocabulary(catalog_uri())


def _country_uri() -> str:
    return dcat_option("country_uri")


def _schema(dataset_type: str | None) -> dict[str, Any] | None:
    """The scheming schema of the type, presets expanded (None for an unknown type, or without scheming)."""
    return scheming_get_dataset_schema(dataset_type)


class AnticorruptionDCATProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 for the Open Up Guide's dataset types: Guide type and category as
    concepts, Table Schema as ``dct:conformsTo``, validation states as DQV."""

    def __init__(self, graph: Any, dataset_type: str = "dataset", compatibility_mode: bool = False):
        try:
            super().__init__(graph, dataset_type=dataset_type, compatibility_mode=compatibility_mode)
        except tk.ObjectNotFound:
            # The parent sets the graph and options before it looks the schema
            # up, so the profile is usable; the schema of each dataset's own
            # type is taken per dataset below.
            self._dataset_schema = None

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        vocabulary = site_vocabulary()
        national = dcat_mapping.national_type(dataset_dict)
        if national:
            # The portal's national file of a type: every agency's valid public files in one table.
            super().graph_from_dataset(dcat_mapping.for_national(dataset_dict, national, vocabulary), dataset_ref)
            distributions = {r["id"]: CleanedURIRef(resource_uri(r)) for r in dataset_dict.get("resources", [])
                             if r.get("id")}
            dcat_mapping.add_national_to_graph(self.g, dataset_ref, national, vocabulary, _country_uri(),
                                               distributions)
            return
        self._dataset_schema = _schema(dataset_dict.get("type")) or self._dataset_schema
        super().graph_from_dataset(dcat_mapping.for_base_profile(dataset_dict, vocabulary), dataset_ref)
        if dataset_types.dataset_type(dataset_dict.get("type")) is None:
            return
        resources = dataset_dict.get("resources", [])
        if all("validation_state" in r for r in resources):
            states = {r["id"]: r["validation_state"] for r in resources}
        else:
            # Datasets from package_search (the catalog) come from the index,
            # without the states that package_show adds.
            states = validation_states(dataset_dict["id"]) if dataset_dict.get("id") else {}
        distributions = {r["id"]: CleanedURIRef(resource_uri(r)) for r in resources if r.get("id")}
        dcat_mapping.add_to_graph(self.g, dataset_ref, dataset_dict, vocabulary, _country_uri(),
                                  distributions, states)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        vocabulary = site_vocabulary()
        fields = dcat_mapping.typed_fields(self.g, dataset_ref, vocabulary, _country_uri())
        schema = _schema(fields.get("type")) if fields else None
        if schema is None:
            return dataset_dict
        # Move the extras that are fields of the type to the top level, as the
        # parent does for the schema it was built with.
        self._dataset_schema = schema
        dataset_dict = self._parse_dataset_v2_scheming(dataset_dict, dataset_ref)
        return dcat_mapping.apply_typed_fields(dataset_dict, fields, vocabulary,
                                               tk.config.get("ckan.locale_default"))

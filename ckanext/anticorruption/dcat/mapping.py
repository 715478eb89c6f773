"""How a typed dataset becomes DCAT-AP 3 and back: the steps our profile adds.

Pure module: dataset dicts, rdflib graphs and the site's ``Vocabulary`` in,
dicts and triples out; no CKAN imports. ``profile.py`` wires these steps
into ckanext-dcat's ``euro_dcat_ap_3`` profile:

- ``for_base_profile`` renames our fields to the names the base profile
  already maps (``dcat_type``, ``theme``, ``conforms_to``, ``language``), so
  the base writes those triples with their DCAT-AP classes;
- ``add_to_graph`` adds what the base cannot know: the concepts' labels, the
  geographic coverage, each distribution's licence and its validation state
  as a W3C DQV quality annotation and measurement;
- ``typed_fields`` and ``apply_typed_fields`` read a harvested graph back into
  the fields of the right dataset type.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS, XSD

from ckanext.anticorruption.dataset_types import types
from ckanext.anticorruption.validation.ocds import STANDARD_URI as OCDS_STANDARD_URI, is_ocds_resource
from ckanext.anticorruption.dcat.vocabulary import (
    DQV, OA, VCARD, Vocabulary, dataset_fields, dcat_facts, file_type_code, file_type_uri, language_code,
    language_uri,
)

__all__ = [
    "MAPPED_FIELDS",
    "NATIONAL_EXTRA",
    "add_national_to_graph",
    "add_to_graph",
    "apply_typed_fields",
    "for_base_profile",
    "for_national",
    "national_type",
    "own_fields",
    "typed_fields",
]

# Dataset fields written with DCAT-AP properties (by the base profile or
# below), or derived from the type; every other field of a type is written
# with its own property from the vocabulary (see ``own_fields``).
MAPPED_FIELDS = frozenset({
    "title", "name", "notes", "owner_org", "license_id", "frequency", "temporal_start",
    "temporal_end", "spatial_level", "spatial_text", "contact_name", "contact_email", "language",
    "data_standards", "guide_category", "guide_kind", "tag_string",
})

# Extras that the base profile's parser fills from the triples we write and
# that become fields of the type (or are derived from it) once harvested.
_CONSUMED_EXTRAS = ("dcat_type", "theme", "conforms_to", "language", "spatial_uri", "spatial_text")


def own_fields(type_id: str) -> dict[str, bool]:
    """The fields of a type that DCAT-AP has no property for: name → holds a list."""
    return {name: "multiple" in (field.get("validators") or "")
            for name, field in dataset_fields(type_id).items() if name not in MAPPED_FIELDS}


def _resource_conforms_to(resource: Mapping[str, Any], type_id: str, vocabulary: Vocabulary) -> list[str]:
    mode = resource.get("schema_mode") or "type"
    typ = types.dataset_type(type_id)
    if typ is not None and is_ocds_resource(typ.standards, resource):
        # A JSON file of a procurement type is checked against OCDS 1.1, not the CSV Table Schema.
        return [OCDS_STANDARD_URI]
    if mode == "type":
        return [vocabulary.table_schema_url(type_id)]
    if mode == "other" and resource.get("schema_url"):
        return [resource["schema_url"]]
    return []


def for_base_profile(dataset: Mapping[str, Any], vocabulary: Vocabulary) -> dict[str, Any]:
    """A copy of a typed dataset with its fields under the names ckanext-dcat maps.

    The dataset's own dict is left alone: CKAN may cache or reuse it.
    """
    typ = types.dataset_type(dataset.get("type"))
    if typ is None:
        return dict(dataset)
    out = dict(dataset)
    out["dcat_type"] = str(vocabulary.type_uri(typ.id))
    out["theme"] = [str(vocabulary.category_uri(typ.category)), dcat_facts()["eu_theme"]["uri"]]
    out["conforms_to"] = [vocabulary.table_schema_url(typ.id), *_standard_uris(dataset, vocabulary)]
    out["language"] = [language_uri(code) for code in _as_list(dataset.get("language"))]
    # Written by add_to_graph, with the level and the country.
    out.pop("spatial_text", None)
    out.pop("spatial_uri", None)
    out["resources"] = [
        {
            **resource,
            "conforms_to": _resource_conforms_to(resource, typ.id, vocabulary),
            "license": resource.get("license") or dataset.get("license_url"),
            "format": file_type_uri(resource.get("format")),
        }
        for resource in dataset.get("resources", [])
    ]
    return out


# The extra that marks a national dataset (one per type, of no agency), with its type's id.
NATIONAL_EXTRA = "anticorruption_national"


def national_type(dataset: Mapping[str, Any]) -> str | None:
    """The Guide type of a national dataset (None for any other dataset)."""
    for extra in dataset.get("extras") or []:
        if extra.get("key") == NATIONAL_EXTRA and types.dataset_type(extra.get("value")):
            return extra["value"]
    return None


def for_national(dataset: Mapping[str, Any], type_id: str, vocabulary: Vocabulary) -> dict[str, Any]:
    """A copy of a national dataset with its Guide type, themes and file types under the names
    ckanext-dcat maps. Its files add provenance columns to the type's, so they do not claim to
    conform to the type's Table Schema."""
    typ = types.dataset_type(type_id)
    out = dict(dataset)
    out["dcat_type"] = str(vocabulary.type_uri(typ.id))
    out["theme"] = [str(vocabulary.category_uri(typ.category)), dcat_facts()["eu_theme"]["uri"]]
    # The media type is said by the EU file type (DCAT-AP wants an IANA URI, not CKAN's text).
    out["resources"] = [
        {**{k: v for k, v in resource.items() if k != "mimetype"},
         "license": resource.get("license") or dataset.get("license_url"),
         "format": file_type_uri(resource.get("format"))}
        for resource in dataset.get("resources", [])
    ]
    return out


def add_national_to_graph(graph: Graph, dataset_ref: URIRef, type_id: str, vocabulary: Vocabulary,
                          country_uri: str, distributions: Mapping[str, URIRef]) -> None:
    """Add our triples for a national dataset whose base triples are already in ``graph``: the
    classes DCAT-AP's shapes ask for, the country it covers, and the Guide concepts it names."""
    typ = types.dataset_type(type_id)
    _complete_base_classes(graph, dataset_ref, distributions)
    concepts = {vocabulary.type_uri(typ.id), vocabulary.category_uri(typ.category)}
    concepts |= _add_spatial(graph, dataset_ref, {"spatial_level": "national"}, vocabulary, URIRef(country_uri))
    _describe_concepts(graph, vocabulary, concepts)


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def add_to_graph(
    graph: Graph,
    dataset_ref: URIRef,
    dataset: Mapping[str, Any],
    vocabulary: Vocabulary,
    country_uri: str,
    distributions: Mapping[str, URIRef],
    states: Mapping[str, str | None],
) -> None:
    """Add our triples for a typed dataset whose base triples are already in ``graph``.

    ``distributions`` maps resource ids to their distribution URIs and
    ``states`` resource ids to their validation states.
    """
    typ = types.dataset_type(dataset.get("type"))
    if typ is None:
        return
    graph.bind("dqv", DQV)
    graph.bind("oa", OA)
    concepts = {vocabulary.type_uri(typ.id), vocabulary.category_uri(typ.category)}
    concepts |= {URIRef(u) for u in _standard_uris(dataset, vocabulary)}
    _complete_base_classes(graph, dataset_ref, distributions)
    concepts |= _add_spatial(graph, dataset_ref, dataset, vocabulary, URIRef(country_uri))
    _add_own_fields(graph, dataset_ref, dataset, typ.id, vocabulary)
    concepts |= _add_quality(graph, dataset, vocabulary, distributions, states)
    _describe_concepts(graph, vocabulary, concepts)


def _complete_base_classes(graph: Graph, dataset_ref: URIRef, distributions: Mapping[str, URIRef]) -> None:
    """The base profile types some nodes with a subclass (vcard:Organization)
    or not at all (the link of a file); DCAT-AP's shapes run without
    inference and ask for the classes themselves."""
    for contact in graph.objects(dataset_ref, DCAT.contactPoint):
        graph.add((contact, RDF.type, VCARD.Kind))
    for distribution in distributions.values():
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            for link in graph.objects(distribution, predicate):
                graph.add((link, RDF.type, RDFS.Resource))


def _add_spatial(graph: Graph, dataset_ref: URIRef, dataset: Mapping[str, Any], vocabulary: Vocabulary,
                 country: URIRef) -> set[URIRef]:
    """The country for national coverage, else the named state or municipality in it."""
    level = dataset.get("spatial_level") or "national"
    location: URIRef | BNode
    if level == "national" or not dataset.get("spatial_text"):
        location = country
    else:
        location = BNode()
        graph.add((location, SKOS.prefLabel, Literal(dataset["spatial_text"])))
        graph.add((location, DCTERMS.isPartOf, country))
    graph.add((dataset_ref, DCTERMS.spatial, location))
    graph.add((location, RDF.type, DCTERMS.Location))
    if vocabulary.spatial_level_uri(level) not in vocabulary.concepts:
        return set()
    graph.add((location, DCTERMS.type, vocabulary.spatial_level_uri(level)))
    return {vocabulary.spatial_level_uri(level)}


def _add_own_fields(graph: Graph, dataset_ref: URIRef, dataset: Mapping[str, Any], type_id: str,
                    vocabulary: Vocabulary) -> None:
    for name, is_list in own_fields(type_id).items():
        for value in _as_list(dataset.get(name)) if is_list else [dataset.get(name)]:
            if value not in (None, ""):
                graph.add((dataset_ref, vocabulary.field_uri(name), Literal(value)))


def _add_quality(graph: Graph, dataset: Mapping[str, Any], vocabulary: Vocabulary,
                 distributions: Mapping[str, URIRef], states: Mapping[str, str | None]) -> set[URIRef]:
    """Each file's validation state as a DQV quality annotation, and whether it
    follows its Table Schema as a DQV measurement once it was checked."""
    concepts: set[URIRef] = set()
    for resource in dataset.get("resources", []):
        state = states.get(resource.get("id", ""))
        distribution = distributions.get(resource.get("id", ""))
        if not state or distribution is None or vocabulary.validation_state_uri(state) not in vocabulary.concepts:
            continue
        annotation = BNode()
        graph.add((distribution, DQV.hasQualityAnnotation, annotation))
        graph.add((annotation, RDF.type, DQV.QualityAnnotation))
        graph.add((annotation, OA.hasTarget, distribution))
        graph.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
        graph.add((annotation, OA.hasBody, vocabulary.validation_state_uri(state)))
        concepts.add(vocabulary.validation_state_uri(state))
        if state in ("valid", "invalid"):
            measurement = BNode()
            graph.add((distribution, DQV.hasQualityMeasurement, measurement))
            graph.add((measurement, RDF.type, DQV.QualityMeasurement))
            graph.add((measurement, DQV.computedOn, distribution))
            graph.add((measurement, DQV.isMeasurementOf, vocabulary.metric_uri()))
            graph.add((measurement, DQV.value, Literal(state == "valid", datatype=XSD.boolean)))
            concepts.add(vocabulary.metric_uri())
    return concepts


def _describe_concepts(graph: Graph, vocabulary: Vocabulary, concepts: set[URIRef]) -> None:
    """Labels of the concepts used, so that a harvester needs not fetch the scheme."""
    graph.add((vocabulary.scheme, RDF.type, SKOS.ConceptScheme))
    for lang, title in dcat_facts()["title"].items():
        graph.add((vocabulary.scheme, DCTERMS.title, Literal(title, lang=lang)))
    for uri in concepts:
        vocabulary.add_concept(graph, uri)
    eu_theme = dcat_facts()["eu_theme"]
    graph.add((URIRef(eu_theme["uri"]), RDF.type, SKOS.Concept))
    for lang, label in eu_theme["title"].items():
        graph.add((URIRef(eu_theme["uri"]), SKOS.prefLabel, Literal(label, lang=lang)))


def _standard_uris(dataset: Mapping[str, Any], vocabulary: Vocabulary) -> list[str]:
    """The data standards the dataset declares, as concepts of the vocabulary."""
    return [str(vocabulary.standard_uri(s)) for s in _as_list(dataset.get("data_standards"))
            if vocabulary.standard_uri(s) in vocabulary.concepts]


def typed_fields(graph: Graph, dataset_ref: Any, vocabulary: Vocabulary, country_uri: str) -> dict[str, Any]:
    """The fields of our types found in a DCAT dataset, or {} if it is not of one of our types."""
    type_id = next(
        (n for n in (vocabulary.notation(o, "types", graph) for o in graph.objects(dataset_ref, DCTERMS.type)) if n),
        None,
    )
    if type_id is None:
        return {}
    fields: dict[str, Any] = {"type": type_id}
    languages = [language_code(o) for o in graph.objects(dataset_ref, DCTERMS.language)]
    if languages:
        fields["language"] = languages
    standards = [n for n in (vocabulary.notation(o, "standards", graph)
                             for o in graph.objects(dataset_ref, DCTERMS.conformsTo)) if n]
    if standards:
        fields["data_standards"] = standards
    own = own_fields(type_id)
    marker = "/anticorruption/vocabulary/fields/"
    for predicate, obj in graph.predicate_objects(dataset_ref):
        name = str(predicate).rsplit(marker, 1)[1] if marker in str(predicate) else None
        if name in own:
            if own[name]:
                fields.setdefault(name, []).append(str(obj))
            else:
                fields[name] = str(obj)
    for location in graph.objects(dataset_ref, DCTERMS.spatial):
        level = next((n for n in (vocabulary.notation(o, "spatial-levels", graph)
                                  for o in graph.objects(location, DCTERMS.type)) if n), None)
        label = graph.value(location, SKOS.prefLabel)
        if str(location) == country_uri or level == "national":
            fields["spatial_level"] = "national"
        elif label is not None:
            fields["spatial_level"] = level or "state"
            fields["spatial_text"] = str(label)
    return fields


def apply_typed_fields(dataset: dict[str, Any], fields: Mapping[str, Any], vocabulary: Vocabulary,
                       lang: str = "en") -> dict[str, Any]:
    """Make a parsed dataset dict one of our types: set the fields, drop the
    extras they came from, and turn each distribution's ``dct:conformsTo`` into
    its Table Schema choice."""
    dataset.update(fields)
    dataset["extras"] = [e for e in dataset.get("extras", []) if e["key"] not in _CONSUMED_EXTRAS]
    table_schema = vocabulary.table_schema_url(fields["type"])
    own_path = table_schema.split("/anticorruption/", 1)[1]
    for resource in dataset.get("resources", []):
        resource["format"] = file_type_code(resource.get("format"))
        conforms_to = _as_list(resource.pop("conforms_to", None))
        # A distribution that conforms to OCDS is checked by its type (as OCDS when it is JSON).
        if any(c == table_schema or c.endswith(f"/anticorruption/{own_path}") or c.rstrip("/") ==
               OCDS_STANDARD_URI.rstrip("/") for c in conforms_to):
            resource["schema_mode"] = "type"
        elif conforms_to:
            resource["schema_mode"] = "other"
            resource["schema_url"] = conforms_to[0]
            resource.setdefault("schema_reason", types.localized(dcat_facts()["harvested_schema_reason"], lang))
        else:
            resource["schema_mode"] = "none"
            resource.setdefault("schema_reason", types.localized(dcat_facts()["harvested_no_schema_reason"], lang))
    return dataset

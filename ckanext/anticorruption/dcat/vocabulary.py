"""The SKOS concept scheme of the DCAT feeds, and the mapping of field values to it.

Pure module: plain data and rdflib, no CKAN imports. Every concept is built
from the schema files (the Guide's categories, kinds and standards in
``vocabularies.yaml``, the types in ``types/``, the geographic levels in
``presets.yaml``, the rest in ``dcat.yaml``), so adding a type adds its
concept. Concept URIs hang under ``<site>/anticorruption/vocabulary/``; the
feeds and the harvesting side recognise them on any site by their path and
their ``skos:notation``.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ckanext.anticorruption.dataset_types import types

__all__ = [
    "COLLECTIONS",
    "DQV",
    "FILE_TYPES",
    "LANGUAGES",
    "OA",
    "VCARD",
    "Concept",
    "Vocabulary",
    "all_dataset_fields",
    "concept_scheme_graph",
    "dataset_fields",
    "dcat_facts",
    "file_type_code",
    "file_type_uri",
    "language_code",
    "language_uri",
    "spatial_levels",
]

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# Path segments of each collection of concepts, under <base>/anticorruption/vocabulary/.
COLLECTIONS = ("types", "categories", "kinds", "standards", "spatial-levels",
               "validation-states", "metrics", "fields")


@functools.cache
def dcat_facts() -> dict[str, Any]:
    with open(types.SCHEMAS_DIR / "dcat.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


LANGUAGES: Mapping[str, str] = dcat_facts()["languages"]
_LANGUAGE_CODES = {uri: code for code, uri in LANGUAGES.items()}
FILE_TYPES: Mapping[str, str] = dcat_facts()["file_types"]
_FILE_TYPE_CODES = {uri: code for code, uri in FILE_TYPES.items()}


def language_uri(code: str) -> str:
    """The URI of a language of the data; an unknown code is kept as it is."""
    return LANGUAGES.get(code, code)


def language_code(uri: str) -> str:
    return _LANGUAGE_CODES.get(str(uri), str(uri))


def file_type_uri(fmt: str | None) -> str | None:
    """The EU file type of a resource format, or the format as it is."""
    return FILE_TYPES.get((fmt or "").upper(), fmt)


def file_type_code(value: str | None) -> str | None:
    return _FILE_TYPE_CODES.get(str(value), value) if value else value


@functools.cache
def _presets() -> dict[str, dict[str, Any]]:
    with open(types.SCHEMAS_DIR / "presets.yaml", encoding="utf-8") as f:
        return {p["preset_name"]: p["values"] for p in yaml.safe_load(f)["presets"]}


def spatial_levels() -> list[dict[str, Any]]:
    """The choices of the geographic coverage field, from the shared presets."""
    return _presets()["anticorruption_spatial_level"]["choices"]


@functools.cache
def dataset_fields(type_id: str) -> dict[str, dict[str, Any]]:
    """The scheming fields of a type's datasets, presets expanded, by field name."""
    with open(types.TYPES_DIR / f"{type_id}.yaml", encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    fields = {}
    for field in raw["dataset_fields"]:
        values = {**_presets().get(field.get("preset", ""), {}),
                  **{k: v for k, v in field.items() if k != "preset"}}
        fields[values["field_name"]] = values
    return fields


@functools.cache
def all_dataset_fields() -> dict[str, dict[str, Any]]:
    return {name: field for t in types.dataset_types() for name, field in dataset_fields(t).items()}


@dataclass(frozen=True)
class Concept:
    uri: URIRef
    collection: str
    notation: str
    label: Mapping[str, str]
    definition: Mapping[str, str]
    broader: URIRef | None = None
    see_also: tuple[str, ...] = ()
    standard: bool = False


class Vocabulary:
    """The concepts of one site, whose URIs start with ``base`` (the site's URL)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.scheme = URIRef(f"{self.base}/anticorruption/vocabulary")

    def uri(self, collection: str, notation: str) -> URIRef:
        return URIRef(f"{self.scheme}/{collection}/{notation}")

    def table_schema_url(self, type_id: str) -> str:
        return f"{self.base}/anticorruption/schemas/{type_id}.json"

    def type_uri(self, type_id: str) -> URIRef:
        return self.uri("types", type_id)

    def category_uri(self, category_id: str) -> URIRef:
        return self.uri("categories", category_id)

    def standard_uri(self, standard_id: str) -> URIRef:
        return self.uri("standards", standard_id)

    def spatial_level_uri(self, level: str) -> URIRef:
        return self.uri("spatial-levels", level)

    def validation_state_uri(self, state: str) -> URIRef:
        return self.uri("validation-states", state)

    def field_uri(self, field_name: str) -> URIRef:
        """The RDF property of a dataset field that DCAT-AP has no property for."""
        return self.uri("fields", field_name)

    def metric_uri(self) -> URIRef:
        return self.uri("metrics", dcat_facts()["metric"]["id"])

    @functools.cached_property
    def concepts(self) -> dict[URIRef, Concept]:
        voc = types.vocabularies()
        facts = dcat_facts()
        concepts = [
            Concept(self.category_uri(c.id), "categories", c.id, c.title, c.description)
            for c in voc.categories.values()
        ]
        concepts += [
            Concept(self.uri("kinds", k.id), "kinds", k.id, k.title, k.description)
            for k in voc.kinds.values()
        ]
        concepts += [
            Concept(self.type_uri(t.id), "types", t.id, t.title, t.description,
                    broader=self.category_uri(t.category),
                    see_also=(self.table_schema_url(t.id),
                              f"{self.base}/anticorruption/types/{t.id}"))
            for t in types.dataset_types().values()
        ]
        concepts += [
            Concept(self.standard_uri(s.id), "standards", s.id, s.title, s.description,
                    see_also=(s.url,) if s.url else (), standard=True)
            for s in voc.standards.values()
        ]
        concepts += [
            Concept(self.spatial_level_uri(c["value"]), "spatial-levels", c["value"], c["label"], {})
            for c in spatial_levels()
        ]
        concepts += [
            Concept(self.validation_state_uri(s["id"]), "validation-states", s["id"],
                    s["title"], s.get("description", {}))
            for s in facts["validation_states"]
        ]
        metric = facts["metric"]
        concepts.append(Concept(self.metric_uri(), "metrics", metric["id"],
                                metric["title"], metric["description"]))
        return {c.uri: c for c in concepts}

    def add_concept(self, graph: Graph, uri: URIRef, full: bool = False) -> None:
        """Describe one concept in ``graph``: its labels always, its definition
        and links when ``full`` (the published scheme)."""
        concept = self.concepts[uri]
        graph.add((uri, RDF.type, SKOS.Concept))
        if concept.standard:
            graph.add((uri, RDF.type, DCTERMS.Standard))
        if concept.collection == "metrics":
            graph.add((uri, RDF.type, DQV.Metric))
            graph.add((uri, DQV.expectedDataType, XSD.boolean))
        graph.add((uri, SKOS.notation, Literal(concept.notation)))
        graph.add((uri, SKOS.inScheme, self.scheme))
        for lang, text in concept.label.items():
            graph.add((uri, SKOS.prefLabel, Literal(text, lang=lang)))
        if not full:
            return
        for lang, text in concept.definition.items():
            graph.add((uri, SKOS.definition, Literal(text.strip(), lang=lang)))
        if concept.broader is not None:
            graph.add((uri, SKOS.broader, concept.broader))
        elif concept.collection == "categories":
            graph.add((uri, SKOS.topConceptOf, self.scheme))
            graph.add((self.scheme, SKOS.hasTopConcept, uri))
        for link in concept.see_also:
            graph.add((uri, RDFS.seeAlso, URIRef(link)))

    def notation(self, uri: Any, collection: str, graph: Graph | None = None) -> str | None:
        """The notation of a concept of ``collection`` from any site's vocabulary.

        A harvested feed names concepts under the source site's URL, so they
        are recognised by their ``skos:notation`` in the feed or by the tail of
        their path, and accepted only if this site knows the notation too.
        """
        candidates = []
        if graph is not None:
            candidates += [str(n) for n in graph.objects(uri, SKOS.notation)]
        marker = f"/anticorruption/vocabulary/{collection}/"
        if marker in str(uri):
            candidates.append(str(uri).rsplit(marker, 1)[1])
        for notation in candidates:
            if self.uri(collection, notation) in self.concepts:
                return notation
        return None


def concept_scheme_graph(vocabulary: Vocabulary, languages: Iterable[str] = ("es", "en")) -> Graph:
    """The whole concept scheme, as published at /anticorruption/vocabulary.<format>."""
    facts = dcat_facts()
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("dqv", DQV)
    scheme = vocabulary.scheme
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for lang in languages:
        graph.add((scheme, DCTERMS.title, Literal(facts["title"][lang], lang=lang)))
        graph.add((scheme, SKOS.prefLabel, Literal(facts["title"][lang], lang=lang)))
        graph.add((scheme, DCTERMS.description, Literal(facts["description"][lang].strip(), lang=lang)))
    for uri in vocabulary.concepts:
        vocabulary.add_concept(graph, uri, full=True)
    for name, field in all_dataset_fields().items():
        prop = vocabulary.field_uri(name)
        graph.add((prop, RDF.type, RDF.Property))
        graph.add((prop, RDFS.isDefinedBy, scheme))
        for lang, text in _bilingual(field.get("label")).items():
            graph.add((prop, RDFS.label, Literal(text, lang=lang)))
        for lang, text in _bilingual(field.get("help_text")).items():
            graph.add((prop, RDFS.comment, Literal(text, lang=lang)))
    return graph


def _bilingual(text: Any) -> dict[str, str]:
    return dict(text) if isinstance(text, Mapping) else {}

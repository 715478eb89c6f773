"""The pure DCAT modules: the concept scheme and the mapping, without CKAN."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ckanext.anticorruption.dcat import mapping as dcat_mapping
from ckanext.anticorruption.dcat.vocabulary import (
    Vocabulary, concept_scheme_graph, file_type_code, file_type_uri, language_code, language_uri,
)

from tests.guide import GUIDE_TYPE_IDS

MEXICO = "http://publications.europa.eu/resource/authority/country/MEX"
HERE = Vocabulary("https://datos.gob.mx/")
THERE = Vocabulary("https://datos.jalisco.gob.mx")


def test_every_type_is_a_bilingual_concept_under_its_category() -> None:
    g = concept_scheme_graph(HERE)
    for type_id in GUIDE_TYPE_IDS:
        concept = HERE.type_uri(type_id)
        assert str(concept) == f"https://datos.gob.mx/anticorruption/vocabulary/types/{type_id}"
        assert {label.language for label in g.objects(concept, SKOS.prefLabel)} == {"es", "en"}
        assert (g.value(concept, SKOS.broader), RDF.type, SKOS.Concept) in g
        assert URIRef(HERE.table_schema_url(type_id)) in set(g.objects(concept, URIRef(
            "http://www.w3.org/2000/01/rdf-schema#seeAlso")))


def test_concepts_of_another_site_are_recognised_by_path_or_notation() -> None:
    assert HERE.notation(THERE.type_uri("budgets"), "types") == "budgets"
    assert HERE.notation(THERE.type_uri("budgets"), "categories") is None
    assert HERE.notation(THERE.uri("types", "not_a_type"), "types") is None
    g = Graph()
    elsewhere = URIRef("https://example.org/tipos/7")
    g.add((elsewhere, SKOS.notation, Literal("spending")))
    assert HERE.notation(elsewhere, "types", g) == "spending"
    assert HERE.notation(URIRef("https://example.org/tipos/8"), "types", g) is None


@pytest.mark.parametrize("code", ["es", "en", "nah", "myn"])
def test_languages_map_both_ways(code: str) -> None:
    assert language_uri(code).startswith("http")
    assert language_code(language_uri(code)) == code


def test_file_types_map_both_ways_and_others_pass_through() -> None:
    assert file_type_uri("csv") == "http://publications.europa.eu/resource/authority/file-type/CSV"
    assert file_type_code(file_type_uri("XLSX")) == "XLSX"
    assert file_type_uri("Shapefile") == "Shapefile"
    assert file_type_code("Shapefile") == "Shapefile"


def test_for_base_profile_renames_without_touching_the_dataset() -> None:
    dataset = {
        "type": "contracts_register", "language": ["es"], "data_standards": ["ocds", "unknown"],
        "license_url": "http://www.opendefinition.org/licenses/cc-by", "spatial_text": "Jalisco",
        "resources": [
            {"id": "a", "format": "CSV", "schema_mode": "type"},
            {"id": "b", "format": "JSON", "schema_mode": "other", "schema_url": "https://x.org/s.json"},
            {"id": "c", "format": "PDF", "schema_mode": "none"},
        ],
    }
    before = repr(dataset)
    out = dcat_mapping.for_base_profile(dataset, HERE)
    assert repr(dataset) == before
    assert out["dcat_type"] == str(HERE.type_uri("contracts_register"))
    assert out["conforms_to"] == [HERE.table_schema_url("contracts_register"), str(HERE.standard_uri("ocds"))]
    assert out["language"] == [language_uri("es")]
    assert "spatial_text" not in out
    assert [r["conforms_to"] for r in out["resources"]] == [
        [HERE.table_schema_url("contracts_register")], ["https://x.org/s.json"], []]
    assert {r["license"] for r in out["resources"]} == {dataset["license_url"]}


def test_a_dataset_of_no_guide_type_is_left_alone() -> None:
    dataset = {"type": "dataset", "title": "x"}
    assert dcat_mapping.for_base_profile(dataset, HERE) == dataset
    g = Graph()
    dcat_mapping.add_to_graph(g, URIRef("https://d/1"), dataset, HERE, MEXICO, {}, {})
    assert len(g) == 0


def test_own_fields_are_those_dcat_ap_has_no_property_for() -> None:
    own = dcat_mapping.own_fields("budgets")
    assert {"fiscal_year", "currency", "legal_basis", "identifier_schemes"} <= set(own)
    assert own["identifier_schemes"] is True and own["fiscal_year"] is False
    assert not set(own) & dcat_mapping.MAPPED_FIELDS


@pytest.mark.parametrize("level, text", [("national", ""), ("state", "Jalisco"),
                                         ("municipal", "Guadalajara, Jalisco")])
def test_our_triples_read_back_from_another_site(level: str, text: str) -> None:
    ref = URIRef("https://datos.jalisco.gob.mx/dataset/1")
    dataset = {"type": "budgets", "spatial_level": level, "spatial_text": text, "fiscal_year": "2025",
               "currency": "MXN", "identifier_schemes": ["MX-UR", "LOCAL"],
               "resources": [{"id": "r1"}]}
    g = Graph()
    g.add((ref, DCTERMS.type, THERE.type_uri("budgets")))
    dcat_mapping.add_to_graph(g, ref, dataset, THERE, MEXICO, {"r1": URIRef(f"{ref}/r1")}, {"r1": "valid"})
    fields = dcat_mapping.typed_fields(g, ref, HERE, MEXICO)
    assert fields["type"] == "budgets"
    assert fields["spatial_level"] == level
    assert fields.get("spatial_text", "") == text
    assert (fields["fiscal_year"], fields["currency"]) == ("2025", "MXN")
    assert sorted(fields["identifier_schemes"]) == ["LOCAL", "MX-UR"]


def test_files_keep_their_table_schema_choice_when_read_back() -> None:
    parsed = {"extras": [{"key": "theme", "value": "[]"}, {"key": "guid", "value": "x"}], "resources": [
        {"conforms_to": '["https://datos.jalisco.gob.mx/anticorruption/schemas/budgets.json"]', "format": "CSV"},
        {"conforms_to": '["https://x.org/s.json"]', "format": file_type_uri("JSON")},
        {"format": "PDF"},
    ]}
    dcat_mapping.apply_typed_fields(parsed, {"type": "budgets"}, HERE, "es")
    assert [e["key"] for e in parsed["extras"]] == ["guid"]
    assert [(r["schema_mode"], r.get("schema_url"), r["format"]) for r in parsed["resources"]] == [
        ("type", None, "CSV"), ("other", "https://x.org/s.json", "JSON"), ("none", None, "PDF")]
    assert "dct:conformsTo" in parsed["resources"][2]["schema_reason"]

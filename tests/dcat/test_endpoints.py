"""The DCAT endpoints: what they contain, their paging, and that no private
dataset ever appears in them."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dcat.vocabulary import DQV, OA

from tests.guide import GUIDE_TYPE_IDS, minimal_dataset
from tests.dcat.conftest import create_populated

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SITE = "http://test.ckan.net"
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def _graph(response, fmt: str = "ttl") -> Graph:
    assert response.status_code == 200, response.body[:500]
    return Graph().parse(data=response.body, format=FORMATS[fmt])


def _dataset_uri(dataset: dict) -> URIRef:
    return URIRef(f"{SITE}/dataset/{dataset['id']}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_dataset_endpoint_says_type_category_schema_and_validity(app, agency, fmt: str) -> None:
    dataset = create_populated("contracts_register", agency["id"])
    g = _graph(app.get(f"/dataset/{dataset['name']}.{fmt}"), fmt)
    ref = _dataset_uri(dataset)
    vocab = f"{SITE}/anticorruption/vocabulary"
    assert (ref, DCTERMS.type, URIRef(f"{vocab}/types/contracts_register")) in g
    assert (ref, DCAT.theme, URIRef(f"{vocab}/categories/individuals_organizations")) in g
    assert (URIRef(f"{vocab}/types/contracts_register"), SKOS.prefLabel,
            Literal("Registro de contratos", lang="es")) in g
    schema = URIRef(f"{SITE}/anticorruption/schemas/contracts_register.json")
    assert (ref, DCTERMS.conformsTo, schema) in g
    assert (ref, DCTERMS.accrualPeriodicity,
            URIRef("http://publications.europa.eu/resource/authority/frequency/ANNUAL")) in g
    assert (ref, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/SPA")) in g
    assert g.value(ref, DCTERMS.temporal) is not None
    assert g.value(g.value(ref, DCTERMS.spatial), SKOS.prefLabel) == Literal("Jalisco")
    assert g.value(g.value(ref, DCAT.contactPoint), URIRef("http://www.w3.org/2006/vcard/ns#fn")) \
        == Literal("Unidad de Transparencia")
    publisher = g.value(ref, DCTERMS.publisher)
    assert g.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name")) == Literal(agency["title"])

    first, second, third = (URIRef(f"{SITE}/dataset/{dataset['id']}/resource/{r['id']}")
                            for r in dataset["resources"])
    assert (first, DCTERMS.conformsTo, schema) in g
    assert (second, DCTERMS.conformsTo,
            URIRef("https://standard.open-contracting.org/schema/1__1__5/release-schema.json")) in g
    assert g.value(third, DCTERMS.conformsTo) is None
    assert g.value(first, DCTERMS.license) is not None
    bodies = {d: g.value(g.value(d, DQV.hasQualityAnnotation), OA.hasBody) for d in (first, second)}
    assert bodies == {first: URIRef(f"{vocab}/validation-states/valid"),
                      second: URIRef(f"{vocab}/validation-states/invalid")}
    values = {d: g.value(g.value(d, DQV.hasQualityMeasurement), DQV.value).toPython() for d in (first, second)}
    assert values == {first: True, second: False}


@pytest.mark.parametrize("fmt", FORMATS)
def test_vocabulary_has_every_type_in_both_languages(app, fmt: str) -> None:
    g = _graph(app.get(f"/anticorruption/vocabulary.{fmt}"), fmt)
    scheme = URIRef(f"{SITE}/anticorruption/vocabulary")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    for type_id in GUIDE_TYPE_IDS:
        concept = URIRef(f"{scheme}/types/{type_id}")
        assert {label.language for label in g.objects(concept, SKOS.prefLabel)} == {"es", "en"}
        assert (concept, SKOS.inScheme, scheme) in g
        assert g.value(concept, SKOS.broader) is not None
    assert len(set(g.subjects(SKOS.topConceptOf, scheme))) == 4


def test_concept_uris_lead_to_pages(app) -> None:
    response = app.get("/anticorruption/vocabulary/types/budgets", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/anticorruption/types/budgets")
    assert app.get("/anticorruption/vocabulary/nonsense/x", follow_redirects=False).status_code == 404


def test_private_and_draft_datasets_are_in_no_feed(app, agency) -> None:
    public = create_populated("budgets", agency["id"], name="presupuesto-publico")
    private = call_action("package_create", **{
        **minimal_dataset("budgets", agency["id"], name="presupuesto-privado"), "private": True})
    draft = call_action("package_create", **{
        **minimal_dataset("budgets", agency["id"], name="presupuesto-borrador"), "state": "draft"})
    member = factories.UserWithToken()
    call_action("organization_member_create", id=agency["id"], username=member["name"], role="admin")

    for headers in ({}, {"Authorization": member["token"]}):
        for url in ("/catalog.ttl", "/catalog.ttl?page=1", f"/organization/{agency['name']}/catalog.ttl",
                    "/catalog.rdf", f"/organization/{agency['name']}/catalog.jsonld"):
            body = app.get(url, headers=headers).body
            assert public["id"] in body, url
            assert private["id"] not in body and "presupuesto-privado" not in body, url
            assert draft["id"] not in body, url
    # Anonymous visitors do not get the private dataset in any format.
    for fmt in FORMATS:
        assert app.get(f"/dataset/{private['id']}.{fmt}").status_code in (403, 404)
        assert app.get(f"/dataset/{private['name']}.{fmt}").status_code in (403, 404)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 2)
def test_organization_catalog_is_paged_and_only_has_its_agency(app, agency) -> None:
    other = factories.Organization(name="shcp")
    for i in range(3):
        call_action("package_create", **minimal_dataset("spending", agency["id"], name=f"gasto-{i}"))
    call_action("package_create", **minimal_dataset("spending", other["id"], name="gasto-otra"))

    catalog = URIRef(f"{SITE}/organization/sfp/catalog")
    pages = [_graph(app.get(f"/organization/sfp/catalog.ttl?page={n}")) for n in (1, 2)]
    listed = [set(g.objects(catalog, DCAT.dataset)) for g in pages]
    assert [len(d) for d in listed] == [2, 1] and not listed[0] & listed[1]
    assert (catalog, RDF.type, DCAT.Catalog) in pages[0]
    assert pages[0].value(catalog, DCTERMS.title) == Literal(agency["title"])
    assert pages[0].value(catalog, DCTERMS.isPartOf) == URIRef(SITE)
    hydra_next = URIRef("http://www.w3.org/ns/hydra/core#next")
    assert str(next(pages[0].objects(None, hydra_next))).endswith("/organization/sfp/catalog.ttl?page=2")
    assert not list(pages[1].objects(None, hydra_next))
    assert "gasto-otra" not in app.get("/organization/sfp/catalog.ttl?page=1").body


def test_organization_catalog_errors(app, agency) -> None:
    assert app.get("/organization/no-such-agency/catalog.ttl").status_code == 404
    assert app.get("/organization/sfp/catalog.ttl?page=0").status_code == 400
    assert app.get("/organization/sfp/catalog.ttl?modified_since=yesterday").status_code == 400


@pytest.mark.parametrize("catalog", ["/catalog.ttl", "/organization/sfp/catalog.ttl"])
@pytest.mark.parametrize("zone", ["+02:00", "Z", "-06:00"])
def test_catalogs_take_modified_since_with_a_time_zone(app, agency, catalog, zone) -> None:
    dataset = call_action("package_create", **minimal_dataset("budgets", agency["id"], name="presupuesto"))

    since_2024 = app.get(catalog, query_string={"modified_since": f"2024-01-01T00:00:00{zone}"})
    since_2999 = app.get(catalog, query_string={"modified_since": f"2999-01-01T00:00:00{zone}"})

    assert since_2024.status_code == since_2999.status_code == 200
    assert dataset["id"] in since_2024.body and dataset["id"] not in since_2999.body


@pytest.mark.parametrize("catalog", ["/catalog.ttl", "/organization/sfp/catalog.ttl"])
def test_a_catalog_page_beyond_what_solr_can_reach_is_a_clear_error(app, agency, catalog) -> None:
    response = app.get(f"/es{catalog}?page=99999999999999999999")

    assert response.status_code in (400, 409)
    assert "No existe la página 99999999999999999999" in response.body

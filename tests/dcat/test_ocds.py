"""DCAT says that a file checked as OCDS conforms to OCDS 1.1, not to the type's CSV Table Schema, and reads it back."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFParser, RDFSerializer

from ckanext.anticorruption.validation.ocds import STANDARD_URI

from tests.dcat.conftest import populated_dataset
from tests.validation.test_ocds import FEDERAL, needs_real_files

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

SITE = "http://test.ckan.net"
OCDS = URIRef(STANDARD_URI)


@pytest.fixture
def contracts(agency) -> dict:
    data = populated_dataset("contracts_register", agency["id"])
    # The published CSV, an OCDS file linked without a declared format, one the publisher declared
    # as following another schema (kept as declared), and a PDF.
    data["resources"].insert(1, {"url": "https://datos.example.gob.mx/contratos/ocds-2025.json", "name": "OCDS 2025"})
    return call_action("package_create", **data)


@needs_real_files
def test_an_uploaded_ocds_file_conforms_to_ocds_in_the_feeds(app, agency, contracts, create_with_upload) -> None:
    path = FEDERAL[0]
    upload = create_with_upload(path.read_bytes(), path.name, package_id=contracts["id"], name="CompraNet OCDS")
    assert call_action("anticorruption_validation_show", id=upload["id"])["state"] == "valid"
    schema = URIRef(f"{SITE}/anticorruption/schemas/contracts_register.json")

    for url in (f"/dataset/{contracts['name']}.ttl", "/catalog.ttl"):
        g = Graph().parse(data=app.get(url).body, format="turtle")
        conforms = {str(r["name"]): set(g.objects(URIRef(f"{SITE}/dataset/{contracts['id']}/resource/{r['id']}"),
                                                   DCTERMS.conformsTo))
                    for r in call_action("package_show", id=contracts["id"])["resources"]}
        assert conforms["Datos 2025"] == {schema}, url
        assert conforms["OCDS 2025"] == {OCDS}, url
        assert conforms[upload["name"]] == {OCDS}, url
        # A file its publisher says follows another schema keeps it.
        assert conforms["OCDS"] == {URIRef("https://standard.open-contracting.org/schema/1__1__5/release-schema.json")}
        assert conforms["Notas metodológicas"] == set()
        # The dataset as a whole still follows the type's Table Schema and declares OCDS among its standards.
        assert (URIRef(f"{SITE}/dataset/{contracts['id']}"), DCTERMS.conformsTo, schema) in g


def test_a_harvested_ocds_distribution_is_checked_by_its_type(contracts) -> None:
    turtle = RDFSerializer().serialize_dataset(call_action("package_show", id=contracts["id"]), _format="ttl")
    parser = RDFParser()
    parser.parse(turtle.replace(SITE, "https://datos.otro-portal.gob.mx"), _format="ttl")
    [parsed] = list(parser.datasets())
    modes = {r["name"]: (r["schema_mode"], r.get("schema_url")) for r in parsed["resources"]}
    # Not "another schema" at the standard's address (which holds no Table Schema): its type, as OCDS.
    assert modes["OCDS 2025"] == ("type", None)
    assert modes["Datos 2025"] == ("type", None)

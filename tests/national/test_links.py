"""Where people find the national files: the type page, the coverage page, DCAT."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action
from rdflib import DCAT, DCTERMS, RDF, Graph, URIRef

from tests.national.conftest import TYPE

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_the_type_page_links_both_files_and_says_how_many_rows(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}, {"contract_id": "S-2"}])

    page = app.get(f"/anticorruption/types/{TYPE}").get_data(as_text=True)

    assert f'href="http://test.ckan.net/anticorruption/national/{TYPE}.csv"' in page
    assert f'href="http://test.ckan.net/anticorruption/national/{TYPE}.parquet"' in page
    assert "2 rows from 1 files" in page
    assert 'href="http://test.ckan.net/dataset/national-contracts-register"' in page


def test_the_type_page_of_a_type_without_files_says_so(app, agencies) -> None:
    page = app.get("/es/anticorruption/types/debarred_contractors").get_data(as_text=True)

    assert "Aún no ha entrado ningún archivo" in page
    assert "/anticorruption/national/debarred_contractors.csv" in page


def test_the_coverage_page_links_every_types_national_files(app, agencies) -> None:
    agencies.agency("sfp", "SFP")

    response = app.get("/coverage")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    assert page.count('href="/anticorruption/national/') == 60
    assert f'href="/anticorruption/national/{TYPE}.parquet"' in page


def test_dcat_lists_the_national_dataset_with_its_csv_and_parquet_distributions(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}])
    national = call_action("package_show", id="national-contracts-register")

    for document in (f"/dataset/{national['name']}.ttl", "/catalog.ttl"):
        graph = Graph().parse(data=app.get(document).get_data(as_text=True), format="turtle")
        dataset = URIRef(f"http://test.ckan.net/dataset/{national['id']}")
        if document == "/catalog.ttl":
            assert (URIRef("http://test.ckan.net"), DCAT.dataset, dataset) in graph
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert (dataset, DCTERMS.type, URIRef(f"http://test.ckan.net/anticorruption/vocabulary/types/{TYPE}")) in graph
        downloads = {}
        for distribution in graph.objects(dataset, DCAT.distribution):
            downloads[str(graph.value(distribution, DCAT.accessURL))] = str(graph.value(distribution, DCTERMS["format"]))
        assert downloads == {
            f"http://test.ckan.net/anticorruption/national/{TYPE}.csv":
                "http://publications.europa.eu/resource/authority/file-type/CSV",
            f"http://test.ckan.net/anticorruption/national/{TYPE}.parquet":
                "http://publications.europa.eu/resource/authority/file-type/PARQUET",
        }


def test_the_national_datasets_dcat_passes_the_dcat_ap_3_shapes(agencies) -> None:
    from ckanext.dcat.processors import RDFSerializer

    from tests.dcat.test_shacl import SHACL_DIR, base_profile_reason, violations

    sfp = agencies.agency("sfp", "SFP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}])
    serializer = RDFSerializer()
    serializer.graph_from_dataset(call_action("package_show", id="national-contracts-register"))
    data = Graph()
    for triple in serializer.g:
        data.add(triple)

    shapes = Graph().parse(SHACL_DIR / "dcat-ap_3_shacl_shapes.ttl")
    ours = [v for v in violations(data, shapes) if base_profile_reason(v) is None]
    assert [(str(v["path"]), v["message"]) for v in ours] == []

"""Every Guide type through CKAN's web pages and API, in Spanish and English."""
from __future__ import annotations

import html
import io
import json

import pytest
from frictionless import Schema
from openpyxl import load_workbook

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dataset_types.types import dataset_type

from tests.guide import GUIDE_TYPE_IDS, MONTHLY, minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def publisher():
    user = factories.UserWithToken()
    org = factories.Organization(
        name="sfp", title="Secretaría de la Función Pública",
        users=[{"name": user["name"], "capacity": "editor"}],
    )
    return {"user": user, "org": org, "headers": {"Authorization": user["token"]}}


def _form(fields: dict) -> dict:
    """A form submission: lists as repeated fields are not needed for the minimum."""
    return {k: v for k, v in fields.items() if k != "type"}


@pytest.mark.parametrize("type_id", GUIDE_TYPE_IDS)
def test_create_through_the_api_and_read_in_both_languages(app, publisher, type_id: str) -> None:
    fields = minimal_dataset(type_id, publisher["org"]["id"])
    created = app.post("/api/3/action/package_create", json=fields, headers=publisher["headers"])
    assert created.status_code == 200, created.json
    dataset = created.json["result"]
    assert dataset["type"] == type_id
    assert dataset["guide_category"] == dataset_type(type_id).category

    spanish = app.get(f"/es/{type_id}/{dataset['name']}")
    english = app.get(f"/en/{type_id}/{dataset['name']}")

    typ = dataset_type(type_id)
    assert spanish.status_code == english.status_code == 200
    assert "Frecuencia de actualización" in spanish.body and "Mensual" in spanish.body
    assert "Update frequency" in english.body and "Monthly" in english.body
    assert typ.title["es"] in html.unescape(spanish.body)
    assert typ.title["en"] in html.unescape(english.body)


@pytest.mark.parametrize("type_id", GUIDE_TYPE_IDS)
def test_create_through_the_web_form_then_edit(app, publisher, type_id: str) -> None:
    auth = publisher["headers"]
    form_page = app.get(f"/es/{type_id}/new", headers=auth)
    assert form_page.status_code == 200
    assert "Frecuencia de actualización" in form_page.body
    assert f"/anticorruption/templates/{type_id}.xlsx" in form_page.body

    fields = minimal_dataset(type_id, publisher["org"]["id"])
    stage1 = app.post(f"/{type_id}/new", data=dict(_form(fields), _ckan_phase="dataset_new_1",
                                                  save="continue"),
                      headers=auth, follow_redirects=False)
    assert stage1.status_code == 302, stage1.body
    assert f"/{type_id}/{fields['name']}/resource/new" in stage1.headers["Location"]

    stage2 = app.post(
        f"/{type_id}/{fields['name']}/resource/new",
        data={"id": "", "name": "Archivo 2025", "save": "go-metadata",
              "upload": (io.BytesIO(b"a,b\n1,2\n"), "datos.csv")},
        content_type="multipart/form-data", headers=auth, follow_redirects=False,
    )
    assert stage2.status_code == 302, stage2.body
    dataset = call_action("package_show", id=fields["name"])
    assert dataset["state"] == "active"
    assert dataset["resources"][0]["schema_mode"] == "type"

    edit_page = app.get(f"/en/{type_id}/edit/{fields['name']}", headers=auth)
    assert "Update frequency" in edit_page.body
    edited = app.post(f"/{type_id}/edit/{fields['name']}",
                      data=dict(_form(fields), title="Título corregido", save=""),
                      headers=auth, follow_redirects=False)
    assert edited.status_code == 302, edited.body
    assert call_action("package_show", id=fields["name"])["title"] == "Título corregido"


@pytest.mark.parametrize("type_id", GUIDE_TYPE_IDS)
def test_table_schema_is_served_at_its_stable_url(app, type_id: str) -> None:
    response = app.get(f"/anticorruption/schemas/{type_id}.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    descriptor = json.loads(response.body)
    assert descriptor == dataset_type(type_id).table_schema
    assert Schema.validate_descriptor(descriptor).valid


def test_unknown_schema_is_a_404(app) -> None:
    assert app.get("/anticorruption/schemas/parking_tickets.json").status_code == 404
    assert app.get("/anticorruption/types/parking_tickets").status_code == 404


def test_templates_download_in_the_visitors_language(app) -> None:
    csv_response = app.get("/anticorruption/templates/budgets.csv")
    xlsx_response = app.get("/es/anticorruption/templates/budgets.xlsx")

    assert csv_response.headers["Content-Disposition"] == 'attachment; filename="budgets.csv"'
    assert csv_response.body.split(",")[0] == dataset_type("budgets").table_schema["fields"][0]["name"]
    book = load_workbook(io.BytesIO(xlsx_response.data))
    assert book.sheetnames[:2] == ["datos", "notas"]


def test_type_picker_groups_types_and_counts_datasets(app, publisher) -> None:
    call_action("package_create", **minimal_dataset("budgets", publisher["org"]["id"]))
    call_action("package_create", **minimal_dataset("spending", publisher["org"]["id"]), private=True)

    page = app.get("/es/anticorruption/types").body

    assert page.count('class="anticorruption-type"') == 30
    for heading in ("Personas y organizaciones", "Recursos públicos",
                    "Regulación y procedimientos", "Extracción de rentas"):
        assert heading in page
    # The Spanish page says it in Spanish (the public budgets dataset is counted, the private spending one not).
    assert "1 conjunto de datos publicado" in page and "1 dataset published" not in page
    assert "Add a dataset of this type" not in page and "Agregar un conjunto" not in page


def test_type_picker_offers_publishers_to_add_a_dataset(app, publisher) -> None:
    page = app.get("/en/anticorruption/types", headers=publisher["headers"]).body

    assert page.count("Add a dataset of this type") == 30
    assert 'href="/en/contracts_register/new"' in page


def test_type_page_shows_the_columns_and_the_templates(app) -> None:
    page = app.get("/en/anticorruption/types/contracts_register").body

    assert "Contracts register" in page
    for field in dataset_type("contracts_register").table_schema["fields"]:
        assert f"<code>{field['name']}</code>" in page
    assert "/anticorruption/templates/contracts_register.csv" in page


def test_resource_page_shows_the_columns_of_its_schema(app, publisher) -> None:
    dataset = call_action("package_create", **minimal_dataset("debarred_contractors", publisher["org"]["id"]))
    resource = call_action("resource_create", package_id=dataset["id"], url="https://example.org/s.csv",
                           name="Sanciones")

    page = app.get(f"/en/debarred_contractors/{dataset['name']}/resource/{resource['id']}").body

    assert "Columns of this file" in page
    assert "<code>supplier_id</code>" in page


def test_dataset_search_facets_by_type_and_category(app, publisher) -> None:
    call_action("package_create", **minimal_dataset("budgets", publisher["org"]["id"]))
    call_action("package_create", **minimal_dataset("debarred_contractors", publisher["org"]["id"]))

    everything = app.get("/es/dataset/").body
    budgets = app.get("/es/dataset/?guide_category=public_resources").body

    assert "Presupuestos" in everything and "Categoría de la Guía Open Up" in everything
    assert "Prueba budgets" in budgets and "Prueba debarred_contractors" not in budgets
    found = call_action("package_search", fq="dataset_type:debarred_contractors")
    assert found["count"] == 1


def test_unknown_frequency_from_the_form_is_explained(app, publisher) -> None:
    fields = dict(minimal_dataset("budgets", publisher["org"]["id"]), frequency="sometimes")

    response = app.post("/en/budgets/new", data=dict(_form(fields), _ckan_phase="dataset_new_1",
                                                    save="continue"), headers=publisher["headers"])

    assert response.status_code == 200
    assert "Update frequency" in response.body
    assert "&#34;sometimes&#34; is not one of the options" in response.body
    assert f"{MONTHLY} (Monthly)" in response.body


def test_the_resource_forms_of_every_type_carry_the_column_mapping_step(app, publisher) -> None:
    auth = publisher["headers"]
    for type_id in GUIDE_TYPE_IDS:
        dataset = call_action("package_create", {"user": publisher["user"]["name"]},
                              **minimal_dataset(type_id, publisher["org"]["id"]))
        page = app.get(f"/es/{type_id}/{dataset['name']}/resource/new", headers=auth).body

        step = page.split('data-module="anticorruption-column-mapping"', 1)
        assert len(step) == 2, type_id
        attributes = html.unescape(step[1].split(">", 1)[0])
        # Hidden until JavaScript reads a chosen file; without it the JSON field is there as before.
        assert 'id="column-mapping-step" hidden' in step[0][-200:], type_id
        assert 'id="field-column_mapping"' in page, type_id
        assert f'data-module-package="{dataset["name"]}"' in attributes
        assert "/api/3/action/anticorruption_column_mapping_suggest" in attributes
        # The table's words come in the page's language.
        assert "Columnas de su archivo" in attributes and "(ignorar)" in attributes

    resource = call_action("resource_create", {"user": publisher["user"]["name"]}, package_id=dataset["id"],
                           url="https://example.org/datos.csv", format="CSV")
    edit = app.get(f"/en/{type_id}/{dataset['name']}/resource/{resource['id']}/edit", headers=auth).body
    assert 'data-module="anticorruption-column-mapping"' in edit
    assert "Columns of your file" in html.unescape(edit)

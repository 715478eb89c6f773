"""A publisher chooses SFP's sanctions file on the new-resource form and says which column is which before saving."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SFP = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"


def _sign_in(page: Page, name: str, password: str) -> None:
    page.goto("/es/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")


def test_the_publisher_maps_sfps_columns_on_the_upload_form(page: Page) -> None:
    if not SFP.is_file():
        pytest.skip(f"{SFP} is not here (see tests/real/__init__.py)")
    factories.User(name="sfp-publica", password="correct-horse-battery")
    org = factories.Organization(users=[{"name": "sfp-publica", "capacity": "editor"}])
    dataset = call_action("package_create", {"user": "sfp-publica"},
                          **minimal_dataset("debarred_contractors", org["id"], name="sancionados-2019"))
    _sign_in(page, "sfp-publica", "correct-horse-battery")

    page.goto(f"/es/debarred_contractors/{dataset['name']}/resource/new")
    page.locator("#field-resource-upload").wait_for(state="attached")
    page.set_input_files("#field-resource-upload", str(SFP))

    step = page.locator("#column-mapping-step")
    table = step.locator("table")
    expect(table).to_be_visible()
    # The suggestion from SFP's own Spanish titles, and how sure it is, in words.
    supplier = table.locator("tr", has=page.locator("code", has_text="PROVEEDOR O CONTRATISTA"))
    expect(supplier.locator("select")).to_have_value("supplier_name")
    expect(supplier.locator(".anticorruption-column-mapping-sure")).to_have_text(
        "Probable: es un nombre que se usa para esta columna")
    business = table.locator("tr", has=page.locator("code", has_text="OBJETO SOCIAL"))
    expect(business.locator("select")).to_have_value("")
    expect(business.locator(".anticorruption-column-mapping-sure")).to_have_text(
        "No se reconoció: elija una columna o ignórela")
    notified = table.locator("tr", has=page.locator("code", has_text="FECHA DE NOTIFICACION"))
    expect(notified.locator("select")).to_have_value("notification_date")
    missing = step.locator(".anticorruption-column-mapping-missing")
    expect(missing).to_contain_text("Fecha de inicio de la sanción (sanction_start)")
    # The JSON field is replaced by the table while it is shown.
    expect(page.locator("#field-column_mapping")).to_be_hidden()

    # This publisher knows its sanctions run from the day they are notified.
    notified.locator("select").select_option("sanction_start")

    expect(notified.locator(".anticorruption-column-mapping-sure")).to_have_text("Su elección")
    expect(missing).not_to_contain_text("sanction_start")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "column-mapping-upload-form.png"), full_page=True)

    page.fill("#field-name", "Proveedores sancionados 2019")
    page.locator("form button[type=submit][name=save]").last.click()
    page.wait_for_url(f"**/{dataset['name']}**")

    resource = call_action("package_show", id=dataset["id"])["resources"][0]
    assert resource["column_mapping"]["FECHA DE NOTIFICACION"] == "sanction_start"
    assert resource["column_mapping"]["PROVEEDOR O CONTRATISTA"] == "supplier_name"
    assert resource["url"].endswith("proveedores_sancionados.csv")


def test_the_form_says_when_there_is_nothing_to_map_a_file_it_cannot_read_and_a_link(page: Page, tmp_path: Path) -> None:
    factories.User(name="sfp-publica", password="correct-horse-battery")
    org = factories.Organization(users=[{"name": "sfp-publica", "capacity": "editor"}])
    dataset = call_action("package_create", {"user": "sfp-publica"},
                          **minimal_dataset("debarred_contractors", org["id"], name="sancionados-2019"))
    fields = [field["name"] for field in call_action(
        "anticorruption_table_schema_show", id="debarred_contractors")["fields"]]
    own = tmp_path / "plantilla.csv"
    own.write_text(",".join(fields) + "\n", encoding="utf-8")
    scanned = tmp_path / "escaneado.csv"
    scanned.write_bytes(bytes(range(256)) * 4)
    _sign_in(page, "sfp-publica", "correct-horse-battery")
    page.goto(f"/es/debarred_contractors/{dataset['name']}/resource/new")
    step = page.locator("#column-mapping-step")

    page.set_input_files("#field-resource-upload", str(own))
    expect(step).to_have_text("Se reconocieron todas las columnas de su archivo.")
    expect(step.locator("table")).to_have_count(0)

    page.set_input_files("#field-resource-upload", str(scanned))
    expect(step).to_contain_text("No se pudieron leer aquí las columnas de su archivo: El archivo no parece una tabla")
    expect(step).to_contain_text("Puede guardar el archivo de todos modos")
    expect(page.locator("#field-column_mapping")).to_be_visible()

    page.goto(f"/es/debarred_contractors/{dataset['name']}/resource/new")
    page.locator("#resource-link-button").click()
    page.fill("#field-resource-url", "https://datos.example.org/sancionados.csv")
    expect(step).to_have_text("Es un enlace: el archivo se revisa después de guardarlo, y su reporte le permitirá "
                              "indicar qué columna es cuál.")

"""The coverage matrix in a real browser: filter, open an agency, ask for a missing dataset."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _login(page: Page, name: str) -> None:
    page.goto("/es/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", "correct-horse-battery")
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")


def test_a_citizen_filters_the_matrix_opens_an_agency_and_asks_for_a_missing_dataset(page: Page) -> None:
    editor = factories.User()
    sfp = factories.Organization(name="sfp", title="Secretaría de la Función Pública",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    factories.Organization(name="shcp", title="Secretaría de Hacienda y Crédito Público")
    call_action("package_create", {"user": editor["name"]}, **minimal_dataset("debarred_contractors", sfp["id"]))
    factories.User(name="ciudadana", password="correct-horse-battery")
    _login(page, "ciudadana")

    page.goto("/es/coverage")
    expect(page.locator("[data-summary=national]")).to_contain_text("1 de 60 conjuntos de datos esperados publicados")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coverage-national.png"), full_page=True)

    page.get_by_label("Categoría").select_option(label="Regulación y procedimientos")
    page.get_by_role("button", name="Filtrar").click()
    matrix = page.locator("table.anticorruption-matrix")
    expect(matrix.locator("td[data-type=debarred_contractors]")).to_have_count(2)
    expect(matrix.locator("td[data-type=budgets]")).to_have_count(0)
    sfp_cell = matrix.locator("tr[data-organization=sfp] td[data-type=debarred_contractors]")
    # A dataset without files is published, not checked: never the green of a valid one.
    expect(sfp_cell).to_have_attribute("data-state", "unchecked")

    matrix.get_by_role("link", name="Secretaría de Hacienda y Crédito Público").click()
    expect(page.locator("h1")).to_contain_text("Cobertura")
    row = page.locator("#type-debarred_contractors")
    expect(row).to_have_attribute("data-state", "missing")
    row.get_by_role("button", name="Pedir este conjunto de datos").click()

    expect(page.locator(".alert-success")).to_contain_text("los editores de la institución verán su solicitud")
    expect(page.locator("#type-debarred_contractors")).to_contain_text("1 usuario lo pidió")


def test_the_matrix_fits_a_phone_screen(page: Page) -> None:
    for n in range(3):
        factories.Organization(name=f"agencia-{n}", title=f"Agencia federal {n}")
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto("/es/dataset")
    ckan_width = page.evaluate("document.documentElement.scrollWidth")  # CKAN's own layout, as a baseline

    page.goto("/es/coverage")

    # Only the matrix scrolls sideways, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= ckan_width
    wrapper = page.locator(".anticorruption-matrix-wrap")
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth")
    expect(page.get_by_role("region", name="Instituciones (filas) por tipo de datos")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coverage-national-phone.png"))


def test_the_agency_tab_shows_which_file_decided_each_cell(page: Page, create_with_upload) -> None:
    from tests.hostile import HEADER, ROW

    editor = factories.User()
    sfp = factories.Organization(name="sfp", title="Secretaría de la Función Pública",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    as_editor = {"user": editor["name"]}
    contracts = call_action("package_create", as_editor, **{
        **minimal_dataset("contracts_register", sfp["id"], name="contratos"), "title": "Contratos de la SFP"})
    create_with_upload((HEADER + "\n" + ROW + "\n").encode(), "contratos-2024.csv", package_id=contracts["id"],
                       format="CSV", context=as_editor)
    newer = create_with_upload((HEADER + "\n" + ROW.replace("100.50", "cien") + "\n").encode(), "contratos-2025.csv",
                               package_id=contracts["id"], format="CSV", context=as_editor)
    budget = call_action("package_create", as_editor, **{
        **minimal_dataset("budgets", sfp["id"], name="presupuesto"), "title": "Presupuesto 2025 (PDF)"})
    create_with_upload(b"%PDF-1.4 not a table", "presupuesto.pdf", package_id=budget["id"], format="PDF",
                       context=as_editor)

    page.goto("/es/organization/coverage/sfp")

    contracts_row = page.locator("#type-contracts_register")
    expect(contracts_row).to_have_attribute("data-state", "invalid")
    expect(contracts_row.locator(".anticorruption-decided")).to_contain_text("Decidido por «contratos-2025.csv»")
    expect(contracts_row.locator(".anticorruption-decided")).to_contain_text("no válido")
    budget_row = page.locator("#type-budgets")
    expect(budget_row).to_have_attribute("data-state", "unchecked")
    expect(budget_row.locator(".cov-unchecked")).to_contain_text("Publicado, sin verificar")
    expect(budget_row.locator(".anticorruption-decided")).to_contain_text("no se pudo verificar")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#type-contracts_register").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "coverage-agency-decided.png"), full_page=True)

    contracts_row.get_by_role("link", name="Ver el reporte").click()
    page.wait_for_url(f"**/anticorruption/validation/{newer['id']}")
    expect(page.locator("h1")).to_contain_text("Reporte de revisión")

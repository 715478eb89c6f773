from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ckan.tests import factories

from ckanext.anticorruption.dataset_types.types import dataset_type

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index")]


def test_publisher_picks_a_type_in_spanish_fills_the_form_and_sees_the_dataset(page: Page) -> None:
    factories.User(name="publicadora", password="correct-horse-battery")
    factories.Organization(name="sfp", title="Secretaría de la Función Pública",
                           users=[{"name": "publicadora", "capacity": "editor"}])
    page.goto("/es/user/login")
    page.fill("#field-login", "publicadora")
    page.fill("#field-password", "correct-horse-battery")
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")

    page.goto("/es/anticorruption/types")
    expect(page.get_by_role("heading", name="Regulación y procedimientos")).to_be_visible()
    card = page.locator(".anticorruption-type[data-type=debarred_contractors]")
    expect(card).to_contain_text(dataset_type("debarred_contractors").title["es"])
    card.get_by_role("link", name="Agregar un conjunto de datos de este tipo").click()

    expect(page.get_by_label("Frecuencia de actualización")).to_be_visible()
    # CKAN's script fills the URL from the title once it has started.
    expect(page.locator(".slug-preview")).to_be_visible()
    page.get_by_label("Título").fill("Empresas sancionadas 2025")
    expect(page.locator(".slug-preview-value")).to_have_text("empresas-sancionadas-2025")
    page.get_by_label("Descripción").first.fill("Empresas que no pueden contratar con el gobierno federal.")
    page.get_by_label("Institución que publica").select_option(label="Secretaría de la Función Pública")
    page.get_by_label("Frecuencia de actualización").select_option(label="Mensual")
    page.get_by_label("Contacto (área o persona)").fill("Unidad de Transparencia")
    page.get_by_label("Correo de contacto").fill("transparencia@sfp.gob.mx")
    page.locator("button[name=save]").click()

    # Second step: the file, here a link.
    expect(page.locator(".anticorruption-type-intro")).to_be_visible()
    page.get_by_text("Enlace", exact=True).click()
    page.locator("#field-resource-url").fill("https://example.org/sancionados.csv")
    page.get_by_label("Nombre").fill("Sancionados 2025")
    page.locator("button[name=save][value=go-metadata]").click()

    expect(page.locator("h1")).to_contain_text("Empresas sancionadas 2025")
    expect(page.locator(".anticorruption-dataset-type")).to_contain_text(dataset_type("debarred_contractors").title["es"])

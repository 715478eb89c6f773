from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index")]


def test_publisher_uploads_an_invalid_file_reads_the_report_fixes_it(page: Page, tmp_path: Path) -> None:
    factories.User(name="publicadora", password="correct-horse-battery")
    org = factories.Organization(users=[{"name": "publicadora", "capacity": "editor"}])
    dataset = call_action("package_create", {"user": "publicadora"},
                          **minimal_dataset("contracts_register", org["id"], name="contratos-2025"))
    broken = tmp_path / "contratos.csv"
    broken.write_text(HEADER + "\n" + ROW.replace("100.50", "cien mil") + "\n", encoding="utf-8")
    fixed = tmp_path / "contratos-corregido.csv"
    fixed.write_text(HEADER + "\n" + ROW + "\n", encoding="utf-8")

    page.goto("/es/user/login")
    page.fill("#field-login", "publicadora")
    page.fill("#field-password", "correct-horse-battery")
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")

    page.goto(f"/es/contracts_register/{dataset['name']}/resource/new")
    page.locator("#resource-upload-button, #field-resource-upload").first.wait_for(state="attached")
    page.set_input_files("#field-resource-upload", str(broken))
    page.get_by_label("Nombre").fill("Contratos 2025")
    page.locator("form button[type=submit][name=save]").last.click()

    page.goto(f"/es/contracts_register/{dataset['name']}")
    badge = page.locator(".anticorruption-validation-badge").first
    expect(badge).to_have_text("Tiene errores")
    badge.click()
    expect(page.locator("h1")).to_contain_text("Reporte de revisión")
    expect(page.locator(".anticorruption-error-group h3")).to_have_text(
        "1 renglón tiene en «contract_value» un valor que no es un número")
    expect(page.locator(".anticorruption-error-group td code")).to_have_text("cien mil")

    resource_id = call_action("package_show", id=dataset["id"])["resources"][0]["id"]
    page.goto(f"/es/contracts_register/{dataset['name']}/resource/{resource_id}/edit")
    page.set_input_files("#field-resource-upload", str(fixed))
    page.locator("form button[type=submit][name=save]").last.click()

    page.goto(f"/es/contracts_register/{dataset['name']}/resource/{resource_id}")
    expect(page.locator(".anticorruption-resource-validation .anticorruption-validation-badge")).to_have_text("Válido")

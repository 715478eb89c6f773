"""A publisher uploads SFP's sanctions directory as published and reaches its real errors, in Spanish."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA

SFP_SANCTIONS = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues"),
    pytest.mark.skipif(not SFP_SANCTIONS.is_file(), reason=f"the real files are not next to the checkout ({REAL_DATA})"),
]


def _finished(resource_id: str, not_run: str | None = None) -> dict:
    """The resource's validation once a run other than ``not_run`` has finished, working the queue if it went there."""
    from ckan.lib.jobs import Worker

    validation = call_action("anticorruption_validation_show", id=resource_id)
    if validation["run_id"] == not_run or validation["state"] in ("pending", "running"):
        Worker(["default"]).work(burst=True)
        validation = call_action("anticorruption_validation_show", id=resource_id)
    assert validation["run_id"] != not_run and validation["state"] not in ("pending", "running")
    return validation


def test_publisher_accepts_the_suggested_columns_of_sfps_file_and_reads_its_real_errors(
        page: Page, create_with_upload) -> None:
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": user["name"]},
                          **minimal_dataset("debarred_contractors", org["id"], name="sancionados-sfp"))
    resource = create_with_upload(SFP_SANCTIONS.read_bytes(), SFP_SANCTIONS.name, package_id=dataset["id"],
                                  format="CSV", context={"user": user["name"]})
    first = _finished(resource["id"])
    page.context.set_extra_http_headers({"Authorization": user["token"]})

    page.goto(f"/es/anticorruption/validation/{resource['id']}")
    summary = page.locator(".anticorruption-header-summary")
    expect(summary).to_contain_text("El encabezado de su archivo coincide con 9 de las 17 columnas de este tipo.")
    expect(summary.get_by_role("link", name="la plantilla de este tipo")).to_have_attribute(
        "href", "/es/anticorruption/templates/debarred_contractors.xlsx")
    form = page.locator("#column-mapping")
    suggested = form.locator("tr", has=page.locator('input[name="column"][value="PROVEEDOR O CONTRATISTA"]'))
    expect(suggested.locator("select")).to_have_value("supplier_name")
    expect(suggested).to_contain_text("Probable")
    notified = form.locator("tr", has=page.locator('input[name="column"][value="FECHA DE NOTIFICACION"]'))
    expect(notified.locator("select")).to_have_value("notification_date")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sfp-report-as-published-es.png"), full_page=True)
    page.locator(".anticorruption-validation-summary").screenshot(path=str(ARTIFACTS / "sfp-report-header-es.png"))

    # The publisher accepts the suggestion as it is.
    form.get_by_role("button", name="Revisar el archivo con estas columnas").click()
    page.wait_for_url(f"**/anticorruption/validation/{resource['id']}")
    rechecked = _finished(resource["id"], not_run=first["run_id"])
    page.reload()

    assert rechecked["detected"]["columns"]["matched"] == 9
    assert call_action("resource_show", id=resource["id"])["column_mapping"]["PROVEEDOR O CONTRATISTA"] == "supplier_name"
    expect(page.locator(".anticorruption-header-summary")).to_contain_text(
        "El encabezado de su archivo coincide con 9 de las 17 columnas de este tipo.")
    chosen = page.locator("#column-mapping tr", has=page.locator('input[name="column"][value="FECHA DE NOTIFICACION"]'))
    expect(chosen.locator("select")).to_have_value("notification_date")
    expect(chosen).to_contain_text("Usted la eligió.")
    left_out = page.locator("#column-mapping tr", has=page.locator('input[name="column"][value="OBJETO SOCIAL"]'))
    expect(left_out).to_contain_text("Usted la dejó fuera.")
    # The errors left are SFP's own (no start of the sanction in the file, 22 records
    # without their facts), counted exactly and explained in Spanish.
    expect(page.locator(".anticorruption-header-summary")).to_contain_text("sanction_start")
    blank = page.locator(".anticorruption-error-group[data-error-type=constraint-error]")
    expect(blank.locator("h3")).to_contain_text("22 de 1,808 renglones")
    expect(page.locator("body")).not_to_contain_text("constraint \"")
    expect(page.locator("body")).not_to_contain_text("is a required field")
    page.screenshot(path=str(ARTIFACTS / "sfp-report-with-columns-es.png"), full_page=True)
    blank.first.screenshot(path=str(ARTIFACTS / "sfp-report-first-errors-es.png"))
    page.locator("#column-mapping").screenshot(path=str(ARTIFACTS / "sfp-report-columns-es.png"))

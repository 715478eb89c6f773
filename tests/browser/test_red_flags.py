"""A visitor reads a contracts page: a supplier found by RFC in a sanctions register ("certain")
and, apart, one found only by its legal name written another way ("probable"), with the reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.identifiers.linkage_fixtures import (  # noqa: F401  (fixtures)
    BARRED, CLEAN, _contracts, _dataset, _rfc, _run_jobs_here, _sanctions, _upload, agencies, people,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ALAMO_BY_BUYER = "Constructora Álamo del Norte, S. A. de C. V."
ALAMO_BY_REGISTER = "CONSTRUCTORA ALAMO DEL NORTE SA DE CV"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")]


@pytest.fixture
def flagged(create_with_upload, agencies, people) -> dict:
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    register = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    _upload(create_with_upload, contracts, people["buyer"],
            _contracts((BARRED, "2025-03-10"), (_rfc("CAL150505AB"), "2025-03-12", ALAMO_BY_BUYER),
                       (CLEAN, "2025-04-01")), "contratos.csv")
    # SFP's directory names the second firm without its RFC.
    _upload(create_with_upload, register, people["auditor"],
            _sanctions((BARRED, "2025-02-01", "2027-02-01"), ("", "2025-01-15", "", ALAMO_BY_REGISTER)),
            "sanciones.csv")
    _run_jobs_here()
    return {**contracts, "register": register}


def test_a_contracts_page_shows_a_probable_flag_beside_a_certain_one(page: Page, flagged: dict) -> None:
    page.goto(f"/es/dataset/{flagged['name']}")
    flags = page.locator("#red-flags")
    expect(flags).to_contain_text("2 proveedores de este archivo están en registros que dan señales de alerta.")
    certain = flags.locator(".anticorruption-certain .anticorruption-flagged-supplier")
    expect(certain).to_have_count(1)
    expect(certain).to_contain_text(BARRED)
    expect(certain.locator(".anticorruption-tier")).to_have_text("cierta (mismo RFC)")
    expect(certain).to_contain_text("proveedor inhabilitado o sancionado (desde el 2025-02-01) cuando se firmó el contrato.")
    probable = flags.locator(".anticorruption-probable .anticorruption-flagged-supplier")
    expect(probable).to_have_count(1)
    expect(probable.locator(".anticorruption-tier")).to_have_text("probable (mismo nombre)")
    expect(probable.locator(".anticorruption-reason")).to_have_text(
        f"Probable: mismo nombre («{ALAMO_BY_BUYER}» ≈ «{ALAMO_BY_REGISTER}»)")
    # The certain one comes first, the probable one under its own heading.
    expect(flags.get_by_role("heading", name="Probables: encontrados solo por el nombre")).to_be_visible()
    expect(flags).not_to_contain_text(CLEAN)
    ARTIFACTS.mkdir(exist_ok=True)
    flags.screenshot(path=str(ARTIFACTS / "red-flags-certain-and-probable-es.png"))

    page.goto(f"/en/dataset/{flagged['name']}")
    flags = page.locator("#red-flags")
    expect(flags.locator(".anticorruption-certain .anticorruption-tier")).to_have_text("certain (same RFC)")
    expect(flags.locator(".anticorruption-probable .anticorruption-reason")).to_have_text(
        f"Probable: same name («{ALAMO_BY_BUYER}» ≈ «{ALAMO_BY_REGISTER}»)")
    flags.screenshot(path=str(ARTIFACTS / "red-flags-certain-and-probable-en.png"))

    # The register's page lists each of its suppliers once, with the contracts naming it.
    page.goto(f"/es/dataset/{flagged['register']['name']}")
    flags = page.locator("#red-flags")
    expect(flags).to_contain_text("2 proveedores de este registro aparecen en conjuntos de datos de adjudicaciones.")
    suppliers = flags.locator(".anticorruption-sanctioned .anticorruption-flagged-supplier")
    expect(suppliers).to_have_count(2)
    expect(suppliers.filter(has_text=ALAMO_BY_REGISTER).locator(".anticorruption-tier")).to_have_text(
        "probable (mismo nombre)")
    flags.screenshot(path=str(ARTIFACTS / "red-flags-register-es.png"))

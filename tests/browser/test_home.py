from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.identifiers.linkage_fixtures import agencies, people  # noqa: F401  (fixtures)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")]


def test_demo_sysadmin_logs_in_and_sees_the_home_page(page: Page, sysadmin_factory) -> None:
    sysadmin_factory(name="admin", password="correct-horse-battery")

    page.goto("/user/login")
    page.fill("#field-login", "admin")
    page.fill("#field-password", "correct-horse-battery")
    page.locator("form:has(#field-login) button[type=submit]").click()

    page.goto("/")
    expect(page).to_have_title(re.compile("Anticorruption tests"))
    # Signed in: the header offers the sysadmin settings and the user's own page.
    expect(page.get_by_role("link", name="Sysadmin settings")).to_be_visible()
    expect(page.get_by_role("link", name="View profile")).to_have_attribute("href", "/user/admin")


@pytest.fixture
def home_data(create_with_upload, agencies, people) -> dict:
    """An agency with a flagged contracts file, a register, and a private flagged file that must not show."""
    from ckan.tests.helpers import call_action

    from tests.guide import minimal_dataset
    from tests.identifiers.linkage_fixtures import (
        BARRED, CLEAN, _contracts, _dataset, _run_jobs_here, _sanctions, _upload,
    )

    def contracts_dataset(name: str, title: str, private: bool) -> dict:
        return call_action("package_create", {"user": people["buyer"]["name"]},
                           **{**minimal_dataset("contracts_register", agencies["buyer"]["id"], name=name),
                              "title": title, "private": private})

    contracts = contracts_dataset("contratos-obra-2025", "Contratos de obra 2025", False)
    hidden = contracts_dataset("contratos-reservados", "Contratos reservados", True)
    register = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    for dataset, name in ((contracts, "contratos.csv"), (hidden, "reservados.csv")):
        _upload(create_with_upload, dataset, people["buyer"],
                _contracts((BARRED, "2025-03-10"), (CLEAN, "2025-04-01")), name)
    _upload(create_with_upload, register, people["auditor"], _sanctions((BARRED, "2025-02-01", "2027-02-01")),
            "sanciones.csv")
    _run_jobs_here()
    call_action("anticorruption_coverage_snapshot", {"ignore_auth": True})
    return {"contracts": contracts, "hidden": hidden, "agencies": agencies}


def test_the_home_page_shows_coverage_categories_flags_and_laggards_on_a_phone(page: Page, home_data) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/es/")
    expect(page.get_by_role("heading", name="Cuánto se ha publicado")).to_be_visible()
    expect(page.locator("[data-summary=national]")).to_contain_text("conjuntos de datos esperados publicados")
    expect(page.locator(".anticorruption-trend svg")).to_be_visible()
    # The four categories of the Guide, each with its types linked to their pages.
    types = page.locator(".anticorruption-home-types")
    expect(types.locator("h3")).to_have_count(4)
    expect(types.get_by_role("link", name="Registro de contratos")).to_have_attribute(
        "href", "/es/anticorruption/types/contracts_register")
    # The public flagged file, never the private one.
    flags = page.locator(".anticorruption-home-flags")
    expect(flags.get_by_role("link", name="Contratos de obra 2025")).to_be_visible()
    expect(flags).to_contain_text("1 proveedor con alerta")
    expect(flags).not_to_contain_text("Contratos reservados")
    expect(page.locator(".anticorruption-home-behind li").first).to_be_visible()
    expect(page.get_by_role("search")).to_be_visible()
    # Nothing of the home page is wider than the phone's screen (a table of figures scrolls in
    # its own box). CKAN's own footer sticks out by its row's gutter: not ours to change.
    overflowing = page.evaluate("""() => [...document.querySelectorAll('.anticorruption-home *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
        .map(e => e.tagName + '.' + e.className)""")
    assert overflowing == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-es-phone.png"), full_page=True)

    page.goto("/en/")
    expect(page.get_by_role("heading", name="Latest red flags")).to_be_visible()
    expect(page.locator(".anticorruption-home-flags")).to_contain_text("1 supplier flagged")
    expect(page.get_by_role("heading", name="Agencies furthest behind")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "home-en-phone.png"), full_page=True)

    # Searching from the home page lands on the dataset search.
    page.goto("/es/")
    page.fill("#home-search", "contratos")
    page.locator(".anticorruption-home-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dataset/?\?q=contratos"))

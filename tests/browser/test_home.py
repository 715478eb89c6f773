from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index")]


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

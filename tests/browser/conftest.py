"""Playwright driving Debian's Chromium (Playwright's own browser download does not work here)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium keeps trying to reach Google's services, which a closed
# network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, live_server: str) -> Iterator[Page]:
    context = chromium.new_context(base_url=live_server, locale="es-MX")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

"""A valid file's table preview: CKAN's DataTables view of the typed DataStore table, in a real browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ckan.tests.helpers import call_action

from tests.datastore.test_load import _contracts, _csv, _dataset, _upload, publisher  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_preview_shows_the_rows_as_the_validation_read_them(page: Page, create_with_upload, publisher) -> None:  # noqa: F811
    header, rows = _contracts(12)
    rows[0][header.index("contract_value")], rows[0][header.index("date_signed")] = "$837,480.00", "15/03/2019"
    dataset = _dataset(publisher, "contracts_register")
    resource = _upload(create_with_upload, publisher, dataset, _csv(header, rows), "contratos.csv", format="CSV")
    view = next(v for v in call_action("resource_view_list", id=resource["id"]) if v["view_type"] == "datatables_view")

    page.goto(f"/dataset/{dataset['name']}/resource/{resource['id']}/view/{view['id']}")
    first = page.locator("table tbody tr", has=page.locator("td", has_text=rows[0][0]))
    expect(first).to_be_visible()
    # The amount as a number and the publisher's dd/mm/yyyy as a date, not as they were written.
    expect(first).to_contain_text("837480")
    expect(first).to_contain_text("2019-03-15")
    expect(first).not_to_contain_text("$837,480.00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "datastore-table-preview.png"), full_page=True)
    # The columns are the Table Schema's (shown by their data dictionary label or their name).
    expect(page.locator("#dtprv thead")).to_contain_text(re.compile(r"Contract\s+value"))

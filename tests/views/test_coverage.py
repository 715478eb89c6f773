"""The coverage pages and exports as citizens, publishers and operators use them."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def agency(coverage_agency):
    return coverage_agency


def _cell(page: str, org: str, type_id: str) -> str:
    row = page[page.index(f'data-organization="{org}"'):]
    return row[row.index(f'data-type="{type_id}"'):][:400]


def test_national_page_shows_summary_legend_and_cells_in_spanish(app, agency) -> None:
    page = app.get("/es/coverage").body

    assert "1 de 60 conjuntos de datos esperados publicados" in page
    assert "Leyenda" in page and "Cómo se calcula la puntuación" in page
    # The fixture's budget has no file: published, but nothing was checked.
    assert 'data-state="unchecked"' in _cell(page, "sfp", "budgets")
    assert 'data-state="missing"' in _cell(page, "sfp", "spending")  # private: not counted, not shown
    assert "gasto-secreto" not in page
    assert '<caption id="matrix-caption">' in page and 'scope="colgroup"' in page


def test_national_page_in_english(app, agency) -> None:
    page = app.get("/en/coverage").body

    assert "1 of 60 expected datasets published" in page
    assert "Missing" in page and "How the score is computed" in page


def test_filters_by_category_state_and_name(app, agency) -> None:
    by_category = app.get("/en/coverage?category=public_resources").body
    by_state = app.get("/en/coverage?state=unchecked").body
    by_name = app.get("/en/coverage?q=hacienda").body

    assert 'data-type="budgets"' in by_category and 'data-type="company_register"' not in by_category
    assert 'data-organization="sfp"' in by_state and 'data-organization="shcp"' not in by_state
    assert 'data-organization="shcp"' in by_name and 'data-organization="sfp"' not in by_name


def test_rows_sort_by_score(app, agency) -> None:
    best_first = app.get("/en/coverage").body
    worst_first = app.get("/en/coverage?sort=score_asc").body

    assert best_first.index('data-organization="sfp"') < best_first.index('data-organization="shcp"')
    assert worst_first.index('data-organization="shcp"') < worst_first.index('data-organization="sfp"')


def test_exports_hold_the_same_matrix(app, agency) -> None:
    as_json = json.loads(app.get("/coverage.json").body)
    as_csv = list(csv.DictReader(io.StringIO(app.get("/coverage.csv").body)))
    workbook = openpyxl.load_workbook(io.BytesIO(app.get("/coverage.xlsx").data), read_only=True)
    as_xlsx = list(workbook.active.iter_rows(values_only=True))

    assert len(as_csv) == 60 and len(as_xlsx) == 61
    budgets = next(r for r in as_csv if r["organization"] == "sfp" and r["type"] == "budgets")
    assert budgets["state"] == "unchecked" and budgets["datasets"] == "1"
    spending = next(r for r in as_csv if r["organization"] == "sfp" and r["type"] == "spending")
    assert spending["state"] == "missing" and spending["datasets"] == "0"
    row = next(r for r in as_json["rows"] if r["organization"]["name"] == "sfp")
    assert row["cells"]["budgets"]["state"] == "unchecked" and "private" not in row["cells"]["spending"]
    assert app.get("/coverage.json?organization=no-such").status_code == 404


def test_agency_tab_lists_types_with_datasets_and_private_ones_only_for_its_members(app, agency) -> None:
    anonymous = app.get("/en/organization/coverage/sfp").body
    editor = app.get("/en/organization/coverage/sfp", headers={"Authorization": agency["editor"]["token"]}).body
    outsider = factories.UserWithToken()
    other = app.get("/en/organization/coverage/sfp", headers={"Authorization": outsider["token"]}).body

    assert "presupuesto" in anonymous and "Coverage" in anonymous
    for page in (anonymous, other):
        assert "gasto-secreto" not in page and "Requests from users" not in page
    assert "gasto-secreto" in editor and "Private" in editor
    assert "Requests from users" in editor and "Declare not applicable" in editor
    assert app.get("/en/organization/coverage/no-such-agency").status_code == 404


def test_agency_tab_shows_published_of_expected_as_the_matrix_counts_it(app, agency) -> None:
    """A type declared not applicable that has a dataset anyway is expected and published."""
    editor = {"user": agency["editor"]["name"]}
    for type_id in ("tax_records", "land_property_register"):
        call_action("anticorruption_coverage_declare", editor, organization="sfp", type=type_id,
                    status="not_applicable", reason="No aplica.")
    call_action("package_create", editor, **minimal_dataset("tax_records", agency["org"]["id"], name="impuestos"))
    row = call_action("anticorruption_coverage", organization="sfp")["rows"][0]

    page = app.get("/en/organization/coverage/sfp").body

    assert (row["published"], row["expected"]) == (2, 29)
    assert "2 of 29 expected datasets published." in page


def test_the_organization_page_has_a_coverage_tab(app, agency) -> None:
    page = app.get("/en/organization/sfp").body

    assert "/organization/coverage/sfp" in page


def test_a_signed_in_user_asks_for_a_missing_dataset_once(app, agency) -> None:
    citizen = factories.UserWithToken()
    auth = {"Authorization": citizen["token"]}

    first = app.post("/en/coverage/request", headers=auth, data={"organization": "sfp", "type": "spending"},
                     follow_redirects=False)
    app.post("/en/coverage/request", headers=auth, data={"organization": "sfp", "type": "spending"})
    anonymous = app.post("/en/coverage/request", data={"organization": "sfp", "type": "spending"},
                         follow_redirects=False)

    assert first.status_code == 302 and "#type-spending" in first.headers["Location"]
    assert "/user/login" in anonymous.headers["Location"]
    tab = app.get("/en/organization/coverage/sfp", headers={"Authorization": agency["editor"]["token"]}).body
    assert "1 user asked for it" in tab and citizen["fullname"] in tab


def test_an_editor_declares_and_withdraws_through_the_tab(app, agency) -> None:
    auth = {"Authorization": agency["editor"]["token"]}

    app.post("/en/organization/coverage/sfp/declare", headers=auth, data={
        "type": "tax_records", "status": "not_applicable", "reason": "La SFP no recauda impuestos."})
    declared = app.get("/en/organization/coverage/sfp").body
    app.post("/en/organization/coverage/sfp/withdraw", headers=auth, data={"type": "tax_records"})
    withdrawn = app.get("/en/organization/coverage/sfp").body
    member = app.post("/en/organization/coverage/sfp/declare", headers={"Authorization": agency["member"]["token"]},
                      data={"type": "tax_records", "status": "not_applicable", "reason": "x"})

    assert "La SFP no recauda impuestos." in declared
    assert 'id="type-tax_records" data-type="tax_records" data-state="not_applicable"' in declared
    assert 'id="type-tax_records" data-type="tax_records" data-state="missing"' in withdrawn
    assert member.status_code == 403


def test_a_declaration_without_reason_is_refused_with_a_clear_message(app, agency) -> None:
    auth = {"Authorization": agency["editor"]["token"]}

    page = app.post("/es/organization/coverage/sfp/declare", headers=auth,
                    data={"type": "tax_records", "status": "not_applicable", "reason": ""}).body

    assert "alert-danger" in page and "Motivo: Falta este dato" in page
    assert 'data-state="missing"' in page[page.index('id="type-tax_records"'):][:200]


def test_hostile_reasons_are_escaped(app, agency) -> None:
    auth = {"Authorization": agency["editor"]["token"]}
    app.post("/en/organization/coverage/sfp/declare", headers=auth, data={
        "type": "tax_records", "status": "not_applicable", "reason": '<script>alert(1)</script>=HYPERLINK("x")'})

    page = app.get("/en/organization/coverage/sfp").body
    exported = app.get("/coverage.csv").body

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "'<script>" not in exported and '"\'=HYPERLINK' not in exported
    assert "<script>alert(1)</script>=HYPERLINK" in exported  # starts with "<", so not a formula


@pytest.mark.parametrize("came_from", [
    "/organization/coverage/sfp\r\nSet-Cookie: session=stolen",
    "/en/coverage\nLocation: https://evil.example/",
    "/\\evil.example/phish",  # browsers read the backslash as a slash: another site
    "https://evil.example/",
])
@pytest.mark.parametrize("form", ["/en/organization/coverage/sfp/declare", "/en/coverage/request"])
def test_the_forms_go_back_to_the_agency_tab_whatever_came_from_says(app, agency, came_from, form) -> None:
    response = app.post(form, headers={"Authorization": agency["editor"]["token"]},
                        data={"organization": "sfp", "type": "tax_records", "status": "not_applicable",
                              "reason": "No recauda.", "came_from": came_from}, follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organization/coverage/sfp#type-tax_records")
    assert "stolen" not in str(response.headers) and "evil" not in str(response.headers)


def test_nul_characters_in_coverage_pages_and_forms_are_refused_clearly(app, agency) -> None:
    auth = {"Authorization": agency["editor"]["token"]}

    assert app.get("/organization/coverage/%00sfp").status_code == 404
    assert app.get("/coverage.csv?organization=%00sfp").status_code == 400
    assert app.post("/organization/coverage/%00sfp/declare", headers=auth,
                    data={"type": "tax_records", "status": "not_applicable", "reason": "x"}).status_code == 404
    refused = app.post("/es/coverage/request", headers=auth, data={"organization": "sfp", "type": "spend\x00ing"})
    assert refused.status_code == 400 and "carácter NUL" in refused.body


def test_the_agency_tab_says_which_file_decided_each_dataset_and_why(app, agency, create_with_upload) -> None:
    from tests.hostile import HEADER, ROW

    editor = {"user": agency["editor"]["name"]}
    contracts = call_action("package_create", editor,
                            **minimal_dataset("contracts_register", agency["org"]["id"], name="contratos"))
    create_with_upload((HEADER + "\n" + ROW + "\n").encode(), "contratos-2024.csv", package_id=contracts["id"],
                       format="CSV", context=editor)
    newer = create_with_upload((HEADER + "\n" + ROW.replace("100.50", "cien") + "\n").encode(),
                               "contratos-2025.csv", package_id=contracts["id"], format="CSV", context=editor)
    budget = call_action("package_create", editor,
                         **minimal_dataset("budgets", agency["org"]["id"], name="presupuesto-pdf"))
    create_with_upload(b"%PDF-1.4 not a table", "presupuesto.pdf", package_id=budget["id"], format="PDF",
                       context=editor)

    import re

    spanish = re.sub(r"\s+", " ", app.get("/es/organization/coverage/sfp").body)
    english = re.sub(r"\s+", " ", app.get("/en/organization/coverage/sfp").body)

    contracts_row = spanish[spanish.index('id="type-contracts_register"'):]
    contracts_row = contracts_row[:contracts_row.index("</tr>")]
    assert 'data-state="invalid"' in contracts_row[:200]
    assert "Decidido por «contratos-2025.csv» (actualizado el" in contracts_row and "): no válido." in contracts_row
    assert "Tiene 1 error frente al Table Schema del tipo." in contracts_row
    assert f"/anticorruption/validation/{newer['id']}" in contracts_row
    assert "contratos-2024.csv" not in contracts_row
    assert "Decided by «contratos-2025.csv» (updated on" in english and "): invalid." in english

    budget_row = spanish[spanish.index('id="type-budgets"'):]
    budget_row = budget_row[:budget_row.index("</tr>")]
    assert 'data-state="unchecked"' in budget_row and "Publicado, sin verificar" in budget_row
    assert "Decidido por «presupuesto.pdf»" in budget_row and "): no se pudo verificar." in budget_row
    # The dataset without files (the fixture's) says so.
    assert "Sin verificar. El conjunto de datos no tiene archivos." in spanish
    legend = app.get("/es/coverage").body
    assert "Publicado, sin verificar" in legend and "Cuenta como publicado, no como válido." in legend


@pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
def test_a_quarantined_newest_file_is_neither_named_nor_counted(app, agency, create_with_upload) -> None:
    from tests.hostile import HEADER, ROW

    editor = {"user": agency["editor"]["name"]}
    contracts = call_action("package_create", editor,
                            **minimal_dataset("contracts_register", agency["org"]["id"], name="contratos"))
    create_with_upload((HEADER + "\n" + ROW + "\n").encode(), "contratos-2024.csv", package_id=contracts["id"],
                       format="CSV", context=editor)
    # A newer file with a CURP in a contract's title: held back until an editor reviews it.
    held = (HEADER + "\n" + ROW.replace("C-1,", "C-9,", 1) + "\n").replace(",Obra", ",Obra HEGG560427MVZRRL04", 1)
    resource = create_with_upload(held.encode(), "contratos-curp.csv", package_id=contracts["id"], format="CSV",
                                  context=editor)
    assert call_action("anticorruption_privacy_show", id=resource["id"])["state"] == "quarantined"

    for headers in ({}, {"Authorization": agency["editor"]["token"]}):
        page = app.get("/en/organization/coverage/sfp", headers=headers).body
        row = page[page.index('id="type-contracts_register"'):]
        row = row[:row.index("</tr>")]
        assert "contratos-curp.csv" not in row and "Decided by «contratos-2024.csv»" in row
    assert call_action("anticorruption_coverage", organization="sfp")["rows"][0]["cells"][
        "contracts_register"]["state"] == "published"

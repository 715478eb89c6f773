"""Red flags on the dataset page, the identifier page, and `ckan anticorruption links`."""
from __future__ import annotations

import json

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests.helpers import call_action

from tests.identifiers.linkage_fixtures import BARRED, CLEAN, PERSON, agencies, people, published  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


def test_the_contracts_page_names_the_sanctions_register_in_plain_words(app, published) -> None:
    page = app.get(f"/en/dataset/{published['contracts']['name']}").body
    assert "Red flags" in page
    assert "3 suppliers in this file are in registers that raise red flags." in page
    assert "2 of them were listed when the award was made." in page
    assert "«Prueba debarred_contractors»" in page and "of Secretaría de la Función Pública" in page
    assert "supplier debarred or sanctioned (since 2025-02-01) when the contract was signed." in page
    assert "certain (same RFC)" in page and "probable (same name)" not in page
    assert f"/anticorruption/identifier/MX-RFC/{BARRED}" in page
    assert PERSON not in page and "A natural person (identifier withheld)" in page
    assert CLEAN not in page


def test_the_red_flags_read_in_spanish(app, published) -> None:
    page = app.get(f"/es/dataset/{published['contracts']['name']}").body
    assert "Señales de alerta" in page
    assert "3 proveedores de este archivo están en registros que dan señales de alerta." in page
    assert "proveedor inhabilitado o sancionado (desde el 2025-02-01) cuando se firmó el contrato." in page


def test_the_register_page_shows_where_its_suppliers_won_awards(app, published) -> None:
    page = app.get(f"/en/dataset/{published['sanctions']['name']}").body
    assert "3 suppliers of this register appear in award datasets." in page
    assert "2 of them received awards while listed." in page
    assert "«Prueba contracts_register»" in page and "of Secretaría de Infraestructura" in page


def test_a_dataset_without_matches_shows_no_flags(app, published, people) -> None:
    call_action("package_patch", {"user": people["auditor"]["name"]}, id=published["sanctions"]["id"], private=True)
    page = app.get(f"/en/dataset/{published['contracts']['name']}").body
    assert "Red flags" not in page


def test_the_identifier_page_lists_datasets_and_refuses_natural_persons(app, published) -> None:
    page = app.get(f"/en/anticorruption/identifier/MX-RFC/{BARRED}").body
    assert "Named in 2 datasets" in page
    assert "This identifier appears in a sanctions register." in page
    assert published["contracts"]["name"] in page and published["sanctions"]["name"] in page
    person = app.get(f"/en/anticorruption/identifier/MX-RFC/{PERSON}", status=404).body
    assert "Identifiers of natural persons are not listed." in person
    assert PERSON not in person.replace(f"/anticorruption/identifier/MX-RFC/{PERSON}", "")
    bad = app.get("/en/anticorruption/identifier/MX-RFC/%3Cscript%3E", status=400).body
    assert "<script>" not in bad


def test_the_cli_lists_red_flags(cli, published) -> None:
    result = cli.invoke(ckan_command, ["anticorruption", "links"])
    assert result.exit_code == 0, result.output
    assert f"{published['contracts']['name']}: 3 supplier(s) in registers that raise flags" in result.output
    assert f"{BARRED}" in result.output and "IN FORCE 2025-03-10" in result.output
    as_json = cli.invoke(ckan_command, ["anticorruption", "links", "--dataset", published["contracts"]["name"],
                                        "--json"])
    assert json.loads(as_json.output)["in_force_count"] == 2
    public = cli.invoke(ckan_command, ["anticorruption", "links", "--public"])
    assert PERSON not in public.output and "(natural person, withheld)" in public.output
    missing = cli.invoke(ckan_command, ["anticorruption", "links", "--dataset", "nothing-here"])
    assert missing.exit_code != 0 and "no dataset nothing-here" in missing.output


def test_a_hostile_register_title_is_shown_as_text(app, published, people) -> None:
    call_action("package_patch", {"user": people["auditor"]["name"]}, id=published["sanctions"]["id"],
                title='<script>alert("x")</script>')
    page = app.get(f"/en/dataset/{published['contracts']['name']}").body
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


FOREIGN = "GB-COH-01234567"  # a British company: no RFC, its register's number with org-id.guide's prefix


def test_a_foreign_firm_without_rfc_is_flagged_by_its_register_identifier(app, create_with_upload, agencies, people):
    from tests.identifiers.linkage_fixtures import _contracts, _dataset, _sanctions, _upload

    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    sanctions = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    _upload(create_with_upload, contracts, people["buyer"], _contracts((FOREIGN, "2025-03-10", "Acme Holdings Ltd")), "contratos.csv")
    register = _upload(create_with_upload, sanctions, people["auditor"],
                       _sanctions((FOREIGN, "2025-02-01", "2027-02-01", "ACME HOLDINGS LIMITED")), "sanciones.csv")
    # The identifier is checked as an org-id identifier, not refused as a malformed RFC.
    shown = call_action("anticorruption_validation_show", {"user": people["auditor"]["name"]}, id=register["id"])
    assert shown["state"] == "valid", shown.get("error_counts")
    page = app.get(f"/en/dataset/{contracts['name']}").body
    assert "1 supplier in this file is in a register that raises red flags." in page
    assert "certain (same" in page and "/anticorruption/identifier/GB-COH/01234567" in page
    # Its page names its register and country, in the reader's language.
    spanish = app.get("/es/anticorruption/identifier/GB-COH/01234567").body
    assert "Registro GB-COH (Reino Unido), según org-id.guide" in spanish
    assert contracts["name"] in spanish and sanctions["name"] in spanish
    # A prefix that is no country's is an error the publisher can act on, not a silent new register.
    bad = _upload(create_with_upload, sanctions, people["auditor"],
                  _sanctions(("QQ-COH-01234567", "2025-02-01", "", "Otra Empresa Ltd")), "sanciones-2.csv")
    report = app.get(f"/en/anticorruption/validation/{bad['id']}").body
    assert "An org-id identifier starts with a country" in report and "QQ-COH-01234567" in report


def test_an_email_in_a_budget_unit_column_is_an_identifier_error_and_never_an_identifier_page(
        app, create_with_upload, agencies, people) -> None:
    from pathlib import Path

    from tests.identifiers.linkage_fixtures import _dataset, _upload

    budget = (Path(__file__).parents[2] / "ckanext/anticorruption/demo/files/presupuesto_egresos_2026.csv").read_bytes()
    # The second line's budget unit written as the unit's e-mail address (a column mapped by mistake).
    misplaced = budget.replace(b",06-100,", b",presupuesto@hacienda.gob.mx,", 1)
    assert misplaced != budget
    dataset = _dataset("budgets", agencies["buyer"], people["buyer"])
    resource = _upload(create_with_upload, dataset, people["buyer"], misplaced, "presupuesto.csv")

    validation = call_action("anticorruption_validation_show", id=resource["id"])
    assert validation["state"] == "invalid"
    assert validation["error_counts"] == {"identifier-error": 1}
    report = app.get(f"/en/anticorruption/validation/{resource['id']}").body
    assert "1 row has a value in «public_body_id» that is not a valid identifier" in report
    assert "Write the code, not the unit&#39;s name or e-mail address." in report
    informe = app.get(f"/es/anticorruption/validation/{resource['id']}").body
    assert "Escriba la clave, no el nombre ni el correo electrónico de la unidad." in informe

    # The well-written units of the same file are linked (the file was checked); the e-mail is not.
    assert {d["name"] for d in call_action("anticorruption_identifier_show", scheme="MX-UR",
                                             identifier="09-210")["datasets"]} == {dataset["name"]}
    page = app.get("/en/anticorruption/identifier/MX-UR/presupuesto@hacienda.gob.mx", status=400).body
    assert "This is not a well-formed MX-UR identifier." in page and dataset["name"] not in page
    # As the federal OCDS records write a unit, found as the portal writes it.
    assert app.get("/en/anticorruption/identifier/MX-UR/09210").status_code == 200
    assert dataset["name"] in app.get("/en/anticorruption/identifier/MX-UR/09210").body

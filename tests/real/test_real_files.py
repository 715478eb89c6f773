"""Real files from Mexican public bodies, uploaded as a publisher has them.

They live outside the repository, in ``../shared/real-data`` next to the
checkout (described in its README), and are never copied here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA

SFP_SANCTIONS = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues"),
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA})"),
]


@pytest.fixture
def publisher():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


def _upload(create_with_upload, publisher, type_id: str, path: Path) -> dict:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset(type_id, org["id"]))
    resource = create_with_upload(path.read_bytes(), path.name, package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})
    validation = call_action("anticorruption_validation_show", id=resource["id"], include_report=True)
    if validation["state"] in ("pending", "running"):
        from ckan.lib.jobs import Worker

        Worker(["default"]).work(burst=True)
        validation = call_action("anticorruption_validation_show", id=resource["id"], include_report=True)
    return {**validation, "resource_id": resource["id"]}


def test_sfp_sanctions_as_published_lead_with_the_header(app, create_with_upload, publisher) -> None:
    validation = _upload(create_with_upload, publisher, "debarred_contractors", SFP_SANCTIONS)

    assert validation["state"] in ("valid", "invalid", "error", "not_validated")
    columns = validation["detected"]["columns"]
    # SFP's 12 titles hold 9 of the type's 17 columns; the start of the
    # sanction, the one required column missing, is not in the file.
    assert (columns["matched"], columns["fields"]) == (9, 17)
    assert columns["missing_required"] == ["sanction_start"]
    errors = validation["report"]["tasks"][0]["errors"]
    assert errors[0].get("rowNumber") is None and errors[0]["type"].endswith("-label")
    missing = [error["fieldName"] for error in errors if error["type"] == "missing-label"]
    assert missing == ["sanction_start"]
    # Not one error per row for the absent columns.
    assert "missing-cell" not in validation["error_counts"] or validation["error_counts"]["missing-cell"] < 10

    page = app.get(f"/es/anticorruption/validation/{validation['resource_id']}").body
    lead = page.index("El encabezado de su archivo coincide con 9 de las 17 columnas de este tipo.")
    assert page.index("Faltan columnas obligatorias: sanction_start") > lead
    assert "«PROVEEDOR O CONTRATISTA» → supplier_name" in page
    assert page.index("problemas en 1,808 renglones.") > lead
    # The template of the type, to see the columns it expects.
    assert page.index('href="/es/anticorruption/templates/debarred_contractors.xlsx"') > lead
    # Counts are exact ("1,786 de 1,808 renglones"), never the report's cap ("334+").
    assert re.search(r"\d[\d,]* de 1,808 renglones", page)
    assert not re.search(r"\d\+ renglones", page)
    # SFP's separator is a comma and a TAB: said once, first.
    assert page.index("Cada separador de este archivo va seguido de un tabulador o de espacios") < lead


def test_a_file_of_another_type_is_not_checked_row_by_row(app, create_with_upload, publisher) -> None:
    validation = _upload(create_with_upload, publisher, "contracts_register", SFP_SANCTIONS)

    assert (validation["state"], validation["problem"]) == ("invalid", "header-mismatch")
    params = validation["problem_params"]
    assert (params["matched"], params["fields"], params["required_matched"], params["required"]) == (1, 15, 1, 7)
    assert params["rows"] == 1808
    # No cell was held to a column of contracts: the only errors left are the
    # header's and the one ragged row the file really has.
    assert not {"type-error", "constraint-error", "unique-error", "primary-key"} & set(validation["error_counts"])
    assert validation["error_counts"]["missing-label"] == 6

    page = app.get(f"/en/anticorruption/validation/{validation['resource_id']}").body
    lead = page.index("Your file&#39;s header matches 1 of 15 columns of this type.")
    assert page.index("It has only 1 of the 7 required columns, so its 1,808 rows were not checked") > lead
    assert "problems found in" not in page


def test_the_publisher_says_which_column_is_which_and_the_file_is_kept_as_published(
        app, create_with_upload, publisher) -> None:
    user, _ = publisher
    validation = _upload(create_with_upload, publisher, "debarred_contractors", SFP_SANCTIONS)
    resource_id = validation["resource_id"]
    report = f"/es/anticorruption/validation/{resource_id}"
    offered = app.get(report, headers={"Authorization": user["token"]}).body
    public = app.get(report).body
    suggested = {entry["column"]: entry["field"] for entry in validation["detected"]["columns"]["mapping"]}
    # The publisher keeps the suggestion but says the notification date is when the sanction starts.
    chosen = {**suggested, "FECHA DE NOTIFICACION": "sanction_start"}
    columns, fields = list(chosen), list(chosen.values())

    app.post(f"/anticorruption/validation/{resource_id}/columns", data={"column": columns, "field": fields},
             headers={"Authorization": user["token"]})
    remapped = call_action("anticorruption_validation_show", id=resource_id)
    rechecked = app.get(report, headers={"Authorization": user["token"]}).body
    resource = call_action("resource_show", id=resource_id)
    download = app.get(resource["url"].replace("http://test.ckan.net", ""))
    downloaded = download.data
    download.close()  # CKAN streams the stored file

    assert "Diga qué columna es cuál" in offered and 'name="field"' in offered
    # How sure each suggestion is, in words: SFP's titles are names publishers use for the type's columns.
    assert "Su columna tiene un nombre que se suele dar a esta columna. Revísela." in offered
    assert "Diga qué columna es cuál" not in public
    assert resource["column_mapping"]["FECHA DE NOTIFICACION"] == "sanction_start"
    assert remapped["run_id"] != validation["run_id"]
    assert remapped["detected"]["columns"]["missing_required"] == []
    assert remapped["detected"]["columns"]["matched"] == 9
    assert downloaded == SFP_SANCTIONS.read_bytes()
    # The errors left are explained in Spanish, with their exact counts, and the
    # form says which columns the publisher chose.
    assert "Usted la eligió." in rechecked
    assert re.search(r"\d[\d,]* de 1,808 renglones", rechecked)
    for english in ("the same as in the row at position", "constraint &#34;", "type is &#34;", "Constraint Error"):
        assert english not in rechecked

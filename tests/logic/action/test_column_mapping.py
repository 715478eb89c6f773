"""The upload form's column-mapping step: a chosen file's header read before the upload, through the API.

The form sends what these tests send: the first 256 KiB of a CSV (cut at any
byte), a whole Excel file, as multipart/form-data, with the signed-in
publisher's credentials.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

URL = "/api/3/action/anticorruption_column_mapping_suggest"
SFP = REAL_DATA / "jmtoral__sancionados_marzo19" / "proveedores_sancionados.csv"
WORLD_BANK = REAL_DATA / "wiktorrajca__Data-Science-Honors-Thesis" / "world_bank_listing_of_ineligible_firms_and_individuals.xlsx"
BUDGET_XLS = REAL_DATA / "lapanquecita__cuenta-publica" / "xls" / "2023.xls"
FIRST_BYTES = 256 * 1024


def _real(path: Path) -> bytes:
    if not path.is_file():
        pytest.skip(f"{path} is not here (see tests/real/__init__.py)")
    return path.read_bytes()


@pytest.fixture
def publisher():
    return factories.UserWithToken()


@pytest.fixture
def sanctions(publisher):
    org = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    return call_action("package_create", {"user": publisher["name"]},
                       **minimal_dataset("debarred_contractors", org["id"], name="sancionados"))


def _suggest(app, user: dict | None, content: bytes, filename: str, *, lang: str = "", status: int = 200,
             **fields: Any) -> dict:
    headers = {"Authorization": user["token"]} if user else {}
    # Encoded here, in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart(MultiDict({**fields, "upload": FileStorage(io.BytesIO(content), filename)}))
    response = app.post(f"{lang}{URL}", headers=headers, status=status, data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")
    return response.json


def _by_label(result: dict) -> dict[str, dict]:
    return {column["label"]: column for column in result["result"]["columns"]}


def test_the_first_bytes_of_sfps_file_are_read_as_the_check_reads_it(app, publisher, sanctions) -> None:
    # cp1252, a comma and a TAB between cells, cut in the middle of a row.
    content = _real(SFP)[:FIRST_BYTES]

    result = _suggest(app, publisher, content, "proveedores_sancionados.csv", package_id=sanctions["id"],
                      truncated="true")

    columns = _by_label(result)
    assert result["result"]["detected"]["encoding"] == "cp1252"
    assert result["result"]["detected"]["padding"] == "tab"
    # The labels as the publisher wrote them, without the TAB, accents read right.
    assert columns["PROVEEDOR O CONTRATISTA"]["field"] == "supplier_name"
    assert columns["PROVEEDOR O CONTRATISTA"]["how"] == "alias"
    assert columns["PROVEEDOR O CONTRATISTA"]["sample"] == "3R INNOVACIÓN Y DISEÑO S.A. DE C.V."
    assert columns["DEPENDENCIA"]["field"] == "sanctioning_authority_name"
    assert columns["FECHA DE NOTIFICACION"]["field"] == "notification_date"
    assert columns["OBJETO SOCIAL"]["field"] is None
    # The directory never says when a sanction starts.
    assert "sanction_start" in result["result"]["missing_required"]
    assert result["result"]["complete"] is False
    assert result["result"]["header_rows"] == [1] and result["result"]["no_header"] is False
    # The key is the label as the check matches it: one of them ends with a space in the file.
    assert columns["FECHA DE ACTUALIZACION"]["key"] == "FECHA DE ACTUALIZACION "


def test_a_mapping_given_before_wins_and_says_so(app, publisher, sanctions) -> None:
    result = _suggest(app, publisher, _real(SFP)[:FIRST_BYTES], "proveedores_sancionados.csv",
                      package_id=sanctions["id"], truncated="true",
                      column_mapping='{"FECHA DE NOTIFICACION": "sanction_start", "DEPENDENCIA": ""}')

    columns = _by_label(result)
    assert (columns["FECHA DE NOTIFICACION"]["field"], columns["FECHA DE NOTIFICACION"]["how"]) == (
        "sanction_start", "explicit")
    assert (columns["DEPENDENCIA"]["field"], columns["DEPENDENCIA"]["how"]) == (None, "ignored")
    assert "sanction_start" not in result["result"]["missing_required"]


def test_the_world_banks_workbook_is_read_past_its_download_line_and_merged_header(app, publisher, sanctions) -> None:
    result = _suggest(app, publisher, _real(WORLD_BANK), WORLD_BANK.name, package_id=sanctions["id"])

    columns = _by_label(result)
    assert result["result"]["header_rows"] == [2, 3]
    assert columns["Firm Name"]["field"] == "supplier_name"
    assert columns["Ineligibility Period From Date"]["field"] == "sanction_start"
    assert columns["Ineligibility Period To Date"]["field"] == "sanction_end"
    assert columns["Address"]["field"] is None
    # What the reader assumed, in the publisher's language.
    assert any("2" in note and "3" in note for note in result["result"]["notes"])


def test_a_government_xls_is_read_too(app, publisher) -> None:
    org = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    budget = call_action("package_create", {"user": publisher["name"]},
                         **minimal_dataset("budgets", org["id"], name="cuenta-publica"))

    result = _suggest(app, publisher, _real(BUDGET_XLS), "2023.xls", package_id=budget["id"])

    assert result["result"]["detected"]["format"] == "xls"
    # The public account's programme column holds codes (K027), not names.
    assert _by_label(result)["PROGRAMA"]["field"] == "program_code"


def test_a_file_without_a_header_row_names_its_columns_by_place_with_a_sample(app, publisher, sanctions,
                                                                            tmp_path) -> None:
    content = _real(SFP)
    headless = tmp_path / "sin_encabezado.csv"
    headless.write_bytes(content[content.index(b"\n") + 1:])

    result = _suggest(app, publisher, headless.read_bytes()[:FIRST_BYTES], headless.name,
                      package_id=sanctions["id"], truncated="true")["result"]

    assert result["no_header"] is True and result["header_rows"] == []
    first, second = result["columns"][:2]
    assert (first["key"], first["label"], first["sample"]) == ("1", "", "3R INNOVACIÓN Y DISEÑO S.A. DE C.V.")
    assert (second["key"], second["sample"]) == ("2", "INSTITUTO MEXICANO DEL SEGURO SOCIAL")
    # As the check reads such a file: each column holds the field at its place, a guess to confirm.
    assert first["how"] == "position" and first["confidence"] < 0.85


def test_a_file_with_the_types_own_header_needs_no_mapping(app, publisher, sanctions) -> None:
    fields = [field["name"] for field in call_action(
        "anticorruption_table_schema_show", id="debarred_contractors")["fields"]]

    result = _suggest(app, publisher, (",".join(fields) + "\n").encode(), "sancionados.csv",
                      type="debarred_contractors")["result"]

    assert result["complete"] is True
    assert result["missing_required"] == []


@pytest.mark.parametrize(("content", "filename", "says"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "oficio.pdf", "Los archivos en formato pdf no se revisan"),
    (b"", "vacio.csv", "El archivo est\u00e1 vac\u00edo"),
    (bytes(range(256)) * 4, "datos.csv", "no parece una tabla"),
    (b'{"releases": [{"ocid": "ocds-87sd3t-1"}]}', "contratos.json", "Los archivos en formato json no se revisan"),
])
def test_a_file_that_cannot_be_read_is_said_so_in_the_publishers_language(app, publisher, sanctions, content,
                                                                        filename, says) -> None:
    answer = _suggest(app, publisher, content, filename, lang="/es", status=409, package_id=sanctions["id"])

    assert answer["success"] is False
    assert says in " ".join(answer["error"]["upload"])


@pytest.mark.parametrize("lang", ["/es", "/en"])
def test_a_json_file_of_a_procurement_type_is_checked_as_ocds_not_mapped(app, publisher, sanctions, lang: str) -> None:
    answer = _suggest(app, publisher, b'{"releases": [{"ocid": "ocds-87sd3t-1"}]}', "contratos.json", lang=lang,
                      status=409, type="contracts_register")
    says = {"/es": "Este archivo JSON se revisará contra el esquema OCDS 1.1 al guardarlo",
            "/en": "This JSON file will be checked against the OCDS 1.1 schema when it is saved"}[lang]
    assert says in " ".join(answer["error"]["upload"])


@pytest.mark.ckan_config("ckanext.anticorruption.validation.column_mapping_max_bytes", 1000)
def test_more_than_the_bound_is_not_read(app, publisher, sanctions) -> None:
    answer = _suggest(app, publisher, _real(WORLD_BANK), WORLD_BANK.name, status=409, package_id=sanctions["id"])

    assert "too large" in " ".join(answer["error"]["upload"])


@pytest.mark.ckan_config("ckanext.anticorruption.validation.max_columns", 5)
def test_a_header_wider_than_max_columns_is_refused(app, publisher, sanctions) -> None:
    answer = _suggest(app, publisher, _real(SFP)[:FIRST_BYTES], SFP.name, status=409, package_id=sanctions["id"],
                      truncated="true")

    assert "up to 5 columns" in " ".join(answer["error"]["upload"])


def test_a_request_without_a_file_or_a_type_is_told_what_is_missing(app, publisher, sanctions) -> None:
    no_file = app.post(URL, headers={"Authorization": publisher["token"]}, status=409,
                       data={"package_id": sanctions["id"]}).json
    no_type = _suggest(app, publisher, b"a,b\n1,2\n", "a.csv", status=409)
    unknown = _suggest(app, publisher, b"a,b\n1,2\n", "a.csv", status=409, type="recetas_de_cocina")

    assert "multipart/form-data" in " ".join(no_file["error"]["upload"])
    assert "package_id" in " ".join(no_type["error"]["type"])
    assert "recetas_de_cocina" in " ".join(unknown["error"]["type"])


def test_only_publishers_may_have_a_header_read(app, publisher, sanctions) -> None:
    outsider = factories.UserWithToken()
    content = b"PROVEEDOR O CONTRATISTA,RFC\nACME SA DE CV,AAA010101AAA\n"

    # Anonymous visitors, and users who may not add files to the dataset, are refused.
    assert _suggest(app, None, content, "a.csv", status=403, type="debarred_contractors")["success"] is False
    assert _suggest(app, outsider, content, "a.csv", status=403, package_id=sanctions["id"])["success"] is False
    # A user who publishes nowhere cannot use it without naming a dataset either.
    assert _suggest(app, outsider, content, "a.csv", status=403, type="debarred_contractors")["success"] is False
    # The dataset's editor may, for the dataset or for a type.
    assert _suggest(app, publisher, content, "a.csv", package_id=sanctions["id"])["success"] is True
    assert _suggest(app, publisher, content, "a.csv", type="debarred_contractors")["success"] is True


@pytest.mark.ckan_config("ckanext.anticorruption.validation.column_mapping_max_seconds", 0.2)
def test_a_header_that_takes_too_long_to_read_is_given_up_on_not_waited_for(app, publisher, sanctions,
                                                                          monkeypatch) -> None:
    from ckanext.anticorruption.logic.action import column_mapping

    released = threading.Event()

    def stuck(*args: Any, **kwargs: Any) -> dict:
        released.wait(60)  # a reader that does not come back within the bound
        return {}

    monkeypatch.setattr(column_mapping, "suggest_columns", stuck)
    try:
        answer = _suggest(app, publisher, b"PROVEEDOR O CONTRATISTA\nACME\n", "a.csv", lang="/es", status=409,
                          package_id=sanctions["id"])
    finally:
        released.set()

    assert "tardó demasiado" in " ".join(answer["error"]["upload"])

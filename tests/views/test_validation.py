"""The validation report as a publisher and a citizen see it."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

INVALID = (HEADER + "\n" + ROW + "\n" + ROW.replace("C-1", "C-2").replace("100.50", "cien") + "\n").encode()


@pytest.fixture
def publisher():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


def _invalid_resource(create_with_upload, user, org, private=False):
    dataset = call_action("package_create", {"user": user["name"]},
                          **minimal_dataset("contracts_register", org["id"]), private=private)
    return dataset, create_with_upload(INVALID, "contratos.csv", package_id=dataset["id"], format="CSV",
                                       context={"user": user["name"]})


def test_report_page_explains_errors_in_plain_spanish(app, create_with_upload, publisher) -> None:
    dataset, resource = _invalid_resource(create_with_upload, *publisher)

    page = app.get(f"/es/anticorruption/validation/{resource['id']}").body

    assert "Tiene errores" in page
    assert "1 renglón tiene en «contract_value» un valor que no es un número" in page
    assert "<code>cien</code>" in page
    assert "C-2 | ocds-abc123-1" in page


def test_report_page_in_english(app, create_with_upload, publisher) -> None:
    _, resource = _invalid_resource(create_with_upload, *publisher)

    page = app.get(f"/en/anticorruption/validation/{resource['id']}").body

    assert "1 row has a value in «contract_value» that is not a number" in page


def test_dataset_and_resource_pages_show_the_badge(app, create_with_upload, publisher) -> None:
    dataset, resource = _invalid_resource(create_with_upload, *publisher)

    dataset_page = app.get(f"/en/contracts_register/{dataset['name']}").body
    resource_page = app.get(f"/en/contracts_register/{dataset['name']}/resource/{resource['id']}").body

    for page in (dataset_page, resource_page):
        assert 'data-state="invalid"' in page and "Has errors" in page
    assert "See the full report" in resource_page


def test_downloads_errors_csv_and_frictionless_json(app, create_with_upload, publisher) -> None:
    _, resource = _invalid_resource(create_with_upload, *publisher)

    errors = list(csv.reader(io.StringIO(app.get(f"/anticorruption/validation/{resource['id']}/errors.csv").body)))
    report = json.loads(app.get(f"/anticorruption/validation/{resource['id']}/report.json").body)
    status = app.get(f"/anticorruption/validation/{resource['id']}/status.json").json

    assert errors[1][:5] == ["3", "7", "contract_value", "type-error", "cien"]
    assert report["valid"] is False and report["tasks"][0]["errors"][0]["type"] == "type-error"
    assert status["state"] == "invalid" and status["error_count"] == 1


def test_private_reports_are_hidden_from_those_who_may_not_see_the_dataset(app, create_with_upload, publisher) -> None:
    user, org = publisher
    _, resource = _invalid_resource(create_with_upload, user, org, private=True)
    outsider = factories.UserWithToken()

    for suffix in ("", "/errors.csv", "/report.json", "/status.json"):
        url = f"/anticorruption/validation/{resource['id']}{suffix}"
        assert app.get(url).status_code == 403
        assert app.get(url, headers={"Authorization": outsider["token"]}).status_code == 403
        assert app.get(url, headers={"Authorization": user["token"]}).status_code == 200


def test_only_editors_can_ask_for_a_new_check(app, create_with_upload, publisher) -> None:
    user, org = publisher
    _, resource = _invalid_resource(create_with_upload, user, org)
    member = factories.UserWithToken()
    call_action("organization_member_create", id=org["id"], username=member["name"], role="member")

    denied = app.post(f"/anticorruption/validation/{resource['id']}/run",
                      headers={"Authorization": member["token"]})
    allowed = app.post(f"/anticorruption/validation/{resource['id']}/run",
                       headers={"Authorization": user["token"]}, follow_redirects=False)

    assert denied.status_code == 403
    assert allowed.status_code == 302


def test_unknown_resource_is_a_404(app) -> None:
    assert app.get("/anticorruption/validation/no-such-resource").status_code == 404


def test_broken_rules_are_named_with_what_to_write_instead(app, create_with_upload, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]},
                          **minimal_dataset("contracts_register", org["id"], name="reglas"))
    # A day-first date is read (see validation/values); a date without its day is not.
    broken = ROW.replace("licitación pública", "compra directa").replace("2025-03-10", "marzo de 2025")
    resource = create_with_upload((HEADER + "\n" + broken + "\n").encode(), "c.csv",
                                  package_id=dataset["id"], format="CSV", context={"user": user["name"]})

    page = app.get(f"/es/anticorruption/validation/{resource['id']}").body

    assert ("1 renglón tiene en «procurement_method» un valor que no está en su lista de valores "
            "permitidos") in page
    assert "Use uno de estos valores: licitación pública, invitación a cuando menos tres personas" in page
    assert "Escriba la fecha como AAAA-MM-DD" in page


@pytest.mark.ckan_config("ckanext.anticorruption.validation.max_errors_per_type", "2")
def test_errors_csv_lists_every_error_even_beyond_the_reports_cap(app, create_with_upload, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    bad_rows = [ROW.replace("C-1", f"C-{n}").replace("100.50", f"cien{n}") for n in range(2, 9)]
    body = "\n".join([HEADER, ROW, *bad_rows]).encode()
    resource = create_with_upload(body, "contratos.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})

    report = json.loads(app.get(f"/anticorruption/validation/{resource['id']}/report.json").body)
    lines = list(csv.reader(io.StringIO(app.get(f"/anticorruption/validation/{resource['id']}/errors.csv").body)))

    assert len(report["tasks"][0]["errors"]) == 2
    assert [line[4] for line in lines[1:]] == [f"cien{n}" for n in range(2, 9)]
    assert [line[0] for line in lines[1:]] == [str(n + 1) for n in range(2, 9)]


@pytest.mark.parametrize(("lang", "words"), [("es", "renglones revisados hasta ahora"),
                                             ("en", "rows checked so far")])
def test_the_progress_line_shows_the_rows_checked_not_markup(app, publisher, lang, words) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    # A link is checked in the background: with no worker running, the check stays pending.
    resource = call_action("resource_create", {"user": user["name"]}, package_id=dataset["id"],
                           url="https://datos.example.gob.mx/contratos.csv", format="CSV")

    page = app.get(f"/{lang}/anticorruption/validation/{resource['id']}").body
    status = page[page.index('<p role="status">'):]
    status = status[:status.index("</p>")]

    assert words in status
    assert '<span class="anticorruption-rows-checked"><span>0</span></span>' in status
    assert "&lt;" not in status and "&gt;" not in status


@pytest.mark.parametrize("path", ["", "/report", "/report.json", "/errors.csv", "/status.json"])
def test_an_id_with_a_nul_character_is_not_found(app, publisher, path) -> None:
    user, _ = publisher

    for headers in ({}, {"Authorization": user["token"]}):
        assert app.get(f"/anticorruption/validation/%00abc{path}", headers=headers).status_code == 404
    assert app.post("/anticorruption/validation/%00abc/run", headers={"Authorization": user["token"]}).status_code == 404


def test_report_json_names_the_file_not_where_the_server_keeps_it(app, create_with_upload, publisher) -> None:
    import ckan.model as model

    from ckanext.anticorruption.model import Validation

    _, resource = _invalid_resource(create_with_upload, *publisher)
    url = f"/anticorruption/validation/{resource['id']}/report.json"

    fresh = app.get(url).body
    # A report stored before server paths were stripped still holds one.
    row = model.Session.get(Validation, resource["id"])
    row.report = {**row.report, "tasks": [{**row.report["tasks"][0], "place": "/var/lib/ckan/resources/abc/def/ghi"}]}
    model.Session.commit()
    stored_earlier = app.get(url).body

    for body in (fresh, stored_earlier):
        assert json.loads(body)["tasks"][0]["place"] == "contratos.csv"
        assert "/tmp" not in body and "/var/lib" not in body and "anticorruption-" not in body
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_seconds", 0)
@pytest.mark.usefixtures("clean_queues")
def test_a_check_too_long_for_the_page_tells_the_publisher_it_goes_on_in_the_background(
        app, create_with_upload, publisher) -> None:
    user, org = publisher
    _, resource = _invalid_resource(create_with_upload, user, org)

    page = app.post(f"/en/anticorruption/validation/{resource['id']}/run",
                    headers={"Authorization": user["token"]}, follow_redirects=True).body

    assert "it is being checked in the background" in page
    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "pending"


def test_a_publisher_says_which_column_is_which_and_the_file_is_checked_again(
        app, create_with_upload, publisher) -> None:
    user, org = publisher
    _, resource = _invalid_resource(create_with_upload, user, org)
    first_run = call_action("anticorruption_validation_show", id=resource["id"])["run_id"]
    member = factories.UserWithToken()
    call_action("organization_member_create", id=org["id"], username=member["name"], role="member")
    url = f"/anticorruption/validation/{resource['id']}/columns"
    form = {"column": ["contract_id", "NOTAS"], "field": ["contract_id", ""]}

    denied = app.post(url, data=form, headers={"Authorization": member["token"]})
    saved = app.post(url, data=form, headers={"Authorization": user["token"]}, follow_redirects=False)
    refused = app.post("/en" + url, data={"column": ["contract_id"], "field": ["folio"]},
                       headers={"Authorization": user["token"]})

    assert denied.status_code == 403
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/anticorruption/validation/{resource['id']}")
    assert call_action("resource_show", id=resource["id"])["column_mapping"] == {"contract_id": "contract_id", "NOTAS": ""}
    assert call_action("anticorruption_validation_show", id=resource["id"])["run_id"] != first_run
    assert "«folio»: not a column of this dataset type" in refused.body
    assert call_action("resource_show", id=resource["id"])["column_mapping"] == {"contract_id": "contract_id", "NOTAS": ""}


@pytest.mark.parametrize("lang, words", [
    ("es", "Los nombres de las columnas se leyeron del renglón 3; los renglones de arriba"),
    ("en", "The column names were read from row 3; the rows above it (titles, notes) were not checked."),
])
def test_the_report_says_which_row_was_read_as_the_header(app, create_with_upload, publisher, lang, words) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    titled = ("Contratos 2025" + "," * 12 + "\nSecretaría de Obras" + "," * 12 + "\n" + HEADER + "\n" + ROW + "\n").encode()
    resource = create_with_upload(titled, "contratos.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})

    page = app.get(f"/{lang}/anticorruption/validation/{resource['id']}").body

    assert words in page
    assert 'data-state="valid"' in page


def test_the_next_file_of_a_dataset_is_offered_the_column_mapping_of_its_last_file(app, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("debarred_contractors", org["id"]))
    call_action("resource_create", {"user": user["name"]}, package_id=dataset["id"], url="https://example.org/a.csv",
                format="CSV", column_mapping={"RAZON SOCIAL DEL SANCIONADO": "supplier_name"})
    first = call_action("resource_create", {"user": user["name"]}, package_id=dataset["id"],
                        url="https://example.org/b.csv", format="CSV")

    new_form = app.get(f"/dataset/{dataset['name']}/resource/new", headers={"Authorization": user["token"]}).body
    edit_form = app.get(f"/dataset/{dataset['name']}/resource/{first['id']}/edit",
                        headers={"Authorization": user["token"]}).body

    assert 'data-offered="column-mapping"' in new_form and "RAZON SOCIAL DEL SANCIONADO" in new_form
    # A file already saved without a mapping keeps none: nothing is offered on its own form.
    assert 'data-offered="column-mapping"' not in edit_form
    assert "RAZON SOCIAL DEL SANCIONADO" not in edit_form


def test_a_publishers_own_header_is_explained_first(app, create_with_upload, publisher) -> None:
    # CompraNet's names, in another order, with a column of the publisher's own.
    names = dict(zip(HEADER.split(","), ROW.split(",")))
    header = ["CODIGO_CONTRATO", "PROVEEDOR_CONTRATISTA", "RFC", "TITULO_CONTRATO", "IMPORTE_CONTRATO", "MONEDA",
              "FECHA_CELEBRACION", "TIPO_PROCEDIMIENTO", "Observaciones"]
    fields = ["contract_id", "supplier_name", "supplier_id", "contract_title", "contract_value", "currency",
              "date_signed", "procurement_method"]
    data = ",".join(header) + "\n" + ",".join(names[field] for field in fields) + ",sin nota\n"
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    resource = create_with_upload(data.encode(), "contratos.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})

    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "valid"
    page = app.get(f"/es/anticorruption/validation/{resource['id']}").body
    lead = page.index("El encabezado de su archivo coincide con 8 de las 15 columnas de este tipo.")
    assert "«IMPORTE_CONTRATO» → contract_value" in page
    assert page.index("Columnas que se conservan aunque este tipo no las tiene: Observaciones") > lead
    assert "Faltan columnas obligatorias" not in page
    # The extra column is worth checking, not a mistake; the words about check digits are not for it.
    assert "Esto no hace inválido el archivo: algunos identificadores" not in page


def test_what_cannot_be_seen_in_a_cell_is_shown_and_hostile_text_stays_text(app, create_with_upload, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    cells = ROW.split(",")
    cells[4] = '"\tConstructora <script>alert(1)</script> "'  # supplier_name: a TAB before, a space after
    cells[5] = "\u202efdp.exe"  # contract_title: a right-to-left override
    cells[6] = "cien\u00a0"  # contract_value: not a number, with a non-breaking space
    resource = create_with_upload((HEADER + "\n" + ",".join(cells) + "\n").encode(), "contratos.csv",
                                  package_id=dataset["id"], format="CSV", context={"user": user["name"]})

    page = app.get(f"/es/anticorruption/validation/{resource['id']}").body
    english = app.get(f"/en/anticorruption/validation/{resource['id']}").body

    assert ('<code>cien<span class="anticorruption-invisible" data-mark="special-space" '
            'title="espacio de no separación u otro espacio especial, no un espacio común"') in page
    assert 'data-mark="tab"' in page and 'data-mark="space-end"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # The override is shown by its code, never written into the page.
    assert "⟨U+202E⟩</span>fdp.exe" in page and "\u202e" not in page
    assert page.count("Los caracteres que no se ven se muestran con estas marcas:") == 1
    assert "tabulador (TAB)" in page and "espacio al final" in page
    assert "Characters that cannot be seen are shown with these marks:" in english and "space at the end" in english


@pytest.mark.ckan_config("ckanext.anticorruption.validation.max_errors_per_type", "2")
@pytest.mark.parametrize(("lang", "every_row", "most_rows"), [
    ("es", "Los 8 renglones tienen en «contract_value» un valor que no es un número",
     "7 de 8 renglones tienen en «procurement_method» un valor que no está en su lista de valores permitidos"),
    ("en", "All 8 rows have a value in «contract_value» that is not a number",
     "7 of 8 rows have a value in «procurement_method» that is not in its list of allowed values"),
])
def test_counts_are_exact_although_the_page_shows_the_first_errors_only(
        app, create_with_upload, publisher, lang, every_row, most_rows) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    rows = [ROW.replace("C-1", f"C-{n}").replace("100.50", f"cien{n}") for n in range(1, 9)]
    rows = [rows[0]] + [row.replace("licitación pública", "compra directa") for row in rows[1:]]
    resource = create_with_upload("\n".join([HEADER, *rows]).encode(), "contratos.csv", package_id=dataset["id"],
                                  format="CSV", context={"user": user["name"]})

    page = app.get(f"/{lang}/anticorruption/validation/{resource['id']}").body

    assert every_row in page and most_rows in page
    assert not re.search(r"\d\+ (rows|renglones)", page)  # not "2+ rows"
    assert len(json.loads(app.get(f"/anticorruption/validation/{resource['id']}/report.json").body)
               ["tasks"][0]["errors"]) == 4  # the report itself still keeps two of each kind


def test_explanations_are_in_the_pages_language_never_frictionless_notes(app, create_with_upload, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    # The same contract twice (a key that must be unique), and a row with a cell too many.
    body = "\n".join([HEADER, ROW, ROW, ROW.replace("C-1", "C-3") + ",de más"]).encode()
    resource = create_with_upload(body, "contratos.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})

    page = app.get(f"/es/anticorruption/validation/{resource['id']}").body

    assert "Es el mismo valor que el del renglón 2: cada renglón necesita el suyo." in page
    assert "Este renglón tiene más celdas que el encabezado" in page
    assert "Valor repetido" in page and "Celda de más" in page
    for english in ("the same as in the row at position", "Unique Error", "Extra Cell", "Primary Key Error"):
        assert english not in page


@pytest.mark.parametrize(("lang", "words"), [
    ("es", "Su archivo parece usar «~» como separador, pero se leyó con «,»: cada renglón quedó en una sola columna."),
    ("en", "Your file seems to use «~» as its separator, but it was read with «,»: each row came out as a single column."),
])
def test_a_file_read_as_one_column_is_said_to_use_another_separator(app, create_with_upload, publisher, lang, words):
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    body = (HEADER.replace(",", "~") + "\n" + ROW.replace(",", "~") + "\n").encode()
    resource = create_with_upload(body, "contratos.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": user["name"]})

    page = app.get(f"/{lang}/anticorruption/validation/{resource['id']}").body

    # The first thing said after the state, before the header's match.
    assert page.index("anticorruption-validation-badge") < page.index(words)
    assert page.index(words) < page.index("anticorruption-header-summary")


def test_a_file_without_a_header_row_names_its_columns_by_position_and_first_value(
        app, create_with_upload, publisher) -> None:
    user, org = publisher
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset("contracts_register", org["id"]))
    names = HEADER.split(",")
    rows = []
    for number in (1, 2, 3):  # no header row; the supplier's name first, the contract's id fifth
        cells = ROW.replace("C-1", f"C-{number}").split(",")
        cells[0], cells[4] = cells[4], cells[0]
        rows.append(",".join(cells))
    resource = create_with_upload("\n".join(rows).encode(), "contratos.csv", package_id=dataset["id"],
                                  format="CSV", context={"user": user["name"]})
    report = f"/es/anticorruption/validation/{resource['id']}"

    offered = app.get(report, headers={"Authorization": user["token"]}).body
    fields = [names[4], *names[1:4], names[0], *names[5:]]
    app.post(f"/anticorruption/validation/{resource['id']}/columns",
             data={"column": [str(n) for n in range(1, 14)], "field": fields}, headers={"Authorization": user["token"]})
    checked = call_action("anticorruption_validation_show", id=resource["id"])
    page = app.get(report, headers={"Authorization": user["token"]}).body

    assert "Columna 1 (p. ej. «<code>Constructora del Mayab SA de CV</code>»)" in offered
    assert "Columna 5 (p. ej. «<code>C-1</code>»)" in offered
    assert "Supuesta" in offered and "Se tomó del orden de las columnas en el Table Schema" in offered
    assert checked["state"] == "valid"
    assert ("Su archivo no tiene renglón de encabezado; las columnas que usted indicó por su posición contienen "
            "13 de las 15 columnas de este tipo.") in page
    assert "«Columna 5» → contract_id" in page

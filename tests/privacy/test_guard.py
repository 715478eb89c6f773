"""The privacy guard through CKAN: findings shown to the publisher, warn and
quarantine modes, who sees a held-back file where, and the recorded review."""
from __future__ import annotations

import csv
import io
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.model import PrivacyReview

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

QUARANTINE = pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
CURP = "HEGG560427MVZRRL04"
EMAIL = "juan.perez@gmail.com"
CLEAN = (HEADER + "\n" + ROW + "\n").encode()
# A CURP in project_id and an e-mail in the title; the amount of the second
# row is a phone number, so that it is a bad cell shown in the report.
PERSONAL = (HEADER + "\n" + ROW.replace("Obra,", f"Obra; contacto {EMAIL},") + CURP + "\n"
            + ROW.replace("C-1", "C-2").replace("100.50", "tel 55 1234 5678") + "\n").encode()


@pytest.fixture
def agency():
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    return editor, org


@pytest.fixture
def dataset(agency):
    editor, org = agency
    return call_action("package_create", {"user": editor["name"]},
                       **minimal_dataset("contracts_register", org["id"], name="contratos-2025"))


@pytest.fixture
def personal(create_with_upload, agency, dataset):
    editor, _ = agency
    return create_with_upload(PERSONAL, "contratos.csv", package_id=dataset["id"], format="CSV",
                              name="Contratos con datos", context={"user": editor["name"]})


def _as(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


def _resource_ids(user: dict | None, dataset: dict) -> list[str]:
    return [r["id"] for r in call_action("package_show", _as(user), id=dataset["id"])["resources"]]


def _download_path(resource: dict) -> str:
    return resource["url"].replace("http://test.ckan.net", "")


def test_warn_mode_reports_findings_to_the_publisher_and_keeps_the_file_public(
        app, agency, dataset, personal) -> None:
    editor, _ = agency
    privacy = call_action("anticorruption_privacy_show", _as(editor), id=personal["id"])
    found = {(c["field"], kind): f["count"] for c in privacy["findings"]["columns"] for kind, f in c["kinds"].items()}

    assert privacy["state"] == "warned" and privacy["hidden"] is False
    assert found == {("contract_title", "email"): 1, ("project_id", "curp"): 1, ("contract_value", "phone"): 1}
    assert CURP not in json.dumps(privacy) and EMAIL not in json.dumps(privacy)
    assert _resource_ids(None, dataset) == [personal["id"]]
    page = app.get(f"/anticorruption/validation/{personal['id']}", headers={"Authorization": editor["token"]}).body
    assert 'data-privacy-state="warned"' in page and "HEGG************04" in page and "j***@gmail.com" in page
    assert "data-privacy-state" not in app.get(f"/anticorruption/validation/{personal['id']}").body
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_privacy_show", _as(None), id=personal["id"])


def test_bad_cells_with_identifiers_are_masked_for_the_public_only(app, agency, personal) -> None:
    editor, _ = agency
    base = f"/anticorruption/validation/{personal['id']}"
    public = app.get(base).body + app.get(f"{base}/report.json").body + app.get(f"{base}/errors.csv").body
    publisher = app.get(f"{base}/report.json", headers={"Authorization": editor["token"]}).body

    assert "55 1234 5678" not in public and "** **** **78" in public
    assert CURP not in public and EMAIL not in public
    assert "55 1234 5678" in publisher
    rows = list(csv.reader(io.StringIO(app.get(f"{base}/errors.csv").body)))
    assert rows[1][:4] == ["3", "7", "contract_value", "type-error"] and rows[1][4] == "tel ** **** **78"


def test_every_error_is_given_masked_exactly_where_the_report_is(app, agency, personal) -> None:
    editor, _ = agency
    public = call_action("anticorruption_validation_errors_show", _as(None), id=personal["id"])
    whole = call_action("anticorruption_validation_errors_show", _as(editor), id=personal["id"])
    public_csv, whole_csv = (b"".join(answer["lines"]).decode() for answer in (public, whole))
    public_report = call_action("anticorruption_validation_show", _as(None), id=personal["id"], include_report=True)

    assert public["masked"] is True and whole["masked"] is False
    assert "55 1234 5678" in whole_csv
    assert "55 1234 5678" not in public_csv and "** **** **78" in public_csv
    assert "55 1234 5678" not in json.dumps(public_report)
    # Through the API: where to download it, not the CSV itself (it can be far larger than an answer should be).
    api = app.get(f"/api/3/action/anticorruption_validation_errors_show?id={personal['id']}").json["result"]
    assert "lines" not in api and api["masked"] is True
    assert api["url"].endswith(f"/anticorruption/validation/{personal['id']}/errors.csv")


@QUARANTINE
def test_the_errors_of_a_quarantined_file_are_refused_like_its_report(agency, personal) -> None:
    editor, _ = agency
    for action in ("anticorruption_validation_show", "anticorruption_validation_errors_show"):
        with pytest.raises(tk.NotAuthorized):
            call_action(action, _as(None), id=personal["id"])
    assert call_action("anticorruption_validation_errors_show", _as(editor), id=personal["id"])["masked"] is False


def test_a_clean_file_has_no_findings(create_with_upload, agency, dataset) -> None:
    editor, _ = agency
    resource = create_with_upload(CLEAN, "c.csv", package_id=dataset["id"], format="CSV",
                                  context={"user": editor["name"]})
    privacy = call_action("anticorruption_privacy_show", id=resource["id"])
    assert privacy["state"] == "clean" and privacy["findings"]["findings"] == 0


@QUARANTINE
def test_a_quarantined_file_is_hidden_from_the_public_everywhere(app, agency, dataset, personal) -> None:
    editor, org = agency
    download = _download_path(personal)
    assert call_action("anticorruption_privacy_show", id=personal["id"])["state"] == "quarantined"

    # API
    assert _resource_ids(None, dataset) == []
    assert call_action("package_show", _as(None), id=dataset["id"])["num_resources"] == 0
    with pytest.raises(tk.ObjectNotFound):
        call_action("resource_show", _as(None), id=personal["id"])
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_validation_show", _as(None), id=personal["id"])
    # Search results and what the index holds
    found = call_action("package_search", _as(None), q="*:*", fl=["id", "data_dict", "validated_data_dict", "res_url", "res_name"])
    assert found["count"] == 1 and personal["id"] not in json.dumps(found) and "Contratos con datos" not in json.dumps(found)
    assert call_action("package_search", _as(None), q='res_name:"Contratos con datos"')["count"] == 0
    result = call_action("package_search", _as(None), q="*:*")["results"][0]
    assert result["resources"] == [] and result["num_resources"] == 0
    # Pages and downloads
    dataset_page = app.get(f"/dataset/{dataset['name']}").body
    assert personal["id"] not in dataset_page and "Contratos con datos" not in dataset_page
    assert app.get(f"/dataset/{dataset['name']}/resource/{personal['id']}").status_code == 404
    assert app.get(download).status_code == 404
    assert app.get(f"/anticorruption/validation/{personal['id']}/errors.csv").status_code == 403
    # DCAT dataset and catalogs
    for url in (f"/dataset/{dataset['name']}.ttl", f"/dataset/{dataset['id']}.jsonld", "/catalog.ttl",
                f"/organization/{org['name']}/catalog.ttl"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert personal["id"] not in response.body and "Contratos con datos" not in response.body, url
    assert dataset["id"] in app.get("/catalog.ttl").body  # the dataset itself stays public


@QUARANTINE
def test_a_quarantined_file_is_visible_to_the_agency_editors_and_sysadmins(app, agency, dataset, personal) -> None:
    editor, org = agency
    other_editor = factories.UserWithToken()
    factories.Organization(users=[{"name": other_editor["name"], "capacity": "editor"}])
    sysadmin = factories.Sysadmin()
    admin = factories.UserWithToken()
    call_action("organization_member_create", id=org["id"], username=admin["name"], role="admin")

    assert _resource_ids(editor, dataset) == [personal["id"]]
    assert _resource_ids(admin, dataset) == [personal["id"]]
    assert _resource_ids(sysadmin, dataset) == [personal["id"]]
    assert _resource_ids(other_editor, dataset) == []
    assert call_action("resource_show", _as(editor), id=personal["id"])["id"] == personal["id"]
    page = app.get(f"/dataset/{dataset['name']}/resource/{personal['id']}", headers={"Authorization": editor["token"]})
    assert page.status_code == 200 and 'anticorruption-privacy-banner' in page.body
    assert "held back for a privacy review" in page.body
    download = app.get(_download_path(personal), headers={"Authorization": editor["token"]}, buffered=True)
    assert download.status_code == 200 and CURP in download.get_data(as_text=True)
    download.close()
    assert app.get(f"/dataset/{dataset['name']}/resource/{personal['id']}",
                   headers={"Authorization": other_editor["token"]}).status_code == 404
    report = app.get(f"/anticorruption/validation/{personal['id']}", headers={"Authorization": editor["token"]}).body
    assert 'data-privacy-state="quarantined"' in report and "anticorruption-privacy-review" in report


@QUARANTINE
def test_an_editors_update_while_quarantined_keeps_the_file(agency, dataset, personal) -> None:
    editor, _ = agency
    shown = call_action("package_show", _as(editor), id=dataset["id"])  # served from the index copy
    shown["title"] = "Contratos 2025 (corregido)"
    call_action("package_update", _as(editor), **shown)
    call_action("package_patch", _as(editor), id=dataset["id"], notes="Notas nuevas")

    assert [r.id for r in model.Package.get(dataset["id"]).resources] == [personal["id"]]
    assert _resource_ids(editor, dataset) == [personal["id"]]
    assert _resource_ids(None, dataset) == []
    assert call_action("anticorruption_privacy_show", id=personal["id"])["state"] == "quarantined"


@QUARANTINE
def test_the_review_is_recorded_and_a_confirmed_file_is_public(app, agency, dataset, personal) -> None:
    editor, _ = agency
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_privacy_review", _as(outsider), id=personal["id"], decision="confirm",
                    justification="x")
    with pytest.raises(tk.ValidationError):
        call_action("anticorruption_privacy_review", _as(editor), id=personal["id"], decision="confirm",
                    justification="  ")

    response = app.post(f"/anticorruption/validation/{personal['id']}/privacy-review",
                        data={"justification": "Correo institucional del proveedor; la CURP es un error de captura que se corrige en la próxima versión"},
                        headers={"Authorization": editor["token"]}, follow_redirects=False)

    assert response.status_code == 302
    privacy = call_action("anticorruption_privacy_show", id=personal["id"])
    [review] = privacy["reviews"]
    assert privacy["state"] == "confirmed"
    assert (review["user"], review["decision"]) == (editor["name"], "confirm")
    assert review["justification"].startswith("Correo institucional") and review["created"]
    assert review["findings"]["findings"] == 3
    assert _resource_ids(None, dataset) == [personal["id"]]
    assert personal["id"] in json.dumps(call_action("package_search", _as(None), q="*:*")["results"])
    assert personal["id"] in app.get(f"/dataset/{dataset['name']}.ttl").body
    # A new check of the same file keeps the confirmation.
    call_action("anticorruption_validation_run", _as(editor), id=personal["id"])
    assert call_action("anticorruption_privacy_show", id=personal["id"])["state"] == "confirmed"


@QUARANTINE
def test_replacing_the_file_scans_it_again_and_is_recorded(create_with_upload, agency, dataset, personal) -> None:
    editor, _ = agency
    create_with_upload(CLEAN, "contratos.csv", action="resource_patch", id=personal["id"],
                       context={"user": editor["name"]})

    privacy = call_action("anticorruption_privacy_show", id=personal["id"])
    assert privacy["state"] == "clean"
    assert [(r["user"], r["decision"]) for r in privacy["reviews"]] == [(editor["name"], "replace")]
    assert model.Session.query(PrivacyReview).count() == 1
    assert _resource_ids(None, dataset) == [personal["id"]]


@QUARANTINE
def test_a_confirmed_file_is_held_back_again_when_it_changes(create_with_upload, agency, dataset, personal) -> None:
    editor, _ = agency
    call_action("anticorruption_privacy_review", _as(editor), id=personal["id"], decision="confirm",
                justification="Datos públicos por ley")
    create_with_upload(PERSONAL + b"C-9,ocds-abc123-9,09-210,CMO180304KX2,X SA,Obra,1,MXN,2025-03-10,,,licitaci\xc3\xb3n p\xc3\xbablica,\n",
                       "contratos.csv", action="resource_patch", id=personal["id"], context={"user": editor["name"]})

    assert call_action("anticorruption_privacy_show", id=personal["id"])["state"] == "quarantined"
    assert _resource_ids(None, dataset) == []


@QUARANTINE
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", "1")
def test_in_quarantine_mode_a_new_file_is_hidden_until_its_background_scan_ends(
        create_with_upload, agency, dataset) -> None:
    from ckan.lib.jobs import Worker

    editor, _ = agency
    clean = create_with_upload(CLEAN, "c.csv", package_id=dataset["id"], format="CSV",
                               context={"user": editor["name"]})
    assert call_action("anticorruption_privacy_show", id=clean["id"])["state"] == "scanning"
    assert _resource_ids(None, dataset) == []
    assert call_action("package_search", _as(None), fq=f"id:{dataset['id']}")["results"][0]["num_resources"] == 0

    Worker(["default"]).work(burst=True)

    assert call_action("anticorruption_privacy_show", id=clean["id"])["state"] == "clean"
    assert _resource_ids(None, dataset) == [clean["id"]]
    assert call_action("package_search", _as(None), fq=f"id:{dataset['id']}")["results"][0]["num_resources"] == 1


def test_in_warn_mode_an_editor_can_confirm_and_a_clean_file_has_nothing_to_review(
        create_with_upload, agency, dataset, personal) -> None:
    editor, _ = agency
    clean = create_with_upload(CLEAN, "c.csv", package_id=dataset["id"], format="CSV",
                               context={"user": editor["name"]})
    with pytest.raises(tk.ValidationError):
        call_action("anticorruption_privacy_review", _as(editor), id=clean["id"], decision="confirm",
                    justification="Nada que revisar")

    result = call_action("anticorruption_privacy_review", _as(editor), id=personal["id"], decision="confirm",
                         justification="Son correos institucionales")

    assert result["state"] == "confirmed" and result["review"]["user"] == editor["name"]
    assert _resource_ids(None, dataset) == [personal["id"], clean["id"]]


@QUARANTINE
def test_a_quarantined_file_counts_for_nothing_in_facets_and_coverage(agency, dataset, personal) -> None:
    from ckanext.anticorruption.search import VALIDATION_FIELD

    facets = call_action("package_search", _as(None), q="*:*", **{"facet.field": [VALIDATION_FIELD]})["facets"]
    assert facets.get(VALIDATION_FIELD, {}) == {}
    _, org = agency
    [row] = call_action("anticorruption_coverage", _as(None), organization=org["name"])["rows"]
    assert not row["cells"]["contracts_register"]["criteria"]["machine_readable"]

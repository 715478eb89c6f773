"""The coverage actions against real CKAN, Solr and PostgreSQL: states, scores, permissions."""
from __future__ import annotations

import datetime

import pytest

import ckan.model as model
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

import ckan.plugins.toolkit as tk

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

VALID = (HEADER + "\n" + ROW + "\n").encode()
INVALID = (HEADER + "\n" + ROW.replace("100.50", "cien") + "\n").encode()
ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"


@pytest.fixture
def agency():
    """An agency with an editor, a member and a few datasets of known states."""
    editor, member = factories.User(), factories.User()
    org = factories.Organization(name="sfp", title="Secretaría de la Función Pública", users=[
        {"name": editor["name"], "capacity": "editor"}, {"name": member["name"], "capacity": "member"},
    ])
    return {"org": org, "editor": editor, "member": member}


def _dataset(agency, type_id, name, *, private=False, license_id="cc-by", frequency=ANNUAL, **extra):
    data = minimal_dataset(type_id, agency["org"]["id"], name=name)
    data.update(private=private, license_id=license_id, frequency=frequency, **extra)
    return call_action("package_create", _as(agency["editor"]), **data)


def _upload(create_with_upload, agency, dataset, body, name="contratos.csv", fmt="CSV"):
    return create_with_upload(body, name, package_id=dataset["id"], format=fmt,
                              context=_as(agency["editor"]))


def _as(user) -> dict:
    """A context that checks permissions (the test helper skips them by default)."""
    return {"user": user["name"] if user else "", "ignore_auth": False}


def _coverage(user=None, **params):
    return call_action("anticorruption_coverage", _as(user), **params)


def _row(matrix, org_name="sfp"):
    return next(r for r in matrix["rows"] if r["organization"]["name"] == org_name)


def test_every_agency_has_a_row_and_every_type_a_cell(agency) -> None:
    factories.Organization(name="shcp", title="Hacienda")

    matrix = _coverage()

    assert {r["organization"]["name"] for r in matrix["rows"]} == {"sfp", "shcp"}
    assert len(matrix["types"]) == 30 and len(_row(matrix)["cells"]) == 30
    assert {c["id"] for c in matrix["categories"]} == {t["category"] for t in matrix["types"]}
    assert matrix["summary"]["expected"] == 60 and matrix["summary"]["missing"] == 60
    assert _row(matrix)["score"] == 0


def test_a_valid_fresh_open_csv_scores_full_marks(agency, create_with_upload) -> None:
    dataset = _dataset(agency, "contracts_register", "contratos-2025")
    _upload(create_with_upload, agency, dataset, VALID)

    cell = _row(_coverage())["cells"]["contracts_register"]

    assert cell["state"] == "published" and cell["count"] == 1
    assert cell["criteria"] == {"published": 1, "open": 1, "machine_readable": 1, "valid": 1, "fresh": 1}
    assert cell["score"] == 100
    assert cell["updated"][:10] == datetime.date.today().isoformat()


def test_an_invalid_file_marks_the_cell_invalid_and_costs_points(agency, create_with_upload) -> None:
    dataset = _dataset(agency, "contracts_register", "contratos-2025")
    _upload(create_with_upload, agency, dataset, INVALID)

    cell = _row(_coverage())["cells"]["contracts_register"]

    assert cell["state"] == "invalid"
    assert cell["criteria"]["valid"] == 0 and cell["score"] == 80


def test_a_closed_licence_and_a_pdf_cost_points(agency, create_with_upload) -> None:
    dataset = _dataset(agency, "budgets", "presupuesto", license_id="other-closed")
    _upload(create_with_upload, agency, dataset, b"%PDF-1.4 not a table", name="presupuesto.pdf", fmt="PDF")

    cell = _row(_coverage())["cells"]["budgets"]

    assert cell["criteria"]["open"] == 0 and cell["criteria"]["machine_readable"] == 0
    assert cell["criteria"]["valid"] == 0  # a PDF is never counted as valid
    assert cell["score"] == 40


def test_a_dataset_of_pdfs_is_published_not_checked_never_valid(agency, create_with_upload) -> None:
    dataset = _dataset(agency, "budgets", "presupuesto")
    _upload(create_with_upload, agency, dataset, b"%PDF-1.4 not a table", name="presupuesto.pdf", fmt="PDF")

    row = _row(_coverage())
    cell = row["cells"]["budgets"]
    assert (cell["state"], cell["unchecked"], cell["criteria"]["valid"]) == ("unchecked", 1, 0)
    # Counted as published, not as valid and up to date.
    assert (row["published"], row["valid_and_fresh"]) == (1, 0)
    tab = call_action("anticorruption_coverage_organization_show", organization="sfp")
    [listed] = tab["datasets"]["budgets"]
    decided = listed["decided_by"]
    assert (decided["name"], decided["verdict"], decided["state"], decided["problem"]) == (
        "presupuesto.pdf", "unchecked", "not_validated", "format-not-supported")


def test_the_newest_file_decides_a_dataset_and_the_tab_names_it(agency, create_with_upload) -> None:
    dataset = _dataset(agency, "contracts_register", "contratos")
    _upload(create_with_upload, agency, dataset, VALID, name="contratos-2024.csv")
    assert _row(_coverage())["cells"]["contracts_register"]["state"] == "published"
    newer = _upload(create_with_upload, agency, dataset, INVALID, name="contratos-2025.csv")

    cell = _row(_coverage())["cells"]["contracts_register"]
    assert (cell["state"], cell["criteria"]["valid"]) == ("invalid", 0)
    [listed] = call_action("anticorruption_coverage_organization_show", organization="sfp")["datasets"][
        "contracts_register"]
    decided = listed["decided_by"]
    assert (decided["id"], decided["name"], decided["verdict"], decided["error_count"]) == (
        newer["id"], "contratos-2025.csv", "invalid", 1)

    # The publisher corrects the newest file: the dataset is valid again, whatever the older files say.
    from ckan.tests.helpers import call_action as call
    call("resource_delete", _as(agency["editor"]), id=newer["id"])
    assert _row(_coverage())["cells"]["contracts_register"]["state"] == "published"


def test_a_dataset_older_than_its_frequency_allows_is_out_of_date(agency) -> None:
    dataset = _dataset(agency, "budgets", "presupuesto", frequency=DAILY)
    old = datetime.datetime.utcnow() - datetime.timedelta(days=5)
    pkg = model.Package.get(dataset["id"])
    pkg.metadata_modified = old
    model.Session.commit()
    from ckan.lib.search import rebuild
    rebuild(dataset["id"])

    cell = _row(_coverage())["cells"]["budgets"]

    assert cell["state"] == "outdated" and cell["criteria"]["fresh"] == 0


def test_private_datasets_are_never_counted_and_shown_only_to_those_who_may_see_them(agency) -> None:
    _dataset(agency, "budgets", "presupuesto-borrador", private=True)
    sysadmin, outsider = factories.Sysadmin(), factories.User()
    other_editor = factories.User()
    factories.Organization(users=[{"name": other_editor["name"], "capacity": "editor"}])

    for user in (None, outsider, other_editor):
        cell = _row(_coverage(user))["cells"]["budgets"]
        assert cell["state"] == "missing" and "private" not in cell
    for user in (agency["member"], agency["editor"], sysadmin):
        cell = _row(_coverage(user))["cells"]["budgets"]
        assert cell["state"] == "missing" and cell["count"] == 0 and cell["private"] == 1


def test_an_editor_declares_a_type_not_applicable_with_a_public_reason(agency) -> None:
    call_action("anticorruption_coverage_declare", _as(agency["editor"]), organization="sfp",
                type="land_property_register", status="not_applicable", reason="La SFP no administra predios.")
    call_action("anticorruption_coverage_declare", _as(agency["editor"]), organization="sfp",
                type="international_aid", status="nothing_to_report", reason="Sin donativos.", period="2026")

    row = _row(_coverage())

    assert row["cells"]["land_property_register"]["state"] == "not_applicable"
    assert row["cells"]["land_property_register"]["declaration"]["reason"] == "La SFP no administra predios."
    assert row["cells"]["international_aid"]["declaration"]["period"] == "2026"
    assert row["expected"] == 28 and row["declared"] == 2


def test_only_editors_declare_and_only_sysadmins_decide_for_the_portal(agency) -> None:
    cell = {"organization": "sfp", "type": "tax_records", "status": "not_applicable", "reason": "No recauda."}

    with pytest.raises(tk.NotAuthorized):
        call_auth("anticorruption_coverage_declare", {"user": agency["member"]["name"]}, organization="sfp")
    assert call_auth("anticorruption_coverage_declare", {"user": agency["editor"]["name"]}, organization="sfp")
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_declare", _as(agency["editor"]), by_portal=True, **cell)

    sysadmin = factories.Sysadmin()
    call_action("anticorruption_coverage_declare", _as(sysadmin), by_portal=True, **cell)
    # The agency can neither overwrite nor withdraw what the portal decided.
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_declare", _as(agency["editor"]), **cell)
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_declaration_delete", _as(agency["editor"]),
                    organization="sfp", type="tax_records")
    assert _row(_coverage())["cells"]["tax_records"]["declaration"]["by_portal"] is True


def test_a_declaration_needs_a_reason_and_a_known_type(agency) -> None:
    context = _as(agency["editor"])
    with pytest.raises(tk.ValidationError) as no_reason:
        call_action("anticorruption_coverage_declare", context, organization="sfp", type="tax_records",
                    status="not_applicable", reason="  ")
    with pytest.raises(tk.ValidationError) as unknown:
        call_action("anticorruption_coverage_declare", context, organization="sfp", type="nope",
                    status="not_applicable", reason="x")

    assert "reason" in no_reason.value.error_dict
    assert "type" in unknown.value.error_dict


def test_users_ask_once_for_a_missing_dataset_and_editors_see_the_requests(agency) -> None:
    first, second = factories.User(), factories.User()
    for user in (first, second):
        result = call_action("anticorruption_coverage_request_create", _as(user),
                             organization="sfp", type="budgets")
    assert result["requests"] == 2
    with pytest.raises(tk.ValidationError):
        call_action("anticorruption_coverage_request_create", _as(first),
                    organization="sfp", type="budgets")
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_request_create", _as(None), organization="sfp", type="budgets")

    assert _row(_coverage())["cells"]["budgets"]["requests"] == 2
    requests = call_action("anticorruption_coverage_request_list", _as(agency["editor"]),
                           organization="sfp")
    assert {r["user"] for r in requests} == {first["name"], second["name"]}
    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_request_list", _as(agency["member"]), organization="sfp")


def test_a_published_dataset_cannot_be_asked_for(agency) -> None:
    _dataset(agency, "budgets", "presupuesto")

    with pytest.raises(tk.ValidationError):
        call_action("anticorruption_coverage_request_create", _as(factories.User()),
                    organization="sfp", type="budgets")


def test_filters_by_organization_and_type(agency) -> None:
    factories.Organization(name="shcp")

    matrix = _coverage(organization="sfp", type=["budgets", "spending"])

    assert [r["organization"]["name"] for r in matrix["rows"]] == ["sfp"]
    assert set(matrix["rows"][0]["cells"]) == {"budgets", "spending"}
    with pytest.raises(tk.ObjectNotFound):
        _coverage(organization="no-such-agency")


def test_an_agency_tab_shows_each_caller_what_they_may_see_and_do(agency) -> None:
    _dataset(agency, "budgets", "presupuesto")
    _dataset(agency, "spending", "gasto-borrador", private=True)
    call_action("anticorruption_coverage_request_create", _as(factories.User()), organization="sfp", type="tax_records")

    def tab(user):
        return call_action("anticorruption_coverage_organization_show", _as(user), organization="sfp")

    anonymous, editor, sysadmin = tab(None), tab(agency["editor"]), tab(factories.Sysadmin())

    assert anonymous["organization"]["name"] == "sfp" and _row(anonymous["coverage"])["published"] == 1
    assert [d["name"] for d in anonymous["datasets"]["budgets"]] == ["presupuesto"]
    assert "spending" not in anonymous["datasets"] and "spending" in editor["datasets"]
    assert (anonymous["may_declare"], anonymous["may_decide_for_portal"], anonymous["requests"]) == (False, False, [])
    assert (editor["may_declare"], editor["may_decide_for_portal"]) == (True, False)
    assert [r["type"] for r in editor["requests"]] == ["tax_records"]
    assert (sysadmin["may_declare"], sysadmin["may_decide_for_portal"]) == (True, True)
    with pytest.raises(tk.ObjectNotFound):
        call_action("anticorruption_coverage_organization_show", _as(None), organization="no-such-agency")
    with pytest.raises(tk.ValidationError):
        call_action("anticorruption_coverage_organization_show", _as(None), organization="s\u0000fp")


def test_snapshots_record_the_public_coverage_for_the_history(agency) -> None:
    _dataset(agency, "budgets", "presupuesto")
    _dataset(agency, "spending", "gasto-privado", private=True)
    sysadmin = factories.Sysadmin()

    with pytest.raises(tk.NotAuthorized):
        call_action("anticorruption_coverage_snapshot", _as(agency["editor"]))
    call_action("anticorruption_coverage_snapshot", _as(sysadmin))
    _dataset(agency, "government_grants", "subsidios")
    call_action("anticorruption_coverage_snapshot", _as(sysadmin))

    national = call_action("anticorruption_coverage_history", _as(None))
    agency_history = call_action("anticorruption_coverage_history", _as(None), organization="sfp")
    assert [p["published"] for p in national] == [1, 2]  # the private one never counts
    assert [p["published"] for p in agency_history] == [1, 2]
    assert national[0]["expected"] == 30


def test_by_portal_must_say_true_or_false(app, agency) -> None:
    """Through the API: a clear validation error, whoever asks, never a 500."""
    editor = factories.UserWithToken()
    call_action("organization_member_create", id=agency["org"]["id"], username=editor["name"], role="editor")
    sysadmin = factories.SysadminWithToken()

    for user in (editor, sysadmin):
        response = app.post("/api/3/action/anticorruption_coverage_declare", headers={"Authorization": user["token"]},
                            json={"organization": "sfp", "type": "tax_records", "status": "not_applicable",
                                  "reason": "No recauda impuestos.", "by_portal": "maybe"})
        assert response.status_code == 409, response.body
        assert response.json["error"]["by_portal"] == ["Must be true or false"]
    assert call_action("anticorruption_coverage", organization="sfp")["rows"][0]["cells"]["tax_records"]["state"] \
        == "missing"


def test_history_longer_than_anyone_keeps_is_refused() -> None:
    with pytest.raises(tk.ValidationError) as refused:
        call_action("anticorruption_coverage_history", limit="99999999999999999999")

    assert "limit" in refused.value.error_dict

"""The linkage index and the red flags, through real uploads, jobs and permissions."""
from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.identifiers.linkage import decode_moments
from ckanext.anticorruption.model import IdentifierLink

from tests.identifiers.linkage_fixtures import (  # noqa: F401  (fixtures)
    BARRED, CLEAN, LATER, PERSON, _contracts, _file, _run_jobs_here, agencies, people, published,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


def _matches(dataset_id: str | None = None, user: str | None = None) -> dict:
    context = {"user": user or "", "ignore_auth": False}
    return call_action("anticorruption_identifier_matches", context, **({"id": dataset_id} if dataset_id else {}))


def _suppliers(result: dict) -> dict:
    return {(s["identifier"] if not s["withheld"] else "withheld"): s for s in result["suppliers"]}


def test_a_checked_file_fills_the_index(published) -> None:
    links = model.Session.query(IdentifierLink).filter_by(resource_id=published["contracts_file"]["id"]).all()
    suppliers = {link.identifier: link for link in links if link.field == "supplier_id"}
    assert set(suppliers) == {BARRED, LATER, CLEAN, PERSON}
    assert suppliers[BARRED].rows == 2
    assert decode_moments(suppliers[BARRED].moments) == ["2025-03-10", "2025-04-01"]
    assert suppliers[BARRED].role == "award" and suppliers[BARRED].dataset_type == "contracts_register"
    assert suppliers[PERSON].person is True
    sanctions = {link.identifier: link for link in model.Session.query(IdentifierLink).filter_by(
        resource_id=published["sanctions_file"]["id"], field="supplier_id")}
    assert decode_moments(sanctions[LATER].moments) == [["2028-01-01", ""]]


def test_suppliers_in_a_sanctions_register_are_flagged_with_overlapping_periods(published) -> None:
    result = _matches(published["contracts"]["id"])
    [register] = result["registers"]
    assert register["dataset"]["name"] == published["sanctions"]["name"]
    assert register["dataset"]["organization"]["title"] == "Secretaría de la Función Pública"
    suppliers = _suppliers(result)
    assert suppliers[BARRED]["in_force"] is True
    assert suppliers[BARRED]["dates_in_force"] == ["2025-03-10", "2025-04-01"]
    [entry] = suppliers[BARRED]["entries"]
    assert (entry["tier"], entry["since"], entry["until"]) == ("certain", "2025-02-01", "2027-02-01")
    assert entry["dataset"]["name"] == published["sanctions"]["name"]
    assert suppliers[LATER]["in_force"] is False  # signed before its sanction began
    assert CLEAN not in suppliers
    assert (result["supplier_count"], result["in_force_count"]) == (3, 2)


def test_a_natural_persons_identifier_is_withheld_from_the_public(published, people) -> None:
    public = _suppliers(_matches(published["contracts"]["id"]))
    assert PERSON not in public and public["withheld"]["person"] is True
    assert public["withheld"]["in_force"] is True
    editor_view = _suppliers(_matches(published["contracts"]["id"], people["buyer"]["name"]))
    assert editor_view[PERSON]["withheld"] is False


def test_the_sanctions_register_sees_where_its_suppliers_won_awards(published) -> None:
    result = _matches(published["sanctions"]["id"])
    [award] = result["awards"]
    assert award["dataset"]["name"] == published["contracts"]["name"]
    assert award["in_force_count"] == 2


def test_a_reupload_replaces_the_files_identifiers(published, people) -> None:
    call_action("resource_patch", {"user": people["buyer"]["name"]}, id=published["contracts_file"]["id"],
                upload=_file(_contracts((CLEAN, "2025-03-10")), "contratos.csv"))
    _run_jobs_here()
    links = model.Session.query(IdentifierLink).filter_by(resource_id=published["contracts_file"]["id"],
                                                          field="supplier_id").all()
    assert [link.identifier for link in links] == [CLEAN]
    assert _matches(published["contracts"]["id"])["registers"] == []


def test_an_unreadable_reupload_names_nobody(published, people) -> None:
    call_action("resource_patch", {"user": people["buyer"]["name"]}, id=published["contracts_file"]["id"],
                upload=_file(b"", "contratos.csv"))
    _run_jobs_here()
    assert model.Session.query(IdentifierLink).filter_by(resource_id=published["contracts_file"]["id"]).count() == 0


def test_deleting_a_resource_removes_its_identifiers(published, people) -> None:
    call_action("resource_delete", {"user": people["auditor"]["name"]}, id=published["sanctions_file"]["id"])
    assert model.Session.query(IdentifierLink).filter_by(resource_id=published["sanctions_file"]["id"]).count() == 0
    assert _matches(published["contracts"]["id"])["registers"] == []


def test_a_deleted_dataset_contributes_nothing(published, people) -> None:
    call_action("package_delete", {"user": people["auditor"]["name"]}, id=published["sanctions"]["id"])
    assert _matches(published["contracts"]["id"])["registers"] == []


def test_a_private_register_gives_no_visible_match_to_those_who_may_not_see_it(published, people) -> None:
    call_action("package_patch", {"user": people["auditor"]["name"]}, id=published["sanctions"]["id"], private=True)
    assert _matches(published["contracts"]["id"])["registers"] == []
    assert _matches(published["contracts"]["id"], people["outsider"]["name"])["registers"] == []
    # The buyer's editor is not a member of the auditing agency either.
    assert _matches(published["contracts"]["id"], people["buyer"]["name"])["registers"] == []
    assert _matches(user=people["outsider"]["name"])["datasets"] == []
    # The auditing agency's own editor sees the match, and so does a sysadmin.
    assert _matches(published["contracts"]["id"], people["auditor"]["name"])["in_force_count"] == 2
    assert _matches(published["contracts"]["id"], factories.Sysadmin()["name"])["in_force_count"] == 2


def test_a_private_award_dataset_is_not_shown_to_outsiders(published, people) -> None:
    call_action("package_patch", {"user": people["buyer"]["name"]}, id=published["contracts"]["id"], private=True)
    with pytest.raises(tk.NotAuthorized):
        _matches(published["contracts"]["id"], people["outsider"]["name"])
    assert _matches(published["sanctions"]["id"])["awards"] == []
    assert _matches()["datasets"] == []
    assert _matches(published["contracts"]["id"], people["buyer"]["name"])["in_force_count"] == 2


def test_the_portal_wide_list_names_each_flagged_award_dataset(published) -> None:
    [entry] = _matches()["datasets"]
    assert entry["dataset"]["name"] == published["contracts"]["name"]
    assert entry["in_force_count"] == 2


def test_an_identifier_lists_every_visible_dataset_naming_it(published, people) -> None:
    found = call_action("anticorruption_identifier_show", {"user": "", "ignore_auth": False},
                        scheme="MX-RFC", identifier=BARRED)
    assert {d["name"] for d in found["datasets"]} == {published["contracts"]["name"], published["sanctions"]["name"]}
    assert found["sanctioned"] is True
    contracts = next(d for d in found["datasets"] if d["type"] == "contracts_register")
    assert contracts["resources"][0]["rows"] == 2
    call_action("package_patch", {"user": people["auditor"]["name"]}, id=published["sanctions"]["id"], private=True)
    found = call_action("anticorruption_identifier_show", {"user": "", "ignore_auth": False},
                        scheme="MX-RFC", identifier=BARRED)
    assert [d["name"] for d in found["datasets"]] == [published["contracts"]["name"]]
    assert found["sanctioned"] is False


def test_natural_persons_are_never_listed(published) -> None:
    sysadmin = factories.Sysadmin()
    with pytest.raises(tk.ObjectNotFound):
        call_action("anticorruption_identifier_show", {"user": sysadmin["name"], "ignore_auth": False},
                    scheme="MX-RFC", identifier=PERSON)


@pytest.mark.parametrize(("scheme", "identifier", "key"), [
    ("XX-NOPE", BARRED, "scheme"), ("LOCAL", "C-1", "scheme"), ("MX-RFC", "CMO181304KX1", "identifier"),
])
def test_bad_identifier_requests_are_clear_errors(scheme: str, identifier: str, key: str) -> None:
    with pytest.raises(tk.ValidationError) as error:
        call_action("anticorruption_identifier_show", scheme=scheme, identifier=identifier)
    assert key in error.value.error_dict


@pytest.mark.parametrize(("scheme", "identifier"), [("MX-UR", "09-210\x00"), ("ORG-ID", "XX-FOO-a\x00b")])
def test_a_nul_character_in_an_identifier_is_a_clear_error_under_any_scheme(app, scheme: str, identifier: str) -> None:
    # Schemes without a check of their own used to reach the database with it: a server error.
    response = app.post("/api/3/action/anticorruption_identifier_show", json={"scheme": scheme, "identifier": identifier})
    assert response.status_code == 409, response.body
    assert response.json["error"]["identifier"] == [f"This is not a well-formed {scheme} identifier."]


def _links_of(resource_id: str) -> list[IdentifierLink]:
    return model.Session.query(IdentifierLink).filter_by(resource_id=resource_id).all()


def _sysadmin_sees(scheme: str, identifier: str) -> set[str]:
    sysadmin = factories.Sysadmin()
    shown = call_action("anticorruption_identifier_show", {"user": sysadmin["name"], "ignore_auth": False},
                        scheme=scheme, identifier=identifier)
    return {d["name"] for d in shown["datasets"]}


@pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")
def test_a_quarantined_file_names_nobody_even_to_a_sysadmin_until_it_is_released(
        create_with_upload, agencies, people) -> None:
    from tests.identifiers.linkage_fixtures import SANCTIONS, _dataset, _upload

    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    sanctions = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    _upload(create_with_upload, sanctions, people["auditor"], SANCTIONS, "sanciones.csv")
    # A CURP in the contract's title: the file is quarantined until reviewed.
    held = _contracts((BARRED, "2025-03-10")).replace(b",Obra,", b",Obra HEGG560427MVZRRL04,")
    resource = _upload(create_with_upload, contracts, people["buyer"], held, "contratos.csv")
    assert call_action("anticorruption_privacy_show", id=resource["id"])["state"] == "quarantined"

    assert _links_of(resource["id"]) == []
    sysadmin = factories.Sysadmin()["name"]
    assert _matches(contracts["id"], sysadmin)["registers"] == []
    assert _matches(sanctions["id"], sysadmin)["awards"] == []
    assert _matches(contracts["id"], people["buyer"]["name"])["registers"] == []
    assert _sysadmin_sees("MX-RFC", BARRED) == {sanctions["name"]}

    call_action("anticorruption_privacy_review", {"user": people["buyer"]["name"]}, id=resource["id"],
                decision="confirm", justification="El título nombra a una persona física con su consentimiento")

    assert {link.identifier for link in _links_of(resource["id"]) if link.field == "supplier_id"} == {BARRED}
    assert _sysadmin_sees("MX-RFC", BARRED) == {sanctions["name"], contracts["name"]}
    assert [r["dataset"]["name"] for r in _matches(contracts["id"])["registers"]] == [sanctions["name"]]
    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "valid"


def test_a_file_whose_header_does_not_fit_its_type_names_nobody(app, create_with_upload, agencies, people) -> None:
    from tests.identifiers.linkage_fixtures import _dataset, _upload

    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    # One column is called like a field of the type; the file is not a contracts register for all that.
    misaligned = f"supplier_id,correo,monto\n{BARRED},compras@sict.gob.mx,100\n".encode()
    resource = _upload(create_with_upload, contracts, people["buyer"], misaligned, "otra-cosa.csv")

    validation = call_action("anticorruption_validation_show", id=resource["id"])
    assert (validation["state"], validation["problem"]) == ("invalid", "header-mismatch")
    assert _links_of(resource["id"]) == []
    assert _sysadmin_sees("MX-RFC", BARRED) == set()
    page = app.get(f"/en/anticorruption/identifier/MX-RFC/{BARRED}").body
    assert contracts["name"] not in page and "Named in" not in page


def test_a_checked_file_with_some_bad_rows_still_names_its_suppliers(create_with_upload, agencies, people) -> None:
    from tests.identifiers.linkage_fixtures import _dataset, _upload

    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    data = _contracts((BARRED, "2025-03-10"), (CLEAN, "no es fecha"))
    resource = _upload(create_with_upload, contracts, people["buyer"], data, "contratos.csv")

    validation = call_action("anticorruption_validation_show", id=resource["id"])
    assert validation["state"] == "invalid" and validation["problem"] is None
    assert {link.identifier for link in _links_of(resource["id"]) if link.field == "supplier_id"} == {BARRED, CLEAN}


def test_a_superseded_run_writes_nothing(published, people) -> None:
    from ckanext.anticorruption.model import Validation
    from ckanext.anticorruption.uploads import run

    resource_id = published["contracts_file"]["id"]
    old_run = model.Session.get(Validation, resource_id).run_id
    package = call_action("package_show", id=published["contracts"]["id"])
    resource = next(r for r in package["resources"] if r["id"] == resource_id)
    # A newer run of the file starts (queued, not yet run): the old file's identifiers are forgotten.
    newer, _ = run.start(package, resource, user=people["buyer"]["name"], background=True)
    assert newer.run_id != old_run and _links_of(resource_id) == []

    # The old run ends late, with what it found.
    found = {"role": "award", "supplier": "supplier_id", "links": [
        {"field": "supplier_id", "scheme": "MX-RFC", "identifier": BARRED, "rows": 1, "person": False,
         "dates": ["2025-03-10"]}]}
    run.finish(package, resource_id, old_run, {"state": "valid", "rows_checked": 1, "error_count": 0},
               links=found)

    assert _links_of(resource_id) == []
    row = model.Session.get(Validation, resource_id)
    model.Session.refresh(row)
    assert (row.run_id, row.state) == (newer.run_id, "pending")
    assert _sysadmin_sees("MX-RFC", BARRED) == {published["sanctions"]["name"]}


def test_a_file_naming_more_suppliers_than_one_copy_chunk_is_indexed_whole(published) -> None:
    """The links go to PostgreSQL a chunk at a time: the last supplier of the last chunk is flagged too."""
    from ckanext.anticorruption.identifiers import linkage

    resource_id = published["contracts_file"]["id"]
    package_id = published["contracts"]["id"]
    count = 2 * linkage._COPY_CHUNK + 1
    links = [{"field": "supplier_id", "scheme": "MX-RFC", "identifier": f"AAA{number:09d}", "rows": 1,
              "person": False, "dates": ["2025-03-10"]} for number in range(count - 1)]
    links.append({"field": "supplier_id", "scheme": "MX-RFC", "identifier": BARRED, "rows": 3, "person": False,
                  "dates": ["2025-03-10", "2025-04-01"]})
    assert linkage.replace(resource_id, package_id, "contracts_register",
                           {"role": "award", "supplier": "supplier_id", "links": links}) == count

    stored = model.Session.query(IdentifierLink).filter_by(resource_id=resource_id)
    assert stored.count() == count
    last = stored.filter_by(identifier=BARRED).one()
    assert (last.rows, last.role, decode_moments(last.moments)) == (3, "award", ["2025-03-10", "2025-04-01"])
    assert BARRED in _suppliers(_matches(package_id))


def test_a_run_that_ends_while_a_newer_one_starts_leaves_no_links(app, published, people, monkeypatch) -> None:
    """The old run's end and the new run's start race: whichever comes second sees the other's work."""
    import threading

    from ckanext.anticorruption.identifiers import linkage
    from ckanext.anticorruption.model import Validation
    from ckanext.anticorruption.uploads import run

    resource_id = published["contracts_file"]["id"]
    old_run = model.Session.get(Validation, resource_id).run_id
    package = call_action("package_show", id=published["contracts"]["id"])
    resource = next(r for r in package["resources"] if r["id"] == resource_id)
    found = {"role": "award", "supplier": "supplier_id", "links": [
        {"field": "supplier_id", "scheme": "MX-RFC", "identifier": BARRED, "rows": 1, "person": False,
         "dates": ["2025-03-10"]}]}
    # The old run has stored its outcome and is about to write its links when the new run starts.
    writing, go_on = threading.Event(), threading.Event()
    real_replace = linkage.replace

    def slow_replace(*args, **kwargs):
        writing.set()
        go_on.wait()
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(linkage, "replace", slow_replace)
    failures: list[BaseException] = []

    def in_thread(work):
        def target():
            try:
                with app.flask_app.test_request_context():
                    work()
            except BaseException as e:  # reported by the test, not lost in the thread
                failures.append(e)
            finally:
                model.Session.remove()
        return threading.Thread(target=target)

    old = in_thread(lambda: run.finish(package, resource_id, old_run, {"state": "valid", "rows_checked": 1,
                                                                      "error_count": 0}, links=found))
    newer = in_thread(lambda: run.start_run(package, resource, run.plan_run(package, resource, background=True)))
    old.start()
    writing.wait()
    newer.start()
    # Without a shared transaction the new run is done by now; with one it waits for the old run's end.
    newer.join(timeout=5)
    go_on.set()
    old.join()
    newer.join()
    assert failures == []

    model.Session.expire_all()
    assert model.Session.get(Validation, resource_id).run_id != old_run
    assert _links_of(resource_id) == []

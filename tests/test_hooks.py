"""Every way a file appears, changes or disappears takes the same path.

Harvesters, ``ckanapi load`` and API clients add and replace files through
``package_create``, ``package_update`` and ``package_patch``, not through the
resource actions; purges remove datasets and organizations wholesale.
"""
from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption import model as own

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

VALID = (HEADER + "\n" + ROW + "\n").encode()
INVALID = (HEADER + "\n" + ROW + "\n" + ROW.replace("C-1", "C-2").replace("100.50", "cien") + "\n").encode()
CURP = "HEGG560427MVZRRL04"
PERSONAL = (HEADER + "\n" + ROW.rstrip(",") + "," + CURP + "\n").encode()
QUARANTINE = pytest.mark.ckan_config("ckanext.anticorruption.privacy.on_finding", "quarantine")


@pytest.fixture
def agency():
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    return editor, org


def _file(data: bytes, name: str = "contratos.csv") -> dict:
    return {"upload": FileStorage(io.BytesIO(data), filename=name), "url": name, "format": "CSV", "name": name}


def _create(agency, *resources: dict, **extra) -> dict:
    """A dataset with files, as an API client or a harvester sends it: the files go with package_update
    (CKAN's package_create takes links only)."""
    editor, org = agency
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]), **extra)
    if not resources:
        return dataset
    return call_action("package_update", {"user": editor["name"]}, **{**dataset, "resources": list(resources)})


def _state(resource_id: str) -> str:
    return call_action("anticorruption_validation_show", id=resource_id)["state"]


def _rows_about(package_id: str) -> dict[str, int]:
    tables = (own.Validation, own.PrivacyState, own.PrivacyReview, own.IdentifierLink, own.PublicationHold)
    return {t.__tablename__: model.Session.query(t).filter(t.package_id == package_id).count() for t in tables}


def test_a_file_sent_with_package_update_is_checked_at_once(agency) -> None:
    dataset = _create(agency, _file(INVALID))

    validation = call_action("anticorruption_validation_show", id=dataset["resources"][0]["id"])

    assert validation["state"] == "invalid" and validation["error_count"] == 1


def test_a_link_sent_with_package_create_is_queued_for_the_worker(agency) -> None:
    from ckan.lib.jobs import get_queue

    dataset = _create(agency, resources=[{"url": "https://datos.example.org/contratos.csv", "format": "CSV"}])
    link = dataset["resources"][0]

    assert _state(link["id"]) == "pending"
    assert [job.args[0] for job in get_queue().jobs] == [link["id"]]


def test_a_file_replaced_with_package_update_is_checked_again(agency) -> None:
    editor, _ = agency
    dataset = _create(agency, _file(INVALID))
    resource = dataset["resources"][0]

    call_action("package_update", {"user": editor["name"]}, **{
        **dataset, "resources": [{**resource, **_file(VALID)}]})

    assert _state(resource["id"]) == "valid"


def test_a_link_added_with_package_patch_is_queued_for_the_worker(agency) -> None:
    editor, _ = agency
    dataset = _create(agency, _file(VALID))

    patched = call_action("package_patch", {"user": editor["name"]}, id=dataset["id"], resources=[
        *dataset["resources"], {"url": "https://datos.example.org/contratos.csv", "format": "CSV", "name": "enlace"}])

    link = next(r for r in patched["resources"] if r["name"] == "enlace")
    from ckan.lib.jobs import get_queue

    assert _state(link["id"]) == "pending"
    assert any(job.args[0] == link["id"] for job in get_queue().jobs)


def test_an_unchanged_save_does_not_check_the_file_again(agency) -> None:
    editor, _ = agency
    dataset = _create(agency, _file(VALID))
    first = call_action("anticorruption_validation_show", id=dataset["resources"][0]["id"])

    call_action("package_patch", {"user": editor["name"]}, id=dataset["id"], notes="Otra descripción")

    assert call_action("anticorruption_validation_show", id=dataset["resources"][0]["id"])["run_id"] == first["run_id"]


@pytest.mark.parametrize("how", ["package_update", "resource_delete"])
def test_a_removed_file_leaves_no_report_behind(app, agency, how) -> None:
    editor, _ = agency
    dataset = _create(agency, _file(INVALID), _file(VALID, "otro.csv"))
    gone, kept = dataset["resources"]
    if how == "package_update":
        call_action("package_update", {"user": editor["name"]}, **{**dataset, "resources": [kept]})
    else:
        call_action("resource_delete", {"user": editor["name"]}, id=gone["id"])

    with pytest.raises(tk.ObjectNotFound):
        call_action("anticorruption_validation_show", id=gone["id"])
    for page in ("", "/report.json", "/errors.csv", "/status.json"):
        assert app.get(f"/anticorruption/validation/{gone['id']}{page}").status_code == 404, page
    assert model.Session.query(own.ErrorLog).filter_by(resource_id=gone["id"]).count() == 0
    assert _state(kept["id"]) == "valid"


@QUARANTINE
def test_a_file_sent_with_package_update_cannot_bypass_the_quarantine(agency) -> None:
    dataset = _create(agency, _file(PERSONAL))
    resource = dataset["resources"][0]

    public = call_action("package_show", {"user": "", "ignore_auth": False}, id=dataset["id"])

    assert call_action("anticorruption_privacy_show", id=resource["id"])["state"] == "quarantined"
    assert public["resources"] == []


def test_purging_a_dataset_leaves_nothing_of_it(agency) -> None:
    dataset = _create(agency, _file(PERSONAL), _file(INVALID, "malo.csv"))
    resource_ids = [r["id"] for r in dataset["resources"]]
    assert _rows_about(dataset["id"])["anticorruption_validation"] == 2

    call_action("dataset_purge", id=dataset["id"])

    assert set(_rows_about(dataset["id"]).values()) == {0}
    assert model.Session.query(own.ErrorLog).filter(own.ErrorLog.resource_id.in_(resource_ids)).count() == 0


def test_purging_an_organization_leaves_no_declaration_or_request(agency) -> None:
    editor, org = agency
    citizen = factories.User()
    call_action("anticorruption_coverage_declare", {"user": editor["name"]}, organization=org["id"],
                type="tax_records", status="not_applicable", reason="No recauda impuestos.")
    call_action("anticorruption_coverage_request_create", {"user": citizen["name"]},
                organization=org["id"], type="budgets")

    call_action("organization_purge", id=org["id"])

    for table in (own.CoverageDeclaration, own.CoverageRequest, own.CoverageSnapshot):
        assert model.Session.query(table).filter_by(organization_id=org["id"]).count() == 0, table


def test_a_save_committed_later_by_its_caller_is_reconciled_after_the_commit(agency) -> None:
    from ckan.lib.jobs import get_queue

    from ckanext.anticorruption import hooks

    editor, org = agency
    dataset = call_action("package_create", {"user": editor["name"], "defer_commit": True},
                          **minimal_dataset("contracts_register", org["id"]),
                          resources=[{"url": "https://datos.example.org/contratos.csv", "format": "CSV"}])
    link = dataset["resources"][0]
    queued_before_commit = [job.func_name for job in get_queue().jobs]
    model.repo.commit()
    queued = [job for job in get_queue().jobs if job.func_name == "ckanext.anticorruption.hooks.reconcile_later"]

    assert "ckanext.anticorruption.hooks.reconcile_later" not in queued_before_commit
    assert [job.args[0] for job in queued] == [dataset["id"]]
    hooks.reconcile_later(*queued[0].args)  # what the worker runs
    assert _state(link["id"]) == "pending"

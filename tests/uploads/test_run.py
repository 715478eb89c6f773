"""Our run of one file (uploads/run.py): start, the job, finish.

These tests drive the run against the real PostgreSQL, Solr and Redis; the
queued job is run in this process (with CKAN's worker class) so that each
test's configuration applies. The sweep is in test_sweep.py; killing real
worker processes, and stopping Redis, Solr and PostgreSQL, in tests/faults/.
"""
from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

import ckan.model as model
from ckan.lib.jobs import Worker
from ckan.tests.helpers import call_action

from ckanext.anticorruption.model import Validation

from tests.hostile import HEADER, ROW
# The same publisher and contracts dataset as the validation tests.
from tests.logic.action.test_validation import dataset, editor  # noqa: F401

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

VALID = (HEADER + "\n" + ROW + "\n" + ROW.replace("C-1", "C-2") + "\n").encode()
IN_BACKGROUND = pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", 10)


def _upload(create_with_upload, dataset, editor, data: bytes, name: str = "contratos.csv", fmt: str = "CSV"):
    return create_with_upload(data, name, package_id=dataset["id"], format=fmt, context={"user": editor["name"]})


def _show(resource_id: str) -> dict:
    return call_action("anticorruption_validation_show", id=resource_id, include_report=True)


def _run_jobs_here() -> None:
    Worker(["default"]).work(burst=True)


def _silent_for(resource_id: str, seconds: int, **values) -> None:
    """What a worker killed mid-run leaves behind: a running run whose heartbeat stopped."""
    row = model.Session.get(Validation, resource_id)
    row.state, row.updated = "running", datetime.datetime.utcnow() - datetime.timedelta(seconds=seconds)
    for key, value in values.items():
        setattr(row, key, value)
    model.Session.commit()


def _workbook_with_an_excel_date_as_a_repeated_key() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    signed = datetime.datetime(2024, 3, 1)  # typed as a date by Excel, in the text column contract_id
    for _ in range(2):
        sheet.append([signed, "ocds-abc123-1", "09-210", "CMO180304KX1", "Constructora", "Obra", 100.5, "MXN",
                      datetime.date(2025, 3, 10), datetime.date(2025, 4, 1), datetime.date(2025, 12, 15),
                      "licitación pública", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_date_in_a_repeated_text_key_is_reported_and_checked_again(
        app, create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, _workbook_with_an_excel_date_as_a_repeated_key(),
                       "contratos.xlsx", "XLSX")

    validation = _show(resource["id"])
    again = call_action("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"])

    assert validation["state"] == "invalid" and validation["error_counts"]["primary-key"] >= 1
    key_error = next(e for e in validation["report"]["tasks"][0]["errors"] if e["type"] == "primary-key")
    assert key_error["cells"][0].startswith("2024-03-01")
    assert again["state"] == "invalid"
    assert app.get(f"/anticorruption/validation/{resource['id']}").status_code == 200


def test_a_result_that_cannot_be_stored_ends_the_run_with_the_reason(
        create_with_upload, dataset, editor, monkeypatch) -> None:
    from ckanext.anticorruption.identifiers import linkage

    def refuse(*args, **kwargs):
        raise ValueError("the index refused a value")

    monkeypatch.setattr(linkage, "replace", refuse)
    resource = _upload(create_with_upload, dataset, editor, VALID)
    monkeypatch.undo()

    validation = _show(resource["id"])
    assert (validation["state"], validation["problem"]) == ("error", "unstorable")
    assert "the index refused a value" in validation["problem_params"]["detail"]


def test_a_new_column_mapping_checks_the_file_again_and_an_unchanged_save_does_not(
        create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    first = _show(resource["id"])["run_id"]

    call_action("resource_patch", {"user": editor["name"]}, id=resource["id"], description="Contratos 2025")
    unchanged = _show(resource["id"])["run_id"]
    call_action("resource_patch", {"user": editor["name"]}, id=resource["id"],
                column_mapping={"contract_id": "contract_id"})
    remapped = _show(resource["id"])

    assert unchanged == first
    assert remapped["run_id"] != first and remapped["state"] == "valid"

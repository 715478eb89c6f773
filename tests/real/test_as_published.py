"""Every real CSV, XLS and XLSX, uploaded through the API as its publisher has it.

No column mapping from anyone, no edited file: the portal reads the file, matches
its columns by name, and ends in a final state with a report that opens with the
root cause. Nothing answers 500 on the way: the upload, the report page in both
languages, its JSON and the errors download, the dataset page.
"""
from __future__ import annotations

import gc
import io

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA, real_files

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues"),
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA})"),
]

FINAL = ("valid", "invalid")


def _run_jobs() -> None:
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


# CKAN leaves the multipart upload's temporary file to the garbage collector.
@pytest.mark.filterwarnings("ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("real", real_files(), ids=lambda real: real.id)
def test_a_real_file_as_published_ends_with_its_root_cause_first(app, real) -> None:
    path = REAL_DATA / real.path
    publisher = factories.UserWithToken()
    org = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": publisher["name"]}, **minimal_dataset(real.type, org["id"]))

    answer = app.post("/api/3/action/resource_create", headers={"Authorization": publisher["token"]},
                      data={"package_id": dataset["id"], "name": path.name, "format": path.suffix.lstrip(".").upper(),
                            "upload": (io.BytesIO(path.read_bytes()), path.name)},
                      content_type="multipart/form-data")
    assert answer.status_code == 200, answer.body[:500]
    resource_id = answer.json["result"]["id"]
    _run_jobs()
    validation = call_action("anticorruption_validation_show", id=resource_id, include_report=True)

    # Read, matched and checked: never "could not be checked", never a crash.
    assert validation["state"] in FINAL, (validation["state"], validation["problem"], validation["problem_params"])
    assert validation["rows_checked"] > 0
    errors = validation["report"]["tasks"][0]["errors"]
    header_errors = [error for error in errors if error.get("rowNumber") is None]
    columns = validation["detected"].get("columns")
    if any(error["type"] in ("missing-label", "blank-label", "duplicate-label") for error in header_errors):
        # The header is the root cause: it comes before any row's error.
        assert errors[0].get("rowNumber") is None, errors[0]
    if validation["problem"] == "header-mismatch":
        # No cell was held to a column the file does not have.
        assert not {"type-error", "constraint-error", "unique-error", "primary-key"} & set(validation["error_counts"])

    for lang in ("es", "en"):
        page = app.get(f"/{lang}/anticorruption/validation/{resource_id}")
        assert page.status_code == 200
        body = page.body
        if columns:
            # The report opens with how the header was read, before what to fix.
            lead = {"es": "El encabezado de su archivo coincide con", "en": "header matches"}[lang]
            fix = {"es": "Qué corregir", "en": "What to fix"}[lang]
            assert lead in body
            if fix in body:
                assert body.index(lead) < body.index(fix)
    for page in (f"/anticorruption/validation/{resource_id}/report.json",
                 f"/anticorruption/validation/{resource_id}/errors.csv",
                 f"/dataset/{dataset['name']}"):
        response = app.get(page, headers={"Authorization": publisher["token"]})
        response.close()  # downloads are streamed
        assert response.status_code == 200, page
    del answer
    gc.collect()  # here, where the warning above is expected, not at the end of the run


def test_every_real_table_is_tried() -> None:
    """A real file added to the folder is tried too (the standards' codelists are not publications)."""
    found = {str(path.relative_to(REAL_DATA)) for suffix in ("csv", "xls", "xlsx")
             for path in REAL_DATA.rglob(f"*.{suffix}") if not path.is_relative_to(REAL_DATA / "open-contracting__standard")}

    assert found == {real.path for real in real_files()}

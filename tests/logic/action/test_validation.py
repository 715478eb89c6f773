"""Validation of uploads through CKAN: states, reports, background jobs, permissions, policy."""
from __future__ import annotations

import datetime
import http.server
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

from ckanext.anticorruption.model import Validation

from tests.conftest import http_server
from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW, cases

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

VALID = (HEADER + "\n" + ROW + "\n" + ROW.replace("C-1", "C-2") + "\n").encode()
INVALID = (HEADER + "\n" + ROW + "\n" + ROW.replace("C-1", "C-2").replace("100.50", "cien") + "\n"
           + ROW.replace("C-1", "C-3").replace("100.50", "mucho") + "\n").encode()


@pytest.fixture
def editor():
    return factories.User()


@pytest.fixture
def dataset(editor):
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    return call_action("package_create", {"user": editor["name"]},
                       **minimal_dataset("contracts_register", org["id"]))


def _upload(create_with_upload, dataset, editor, data: bytes, name: str = "contratos.csv",
            fmt: str = "CSV", **extra):
    return create_with_upload(data, name, package_id=dataset["id"], format=fmt,
                              context={"user": editor["name"]}, **extra)


def _show(resource_id: str, **extra) -> dict:
    return call_action("anticorruption_validation_show", id=resource_id, **extra)


def _run_worker(request) -> None:
    worker = subprocess.run(
        [Path(sys.executable).with_name("ckan"), "-c", request.config.getoption("ckan_ini"),
         "jobs", "worker", "--burst"],
        capture_output=True, text=True, timeout=300,
    )
    assert worker.returncode == 0, worker.stderr


def _run_jobs_here() -> None:
    """Run the queued jobs in this process, so that per-test config applies to them."""
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


def test_a_valid_small_upload_is_reported_valid_at_once(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)

    validation = _show(resource["id"])
    assert validation["state"] == "valid"
    assert validation["rows_checked"] == 2
    assert validation["detected"]["encoding"].startswith("utf-8")
    assert call_action("package_show", id=dataset["id"])["resources"][0]["validation_state"] == "valid"


def test_an_invalid_upload_is_kept_and_its_errors_are_reported(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, INVALID)

    validation = _show(resource["id"], include_report=True)
    assert validation["state"] == "invalid"
    assert validation["error_counts"] == {"type-error": 2}
    errors = validation["report"]["tasks"][0]["errors"]
    assert [(e["rowNumber"], e["fieldName"], e["cell"]) for e in errors] == [
        (3, "contract_value", "cien"), (4, "contract_value", "mucho")]
    assert call_action("resource_show", id=resource["id"])["url_type"] == "upload"


def test_the_publisher_chooses_the_excel_sheet(create_with_upload, dataset, editor) -> None:
    from tests.hostile import _xlsx

    rows = [HEADER.split(","), ROW.split(",")]
    workbook = _xlsx({"notas": [["Léame: los datos están en la hoja datos"]], "datos": rows})

    first = _upload(create_with_upload, dataset, editor, workbook, name="c.xlsx", fmt="XLSX")
    by_name = _upload(create_with_upload, dataset, editor, workbook, name="c.xlsx", fmt="XLSX", sheet="datos")
    by_number = _upload(create_with_upload, dataset, editor, workbook, name="c.xlsx", fmt="XLSX", sheet="2")
    missing = _upload(create_with_upload, dataset, editor, workbook, name="c.xlsx", fmt="XLSX", sheet="hoja9")

    assert _show(first["id"])["state"] == "invalid"
    assert _show(by_name["id"])["state"] == _show(by_number["id"])["state"] == "valid"
    assert _show(by_name["id"])["detected"]["sheet"] == "datos"
    assert (_show(missing["id"])["state"], _show(missing["id"])["problem"]) == ("error", "sheet-not-found")
    assert _show(missing["id"])["problem_params"]["sheets"] == ["notas", "datos"]


def test_other_formats_are_not_validated_never_valid(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, b"%PDF-1.4\n", name="informe.pdf", fmt="PDF")

    validation = _show(resource["id"])
    assert validation["state"] == "not_validated"
    assert validation["problem"] == "format-not-supported"


def test_a_file_without_schema_is_not_validated(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID, schema_mode="none",
                       schema_reason="Solo un ejemplo")

    assert _show(resource["id"])["problem"] == "no-schema"


@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", 10)
def test_big_files_are_validated_by_the_worker(create_with_upload, dataset, editor, request) -> None:
    resource = _upload(create_with_upload, dataset, editor, INVALID)
    assert _show(resource["id"])["state"] == "pending"

    _run_worker(request)

    validation = _show(resource["id"])
    assert validation["state"] == "invalid"
    assert validation["rows_checked"] == 3
    found = call_action("package_search", fq="vocab_validation_state:invalid")
    assert [d["id"] for d in found["results"]] == [dataset["id"]]


@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", 10)
def test_a_newer_upload_supersedes_a_queued_validation(create_with_upload, dataset, editor, request) -> None:
    resource = _upload(create_with_upload, dataset, editor, INVALID)
    first_run = _show(resource["id"])["run_id"]

    call_action("resource_patch", {"user": editor["name"]}, id=resource["id"],
                upload=_file(VALID, "contratos.csv"))
    second = _show(resource["id"])
    assert second["run_id"] != first_run and second["state"] == "pending"

    _run_worker(request)

    validation = _show(resource["id"])
    assert validation["run_id"] == second["run_id"]
    assert validation["state"] == "valid"


def _file(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name)


def test_a_validation_whose_worker_died_is_shown_as_stopped(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    row = model.Session.get(Validation, resource["id"])
    row.state, row.updated = "running", datetime.datetime.utcnow() - datetime.timedelta(hours=2)
    model.Session.commit()

    validation = _show(resource["id"])
    assert validation["state"] == "error" and validation["problem"] == "stopped"

    again = call_action("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"])
    assert again["state"] == "valid"


def test_a_crash_inside_the_check_ends_in_error_with_its_reason(create_with_upload, dataset, editor,
                                                                 monkeypatch) -> None:
    import ckanext.anticorruption.validation as validation

    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(validation, "validate_file", crash)
    resource = _upload(create_with_upload, dataset, editor, VALID)

    shown = _show(resource["id"])
    assert (shown["state"], shown["problem"]) == ("error", "unreadable")
    assert "disk on fire" in shown["problem_params"]["detail"]


def test_a_run_superseded_mid_way_leaves_the_newer_run_alone(create_with_upload, dataset, editor,
                                                             monkeypatch) -> None:
    import ckanext.anticorruption.validation as validation

    def superseded(*args, **kwargs):
        raise validation.ValidationCancelled()

    monkeypatch.setattr(validation, "validate_file", superseded)
    resource = _upload(create_with_upload, dataset, editor, VALID)

    # The cancelled run wrote nothing: its row still says it is running.
    assert _show(resource["id"])["state"] == "running"
    monkeypatch.undo()
    assert call_action("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"])["state"] == "valid"


def test_only_editors_may_run_and_only_viewers_may_see(create_with_upload, editor) -> None:
    member, outsider = factories.User(), factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"},
                                        {"name": member["name"], "capacity": "member"}])
    private = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]), private=True)
    resource = create_with_upload(VALID, "c.csv", package_id=private["id"], format="CSV",
                                  context={"user": editor["name"]})

    for user in (editor, member):
        assert call_auth("anticorruption_validation_show", {"user": user["name"]}, id=resource["id"])
    for context in ({"user": outsider["name"]}, {"user": ""}):
        with pytest.raises(tk.NotAuthorized):
            call_auth("anticorruption_validation_show", context, id=resource["id"])
    assert call_auth("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"])
    for user in (member, outsider):
        with pytest.raises(tk.NotAuthorized):
            call_auth("anticorruption_validation_run", {"user": user["name"]}, id=resource["id"])


@pytest.mark.ckan_config("ckanext.anticorruption.validation.invalid_policy", "private")
def test_private_policy_holds_a_dataset_until_its_files_are_valid(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, INVALID)
    assert call_action("package_show", id=dataset["id"])["private"] is True

    call_action("resource_patch", {"user": editor["name"]}, id=resource["id"],
                upload=_file(VALID, "contratos.csv"))

    assert _show(resource["id"])["state"] == "valid"
    assert call_action("package_show", id=dataset["id"])["private"] is False


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        FETCHED.append(self.path)
        if self.path == "/missing.csv":
            self.send_error(404)
        elif self.path == "/slow.csv":
            self.send_response(200)
            self.end_headers()
            time.sleep(4)
        elif self.path == "/endless.csv":
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"a,b,c\n" * 10000)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.end_headers()
        elif self.path in SCHEMAS:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(SCHEMAS[self.path])
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(VALID)


# Every path the link server was asked for.
FETCHED: list[str] = []
REDIRECTS = {"/to-internal.csv": "http://10.255.255.1/x.csv", "/to-good.csv": "/good.csv"}
# Another documented schema: contract_value must be a whole number, so 100.50 fails.
SCHEMAS = {
    "/integer-amounts.json": json.dumps({"fields": [
        {"name": name, "type": "integer" if name == "contract_value" else "string"} for name in HEADER.split(",")
    ]}).encode(),
    "/ocds.json": json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}).encode(),
}


@pytest.fixture
def link_server():
    with http_server(_Handler) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.ckan_config("ckanext.anticorruption.validation.link_timeout", 2)
@pytest.mark.ckan_config("ckanext.anticorruption.validation.link_max_bytes", 2_000_000)
# The test server runs on this machine: allow it on purpose, as an operator would an intranet.
@pytest.mark.ckan_config("ckanext.anticorruption.validation.link_allowed_networks", "127.0.0.0/8")
@pytest.mark.parametrize(("path", "state", "problem"), [
    ("/good.csv", "valid", None),
    ("/missing.csv", "error", "link-status"),
    ("/slow.csv", "error", "link-too-slow"),
    ("/endless.csv", "error", "link-too-large"),
    ("/to-good.csv", "valid", None),
    ("/to-internal.csv", "error", "link-forbidden"),
])
@pytest.mark.usefixtures("with_test_worker")
def test_links_are_fetched_with_limits_by_the_worker(dataset, editor, link_server,
                                                     path, state, problem) -> None:
    resource = call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                           url=link_server + path, format="CSV")
    assert _show(resource["id"])["state"] == "pending"

    _run_jobs_here()

    validation = _show(resource["id"])
    assert (validation["state"], validation["problem"]) == (state, problem)
    assert call_action("resource_show", id=resource["id"])["url"].endswith(path)


@pytest.mark.ckan_config("ckanext.anticorruption.validation.link_allowed_networks", "127.0.0.0/8")
@pytest.mark.usefixtures("with_test_worker")
def test_a_link_is_never_downloaded_by_the_web_process(dataset, editor, link_server) -> None:
    resource = call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                           url=link_server + "/good.csv", format="CSV")
    FETCHED.clear()

    run = call_action("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"],
                      background=False)

    assert (run["state"], run["background"], run["background_reason"]) == ("pending", True, "link")
    assert FETCHED == []
    _run_jobs_here()
    assert FETCHED == ["/good.csv"]
    assert _show(resource["id"])["state"] == "valid"


@pytest.mark.usefixtures("with_test_worker")
def test_links_to_internal_addresses_are_not_fetched(dataset, editor, link_server) -> None:
    resource = call_action("resource_create", {"user": editor["name"]}, package_id=dataset["id"],
                           url=link_server + "/good.csv", format="CSV")

    _run_jobs_here()

    validation = _show(resource["id"])
    assert (validation["state"], validation["problem"]) == ("error", "link-forbidden")
    assert validation["problem_params"] == {"host": "127.0.0.1"}
    assert call_action("resource_show", id=resource["id"])["url"] == link_server + "/good.csv"


class _InternalService(http.server.BaseHTTPRequestHandler):
    """An internal service (think Solr's CSV export) holding rows nobody outside may read."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write((HEADER + "\n" + ROW.replace("100.50", "FILA-PRIVADA-7f3a") + "\n").encode())


@pytest.fixture
def internal_service():
    with http_server(_InternalService) as server:
        yield server


@pytest.mark.usefixtures("with_test_worker")
def test_a_link_hiding_an_internal_host_behind_a_backslash_is_refused(app, internal_service,
                                                                      no_outside_network) -> None:
    """The attack found on the demo portal: checked as the public address after
    the backslash, fetched from the local service before it."""
    publisher = factories.UserWithToken()
    org = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": publisher["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    port = internal_service.server_address[1]
    url = f"http://127.0.0.1:{port}\\@8.8.8.8/solr/ckan/select?q=*:*&wt=csv"

    response = app.post("/api/3/action/resource_create", headers={"Authorization": publisher["token"]},
                        json={"package_id": dataset["id"], "url": url, "format": "CSV"})
    assert response.status_code == 200, response.body
    resource_id = response.json["result"]["id"]
    _run_jobs_here()

    validation = _show(resource_id)
    assert (validation["state"], validation["problem"]) == ("error", "link-malformed")
    assert internal_service.seen == []
    for page in ("", "/report.json", "/errors.csv"):
        body = app.get(f"/anticorruption/validation/{resource_id}{page}").body
        assert "FILA-PRIVADA" not in body


@pytest.mark.ckan_config("ckanext.anticorruption.validation.link_allowed_networks", "127.0.0.1/32")
@pytest.mark.parametrize(("schema_path", "state", "problem"), [
    ("/integer-amounts.json", "invalid", None),
    ("/ocds.json", "error", "schema-invalid"),
    ("/missing.csv", "error", "schema-unreachable"),  # answers 404
])
def test_a_file_is_checked_against_another_documented_schema(create_with_upload, dataset, editor, link_server,
                                                             schema_path, state, problem) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID, schema_mode="other",
                       schema_url=link_server + schema_path, schema_reason="Formato de la Secretaría")

    validation = _show(resource["id"], include_report=True)

    assert (validation["state"], validation["problem"]) == (state, problem)
    if state == "invalid":
        errors = validation["report"]["tasks"][0]["errors"]
        assert {(e["type"], e["fieldName"], e["cell"]) for e in errors} == {("type-error", "contract_value", "100.50")}


def test_another_schema_at_an_internal_address_is_not_fetched(create_with_upload, dataset, editor, link_server) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID, schema_mode="other",
                       schema_url=link_server + "/integer-amounts.json", schema_reason="Formato propio")

    validation = _show(resource["id"])

    assert (validation["state"], validation["problem"]) == ("error", "schema-unreachable")
    assert validation["problem_params"]["reason"] == "link-forbidden"


@pytest.mark.ckan_config("ckan.max_resource_size", 50)
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", 100_000_000)
# Werkzeug spools big multipart uploads to a temporary file that CKAN never closes.
@pytest.mark.filterwarnings("ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("label", "filename", "data", "fmt"), cases(), ids=[c[0] for c in cases()])
def test_hostile_files_end_in_a_clear_state_and_are_kept(app, label, filename, data, fmt) -> None:
    publisher = factories.UserWithToken()
    org = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": publisher["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    auth = {"Authorization": publisher["token"]}

    response = app.post("/api/3/action/resource_create", headers=auth,
                        data={"package_id": dataset["id"], "format": fmt, "name": label,
                              "upload": (io.BytesIO(data), filename)},
                        content_type="multipart/form-data")

    assert response.status_code == 200, response.body
    resource = response.json["result"]
    validation = _show(resource["id"])
    assert validation["state"] in ("valid", "invalid", "error", "not_validated")
    if validation["state"] in ("error", "not_validated"):
        assert validation["problem"]
    assert call_action("resource_show", id=resource["id"])["url_type"] == "upload"
    page = app.get(f"/anticorruption/validation/{resource['id']}", headers=auth)
    assert page.status_code == 200
    assert "Traceback" not in page.body


@pytest.mark.ckan_config("ckan.max_resource_size", 50)
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_bytes", 0)
def test_the_worker_survives_hostile_files(create_with_upload, dataset, editor, request) -> None:
    resources = [_upload(create_with_upload, dataset, editor, data, name=filename, fmt=fmt)
                 for _, filename, data, fmt in cases()]
    queued = [r for r in resources if _show(r["id"])["state"] == "pending"]
    # Only the empty file (nothing to queue) is judged at once.
    assert len(queued) >= len(resources) - 3

    _run_worker(request)

    states = {_show(r["id"])["state"] for r in resources}
    assert states <= {"valid", "invalid", "error", "not_validated"}
    assert "invalid" in states and "error" in states


def test_datasets_of_other_types_are_left_alone(create_with_upload, editor) -> None:
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    plain = call_action("package_create", {"user": editor["name"]}, name="plain", owner_org=org["id"])

    resource = create_with_upload(VALID, "c.csv", package_id=plain["id"], format="CSV",
                                  context={"user": editor["name"]})

    with pytest.raises(tk.ObjectNotFound):
        _show(resource["id"])
    assert call_action("package_show", id=plain["id"])["resources"][0]["validation_state"] is None


WIDE = (",".join(f"columna_{i}" for i in range(30)) + "\n" + ",".join(["1"] * 30) + "\n").encode()


@pytest.mark.ckan_config("ckanext.anticorruption.validation.max_columns", 20)
def test_a_file_wider_than_the_column_limit_says_so(app, create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, WIDE)

    validation = _show(resource["id"])
    assert (validation["state"], validation["problem"]) == ("error", "too-many-columns")
    assert validation["problem_params"] == {"columns": 30, "max_columns": 20}
    english = app.get(f"/en/anticorruption/validation/{resource['id']}").body
    spanish = app.get(f"/es/anticorruption/validation/{resource['id']}").body
    assert "This file has 30 columns; this portal checks files of up to 20 columns." in english
    assert "Este archivo tiene 30 columnas; este portal revisa archivos de hasta 20 columnas." in spanish


# No time at all for checks in the request: every upload passes the budget.
@pytest.mark.ckan_config("ckanext.anticorruption.validation.sync_max_seconds", 0)
@pytest.mark.usefixtures("with_test_worker")
def test_a_check_past_the_request_budget_goes_on_in_the_background(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, INVALID)
    assert _show(resource["id"])["state"] == "pending"

    run = call_action("anticorruption_validation_run", {"user": editor["name"]}, id=resource["id"],
                      background=False)

    assert (run["state"], run["background"], run["background_reason"]) == ("pending", True, "budget")
    assert run["rows_checked"] == 0
    _run_jobs_here()
    validation = _show(resource["id"])
    assert (validation["state"], validation["run_id"]) == ("invalid", run["run_id"])
    assert validation["error_counts"] == {"type-error": 2}

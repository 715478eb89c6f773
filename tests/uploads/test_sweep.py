"""The sweep (uploads/sweep.py): every unfinished run reaches a final state by itself."""
from __future__ import annotations

import pytest

from ckan.lib.jobs import get_queue

from ckanext.anticorruption.uploads import run, sweep

# The same publisher and contracts dataset as the validation tests.
from tests.logic.action.test_validation import dataset, editor  # noqa: F401
from tests.uploads.test_run import IN_BACKGROUND, VALID, _run_jobs_here, _show, _silent_for, _upload

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")


@IN_BACKGROUND
def test_a_run_whose_job_was_lost_is_queued_again_by_the_sweep(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    get_queue().empty()  # as after Redis lost its data, or the run could not be queued at all
    _silent_for(resource["id"], 60, state="pending")

    swept = sweep.sweep()
    _run_jobs_here()

    assert swept["queued"] == 1
    assert _show(resource["id"])["state"] == "valid"


@IN_BACKGROUND
def test_a_run_whose_worker_died_is_started_again_by_the_sweep(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    get_queue().empty()
    _silent_for(resource["id"], run.HEARTBEAT_TIMEOUT + 5)
    lost_run = _show(resource["id"])["run_id"]

    swept = sweep.sweep()
    _run_jobs_here()

    validation = _show(resource["id"])
    assert swept["restarted"] == 1
    assert validation["state"] == "valid" and validation["run_id"] != lost_run and validation["attempts"] == 1


@IN_BACKGROUND
def test_a_running_run_with_a_live_heartbeat_is_left_alone(create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    _silent_for(resource["id"], 1)
    run = _show(resource["id"])["run_id"]

    assert sweep.sweep() == {"queued": 0, "restarted": 0, "given_up": 0, "loads_ended": 0, "indexed": 0}
    assert _show(resource["id"])["run_id"] == run


@IN_BACKGROUND
def test_a_file_that_kills_every_worker_is_given_up_with_a_clear_message(
        app, create_with_upload, dataset, editor) -> None:
    resource = _upload(create_with_upload, dataset, editor, VALID)
    _silent_for(resource["id"], run.HEARTBEAT_TIMEOUT + 5, attempts=sweep.MAX_ATTEMPTS - 1)

    swept = sweep.sweep()

    validation = _show(resource["id"])
    page = app.get(f"/en/anticorruption/validation/{resource['id']}").body
    assert swept["given_up"] == 1
    assert (validation["state"], validation["problem"]) == ("error", "worker-died")
    assert f"The check stopped {sweep.MAX_ATTEMPTS} times before it could finish" in page

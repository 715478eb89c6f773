"""Background jobs reach Redis and are run by a real `ckan jobs worker` process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ckan.plugins.toolkit as tk

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_queues")


def test_an_enqueued_job_is_run_by_the_worker(request: pytest.FixtureRequest) -> None:
    # os.getpid is importable by any worker and tells which process ran it.
    job = tk.enqueue_job(os.getpid, title="which process runs jobs")
    assert job.get_status() == "queued"

    worker = subprocess.run(
        [Path(sys.executable).with_name("ckan"), "-c", request.config.getoption("ckan_ini"),
         "jobs", "worker", "--burst"],
        capture_output=True, text=True, timeout=120,
    )
    assert worker.returncode == 0, worker.stderr

    job.refresh()
    assert job.get_status() == "finished"
    assert isinstance(job.return_value(), int)
    assert job.return_value() != os.getpid()

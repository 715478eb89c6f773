"""The worker supervisor of `ckan anticorruption worker` (no CKAN needed)."""
from __future__ import annotations

import sys
import threading
import time

from ckanext.anticorruption.uploads.supervisor import Supervisor


def test_a_worker_that_keeps_dying_is_started_again_with_a_growing_pause() -> None:
    said: list[str] = []
    supervisor = Supervisor([sys.executable, "-c", "raise SystemExit(3)"], delay=0.05, max_delay=0.2,
                            stable=60, say=said.append)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    deadline = time.monotonic() + 30
    while supervisor.restarts < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop()
    thread.join(30)

    assert supervisor.restarts >= 4
    exits = [line for line in said if "exited with code 3" in line]
    assert len(exits) >= 4
    # Doubled while it dies at once, up to the cap: a crash loop does not spin.
    assert [line.rsplit("again in ", 1)[1] for line in exits[:4]] == ["0.1 s", "0.2 s", "0.2 s", "0.2 s"]
    assert sum(line.startswith("worker started") for line in said) == supervisor.restarts + 1


def test_stopping_passes_the_stop_on_to_a_running_worker() -> None:
    supervisor = Supervisor([sys.executable, "-c", "import time; time.sleep(60)"], say=lambda line: None)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    deadline = time.monotonic() + 30
    while supervisor.process is None and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    supervisor.stop()
    thread.join(30)

    assert not thread.is_alive()
    assert supervisor.process.returncode is not None and supervisor.restarts == 0
    assert time.monotonic() - started < 10

"""The sweep: every unfinished run reaches a final state by itself.

A thread of each ``ckan jobs worker`` calls :func:`sweep` every
``sweep_seconds``: it queues again the runs that could not be queued (Redis
was down) and starts again those whose worker died (no heartbeat), at most
``MAX_ATTEMPTS`` times; and it indexes the datasets saved while Solr was away.
"""
from __future__ import annotations

import datetime
import logging
import sys
import threading
import time
import uuid

import ckan.model as model

from ckanext.anticorruption import reindex
from ckanext.anticorruption.datastore import load as datastore_load
from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.model import Validation
from ckanext.anticorruption.uploads.run import HEARTBEAT_SECONDS, HEARTBEAT_TIMEOUT, enqueue_run, finish, job_id

__all__ = ["MAX_ATTEMPTS", "before_job_fork", "start_sweeper_in_worker", "sweep"]

log = logging.getLogger(__name__)

# A run whose worker died this many times ends as error/worker-died.
MAX_ATTEMPTS = 3


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def sweep() -> dict[str, int]:
    """Bring every unfinished run to an end.

    - a pending run whose job is not in the queue (Redis was down, or the
      job was lost) is queued (again);
    - a running run whose heartbeat stopped lost its worker (killed, out of
      memory): it starts again, at most MAX_ATTEMPTS times, then ends as
      ``error``/``worker-died``;
    - a DataStore load whose heartbeat stopped ends as ``failed``;
    - datasets saved while Solr was away are indexed.

    Each run is locked while it is looked at, so that several workers' sweeps
    never restart the same run twice.
    """
    counts = {"queued": 0, "restarted": 0, "given_up": 0, "loads_ended": 0, "indexed": 0}
    now = _now()
    silent = now - datetime.timedelta(seconds=HEARTBEAT_TIMEOUT)
    # A run is queued right after it is recorded: leave the newest ones to their request.
    settled = now - datetime.timedelta(seconds=HEARTBEAT_SECONDS)
    unfinished = [rid for (rid,) in model.Session.query(Validation.resource_id).filter(
        Validation.state.in_(("pending", "running")))]
    model.Session.commit()
    for resource_id in unfinished:
        # One run at a time, locked: another worker's sweep skips it meanwhile.
        row = model.Session.query(Validation).filter_by(resource_id=resource_id).with_for_update(
            skip_locked=True).one_or_none()
        if row is None:
            pass
        elif row.state == "pending" and row.updated < settled and _job_status(row.run_id) not in _WAITING:
            counts["queued"] += enqueue_run(row)
        elif row.state == "running" and row.updated < silent:
            counts["restarted" if _restart(row) else "given_up"] += 1
        model.Session.commit()
    counts["loads_ended"] = datastore_load.sweep(silent) if datastore_load.enabled() else 0
    counts["indexed"] = reindex.catch_up()
    if any(counts.values()):
        log.info("Validation sweep: %s", counts)
    return counts


def _job_status(run_id: str) -> str | None:
    from rq.job import Job

    import ckan.lib.jobs as ckan_jobs

    try:
        return Job.fetch(job_id(run_id), connection=ckan_jobs.get_queue().connection).get_status()
    except Exception:  # no such job (expired, never queued)
        return None


_WAITING = ("queued", "scheduled", "deferred", "started")


def _restart(row: Validation) -> bool:
    """Queue a run whose worker died again, under a new id (a worker still holding the old one stops).

    False when it was given up after MAX_ATTEMPTS: a file that kills every
    worker (out of memory) must not do so for ever.
    """
    attempts = (row.attempts or 0) + 1
    if attempts >= MAX_ATTEMPTS:
        package = {"id": row.package_id}
        finish(package, row.resource_id, row.run_id,
               dict(state="error", problem="worker-died", problem_params={"attempts": attempts}))
        return False
    row.run_id, row.state, row.attempts, row.updated = str(uuid.uuid4()), "pending", attempts, _now()
    row.started = None
    model.Session.commit()
    enqueue_run(row)
    return True


_sweeper: threading.Thread | None = None
# Set in a worker just before it forks the process that runs a job: that
# process loads CKAN again (and so the plugins' configure) but is no worker.
_forking_a_job = False


def before_job_fork() -> None:
    global _forking_a_job
    _forking_a_job = True


def start_sweeper_in_worker() -> None:
    """Sweep every ``sweep_seconds`` from a thread of this ``ckan jobs worker`` process, from its start.

    A thread of the worker rather than a job of RQ's scheduler: a scheduler
    whose worker was killed keeps its lock for a minute, and a new worker
    only tries again after two, while a lost run should end sooner.
    """
    global _sweeper
    args = sys.argv[1:]
    in_worker = "jobs" in args and "worker" in args[args.index("jobs"):]
    every = validation_option("sweep_seconds")
    if not in_worker or _forking_a_job or every <= 0 or (_sweeper is not None and _sweeper.is_alive()):
        return

    def loop() -> None:
        while True:
            time.sleep(every)
            try:
                sweep()
            except Exception as e:  # the database or Redis is away: the next round tries again
                log.warning("Validation sweep failed: %s", e)
                model.Session.rollback()
            finally:
                model.Session.remove()

    _sweeper = threading.Thread(target=loop, name="anticorruption-sweeper", daemon=True)
    _sweeper.start()
    log.info("Sweeping unfinished validation runs every %s s", every)

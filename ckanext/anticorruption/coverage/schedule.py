"""The daily coverage snapshot, run by ``ckan jobs worker`` (its scheduler).

The job records a snapshot and schedules its next run, so one scheduled job
exists at a time. ``ensure_scheduled`` is called when CKAN starts; if Redis
cannot be reached then, the next start schedules it.
"""
from __future__ import annotations

import datetime
import logging

import ckan.lib.jobs as ckan_jobs

from ckanext.anticorruption.config import coverage_option
from ckanext.anticorruption.coverage import query

__all__ = ["JOB_ID", "ensure_scheduled", "next_run", "schedule_next", "take_snapshot"]

log = logging.getLogger(__name__)

JOB_ID = "anticorruption-coverage-daily-snapshot"


def _hour() -> int:
    return coverage_option("snapshot_hour")


def next_run(now: datetime.datetime, hour: int) -> datetime.datetime:
    """The next ``hour``:00 UTC strictly after ``now``."""
    run = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def schedule_next() -> datetime.datetime:
    when = next_run(datetime.datetime.now(datetime.timezone.utc), _hour())
    ckan_jobs.get_queue().enqueue_at(when, take_snapshot, job_id=JOB_ID,
                                     description="anticorruption daily coverage snapshot")
    return when


def ensure_scheduled() -> None:
    """Schedule the daily snapshot unless it is scheduled already or switched off (hour < 0)."""
    if _hour() < 0:
        return
    try:
        queue = ckan_jobs.get_queue()
        if JOB_ID not in queue.scheduled_job_registry.get_job_ids():
            log.info("Daily coverage snapshot scheduled for %s", schedule_next().isoformat())
    except Exception as e:  # Redis down: CKAN still starts; the next start schedules it
        log.warning("Could not schedule the daily coverage snapshot: %s", e)


def take_snapshot() -> None:
    """Background job: record today's coverage, then schedule tomorrow's."""
    try:
        summary = query.record_snapshot()
        log.info("Coverage snapshot: %s of %s published", summary["published"], summary["expected"])
    finally:
        if _hour() >= 0:
            schedule_next()

"""Coverage snapshots: on demand from the CLI, and daily through the jobs scheduler."""
from __future__ import annotations

import datetime

import pytest

import ckan.lib.jobs as ckan_jobs
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.coverage import schedule as coverage_jobs

from tests.guide import minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _scheduled() -> list[str]:
    return ckan_jobs.get_queue().scheduled_job_registry.get_job_ids()


@pytest.fixture
def no_schedule():
    registry = ckan_jobs.get_queue().scheduled_job_registry
    registry.remove(coverage_jobs.JOB_ID)
    yield
    registry.remove(coverage_jobs.JOB_ID)


def test_cli_snapshot_prints_and_records_the_public_coverage(cli) -> None:
    org = factories.Organization(name="sfp")
    call_action("package_create", **minimal_dataset("budgets", org["id"]))

    result = cli.invoke(ckan_command, ["anticorruption", "coverage", "snapshot"])

    assert result.exit_code == 0, result.output
    assert "1 agencies, 1 of 30 expected datasets published" in result.output
    history = call_action("anticorruption_coverage_history", organization="sfp")
    assert [(p["published"], p["expected"]) for p in history] == [(1, 30)]


@pytest.mark.parametrize(("now", "expected"), [
    (datetime.datetime(2026, 11, 27, 1, 30), datetime.datetime(2026, 11, 27, 2, 0)),
    (datetime.datetime(2026, 11, 27, 2, 0), datetime.datetime(2026, 11, 28, 2, 0)),
    (datetime.datetime(2026, 12, 31, 23, 0), datetime.datetime(2027, 1, 1, 2, 0)),
])
def test_next_run_is_the_next_snapshot_hour(now, expected) -> None:
    assert coverage_jobs.next_run(now, 2) == expected


@pytest.mark.usefixtures("no_schedule")
def test_the_daily_snapshot_is_scheduled_once(cli) -> None:
    coverage_jobs.ensure_scheduled()
    coverage_jobs.ensure_scheduled()

    result = cli.invoke(ckan_command, ["anticorruption", "coverage", "schedule"])

    assert _scheduled().count(coverage_jobs.JOB_ID) == 1
    assert "Next daily coverage snapshot" in result.output


@pytest.mark.usefixtures("no_schedule")
@pytest.mark.ckan_config("ckanext.anticorruption.coverage.snapshot_hour", -1)
def test_the_daily_snapshot_can_be_switched_off(cli) -> None:
    coverage_jobs.ensure_scheduled()

    result = cli.invoke(ckan_command, ["anticorruption", "coverage", "schedule"])

    assert coverage_jobs.JOB_ID not in _scheduled()
    assert result.exit_code != 0 and "not scheduled" in result.output


@pytest.mark.usefixtures("no_schedule")
def test_the_job_records_a_snapshot_and_schedules_the_next() -> None:
    factories.Organization(name="sfp")

    coverage_jobs.take_snapshot()

    assert len(call_action("anticorruption_coverage_history")) == 1
    assert coverage_jobs.JOB_ID in _scheduled()

"""The run of one resource's file: in the request for small uploads, as a background job otherwise.

A run begins in one place, :func:`start` (called by the action
``anticorruption_validation_run`` and by ``hooks.reconcile``, which every
save of a dataset goes through), and ends in one place, :func:`finish`.
:func:`execute_run` does the work, from the request or from the job
:func:`validate_resource` run by ``ckan jobs worker``; it reads the stored
dataset itself, so that nothing here calls back up into an action.

A run always reaches a final state by itself: while it runs it beats a
heartbeat, and the sweep (``uploads/sweep.py``) queues again the runs that
could not be queued and starts again those whose worker died.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ckan.lib.dictization.model_dictize as model_dictize
import ckan.lib.files as files
import ckan.lib.uploader as uploader
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption import reindex
from ckanext.anticorruption.datastore import load as datastore_load
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.uploads import download
from ckanext.anticorruption.identifiers import linkage
from ckanext.anticorruption.privacy import guard as privacy_guard
from ckanext.anticorruption.validation import reports
from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.model import ErrorLog, PublicationHold, Validation, validation_states

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS_NOT_RECOGNISED", "HEARTBEAT_SECONDS", "HEARTBEAT_TIMEOUT", "Plan", "attach_states", "checked_as_ocds",
    "column_mapping_of", "enqueue_run", "execute_run", "feeds_index", "finish", "job_id", "plan_run", "start",
    "start_run", "tell_publisher", "validate_resource",
]

# A running run beats every HEARTBEAT_SECONDS; one silent for HEARTBEAT_TIMEOUT lost its worker.
HEARTBEAT_SECONDS = 5
HEARTBEAT_TIMEOUT = 30


class SourceUnavailable(Exception):
    def __init__(self, problem: str, **params: Any):
        super().__init__(problem)
        self.problem, self.params = problem, params


@dataclass
class Plan:
    table_schema: dict[str, Any] | None
    # Why there is nothing to check (no schema), as a problem code.
    skip_problem: str | None
    background: bool
    source: str


# A Table Schema is a small JSON document.
SCHEMA_MAX_BYTES = 1_000_000
SCHEMA_TIMEOUT = 15


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def plan_run(package: dict[str, Any], resource: dict[str, Any],
             background: bool | None = None) -> Plan:
    """What a run of this resource checks, and whether it runs in the background."""
    mode = resource.get("schema_mode") or "type"
    schema = dataset_types.resource_table_schema(package.get("type"), resource)
    skip = None
    if mode == "none":
        skip = "no-schema"
    elif mode == "other":
        schema = None  # fetched from schema_url when the run starts
    elif schema is None:
        skip = "no-schema"
    source = "|".join(str(resource.get(k) or "") for k in (
        "url", "url_type", "size", "last_modified", "format", "sheet", "schema_mode", "schema_url",
    ))
    mapping = column_mapping_of(resource)
    if mapping:  # a new mapping checks the file again (and files without one keep their source)
        source += "|" + json.dumps(mapping, ensure_ascii=False)
    if resource.get("url_type") != "upload":
        # A link is never downloaded by the web process, whatever the caller asks.
        background = True
    elif background is None:
        background = (resource.get("size") or 0) > validation_option("sync_max_bytes")
    return Plan(schema, skip, background, hashlib.sha1(source.encode()).hexdigest())


def column_mapping_of(resource: dict[str, Any]) -> dict[str, str]:
    """The publisher's mapping of the file's columns to the type's (``column_mapping``), if any.

    Stored as JSON text; ``package_show`` gives it as an object.
    """
    value = resource.get("column_mapping")
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            value = {}
    return {str(k): str(v or "") for k, v in value.items()} if isinstance(value, dict) else {}


def start_run(package: dict[str, Any], resource: dict[str, Any], plan: Plan) -> Validation:
    """Record a new run; any earlier run of the resource is superseded."""
    row = model.Session.get(Validation, resource["id"])
    if row is None:
        row = Validation(resource_id=resource["id"], created=_now())
        model.Session.add(row)
    row.package_id = package["id"]
    row.run_id = str(uuid.uuid4())
    row.source = plan.source
    row.updated = _now()
    row.started = row.finished = None
    row.rows_checked = row.error_count = 0
    row.error_counts, row.problem_params, row.detected = {}, {}, {}
    row.report = row.engine = row.seconds = None
    # The identifiers of the old file are no longer the resource's.
    linkage.forget(resource["id"])
    if plan.skip_problem:
        row.state, row.problem, row.finished = "not_validated", plan.skip_problem, _now()
    else:
        row.state, row.problem = "pending", None
    model.Session.commit()
    return row


def start(package: dict[str, Any], resource: dict[str, Any], *, user: str | None,
          force: bool = True, background: bool | None = None) -> tuple[Validation, str | None]:
    """Start a run of the resource, the one way a run begins.

    Returns its row and, when it goes to the background, why: ``link``,
    ``size``, ``requested`` or ``budget`` (a check in the request passed its
    time or memory budget). Unless ``force``, a file whose content and schema
    did not change since its last run is not checked again (an errored run is).
    """
    plan = plan_run(package, resource, background=background)
    existing = model.Session.get(Validation, resource["id"])
    if not force and existing is not None and existing.source == plan.source and existing.state != "error":
        return existing, None
    row = start_run(package, resource, plan)
    privacy_guard.run_started(package, resource, row, user)
    reason = None
    if row.state != "pending":
        finish_without_run(package, resource["id"])
    elif plan.background:
        reason = "link" if resource.get("url_type") != "upload" else ("requested" if background else "size")
        enqueue_run(row)
    elif not _run_in_request(row):
        reason = "budget"
        enqueue_run(row)
    model.Session.refresh(row)
    return row, reason


# The memory budget of a check in the request is the web process's growth: under a threaded
# server (gunicorn's gthread workers) one check at a time per process keeps it true.
_IN_REQUEST = threading.Lock()


def _run_in_request(row: Validation) -> bool:
    """Run a check in the request, within its budget; False (for the caller to queue it) past its
    budget, or when another check is already running in this process."""
    if not _IN_REQUEST.acquire(blocking=False):
        return False
    try:
        return execute_run(row.resource_id, row.run_id, in_request=True)
    finally:
        _IN_REQUEST.release()


def job_id(run_id: str) -> str:
    """The queue's id of a run's job, so that the sweep can find it."""
    return f"anticorruption-validation-{run_id}"


def enqueue_run(row: Validation) -> bool:
    """Queue a run for ``ckan jobs worker``; False if the queue could not be reached.

    A run that could not be queued stays pending (and says why): the sweep
    queues it as soon as the queue answers again.
    """
    try:
        tk.enqueue_job(
            validate_resource, [row.resource_id, row.run_id],
            title=f"anticorruption validation {row.resource_id}",
            rq_kwargs={"timeout": validation_option("job_timeout"), "job_id": job_id(row.run_id)},
        )
    except Exception as e:  # Redis down
        log.warning("Could not queue the validation of resource %s: %s", row.resource_id, e)
        model.Session.rollback()
        model.Session.query(Validation).filter_by(resource_id=row.resource_id, run_id=row.run_id).update(
            {"problem": "queue-unavailable", "problem_params": {"detail": type(e).__name__}, "updated": _now()})
        model.Session.commit()
        return False
    if row.problem == "queue-unavailable":
        model.Session.query(Validation).filter_by(resource_id=row.resource_id, run_id=row.run_id).update(
            {"problem": None, "problem_params": {}})
        model.Session.commit()
    return True


def validate_resource(resource_id: str, run_id: str) -> None:
    """Background job: validate a resource unless a newer run superseded this one."""
    execute_run(resource_id, run_id)


@contextlib.contextmanager
def _heartbeat(resource_id: str, run_id: str) -> Iterator[None]:
    """Mark the run alive every few seconds while it runs (and its DataStore load, while it loads), from a
    thread with its own connection."""
    from ckanext.anticorruption.model import DatastoreLoad

    stop = threading.Event()
    engine = model.meta.engine
    table, loads = Validation.__table__, DatastoreLoad.__table__

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with engine.begin() as connection:
                    connection.execute(table.update().where(
                        table.c.resource_id == resource_id, table.c.run_id == run_id,
                        table.c.state == "running").values(updated=_now()))
                    connection.execute(loads.update().where(
                        loads.c.resource_id == resource_id, loads.c.run_id == run_id,
                        loads.c.state.in_(DatastoreLoad.UNFINISHED)).values(updated=_now()))
            except Exception as e:  # the database is away for a moment: the next beat tries again
                log.debug("Heartbeat of validation %s missed: %s", run_id, e)

    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def execute_run(resource_id: str, run_id: str, *, in_request: bool = False) -> bool:
    """Validate the resource's file and store the result.

    ``in_request``: the run is within the time and memory budget of the
    web process (``sync_max_seconds``, ``sync_max_memory_mb``). Past it the
    run is put back to pending and False is returned, for the caller to
    queue it; otherwise True.
    """
    from ckanext.anticorruption.privacy.scan import PrivacyScan
    from ckanext.anticorruption.validation import BudgetExceeded, ValidationCancelled, validate_file

    row = model.Session.get(Validation, resource_id)
    # Only a pending run starts: a running one is another worker's (a job can be queued twice).
    if row is None or row.run_id != run_id or row.state != "pending":
        return True
    stored = _stored(resource_id)
    if stored is None:  # the resource or its dataset is gone
        model.Session.delete(row)
        model.Session.commit()
        return True
    package, resource = stored
    row.state, row.started, row.updated = "running", _now(), _now()
    model.Session.commit()

    def progress(rows: int) -> None:
        model.Session.query(Validation).filter_by(resource_id=resource_id, run_id=run_id).update(
            {"rows_checked": rows, "updated": _now()})
        model.Session.commit()

    def cancelled() -> bool:
        current = model.Session.query(Validation.run_id).filter_by(resource_id=resource_id).scalar()
        return current != run_id

    error_log: bytes | None = None
    links: Any = None
    scan: dict[str, Any] | None = None
    spool: datastore_load.Spool | None = None
    errors_file = tempfile.NamedTemporaryFile(prefix="anticorruption-", suffix=".errors.csv.gz")
    with _heartbeat(resource_id, run_id), contextlib.ExitStack() as spooled:
        try:
            ocds = checked_as_ocds(package, resource)
            schema = {} if ocds else _table_schema_of(package, resource)
            # The rows the check reads are spooled for the resource's DataStore table (see datastore).
            spool = None if ocds else spooled.enter_context(datastore_load.spool_for(schema))
            with errors_file, _local_copy(resource) as path:
                if ocds:
                    result = _validate_ocds(package, path, errors_file.name, progress, cancelled, in_request)
                else:
                    result = validate_file(
                        path, schema, format=resource.get("format"), sheet=_sheet(resource.get("sheet")),
                        max_errors_per_type=validation_option("max_errors_per_type"),
                        progress=progress, cancelled=cancelled, error_log=errors_file.name,
                        scans=_scans_for(package, schema, spool),
                        max_columns=validation_option("max_columns"), **(_request_budget() if in_request else {}),
                        mapping={label: field or None for label, field in column_mapping_of(resource).items()} or None,
                    )
                error_log = _read_log(errors_file.name) if result.error_count else None
            outcome = dict(
                state=result.state, rows_checked=result.rows, error_count=result.error_count,
                error_counts=result.error_counts, problem=result.problem, problem_params=result.problem_params,
                detected=result.detected, engine=result.engine, seconds=result.seconds,
                # The file was read from a temporary or storage path: not for the public.
                report=reports.without_server_paths(result.report, reports.file_name(resource.get("url"))),
            )
            # A file that could not be read names nobody: its old links go too.
            links, scan = result.scans.get("links"), result.scans.get(PrivacyScan.name)
        except ValidationCancelled:
            log.info("Validation %s of resource %s superseded by a newer one", run_id, resource_id)
            return True
        except BudgetExceeded as over:
            log.info("Validation %s of resource %s passed the request's %s budget: on to the background",
                     run_id, resource_id, over.reason)
            model.Session.query(Validation).filter_by(resource_id=resource_id, run_id=run_id).update(
                {"state": "pending", "started": None, "rows_checked": 0, "updated": _now()})
            model.Session.commit()
            return False
        except (SourceUnavailable, download.DownloadProblem) as e:
            outcome = dict(state="error", problem=e.problem, problem_params=e.params)
        except Exception as e:  # the report must say what happened, never stay "running"
            log.exception("Validation of resource %s failed", resource_id)
            model.Session.rollback()
            outcome = dict(state="error", problem="unreadable",
                           problem_params={"detail": f"{type(e).__name__}: {e}"[:500]})
        finish(package, resource_id, run_id, outcome, error_log=error_log, links=links, scan=scan, spool=spool)
    return True


def checked_as_ocds(package: dict[str, Any], resource: dict[str, Any]) -> bool:
    """Whether the resource's file is checked as OCDS (a JSON file of a type that follows OCDS)."""
    from ckanext.anticorruption.validation.ocds import is_ocds_resource

    typ = dataset_types.dataset_type(package.get("type"))
    return typ is not None and is_ocds_resource(typ.standards, resource)


def _validate_ocds(package: dict[str, Any], path: str, log_path: str, progress: Callable[[int], None],
                   cancelled: Callable[[], bool], in_request: bool) -> Any:
    """Check an OCDS file, gathering its suppliers for the linkage index (awards if its type says so) and
    scanning its values for personal data, as a table's columns are."""
    from ckanext.anticorruption.identifiers.ocds import OcdsPartyLinks
    from ckanext.anticorruption.privacy.ocds import OcdsPrivacyScan
    from ckanext.anticorruption.validation.ocds import validate_ocds

    registry = linkage.registry()
    typ = dataset_types.dataset_type(package.get("type"))
    role = "award" if typ is not None and typ.red_flags.get("role") == "award" else None
    return validate_ocds(
        path, max_bytes=validation_option("ocds_max_bytes"),
        max_errors_per_type=validation_option("max_errors_per_type"), error_log=log_path,
        progress=progress, cancelled=cancelled, scans=lambda: [OcdsPartyLinks(registry, role=role), OcdsPrivacyScan()],
        **(_request_budget() if in_request else {}),
    )


def _stored(resource_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The dataset and the resource as stored, or None when either is gone.

    Read with CKAN's dictization, as ``package_show`` does, but without
    calling an action: the run is started by the actions and hooks above it.
    """
    resource = model.Resource.get(resource_id)
    if resource is None or resource.package is None:
        return None
    package = model_dictize.package_dictize(resource.package, {"model": model, "session": model.Session})
    found = next((r for r in package.get("resources") or [] if r.get("id") == resource_id), None)
    return (package, found) if found is not None else None


def _request_budget() -> dict[str, Any]:
    """The time and memory a run in the web process may use."""
    return {"max_seconds": validation_option("sync_max_seconds"),
            "max_memory_bytes": validation_option("sync_max_memory_mb") * 1024 * 1024}


def finish(package: dict[str, Any], resource_id: str, run_id: str, outcome: dict[str, Any], *,
           error_log: bytes | None = None, links: Any = None, scan: dict[str, Any] | None = None,
           spool: datastore_load.Spool | None = None) -> None:
    """End a run, the one way a run ends: store its outcome, links and privacy scan, load or drop the
    resource's DataStore table (from ``spool``, the rows the run read), refresh the dataset, and then build
    the new table's full-text search (the table is readable before that).

    All in one transaction that begins by updating the run's row: a newer
    run of the resource (which updates that row first too) either waits for
    it and then forgets these links, or has already replaced the run id, and
    then nothing of this run is stored.

    Storing can fail too (a value the database refuses, a lost connection):
    that is recorded as the run's outcome, so that it never stays "running".
    """
    try:
        if _finish(resource_id, run_id, error_log=error_log, **outcome):
            privacy_guard.record_scan(resource_id, run_id, scan)
            _index(package, resource_id, links if feeds_index(outcome) else None)
        model.Session.commit()
    except Exception as e:
        log.exception("The result of validation %s of resource %s could not be stored", run_id, resource_id)
        model.Session.rollback()
        _record_unstorable(package, resource_id, run_id, e)
    search_index = datastore_load.after_run(package, resource_id, run_id, outcome, spool, error_log)
    _after_run(package)
    if search_index:
        # The table is in and the dataset says so; its full-text search follows, in the same job.
        datastore_load.build_search_index(resource_id, run_id)


# Problems of a file that was read but whose columns were not recognised:
# none of its cells was held to the field it is stored under.
COLUMNS_NOT_RECOGNISED = frozenset({"header-mismatch"})


def feeds_index(outcome: dict[str, Any]) -> bool:
    """Whether the identifiers a run found may enter the linkage index.

    Only a file that was read and checked column by column: with some bad
    rows it still names its suppliers (its malformed identifiers join
    nothing), but a file whose header did not fit the type holds, under a
    field's name, whatever its column held (an e-mail as a budget unit).
    """
    return outcome.get("state") in ("valid", "invalid") and outcome.get("problem") not in COLUMNS_NOT_RECOGNISED


def _index(package: dict[str, Any], resource_id: str, links: Any) -> None:
    """The linkage index holds exactly the links of the resource's current run, unless the privacy guard holds
    the file back (being scanned, or quarantined): then none; they come back with the run that releases it."""
    state = privacy_guard.state_of(resource_id)
    if state is not None and state.state in privacy_guard.HIDDEN_STATES:
        links = None
    linkage.replace(resource_id, package["id"], package.get("type") or "", links, commit=False)


def _record_unstorable(package: dict[str, Any], resource_id: str, run_id: str, error: Exception) -> None:
    try:
        if _finish(resource_id, run_id, state="error", problem="unstorable",
                   problem_params={"detail": f"{type(error).__name__}: {error}"[:300]}):
            privacy_guard.record_scan(resource_id, run_id, None)
            linkage.forget(resource_id)  # a run whose result is lost names nobody
        model.Session.commit()
    except Exception:  # the database is away: no heartbeat now, so the sweep starts the run again
        log.exception("Validation %s of resource %s could not be ended; the sweep will retry it", run_id, resource_id)
        model.Session.rollback()


def _scans_for(package: dict[str, Any], table_schema: dict[str, Any],
               spool: datastore_load.Spool | None = None) -> Callable[[], list[Any]]:
    """The column scans of a run: identifier checks, the identifiers for the linkage index, the privacy scan,
    and the spool of the resource's DataStore table."""
    from ckanext.anticorruption.privacy.scan import PrivacyScan
    from ckanext.anticorruption.identifiers.scan import IdentifierCheck, IdentifierLinks

    registry = linkage.registry()
    typ = dataset_types.dataset_type(package.get("type"))
    red_flags = typ.red_flags if typ is not None else {}
    return lambda: [IdentifierCheck(table_schema, registry), IdentifierLinks(table_schema, registry, red_flags),
                    PrivacyScan(table_schema)] + ([spool.make_scan()] if spool is not None else [])


def _read_log(path: str) -> bytes | None:
    with open(path, "rb") as f:
        return f.read() or None


def _table_schema_of(package: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """The type's Table Schema, or the one at ``schema_url`` when the publisher chose another."""
    if resource.get("schema_mode") != "other":
        return dataset_types.resource_table_schema(package.get("type"), resource) or {}
    from ckanext.anticorruption.validation import table_schema_problems

    url = resource.get("schema_url") or ""
    with tempfile.TemporaryFile() as tmp:
        try:
            download.download(
                url, tmp, timeout=min(validation_option("link_timeout"), SCHEMA_TIMEOUT),
                max_bytes=SCHEMA_MAX_BYTES,
                allowed=download.allowed_networks(validation_option("link_allowed_networks")),
            )
        except download.DownloadProblem as e:
            raise SourceUnavailable("schema-unreachable", url=url[:200], reason=e.problem) from None
        tmp.seek(0)
        try:
            descriptor = json.loads(tmp.read().decode("utf-8-sig"))
        except ValueError:
            raise SourceUnavailable("schema-invalid", url=url[:200], detail="not JSON") from None
    problems = table_schema_problems(descriptor)
    if problems:
        raise SourceUnavailable("schema-invalid", url=url[:200], detail="; ".join(problems)[:300])
    return descriptor


def _sheet(value: Any) -> str | int | None:
    """The sheet a publisher named: a number counts from 1, anything else is a name."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else (text or None)


def _finish(resource_id: str, run_id: str, error_log: bytes | None = None, **values: Any) -> bool:
    """Store the result of a run, with its complete error log, unless a newer run superseded it.

    True when stored (the run is still the resource's latest). Not committed:
    the caller stores the rest of the run's outcome in the same transaction,
    while this update holds the run's row.
    """
    values.update(finished=_now(), updated=_now())
    updated = model.Session.query(Validation).filter_by(
        resource_id=resource_id, run_id=run_id).update(values)
    if updated:
        model.Session.query(ErrorLog).filter_by(resource_id=resource_id).delete()
        if error_log:
            model.Session.add(ErrorLog(resource_id=resource_id, run_id=run_id,
                                       error_count=values.get("error_count", 0), content=error_log))
    else:
        log.info("Result of superseded validation %s dropped", run_id)
    return bool(updated)


def finish_without_run(package: dict[str, Any], resource_id: str | None = None) -> None:
    """A run that had nothing to check (no schema) still updates the dataset; the file gets no table."""
    if resource_id is not None:
        datastore_load.forget(resource_id)
    _after_run(package)


def _after_run(package: dict[str, Any]) -> None:
    """Apply the publication policy and refresh the search index of the dataset."""
    if validation_option("invalid_policy") == "private":
        apply_publication_policy(package["id"])
    reindex.rebuild(package["id"])


def apply_publication_policy(package_id: str) -> None:
    """Keep a dataset private while any of its files is invalid or unreadable."""
    states = [s for (s,) in model.Session.query(Validation.state).filter_by(package_id=package_id)]
    blocked = any(s in ("invalid", "error") for s in states)
    hold = model.Session.get(PublicationHold, package_id)
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    if blocked and not pkg.private:
        pkg.private = True
        model.Session.add(PublicationHold(package_id=package_id))
        model.Session.commit()
    elif not blocked and hold is not None and all(s in ("valid", "not_validated") for s in states):
        pkg.private = False
        model.Session.delete(hold)
        model.Session.commit()


@contextlib.contextmanager
def _stored_upload(resource: dict[str, Any]) -> Iterator[str]:
    """A local path to an uploaded file, whatever file storage CKAN uses."""
    upload = uploader.get_resource_uploader(resource)
    storage = getattr(upload, "storage", None)
    if storage is None:  # CKAN's classic uploader: a file under ckan.storage_path
        path = upload.get_path(resource["id"])
        if not path or not os.path.isfile(path):
            raise SourceUnavailable("file-missing")
        yield path
        return
    location = upload.get_path(resource["id"])
    try:
        path = storage.full_path(location)
    except Exception:  # storages that are not on a local disk have no path
        path = ""
    if path and os.path.isfile(path):
        yield path
        return
    # Any other storage (memory, cloud): stream the file into a temporary copy.
    with tempfile.NamedTemporaryFile(prefix="anticorruption-", suffix=".upload") as tmp:
        try:
            for chunk in storage.stream(files.FileData(location)):
                tmp.write(chunk)
        except files.exc.MissingFileError:
            raise SourceUnavailable("file-missing") from None
        tmp.flush()
        yield tmp.name


@contextlib.contextmanager
def _local_copy(resource: dict[str, Any]) -> Iterator[str]:
    """A path to the resource's file: the stored upload, or a bounded download of the link."""
    if resource.get("url_type") == "upload":
        with _stored_upload(resource) as path:
            yield path
        return
    with tempfile.NamedTemporaryFile(prefix="anticorruption-", suffix=".download") as tmp:
        download.download(
            resource.get("url") or "", tmp,
            timeout=validation_option("link_timeout"),
            max_bytes=validation_option("link_max_bytes"),
            allowed=download.allowed_networks(validation_option("link_allowed_networks")),
        )
        yield tmp.name


def tell_publisher(background_reason: str | None) -> None:
    """On a page (not the API), say that a check too big for the request goes on in the background."""
    import flask

    if background_reason != "budget" or not flask.has_request_context() or flask.request.blueprint == "api":
        return
    tk.h.flash_notice(tk._(
        "This file takes longer to check than a page may wait: it is being checked in the background. "
        "Its report will appear on the file's page when the check ends."))


def attach_states(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add each resource's validation state to a dataset as shown by the API."""
    states = validation_states(pkg_dict["id"]) if pkg_dict.get("id") else {}
    for resource in pkg_dict.get("resources", []):
        resource["validation_state"] = states.get(resource.get("id"))
    return pkg_dict

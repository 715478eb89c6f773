"""Tables the extension owns (created by its alembic migrations)."""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, Integer, LargeBinary, UnicodeText, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import JSONB

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = [
    "CoverageDeclaration", "DatastoreLoad", "CoverageRequest", "CoverageSnapshot", "ErrorLog", "IdentifierLink", "IndexPending",
    "PrivacyReview",
    "PrivacyState", "PublicationHold", "Validation",
]


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Validation(tk.BaseModel):
    """The latest validation run of a resource: one row per resource."""

    __tablename__ = "anticorruption_validation"

    resource_id = Column(UnicodeText, primary_key=True)
    package_id = Column(UnicodeText, nullable=False, index=True)
    # A new run replaces the id; a job whose id is no longer here stops.
    run_id = Column(UnicodeText, nullable=False)
    state = Column(UnicodeText, nullable=False)
    # What was validated (url, size, format, sheet, schema): unchanged → no new run.
    source = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=_now)
    updated = Column(DateTime, nullable=False, default=_now)
    started = Column(DateTime)
    finished = Column(DateTime)
    rows_checked = Column(BigInteger, nullable=False, default=0)
    error_count = Column(BigInteger, nullable=False, default=0)
    error_counts = Column(JSONB, nullable=False, default=dict)
    problem = Column(UnicodeText)
    problem_params = Column(JSONB, nullable=False, default=dict)
    detected = Column(JSONB, nullable=False, default=dict)
    report = Column(JSONB)
    engine = Column(UnicodeText)
    seconds = Column(Float)
    # Times this run was queued again because its worker died (see uploads/sweep.py).
    attempts = Column(Integer, nullable=False, default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "package_id": self.package_id,
            "run_id": self.run_id,
            "state": self.state,
            "created": self.created.isoformat() if self.created else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            "rows_checked": self.rows_checked,
            "error_count": self.error_count,
            "error_counts": dict(self.error_counts or {}),
            "problem": self.problem,
            "problem_params": dict(self.problem_params or {}),
            "detected": dict(self.detected or {}),
            "engine": self.engine,
            "seconds": self.seconds,
            "attempts": self.attempts or 0,
        }


class DatastoreLoad(tk.BaseModel):
    """The DataStore load of a resource's latest run: one row per resource.

    ``state``: ``loading`` (COPY into the new table), ``indexing`` (the
    table is in the DataStore; its full-text column and index are being
    built), then one of ``loaded``, ``not_loaded`` (``reason`` says why:
    the file is invalid, held back, its header did not fit) or ``failed``
    (``detail`` says what went wrong; the validation's result stays).
    """

    __tablename__ = "anticorruption_datastore_load"

    resource_id = Column(UnicodeText, primary_key=True)
    run_id = Column(UnicodeText, nullable=False)
    state = Column(UnicodeText, nullable=False)
    reason = Column(UnicodeText)
    detail = Column(UnicodeText)
    rows_loaded = Column(BigInteger, nullable=False, default=0)
    rows_total = Column(BigInteger, nullable=False, default=0)
    rows_indexed = Column(BigInteger, nullable=False, default=0)
    load_seconds = Column(Float)
    index_seconds = Column(Float)
    started = Column(DateTime)
    updated = Column(DateTime, nullable=False, default=_now)

    UNFINISHED = ("loading", "indexing")

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "reason": self.reason, "detail": self.detail,
            "rows_loaded": self.rows_loaded, "rows_total": self.rows_total, "rows_indexed": self.rows_indexed,
            "load_seconds": self.load_seconds, "index_seconds": self.index_seconds,
            "updated": self.updated.isoformat() if self.updated else None,
        }


class PublicationHold(tk.BaseModel):
    """A dataset the extension made private because its files are not valid."""

    __tablename__ = "anticorruption_publication_hold"

    package_id = Column(UnicodeText, primary_key=True)
    created = Column(DateTime, nullable=False, default=_now)


class ErrorLog(tk.BaseModel):
    """Every error of a resource's latest run, as gzip CSV (the report keeps a capped list)."""

    __tablename__ = "anticorruption_error_log"

    resource_id = Column(UnicodeText, primary_key=True)
    run_id = Column(UnicodeText, nullable=False)
    error_count = Column(BigInteger, nullable=False)
    content = Column(LargeBinary, nullable=False)


# The coverage tables' queries are in coverage/store.py.
class CoverageDeclaration(tk.BaseModel):
    """A type that does not apply to an agency, or has nothing to report for a period.

    ``by_portal`` declarations are the sysadmin's (which types apply to which
    agency); the others are the agency editors'. Either way the cell is not a gap.
    """

    __tablename__ = "anticorruption_coverage_declaration"

    organization_id = Column(UnicodeText, primary_key=True)
    type_id = Column(UnicodeText, primary_key=True)
    status = Column(UnicodeText, nullable=False)  # not_applicable | nothing_to_report
    reason = Column(UnicodeText, nullable=False)
    period = Column(UnicodeText, nullable=False, default="")
    by_portal = Column(Boolean, nullable=False, default=False)
    user_id = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)


class CoverageRequest(tk.BaseModel):
    """A signed-in user asking an agency to publish a missing dataset (once per user and cell)."""

    __tablename__ = "anticorruption_coverage_request"
    __table_args__ = (UniqueConstraint("organization_id", "type_id", "user_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    organization_id = Column(UnicodeText, nullable=False, index=True)
    type_id = Column(UnicodeText, nullable=False)
    user_id = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)


class CoverageSnapshot(tk.BaseModel):
    """The coverage totals at a moment: the nation (organization_id NULL) and each agency."""

    __tablename__ = "anticorruption_coverage_snapshot"

    id = Column(Integer, primary_key=True, autoincrement=True)
    taken = Column(DateTime, nullable=False, index=True)
    organization_id = Column(UnicodeText, index=True)
    score = Column(Integer)
    expected = Column(Integer, nullable=False)
    published = Column(Integer, nullable=False)
    valid_and_fresh = Column(Integer, nullable=False)
    # Written by `ckan anticorruption demo` (back-dated history), never by the daily snapshot.
    demo = Column(Boolean, nullable=False, default=False, server_default=false())


class PrivacyState(tk.BaseModel):
    """What the privacy scan of a resource's latest run found, and whether the file is held back.

    ``state``: ``clean`` (nothing found), ``warned`` (found; the file stays
    public), ``scanning`` (quarantine mode: a new file is hidden until its scan
    ends), ``quarantined`` (found; hidden from everyone who may not edit the
    dataset until an editor reviews it), ``confirmed`` (an editor confirmed
    the file; it stays public until the file changes, i.e. until ``source``
    differs).
    """

    __tablename__ = "anticorruption_privacy_state"

    resource_id = Column(UnicodeText, primary_key=True)
    package_id = Column(UnicodeText, nullable=False, index=True)
    state = Column(UnicodeText, nullable=False)
    run_id = Column(UnicodeText)
    # Validation.source of the file that was scanned (and confirmed).
    source = Column(UnicodeText, nullable=False, default="")
    findings = Column(JSONB, nullable=False, default=dict)
    updated = Column(DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "package_id": self.package_id,
            "state": self.state,
            "findings": dict(self.findings or {}),
            "updated": self.updated.isoformat() if self.updated else None,
        }


class PrivacyReview(tk.BaseModel):
    """An editor's review of the privacy findings of a file: who, when, what was decided and why."""

    __tablename__ = "anticorruption_privacy_review"

    id = Column(Integer, primary_key=True, autoincrement=True)
    resource_id = Column(UnicodeText, nullable=False, index=True)
    package_id = Column(UnicodeText, nullable=False)
    user_id = Column(UnicodeText, nullable=False)
    decision = Column(UnicodeText, nullable=False)  # confirm | replace
    justification = Column(UnicodeText, nullable=False, default="")
    # The findings the editor saw (the scan summary), kept as they were.
    findings = Column(JSONB, nullable=False, default=dict)
    source = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict[str, Any]:
        user = model.User.get(self.user_id)
        return {
            "id": self.id,
            "resource_id": self.resource_id,
            "user": user.name if user else self.user_id,
            "decision": self.decision,
            "justification": self.justification,
            "findings": dict(self.findings or {}),
            "created": self.created.isoformat() if self.created else None,
        }


class IdentifierLink(tk.BaseModel):
    """An organization identifier named in a checked file: the linkage index.

    One row per (resource, column, scheme, identifier), its key. ``role`` is "award"
    or "sanction" for the column the red flags compare (see the type's
    ``red_flags``); ``moments`` then holds the sorted distinct dates (award,
    "2025-03-10;2025-04-01") or periods (sanction, "2025-02-01|2027-02-01;
    2028-01-01|" with an open end) of the rows naming it; see
    linkage.encode_moments. Normalised legal names are stored as identifiers
    of the scheme ``NAME`` (identifiers.names), the second tier of the red
    flags.
    """

    __tablename__ = "anticorruption_identifier_link"

    # The table has no primary key constraint (see its migration): one index
    # fewer to write; this is the key the ORM uses.
    __mapper_args__ = {"primary_key": ["resource_id", "field", "scheme", "identifier"]}

    resource_id = Column(UnicodeText, nullable=False, index=True)
    field = Column(UnicodeText, nullable=False)
    scheme = Column(UnicodeText, nullable=False)
    identifier = Column(UnicodeText, nullable=False)
    package_id = Column(UnicodeText, nullable=False)
    dataset_type = Column(UnicodeText, nullable=False)
    role = Column(UnicodeText)
    rows = Column(BigInteger, nullable=False)
    person = Column(Boolean, nullable=False, default=False)
    moments = Column(UnicodeText)
    # The name as most often written: of a normalised name (scheme NAME), or
    # beside an identifier in the supplier column.
    label = Column(UnicodeText)


class IndexPending(tk.BaseModel):
    """A dataset saved while its search index could not be updated (Solr was down): the sweep catches up."""

    __tablename__ = "anticorruption_index_pending"

    package_id = Column(UnicodeText, primary_key=True)
    since = Column(DateTime, nullable=False, default=_now)
    problem = Column(UnicodeText, nullable=False, default="")


def index_later(package_id: str, problem: str) -> None:
    if model.Session.get(IndexPending, package_id) is None:
        model.Session.add(IndexPending(package_id=package_id, problem=problem[:500]))
    model.Session.commit()


def pending_index_ids(limit: int = 500) -> list[str]:
    rows = model.Session.query(IndexPending.package_id).order_by(IndexPending.since).limit(limit)
    return [package_id for (package_id,) in rows]


def index_caught_up(package_id: str) -> None:
    model.Session.query(IndexPending).filter_by(package_id=package_id).delete()
    model.Session.commit()


def forget_package_records(package_id: str) -> None:
    """Delete everything the extension keeps about a dataset (it was purged).

    Reports and error logs hold cell values, privacy findings and reviews
    hold masked personal data: none of it may outlive the dataset.
    """
    session = model.Session
    resource_ids = {rid for table in (Validation, PrivacyState, PrivacyReview, IdentifierLink)
                    for (rid,) in session.query(table.resource_id).filter(table.package_id == package_id)}
    if resource_ids:
        session.query(ErrorLog).filter(ErrorLog.resource_id.in_(resource_ids)).delete(synchronize_session=False)
    for table in (Validation, PrivacyState, PrivacyReview, IdentifierLink, PublicationHold, IndexPending):
        session.query(table).filter(table.package_id == package_id).delete(synchronize_session=False)
    session.commit()


def error_log_of(resource_id: str) -> bytes | None:
    """The gzip CSV of every error of the resource's latest finished run, if any."""
    row = model.Session.query(ErrorLog).join(
        Validation, Validation.resource_id == ErrorLog.resource_id,
    ).filter(ErrorLog.resource_id == resource_id, ErrorLog.run_id == Validation.run_id).one_or_none()
    return row.content if row is not None else None


def forget_resource_records(resource_id: str) -> None:
    """Delete a resource's report and error log (the resource is gone)."""
    model.Session.query(ErrorLog).filter_by(resource_id=resource_id).delete()
    model.Session.query(Validation).filter_by(resource_id=resource_id).delete()
    model.Session.commit()


def validation_of(resource_id: str) -> Validation | None:
    """The latest run of a resource, if it was ever validated."""
    return model.Session.get(Validation, resource_id)


def resource_url(resource_id: str) -> str:
    """The URL a resource is stored with (an upload's is its file name), or "" when it is gone."""
    resource = model.Session.get(model.Resource, resource_id)
    return resource.url if resource is not None else ""


def validation_states(package_id: str) -> dict[str, str]:
    """The state of the latest run of each of a dataset's resources, by resource id."""
    rows = model.Session.query(Validation.resource_id, Validation.state).filter_by(package_id=package_id)
    return dict(rows)

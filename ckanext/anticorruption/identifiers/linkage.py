"""The linkage index in the database: store a file's identifiers, find matches.

Reading is always filtered by what the caller may see, with CKAN's own
permission labels translated into SQL: public datasets, datasets of the
organizations the user belongs to, datasets the user created; sysadmins see
everything. Deleted and draft datasets never contribute.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import aliased

import ckan.authz as authz
import ckan.model as model
import ckan.plugins as p
from ckan.lib.plugins import get_permission_labels

from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.identifiers import redflags
from ckanext.anticorruption.identifiers.names import NAME_SCHEME
from ckanext.anticorruption.identifiers.schemes import Registry
from ckanext.anticorruption.interfaces import IIdentifierSchemes
from ckanext.anticorruption.validation.memory import paused_gc
from ckanext.anticorruption.model import IdentifierLink

__all__ = [
    "active_dataset_id", "all_matches", "dataset_summaries", "datasets_naming", "decode_moments", "encode_moments",
    "forget", "index_version", "matches_for_package", "registry", "replace", "resource_names",
]

_COLUMNS = ("scheme", "identifier", "resource_id", "package_id", "dataset_type", "field", "role", "rows",
            "person", "moments", "label")


def registry() -> Registry:
    """The built-in schemes plus those of every IIdentifierSchemes plugin."""
    extra = []
    for plugin in p.PluginImplementations(IIdentifierSchemes):
        extra.extend(plugin.identifier_schemes())
    return Registry.of(extra)


# Links written at once beyond which the table's planner statistics are refreshed.
_ANALYZE_AFTER = 10_000


def encode_moments(moments: list[Any] | None) -> str | None:
    """Award dates or sanction periods as the index stores them (plain text)."""
    if moments is None:
        return None
    if not moments or isinstance(moments[0], str):  # dates (a file's moments are all dates or all periods)
        try:
            return ";".join(moments)
        except TypeError:
            pass
    return ";".join(moment if isinstance(moment, str) else "|".join(moment) for moment in moments)


def decode_moments(text: str | None) -> list[Any]:
    if not text:
        return []
    return [moment.split("|", 1) if "|" in moment else moment for moment in text.split(";")]


def replace(resource_id: str, package_id: str, dataset_type: str, summary: dict[str, Any] | None, *,
            commit: bool = True) -> int:
    """Make the index hold exactly the identifiers of the resource's latest checked file.

    Written with COPY in the session's transaction: a million-row contracts
    file names a few hundred thousand suppliers at most. Which files may
    feed the index at all is decided by the end of a run (uploads.run.finish).
    """
    model.Session.query(IdentifierLink).filter_by(resource_id=resource_id).delete()
    links = (summary or {}).get("links") or []
    role, supplier = (summary or {}).get("role"), (summary or {}).get("supplier")
    if links:
        def chunks() -> Iterator[bytes]:
            # Arrow writes the CSV text in C: a Python writer call per link cost more than the COPY itself.
            # A chunk at a time: PostgreSQL indexes one chunk while the next is written.
            for start in range(0, len(links), _COPY_CHUNK):
                buffer = io.BytesIO()
                pa_csv.write_csv(_table(links[start:start + _COPY_CHUNK], resource_id, package_id, dataset_type,
                                        role, supplier), buffer, pa_csv.WriteOptions(include_header=False))
                yield buffer.getvalue()

        cursor = model.Session.connection().connection.cursor()
        with paused_gc():
            cursor.copy_expert(
                f"COPY {IdentifierLink.__tablename__} ({', '.join(_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
                _Stream(chunks()), size=_COPY_READ)
        if len(links) >= _ANALYZE_AFTER:
            # Without fresh statistics the planner takes a file's hundreds of thousands of
            # links for a handful, and matches_for_package probes the index once per link
            # (2 s for a million-row contracts file) instead of hashing the register's side.
            # Only the columns the matches query filters and joins on: the others' statistics
            # (moments, labels) are the costly ones and guide no plan.
            cursor.execute(f"ANALYZE {IdentifierLink.__tablename__} (scheme, identifier, resource_id, package_id, role)")
    if commit:
        model.Session.commit()
    return len(links)


# Links turned into CSV at a time, and bytes handed to the COPY at a time.
_COPY_CHUNK = 20_000
_COPY_READ = 1 << 20


class _Stream(io.RawIOBase):
    """A readable file over an iterator of byte chunks, for ``copy_expert``."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def _table(links: list[dict[str, Any]], resource_id: str, package_id: str, dataset_type: str,
           role: str | None, supplier: str | None) -> pa.Table:
    """The links as the index's rows (columns of _COLUMNS); null is written unquoted, which COPY reads as NULL."""
    count = len(links)
    # The supplier's identifiers and names take the type's role, unless
    # the register's row filter left them none (``flags`` false).
    roles = [role if (link["field"] == supplier or link["scheme"] == NAME_SCHEME) and link.get("flags", True)
             else None for link in links]
    moments = [encode_moments(link.get("dates", link.get("periods"))) or None for link in links]
    return pa.table({
        "scheme": pa.array([link["scheme"] for link in links], pa.string()),
        "identifier": pa.array([link["identifier"] for link in links], pa.string()),
        "resource_id": pa.repeat(pa.scalar(resource_id, pa.string()), count),
        "package_id": pa.repeat(pa.scalar(package_id, pa.string()), count),
        "dataset_type": pa.repeat(pa.scalar(dataset_type, pa.string()), count),
        "field": pa.array([link["field"] for link in links], pa.string()),
        "role": pa.array(roles, pa.string()),
        "rows": pa.array([link["rows"] for link in links], pa.int64()),
        "person": pa.array(["t" if link["person"] else "f" for link in links], pa.string()),
        "moments": pa.array(moments, pa.string()),
        "label": pa.array([link.get("label") or None for link in links], pa.string()),
    })


def forget(resource_id: str) -> None:
    model.Session.query(IdentifierLink).filter_by(resource_id=resource_id).delete()


def _visible(statement: Any, link: Any, user: str | None) -> Any:
    """``statement`` limited to links (of the ``link`` alias) of active datasets ``user`` may see.

    Files the privacy guard holds back (being scanned, or quarantined) are
    not in the index at all (see uploads.run.finish).
    """
    package = aliased(model.Package)
    statement = statement.join(package, package.id == link.package_id).where(package.state == "active")
    if user and authz.is_sysadmin(user):
        return statement
    user_obj = model.User.get(user) if user else None
    clauses = []
    for label in get_permission_labels().get_user_dataset_labels(user_obj):
        if label == "public":
            clauses.append(package.private == false())
        elif label.startswith("member-"):
            clauses.append(package.owner_org == label[len("member-"):])
        elif label.startswith("creator-"):
            # CKAN gives the creator label only to datasets without an organization.
            clauses.append((package.creator_user_id == label[len("creator-"):]) & package.owner_org.is_(None))
        elif label.startswith("collaborator-"):
            clauses.append(package.id == label[len("collaborator-"):])
    return statement.where(or_(*clauses)) if clauses else statement.where(false())


def _rows(statement: Any) -> list[dict[str, Any]]:
    return [
        {**row._asdict(), "moments": decode_moments(row.moments)}
        for row in model.Session.execute(statement)
    ]


def _select(link: Any) -> Any:
    return select(*(getattr(link, column) for column in _COLUMNS))


# What a match needs of each side (scheme and identifier are shared).
_MATCH_COLUMNS = ("resource_id", "package_id", "rows", "person", "moments", "label")


def matches_for_package(package_id: str, user: str | None) -> dict[str, list[dict[str, Any]]]:
    """Red flags of a dataset: its suppliers found in sanctions registers, or the
    reverse for a sanctions register (its sanctioned suppliers found in awards).

    Returns ``{"awards": [...], "sanctions": [...]}`` of raw matches (see
    redflags.match), the other side limited to what ``user`` may see. One
    query per side, whatever the number of suppliers: a join of the
    dataset's links with the other role's on (scheme, identifier), both
    tiers at once (normalised names are identifiers of the scheme NAME),
    which returns only the identifiers found on both sides, read straight
    from the database cursor (tens of thousands of rows for a national
    register).
    """
    result: dict[str, list[dict[str, Any]]] = {"awards": [], "sanctions": []}
    # The index is searched by resource: a dataset has a few.
    resource_ids = [rid for (rid,) in model.Session.query(model.Resource.id).filter(
        model.Resource.package_id == package_id, model.Resource.state == "active")]
    if not resource_ids:
        return result
    # A file's links take the role its dataset type declares (red_flags.role), so a
    # contracts dataset is only ever the award side. Without a known type, an
    # EXISTS probe per role tells: otherwise the join below would probe the index
    # for every award link of the portal to find none (1 s for 400,000).
    declared = _declared_roles(package_id)
    for role, other, key in (("award", "sanction", "awards"), ("sanction", "award", "sanctions")):
        if declared is not None and role not in declared:
            continue
        if declared is None and not model.Session.query(select(IdentifierLink.resource_id).where(
                IdentifierLink.resource_id.in_(resource_ids), IdentifierLink.role == role).exists()).scalar():
            continue
        own, theirs = aliased(IdentifierLink), aliased(IdentifierLink)
        statement = select(
            own.scheme, own.identifier,
            *(getattr(own, column) for column in _MATCH_COLUMNS),
            *(getattr(theirs, column) for column in _MATCH_COLUMNS),
        ).select_from(own).join(
            theirs, (theirs.scheme == own.scheme) & (theirs.identifier == own.identifier)).where(
            own.resource_id.in_(resource_ids), own.role == role, theirs.role == other)
        mine: dict[tuple[str, ...], dict[str, Any]] = {}
        others: dict[tuple[str, ...], dict[str, Any]] = {}
        width = len(_MATCH_COLUMNS)
        with paused_gc():
            rows = _fetch(_visible(statement, theirs, user))
            _pair_up(rows, width, mine, others)
        if mine:
            pairs = (list(mine.values()), list(others.values()))
            with paused_gc():
                result[key] = redflags.match(*pairs) if role == "award" else redflags.match(pairs[1], pairs[0])
    return result


def _declared_roles(package_id: str) -> set[str] | None:
    """The red-flag role (award or sanction) the dataset's type gives its links, as a set (empty when it
    declares none); None for a dataset of a type that is not ours."""
    package_type = model.Session.query(model.Package.type).filter(model.Package.id == package_id).scalar()
    typ = dataset_types.dataset_type(package_type)
    if typ is None:
        return None
    role = (typ.red_flags or {}).get("role")
    return {role} if role else set()


def _pair_up(rows: list[tuple[Any, ...]], width: int, mine: dict[tuple[str, ...], dict[str, Any]],
             others: dict[tuple[str, ...], dict[str, Any]]) -> None:
    """Split each joined row into the dataset's link and the other side's, once per link."""
    for values in rows:
        scheme, identifier = values[0], values[1]
        for offset, found in ((2, mine), (2 + width, others)):
            resource_id = values[offset]
            if (resource_id, scheme, identifier) not in found:
                found[(resource_id, scheme, identifier)] = {
                    "scheme": scheme, "identifier": identifier, "resource_id": resource_id,
                    "package_id": values[offset + 1], "rows": values[offset + 2],
                    "person": values[offset + 3], "moments": decode_moments(values[offset + 4]),
                    "label": values[offset + 5],
                }


def _fetch(statement: Any) -> list[tuple[Any, ...]]:
    """All rows of ``statement`` as plain tuples, without building a Row object each."""
    compiled = statement.compile(dialect=model.Session.get_bind().dialect,
                                 compile_kwargs={"render_postcompile": True})
    cursor = model.Session.connection().connection.cursor()
    try:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()
    finally:
        cursor.close()


def all_matches(user: str | None) -> list[dict[str, Any]]:
    """Every award matched with a sanction across the portal, as ``user`` may see them."""
    sanctions = _rows(_visible(_select(IdentifierLink).where(IdentifierLink.role == "sanction"),
                               IdentifierLink, user))
    if not sanctions:
        return []
    award, sanction = aliased(IdentifierLink), aliased(IdentifierLink)
    statement = _select(award).distinct().join(
        sanction, (sanction.scheme == award.scheme) & (sanction.identifier == award.identifier)).where(
        award.role == "award", sanction.role == "sanction")
    awards = _rows(_visible(statement, award, user))
    return redflags.match(awards, sanctions)


def datasets_naming(scheme: str, identifier: str, user: str | None) -> list[dict[str, Any]]:
    """Every (visible) resource whose file names the identifier, with its column and rows."""
    statement = _select(IdentifierLink).where(IdentifierLink.scheme == scheme, IdentifierLink.identifier == identifier)
    return _rows(_visible(statement, IdentifierLink, user))


def active_dataset_id(id_or_name: str) -> str | None:
    """The id of the active dataset of this id or name; None for a deleted, draft or unknown one."""
    # A NUL character names nothing, and PostgreSQL would refuse it in the query.
    package = model.Package.get(id_or_name) if "\x00" not in id_or_name else None
    if package is None or package.state != "active":
        return None
    return package.id


def dataset_summaries(package_ids: set[str]) -> dict[str, dict[str, Any]]:
    """What the red flags and identifier pages show of each dataset, by id (its organization's name and title)."""
    rows = model.Session.query(model.Package, model.Group).outerjoin(
        model.Group, model.Group.id == model.Package.owner_org).filter(model.Package.id.in_(package_ids))
    return {
        package.id: {
            "id": package.id, "name": package.name, "title": package.title, "type": package.type,
            "private": package.private,
            "metadata_modified": package.metadata_modified.isoformat() if package.metadata_modified else None,
            "organization": {"name": group.name, "title": group.title} if group is not None else None,
        }
        for package, group in rows
    }


def resource_names(resource_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Each resource's id and name (its URL when it has none), by id."""
    rows = model.Session.query(model.Resource).filter(model.Resource.id.in_(resource_ids))
    return {resource.id: {"id": resource.id, "name": resource.name or resource.url} for resource in rows}


def index_version() -> tuple[Any, ...]:
    """A value that changes whenever the red flags may have: a dataset saved (made
    private, deleted, its files changed) or purged, or a run that ended."""
    from ckanext.anticorruption.model import Validation

    packages = model.Session.query(func.max(model.Package.metadata_modified), func.count(model.Package.id)).one()
    runs = model.Session.query(func.max(Validation.updated), func.count(Validation.resource_id)).one()
    return (*packages, *runs)

"""The privacy guard: what a scan finding does to a resource, and who may still see it.

The scan itself is pure (``privacy.PrivacyScan``, run inside the validation).
Here its outcome is stored per resource (``PrivacyState``) and, in quarantine
mode, a resource with findings is removed from every dataset dict shown to
someone who may not update the dataset, and from the search index document
(its resource fields, ``data_dict`` and ``validated_data_dict``), which is
what ``package_search`` and the DCAT catalog read.

Internal calls (``ignore_auth``) and editors always get the whole dataset, so
an update never drops a held-back resource. Because the index copy lacks the
resource, an editor's ``package_show`` served from that copy gets the
resources again from the database.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.anticorruption import reindex
from ckanext.anticorruption.config import privacy_option
from ckanext.anticorruption.model import PrivacyReview, PrivacyState, Validation

__all__ = [
    "HIDDEN_STATES", "confirm", "filter_shown", "forget_resource", "hidden_resource_ids", "index_view", "may_update",
    "quarantine_mode", "record_scan", "reviews_of", "run_started", "state_of", "strip_index",
]

# States in which a resource is invisible to those who may not update its dataset.
HIDDEN_STATES = ("scanning", "quarantined")


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def quarantine_mode() -> bool:
    return privacy_option("on_finding") == "quarantine"


def state_of(resource_id: str) -> PrivacyState | None:
    return model.Session.get(PrivacyState, resource_id)


def hidden_resource_ids(package_id: str) -> set[str]:
    rows = model.Session.query(PrivacyState.resource_id).filter(
        PrivacyState.package_id == package_id, PrivacyState.state.in_(HIDDEN_STATES))
    return {resource_id for (resource_id,) in rows}


def may_update(context: dict[str, Any], package_id: str) -> bool:
    """Whether the caller of an action may update the dataset (internal calls may)."""
    if context.get("ignore_auth"):
        return True
    check = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    try:
        return bool(authz.is_authorized("package_update", check, {"id": package_id}).get("success"))
    except tk.ObjectNotFound:
        return False


def run_started(package: dict[str, Any], resource: dict[str, Any], row: Validation, user: str | None) -> None:
    """A validation run starts: hold a new file back while it is scanned (quarantine mode).

    Replacing a quarantined file is a review decision too, recorded with its author.
    """
    state = state_of(resource["id"])
    before = state.state if state else None
    if state is not None and state.state == "quarantined" and state.source != row.source:
        _record_review(state, user, "replace", "")
    if state is None:
        state = PrivacyState(resource_id=resource["id"], package_id=package["id"], state="not_scanned", source="")
        model.Session.add(state)
    state.package_id = package["id"]
    if row.state != "pending":  # nothing will be read (no schema): nothing to scan
        state.state, state.findings = "not_scanned", {}
    elif quarantine_mode() and not (state.state == "confirmed" and state.source == row.source):
        state.state = "scanning"
    state.run_id, state.updated = row.run_id, _now()
    model.Session.commit()
    if (before in HIDDEN_STATES) != (state.state in HIDDEN_STATES):
        reindex.rebuild(package["id"])


def record_scan(resource_id: str, run_id: str, summary: dict[str, Any] | None) -> bool:
    """Store the outcome of the scan of a finished run (``summary`` None: the file could not be read).

    In the caller's transaction (the end of the run, see uploads.run.finish),
    which commits it. True when this changed whether the file is held back
    (the caller reindexes).
    """
    row = model.Session.get(Validation, resource_id)
    state = state_of(resource_id)
    if row is None or row.run_id != run_id:
        return False  # superseded: the newer run decides
    was_hidden = state is not None and state.state in HIDDEN_STATES
    if state is None:
        state = PrivacyState(resource_id=resource_id, package_id=row.package_id, source="")
        model.Session.add(state)
    confirmed = state.state == "confirmed" and state.source == row.source
    if summary is None:
        state.state, state.findings = "not_scanned", {}
    elif not summary.get("findings"):
        state.state, state.findings = "clean", summary
    else:
        state.findings = summary
        state.state = "confirmed" if confirmed else ("quarantined" if quarantine_mode() else "warned")
    state.package_id, state.run_id, state.source, state.updated = row.package_id, run_id, row.source, _now()
    model.Session.flush()
    return was_hidden != (state.state in HIDDEN_STATES)


def _record_review(state: PrivacyState, user: str | None, decision: str, justification: str) -> PrivacyReview:
    user_obj = model.User.get(user) if user else None
    review = PrivacyReview(
        resource_id=state.resource_id, package_id=state.package_id,
        user_id=user_obj.id if user_obj else (user or ""), decision=decision,
        justification=justification, findings=dict(state.findings or {}), source=state.source, created=_now(),
    )
    model.Session.add(review)
    return review


def confirm(state: PrivacyState, user: str | None, justification: str) -> PrivacyReview:
    """An editor confirms that the file may be published as it is; it stays visible until it changes."""
    review = _record_review(state, user, "confirm", justification)
    state.state, state.updated = "confirmed", _now()
    model.Session.commit()
    reindex.rebuild(state.package_id)
    return review


def reviews_of(resource_id: str) -> list[dict[str, Any]]:
    rows = model.Session.query(PrivacyReview).filter_by(resource_id=resource_id).order_by(
        PrivacyReview.created.desc(), PrivacyReview.id.desc())
    return [r.as_dict() for r in rows]


def forget_resource(resource_id: str) -> None:
    model.Session.query(PrivacyState).filter_by(resource_id=resource_id).delete()
    model.Session.commit()


def filter_shown(context: dict[str, Any], pkg_dict: dict[str, Any],
                 read_whole: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``after_dataset_show``: held-back resources only for those who may update the dataset.

    ``read_whole`` reads the dataset with every file, for when ``pkg_dict``
    came from the search index, whose copy lacks the held-back ones.
    """
    hidden = hidden_resource_ids(pkg_dict["id"]) if pkg_dict.get("id") else set()
    if not hidden:
        return pkg_dict
    resources = pkg_dict.get("resources") or []
    if not may_update(context, pkg_dict["id"]):
        pkg_dict["resources"] = [r for r in resources if r.get("id") not in hidden]
        pkg_dict["num_resources"] = len(pkg_dict["resources"])
        return pkg_dict
    if hidden - {r.get("id") for r in resources}:
        full = read_whole()
        pkg_dict["resources"] = full["resources"]
        pkg_dict["num_resources"] = len(full["resources"])
    return pkg_dict


def index_view(pkg_dict: dict[str, Any], states: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``before_dataset_index``: the document without held-back resources, and the
    validation states, by resource id, of the resources the public sees (for the coverage facts)."""
    hidden = hidden_resource_ids(pkg_dict["id"])
    return strip_index(pkg_dict, hidden), {rid: state for rid, state in states.items() if rid not in hidden}


def strip_index(pkg_dict: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    """The index document without the ``hidden`` resources."""
    if not hidden:
        return pkg_dict
    listed = json.loads(pkg_dict.get("data_dict") or "{}").get("resources") or []
    drop = {i for i, r in enumerate(listed) if r.get("id") in hidden}
    for key, value in list(pkg_dict.items()):
        if key.startswith("res_") and isinstance(value, list) and len(value) == len(listed):
            pkg_dict[key] = [v for i, v in enumerate(value) if i not in drop]
    for key in ("data_dict", "validated_data_dict"):
        if pkg_dict.get(key):
            shown = json.loads(pkg_dict[key])
            shown["resources"] = [r for r in shown.get("resources") or [] if r.get("id") not in hidden]
            shown["num_resources"] = len(shown["resources"])
            pkg_dict[key] = json.dumps(shown)
    if "num_resources" in pkg_dict:
        pkg_dict["num_resources"] = len(listed) - len(drop)
    return pkg_dict

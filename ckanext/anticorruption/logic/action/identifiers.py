"""Actions of the linkage index: red flags and the datasets an identifier appears in."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.identifiers import linkage
from ckanext.anticorruption.identifiers import redflags
from ckanext.anticorruption.identifiers.schemes import LOCAL
from ckanext.anticorruption.logic import schema

__all__ = ["anticorruption_identifier_matches", "anticorruption_identifier_show"]


def _package_id(context: Context, id_or_name: str) -> str:
    package_id = linkage.active_dataset_id(id_or_name)
    if package_id is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    # Private or not: the caller must be allowed to see the dataset itself.
    tk.check_access("package_show", context, {"id": package_id})
    return package_id


def _may_see_people(user: str | None, package_ids: set[str]) -> set[str]:
    """The datasets among ``package_ids`` whose editors ``user`` is one of.

    Natural persons' identifiers are shown only to those who may edit the
    dataset that names them; everyone else reads "a natural person".
    """
    if not user:
        return set()
    if authz.is_sysadmin(user):
        return set(package_ids)
    allowed = set()
    for package_id in package_ids:
        if authz.is_authorized("package_update", {"user": user}, {"id": package_id}).get("success"):
            allowed.add(package_id)
    return allowed


def _withhold(supplier: dict[str, Any], shown: bool) -> dict[str, Any]:
    if supplier["person"] and not shown:
        return {**supplier, "identifier": None, "withheld": True}
    return {**supplier, "withheld": False}


def _registers(matches: list[dict[str, Any]], user: str | None, own_package_ids: set[str]) -> list[dict[str, Any]]:
    groups = redflags.summarise(matches)
    packages = linkage.dataset_summaries({g["sanctions_package_id"] for g in groups})
    resources = linkage.resource_names({g["sanctions_resource_id"] for g in groups})
    people_ok = _may_see_people(user, own_package_ids | set(packages))
    for group in groups:
        shown = group["sanctions_package_id"] in people_ok or bool(own_package_ids & people_ok)
        group["dataset"] = packages.get(group["sanctions_package_id"])
        group["resource"] = resources.get(group["sanctions_resource_id"])
        group["suppliers"] = [_withhold(supplier, shown) for supplier in group["suppliers"]]
    return groups


@tk.side_effect_free
@validate(schema.identifier_matches_schema)
def anticorruption_identifier_matches(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Red flags: suppliers of awards (contracts, tenders, grants, contractor
    lists) found in a debarred or sanctioned contractors register.

    A supplier is ``in_force`` when an award date falls inside one of its
    sanction periods, ``False`` when none does and ``None`` when dates are
    missing on either side. Only datasets the caller may see take part.
    Natural persons' identifiers are withheld (``identifier`` null,
    ``withheld`` true) unless the caller may edit a dataset naming them.

    :param id: a dataset id or name (optional). For an award dataset, its
        flagged suppliers by sanctions register; for a sanctions register,
        the award datasets its suppliers appear in. Without it, every award
        dataset of the portal with flags.
    :returns: ``{"dataset", "registers": [...]}`` for an award dataset,
        ``{"dataset", "awards": [...]}`` for a sanctions register, or
        ``{"datasets": [...]}`` for the portal; each group has
        ``supplier_count``, ``in_force_count`` and ``suppliers``.
    """
    tk.check_access("anticorruption_identifier_matches", context, data_dict)
    user = context.get("user") or None
    if data_dict.get("id"):
        package_id = _package_id(context, data_dict["id"])
        found = linkage.matches_for_package(package_id, user)
        result: dict[str, Any] = {"dataset": linkage.dataset_summaries({package_id}).get(package_id)}
        result["registers"] = _registers(found["awards"], user, {package_id})
        result["awards"] = _award_groups(found["sanctions"], user, package_id)
        keys = {(m["award"]["scheme"], m["award"]["identifier"]) for m in found["awards"]}
        result["supplier_count"] = len(keys)
        result["in_force_count"] = len({(m["award"]["scheme"], m["award"]["identifier"])
                                        for m in found["awards"] if m["in_force"]})
        return result
    matches = linkage.all_matches(user)
    by_award: dict[str, list[dict[str, Any]]] = {}
    for found in matches:
        by_award.setdefault(found["award"]["package_id"], []).append(found)
    datasets = linkage.dataset_summaries(set(by_award))
    result_list = []
    for package_id, found in by_award.items():
        registers = _registers(found, user, {package_id})
        result_list.append({
            "dataset": datasets.get(package_id),
            "registers": registers,
            "supplier_count": sum(g["supplier_count"] for g in registers),
            "in_force_count": sum(g["in_force_count"] for g in registers),
        })
    result_list.sort(key=lambda d: (-d["in_force_count"], -d["supplier_count"], (d["dataset"] or {}).get("name", "")))
    return {"datasets": result_list}


def _award_groups(matches: list[dict[str, Any]], user: str | None, own_id: str) -> list[dict[str, Any]]:
    """For a sanctions register: the award datasets its suppliers appear in."""
    by_award: dict[str, list[dict[str, Any]]] = {}
    for found in matches:
        by_award.setdefault(found["award"]["package_id"], []).append(found)
    datasets = linkage.dataset_summaries(set(by_award))
    people_ok = _may_see_people(user, set(by_award) | {own_id})
    groups = []
    for package_id, found in by_award.items():
        summary = _merge(redflags.summarise(found))
        shown = package_id in people_ok or own_id in people_ok
        groups.append({
            "dataset": datasets.get(package_id),
            "supplier_count": summary["supplier_count"],
            "in_force_count": summary["in_force_count"],
            "suppliers": [_withhold(supplier, shown) for supplier in summary["suppliers"]],
        })
    return sorted(groups, key=lambda g: (-g["in_force_count"], -g["supplier_count"]))


def _merge(groups: list[dict[str, Any]]) -> dict[str, Any]:
    suppliers: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        for supplier in group["suppliers"]:
            key = (supplier["scheme"], supplier["identifier"])
            if key not in suppliers or (supplier["in_force"] and not suppliers[key]["in_force"]):
                suppliers[key] = supplier
    merged = list(suppliers.values())
    return {"supplier_count": len(merged), "in_force_count": sum(1 for s in merged if s["in_force"]),
            "suppliers": merged}


@tk.side_effect_free
@validate(schema.identifier_show_schema)
def anticorruption_identifier_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every dataset the caller may see that names an organization's identifier.

    Identifiers of natural persons are never listed: asking for one is
    answered with ``ObjectNotFound``, whoever asks.

    :param scheme: the identifier's scheme, e.g. ``MX-RFC``
    :param identifier: the identifier, e.g. ``CMO180304KX1``
    :returns: ``scheme``, ``scheme_title``, ``identifier``, ``datasets``
        (each with its ``resources``: ``field``, ``rows``, ``role``) and
        ``sanctioned``: whether a visible sanctions register names it
    """
    tk.check_access("anticorruption_identifier_show", context, data_dict)
    registry = linkage.registry()
    scheme = data_dict.get("scheme", "")
    identifier = data_dict.get("identifier", "")
    vocabulary = dataset_types.vocabularies().identifier_schemes
    if scheme == LOCAL or (scheme not in registry.schemes and scheme not in vocabulary):
        raise tk.ValidationError({"scheme": [tk._("Unknown identifier scheme: {scheme}").format(scheme=scheme[:50])]})
    problem = registry.check(identifier, [scheme])
    # No scheme has a NUL character in its identifiers (and PostgreSQL would refuse it in the query).
    if "\x00" in identifier or (problem is not None and problem.severity == "error"):
        raise tk.ValidationError({"identifier": [tk._("This is not a well-formed {scheme} identifier.").format(
            scheme=scheme)]})
    # Asked as a publisher writes it ("06E00"), found as the index joins it ("06-E00").
    resolved = registry.resolve(identifier, [scheme]) if scheme in registry.schemes else None
    if resolved is not None:
        identifier = resolved[1]
    links = linkage.datasets_naming(scheme, identifier, context.get("user") or None)
    if registry.natural_person(scheme, identifier) or any(link["person"] for link in links):
        raise tk.ObjectNotFound(tk._("Identifiers of natural persons are not listed."))
    datasets = linkage.dataset_summaries({link["package_id"] for link in links})
    resources = linkage.resource_names({link["resource_id"] for link in links})
    by_dataset: dict[str, dict[str, Any]] = {}
    for link in links:
        entry = by_dataset.setdefault(link["package_id"], {**(datasets.get(link["package_id"]) or {}), "resources": []})
        entry["resources"].append({**(resources.get(link["resource_id"]) or {"id": link["resource_id"]}),
                                   "field": link["field"], "rows": link["rows"], "role": link["role"]})
    return {
        "scheme": scheme,
        "scheme_title": dict(registry.schemes[scheme].title if scheme in registry.schemes
                             else vocabulary[scheme].title),
        "identifier": identifier,
        "datasets": sorted(by_dataset.values(), key=lambda d: (d.get("type") or "", d.get("title") or "")),
        "sanctioned": any(link["role"] == "sanction" for link in links),
    }

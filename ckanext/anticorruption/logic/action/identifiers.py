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
    """A natural person's identifier and name are shown only to those who may edit a dataset naming them.

    Names without a legal form count as persons' (see IdentifierLinks): a
    probable match of "JUAN PEREZ LOPEZ" is counted for everyone, and named
    only to editors, as a person's RFC is.
    """
    if supplier["person"] and not shown:
        entries = [{**entry, "names": None} for entry in supplier["entries"]]
        return {**supplier, "identifier": None, "label": None, "entries": entries, "withheld": True}
    return {**supplier, "withheld": False}


def _wordings(package_ids: set[str], packages: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each register's wording (its type's ``red_flags.wording``), by dataset id."""
    wordings = {}
    for package_id in package_ids:
        typ = dataset_types.dataset_type((packages.get(package_id) or {}).get("type"))
        if typ is not None and typ.red_flags.get("wording"):
            wordings[package_id] = typ.red_flags["wording"]
    return wordings


def _suppliers(matches: list[dict[str, Any]], user: str | None, own_package_ids: set[str],
               side: str = "award") -> dict[str, Any]:
    """The flagged suppliers once each, with the other side's datasets; counts; per-dataset groups."""
    suppliers = redflags.summarise(matches, side)
    entry_packages = {entry["package_id"] for s in suppliers for entry in s["entries"]}
    packages = linkage.dataset_summaries(entry_packages | own_package_ids)
    resources = linkage.resource_names({rid for s in suppliers for entry in s["entries"]
                                        for rid in entry["resource_ids"]})
    wordings = _wordings(entry_packages, packages) if side == "award" else {}
    people_ok = _may_see_people(user, own_package_ids | entry_packages)
    edits_this_dataset = bool(own_package_ids & people_ok)
    result = []
    for supplier in suppliers:
        for entry in supplier["entries"]:
            entry["dataset"] = packages.get(entry["package_id"])
            entry["resource"] = resources.get(entry["resource_id"])
            entry["wording"] = wordings.get(entry["package_id"])
        shown = edits_this_dataset or any(entry["package_id"] in people_ok for entry in supplier["entries"])
        result.append(_withhold(supplier, shown))
    groups = redflags.by_dataset(suppliers, "resource_id" if side == "award" else "package_id")
    for group in groups:
        group["dataset"] = packages.get(group["package_id"])
        group["resource"] = resources.get(group["resource_id"]) if side == "award" else None
    return {"suppliers": result, "groups": groups, **redflags.counts(suppliers)}


@tk.side_effect_free
@validate(schema.identifier_matches_schema)
def anticorruption_identifier_matches(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Red flags: suppliers of awards (contracts, tenders, grants, contractor
    lists) found in a register that raises flags (debarred or sanctioned
    contractors, SAT's list of taxpayers invoicing simulated operations).

    Each flagged supplier is listed once, with every register naming it
    (``entries``). An entry is ``certain`` when the two files share the
    supplier's identifier and ``probable`` when they share only its
    normalised legal name (``names``: the two names found equal). It is
    ``in_force`` when an award date falls inside one of the register's
    periods for the supplier (``since``, ``until``), ``False`` when none
    does and ``None`` when dates are missing on either side. Only datasets
    the caller may see take part. Natural persons' identifiers and names
    (and names without a legal form) are withheld (``identifier`` and
    ``label`` null, ``withheld`` true) unless the caller may edit a dataset
    naming them.

    :param id: a dataset id or name (optional). For an award dataset, its
        flagged suppliers; for a register, its suppliers found in award
        datasets. Without it, every award dataset of the portal with flags.
    :returns: ``{"dataset", "suppliers", "registers", "awards", "sanctioned"}``
        for a dataset: ``suppliers`` (award side, each with ``entries`` per
        register file) and ``registers`` (per register file, with counts);
        ``sanctioned`` (register side, each with ``entries`` per award
        dataset) and ``awards`` (per award dataset, with counts); or
        ``{"datasets": [...]}`` for the portal. Counts: ``supplier_count``,
        ``in_force_count``, ``probable_count``.
    """
    tk.check_access("anticorruption_identifier_matches", context, data_dict)
    user = context.get("user") or None
    if data_dict.get("id"):
        package_id = _package_id(context, data_dict["id"])
        found = linkage.matches_for_package(package_id, user)
        result: dict[str, Any] = {"dataset": linkage.dataset_summaries({package_id}).get(package_id)}
        awards = _suppliers(found["awards"], user, {package_id}, "award")
        sanctions = _suppliers(found["sanctions"], user, {package_id}, "sanction")
        result.update({key: awards[key] for key in ("suppliers", "supplier_count", "in_force_count",
                                                    "probable_count")})
        result["registers"] = awards["groups"]
        result["sanctioned"] = sanctions["suppliers"]
        result["awards"] = sanctions["groups"]
        return result
    matches = linkage.all_matches(user)
    by_award: dict[str, list[dict[str, Any]]] = {}
    for found in matches:
        by_award.setdefault(found["award"]["package_id"], []).append(found)
    datasets = linkage.dataset_summaries(set(by_award))
    result_list = []
    for package_id, found in by_award.items():
        flagged = _suppliers(found, user, {package_id}, "award")
        result_list.append({"dataset": datasets.get(package_id), "suppliers": flagged["suppliers"],
                            "registers": flagged["groups"],
                            **{key: flagged[key] for key in ("supplier_count", "in_force_count", "probable_count")}})
    result_list.sort(key=lambda d: (-d["in_force_count"], -d["supplier_count"], (d["dataset"] or {}).get("name", "")))
    return {"datasets": result_list}


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
    title = registry.title(scheme) or (dict(vocabulary[scheme].title) if scheme in vocabulary else None)
    if scheme == LOCAL or title is None:
        raise tk.ValidationError({"scheme": [tk._("Unknown identifier scheme: {scheme}").format(scheme=scheme[:50])]})
    problem = registry.check(identifier, [scheme])
    # No scheme has a NUL character in its identifiers (and PostgreSQL would refuse it in the query).
    if "\x00" in identifier or (problem is not None and problem.severity == "error"):
        raise tk.ValidationError({"identifier": [tk._("This is not a well-formed {scheme} identifier.").format(
            scheme=scheme)]})
    # Asked as a publisher writes it ("06E00", an ocid in capitals), found as the index joins it
    # ("06-E00", the ocid in lower case).
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
        "scheme_title": title,
        "identifier": identifier,
        "datasets": sorted(by_dataset.values(), key=lambda d: (d.get("type") or "", d.get("title") or "")),
        "sanctioned": any(link["role"] == "sanction" for link in links),
    }

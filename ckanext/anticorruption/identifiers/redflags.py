"""Red flags: suppliers of contracts, tenders, grants or contractor lists that are
in a sanctions register, and whether the sanction was in force at the time.

Pure module: plain link records in (as the linkage index stores them), plain
data out. Two tiers: a supplier found by a shared identifier (RFC, ...) is
*certain*; found by its normalised legal name alone (scheme ``NAME``, see
identifiers.names) it is *probable*, and shown apart with the two names.

A link is a dict with at least ``scheme``, ``identifier``, ``rows``,
``person`` and ``moments``: the award's sorted dates ("YYYY-MM-DD") or the
sanction's [start, end] periods ("" for an open end); and optionally
``label``, the name as written.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from ckanext.anticorruption.identifiers.names import NAME_SCHEME, NameRules

__all__ = ["CERTAIN", "PROBABLE", "by_dataset", "counts", "dates_in_force", "match", "summarise", "tier"]

CERTAIN = "certain"
PROBABLE = "probable"


def dates_in_force(dates: list[str], periods: list[list[str]]) -> list[str] | None:
    """The award dates (sorted and distinct, as links hold them) that fall inside one of the sanction periods.

    None when the comparison cannot be made (the award has no dates or the
    sanction no period); an empty list when it can and no date overlaps.
    """
    if not dates or not periods:
        return None
    if len(periods) == 1:  # most sanctions: the dates are sorted and distinct, so a slice is the answer
        start, end = periods[0]
        return dates[bisect.bisect_left(dates, start) if start else 0:
                     bisect.bisect_right(dates, end) if end else len(dates)]
    found: set[str] = set()
    for start, end in periods:
        low = bisect.bisect_left(dates, start) if start else 0
        high = bisect.bisect_right(dates, end) if end else len(dates)
        found.update(dates[low:high])
    return sorted(found)


def _period_of(dates: list[str], periods: list[list[str]], overlap: list[str] | None) -> tuple[str, str] | None:
    """The period the verdict rests on: the earliest holding an overlapping date, else the earliest."""
    if not periods:
        return None
    if len(periods) == 1:
        return periods[0][0], periods[0][1]
    if overlap:
        holding = [(start, end) for start, end in periods
                   if any((not start or start <= day) and (not end or day <= end) for day in overlap)]
        if holding:
            return min(holding)
    start, end = min((start, end) for start, end in periods)
    return start, end


def tier(link: dict[str, Any]) -> str:
    """A shared identifier is certain; a shared normalised name alone is probable."""
    return PROBABLE if link["scheme"] == NAME_SCHEME else CERTAIN


def match(awards: Iterable[dict[str, Any]], sanctions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (award link, sanction link) pair naming the same identifier or the same normalised name.

    Each result carries ``in_force``: True when an award date falls inside a
    sanction period, False when none does, None when dates are missing; and
    ``dates_in_force``, the overlapping dates; ``since`` and ``until``, the
    sanction period the verdict rests on ("" for an open end); ``tier``,
    "certain" (an identifier) or "probable" (a name). Sanctions are indexed by
    identifier, so the cost is linear in the two lists.
    """
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for sanction in sanctions:
        by_key.setdefault((sanction["scheme"], sanction["identifier"]), []).append(sanction)
    found = []
    for award in awards:
        candidates = by_key.get((award["scheme"], award["identifier"]))
        if not candidates:
            continue
        dates, tier_ = award.get("moments") or [], tier(award)
        for sanction in candidates:
            periods = sanction.get("moments") or []
            overlap = dates_in_force(dates, periods)
            period = _period_of(dates, periods, overlap)
            found.append({
                "award": award,
                "sanction": sanction,
                "tier": tier_,
                "in_force": None if overlap is None else bool(overlap),
                "dates_in_force": overlap or [],
                "since": period[0] if period else None,
                "until": period[1] if period else None,
            })
    return found


def _name_key(link: dict[str, Any], keys: dict[str, str | None]) -> str | None:
    if link["scheme"] == NAME_SCHEME:
        return link["identifier"]
    label = link.get("label")
    if not label:
        return None
    if label not in keys:
        keys[label] = NameRules.load().key(label)
    return keys[label]


def _worse(verdict: bool | None, other: bool | None) -> bool | None:
    """In force beats outside the period, which beats unknown."""
    if verdict or other:
        return True
    if verdict is False or other is False:
        return False
    return None


def _rank(in_force: bool | None, tier_: str) -> tuple[int, int]:
    return ({True: 0, None: 1, False: 2}[in_force], 0 if tier_ == CERTAIN else 1)


def summarise(matches: list[dict[str, Any]], side: str = "award") -> list[dict[str, Any]]:
    """One entry per flagged supplier, with every dataset of the other side that names it; worst first.

    ``side`` is the dataset the page is about: "award" lists each supplier of
    the award files once, with each sanctions *resource* (register file)
    naming it; "sanction" lists each sanctioned supplier once, with each
    award *dataset* naming it. Every entry has its ``tier`` and its own
    verdict (``in_force``, ``dates_in_force``, ``since``, ``until``); a
    probable entry also says which two names were found equal (``names``).

    A supplier found by identifier in a register is not listed again by
    name for that register; a name match is merged into the supplier whose
    identifier carries that name (same normalised key), so a supplier known
    by RFC in one register and by name only in another is one supplier with
    a certain entry and a probable one. Natural persons (identifiers of
    persons, names without a legal form) are marked ``person`` so that pages
    can withhold them.
    """
    own, other = ("award", "sanction") if side == "award" else ("sanction", "award")
    entry_key = "resource_id" if side == "award" else "package_id"
    suppliers: dict[tuple[str, str], dict[str, Any]] = {}
    by_name: dict[str, tuple[str, str]] = {}
    keys: dict[str, str | None] = {}
    # Identifier matches first, so that name matches find the supplier they belong to.
    for found in sorted(matches, key=lambda m: m.get("tier") == PROBABLE):
        mine, theirs = found[own], found[other]
        probable = found.get("tier") == PROBABLE
        if not probable:
            key = (mine["scheme"], mine["identifier"])
            for name_key in (_name_key(mine, keys), _name_key(theirs, keys)):
                if name_key:
                    by_name.setdefault(name_key, key)
        else:
            key = by_name.get(mine["identifier"], (NAME_SCHEME, mine["identifier"]))
        supplier = suppliers.get(key)
        if supplier is None:
            supplier = suppliers[key] = {
                "scheme": key[0], "identifier": key[1], "label": mine.get("label"),
                "person": False, "rows": 0, "_resources": set(), "entries": {},
            }
        if (mine["scheme"], mine["identifier"]) == key and key[0] == NAME_SCHEME:
            # A name is a person's only when no file writes it with a legal form: "CONSTRUCTORA PEME"
            # in a contract and "CONSTRUCTORA PEME, S.A. DE C.V." in a register name a company.
            shows_a_form = not (mine.get("person") and theirs.get("person"))
            supplier["_company"] = supplier.get("_company", False) or shows_a_form
            supplier["person"] = not supplier["_company"]
        if (mine["scheme"], mine["identifier"]) == key:
            if key[0] != NAME_SCHEME:
                supplier["person"] = supplier["person"] or bool(mine.get("person") or theirs.get("person"))
            supplier["label"] = supplier["label"] or mine.get("label")
            if mine["resource_id"] not in supplier["_resources"]:
                supplier["_resources"].add(mine["resource_id"])
                supplier["rows"] += mine.get("rows", 0)
        elif mine.get("person") and theirs.get("person"):
            supplier["person"] = True
        entry = supplier["entries"].get(theirs[entry_key])
        if entry is not None and entry["tier"] == CERTAIN and probable:
            continue  # already found by identifier in that dataset
        if entry is None:
            entry = supplier["entries"][theirs[entry_key]] = {
                "resource_id": theirs["resource_id"], "package_id": theirs["package_id"],
                "resource_ids": set(), "tier": found.get("tier", CERTAIN), "in_force": None,
                "dates_in_force": set(), "since": None, "until": None, "names": None,
            }
        entry["resource_ids"].add(theirs["resource_id"])
        if probable:
            entry["names"] = [mine.get("label") or mine["identifier"], theirs.get("label") or theirs["identifier"]]
        verdict = found["in_force"]
        if entry["since"] is None or (verdict and not entry["in_force"]):
            entry["since"], entry["until"] = found.get("since"), found.get("until")
        entry["in_force"] = _worse(entry["in_force"], verdict)
        entry["dates_in_force"].update(found["dates_in_force"])
    result = []
    for supplier in suppliers.values():
        supplier.pop("_resources")
        supplier.pop("_company", None)
        entries = sorted(supplier["entries"].values(), key=lambda e: (*_rank(e["in_force"], e["tier"]), e["package_id"]))
        for entry in entries:
            entry["dates_in_force"] = sorted(entry["dates_in_force"])
            entry["resource_ids"] = sorted(entry["resource_ids"])
        supplier["entries"] = entries
        supplier["tier"] = CERTAIN if any(e["tier"] == CERTAIN for e in entries) else PROBABLE
        supplier["in_force"] = None
        for entry in entries:
            supplier["in_force"] = _worse(supplier["in_force"], entry["in_force"])
        supplier["in_force_tier"] = next((e["tier"] for e in entries if e["in_force"]), None)
        supplier["dates_in_force"] = sorted({day for e in entries for day in e["dates_in_force"]})
        result.append(supplier)
    return sorted(result, key=lambda s: (*_rank(s["in_force"], s["in_force_tier"] or s["tier"]), s["person"],
                                         s["label"] or s["identifier"]))


def counts(suppliers: list[dict[str, Any]]) -> dict[str, int]:
    """How many suppliers are flagged, in force at an award, and found by name only."""
    return {
        "supplier_count": len(suppliers),
        "in_force_count": sum(1 for s in suppliers if s["in_force"]),
        "probable_count": sum(1 for s in suppliers if s["tier"] == PROBABLE),
    }


def by_dataset(suppliers: list[dict[str, Any]], key: str = "resource_id") -> list[dict[str, Any]]:
    """The datasets (``key``: their resource or package id) the suppliers' entries name, with counts, worst first."""
    groups: dict[str, dict[str, Any]] = {}
    for supplier in suppliers:
        for entry in supplier["entries"]:
            group = groups.setdefault(entry[key], {"resource_id": entry["resource_id"],
                                                   "package_id": entry["package_id"], "_suppliers": []})
            group["_suppliers"].append(entry)
    result = []
    for group in groups.values():
        entries = group.pop("_suppliers")
        result.append({**group, "supplier_count": len(entries),
                       "in_force_count": sum(1 for e in entries if e["in_force"]),
                       "probable_count": sum(1 for e in entries if e["tier"] == PROBABLE)})
    return sorted(result, key=lambda g: (-g["in_force_count"], -g["supplier_count"], g["package_id"]))

"""Red flags: suppliers of contracts, tenders, grants or contractor lists that are
in a sanctions register, and whether the sanction was in force at the time.

Pure module: plain link records in (as the linkage index stores them), plain
data out. A link is a dict with at least ``scheme``, ``identifier``, ``rows``,
``person`` and ``moments``: the award's sorted dates ("YYYY-MM-DD") or the
sanction's [start, end] periods ("" for an open end).
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

__all__ = ["dates_in_force", "match", "summarise"]


def dates_in_force(dates: list[str], periods: list[list[str]]) -> list[str] | None:
    """The award dates that fall inside one of the sanction periods.

    None when the comparison cannot be made (the award has no dates or the
    sanction no period); an empty list when it can and no date overlaps.
    """
    if not dates or not periods:
        return None
    found: set[str] = set()
    for start, end in periods:
        low = bisect.bisect_left(dates, start) if start else 0
        high = bisect.bisect_right(dates, end) if end else len(dates)
        found.update(dates[low:high])
    return sorted(found)


def match(awards: Iterable[dict[str, Any]], sanctions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (award link, sanction link) pair naming the same identifier.

    Each result carries ``in_force``: True when an award date falls inside a
    sanction period, False when none does, None when dates are missing; and
    ``dates_in_force``, the overlapping dates. Sanctions are indexed by
    identifier, so the cost is linear in the two lists.
    """
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for sanction in sanctions:
        by_key.setdefault((sanction["scheme"], sanction["identifier"]), []).append(sanction)
    found = []
    for award in awards:
        for sanction in by_key.get((award["scheme"], award["identifier"]), ()):
            overlap = dates_in_force(list(award.get("moments") or []), list(sanction.get("moments") or []))
            found.append({
                "award": award,
                "sanction": sanction,
                "in_force": None if overlap is None else bool(overlap),
                "dates_in_force": overlap or [],
            })
    return found


def summarise(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Matches grouped by the register they were found in, worst first.

    One group per sanctions resource: how many distinct suppliers of the
    file are in it, how many were sanctioned at the time of an award, and
    the suppliers themselves (identifiers of natural persons are marked so
    that pages can withhold them).
    """
    groups: dict[str, dict[str, Any]] = {}
    for found in matches:
        sanction = found["sanction"]
        group = groups.setdefault(sanction["resource_id"], {
            "sanctions_resource_id": sanction["resource_id"],
            "sanctions_package_id": sanction["package_id"],
            "suppliers": {},
        })
        key = (found["award"]["scheme"], found["award"]["identifier"])
        supplier = group["suppliers"].setdefault(key, {
            "scheme": key[0],
            "identifier": key[1],
            "person": bool(found["award"].get("person") or sanction.get("person")),
            "rows": 0,
            "in_force": None,
            "dates_in_force": set(),
            "award_resource_ids": set(),
        })
        if found["award"]["resource_id"] not in supplier["award_resource_ids"]:
            supplier["award_resource_ids"].add(found["award"]["resource_id"])
            supplier["rows"] += found["award"].get("rows", 0)
        if found["in_force"] is not None:
            supplier["in_force"] = bool(supplier["in_force"]) or found["in_force"]
        supplier["dates_in_force"].update(found["dates_in_force"])
    result = []
    for group in groups.values():
        suppliers = sorted(group["suppliers"].values(),
                           key=lambda s: (not s["in_force"], s["person"], s["identifier"]))
        for supplier in suppliers:
            supplier["dates_in_force"] = sorted(supplier["dates_in_force"])
            supplier["award_resource_ids"] = sorted(supplier["award_resource_ids"])
        result.append({
            "sanctions_resource_id": group["sanctions_resource_id"],
            "sanctions_package_id": group["sanctions_package_id"],
            "suppliers": suppliers,
            "supplier_count": len(suppliers),
            "in_force_count": sum(1 for s in suppliers if s["in_force"]),
        })
    return sorted(result, key=lambda g: (-g["in_force_count"], -g["supplier_count"], g["sanctions_package_id"]))

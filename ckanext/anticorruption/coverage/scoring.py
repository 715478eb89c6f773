"""Coverage of the Guide's 30 datasets: facts per dataset, states and scores per cell.

Pure module: plain data in, plain data out. The CKAN side (coverage_query)
gathers the facts with a constant number of queries and hands them here.

A *cell* is one agency (organization) and one dataset type. Its state is
one of ``STATES``; its score averages the scores of its public datasets,
each earning 20 points for every criterion of ``CRITERIA`` it meets.

A dataset's newest file decides whether it is valid (:func:`decision`): an
older valid file does not make up for a newer invalid one, and a dataset
whose newest file could not be checked (a PDF, a format the engine does not
read, a link to a web page) is "published, not checked": it earns the
points for being published, never those for being valid.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CRITERIA", "DECLARED_STATES", "FRESH_FOR_DAYS", "MACHINE_READABLE", "STATES", "VERDICTS",
    "CellFacts", "Declaration", "Inputs", "build_matrix", "dataset_facts", "decision", "newest_file", "filter_matrix", "flags_of", "matrix_csv",
    "matrix_json", "matrix_rows", "matrix_xlsx", "snapshot_rows", "trend_points", "with_private",
]

# Display order of the states (also the legend's order).
STATES = ("missing", "invalid", "outdated", "unchecked", "published", "nothing_to_report", "not_applicable")
# States that an agency or the portal declares; such cells are not gaps.
DECLARED_STATES = ("not_applicable", "nothing_to_report")
CRITERIA = ("published", "open", "machine_readable", "valid", "fresh")
# What the index knows of a dataset at indexing time (freshness depends on "now").
FLAGS = ("open", "machine_readable", "valid", "invalid")
POINTS_PER_CRITERION = 100 // len(CRITERIA)

# Formats a program can read without retyping (a PDF or a scan cannot).
MACHINE_READABLE = frozenset({
    "CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "JSONL", "GEOJSON", "XML", "RDF", "TTL", "JSON-LD", "PARQUET",
})

_EU = "http://publications.europa.eu/resource/authority/frequency/"
# How many days after its last update a dataset of each declared frequency
# is still up to date: the period plus a margin for publication delays.
# Irregular and one-off datasets never go out of date.
FRESH_FOR_DAYS: dict[str, int | None] = {
    _EU + "CONT": 2,
    _EU + "DAILY": 2,
    _EU + "WEEKLY": 10,
    _EU + "MONTHLY": 45,
    _EU + "QUARTERLY": 120,
    _EU + "ANNUAL_2": 200,
    _EU + "ANNUAL": 400,
    _EU + "IRREG": None,
    _EU + "NEVER": None,
}
# The index stores "never out of date" as a date far away.
NEVER_STALE = datetime.datetime(9999, 12, 31, tzinfo=datetime.timezone.utc)


# What a dataset's newest file says of it (see decision).
VERDICTS = ("valid", "invalid", "unchecked")


def _parse(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _solr_date(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(resource: Mapping[str, Any]) -> datetime.datetime | None:
    """When a file was last changed: CKAN's ``last_modified`` (set when a file is uploaded), else ``created``."""
    return _parse(resource.get("last_modified") or resource.get("created"))


def newest_file(resources: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The dataset's newest file: the latest ``last_modified`` (or ``created``); of two
    equally new files, the later in the dataset's order (the one added last)."""
    oldest = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    ranked = [(_stamp(resource) or oldest, position, resource) for position, resource in enumerate(resources)]
    return max(ranked, key=lambda item: item[:2])[2] if ranked else None


def decision(resources: list[Mapping[str, Any]], states: Mapping[str, str]) -> dict[str, Any]:
    """Which file decides the dataset's validity, and what it says.

    ``resources`` are the files the public sees, in the dataset's order;
    ``states`` their validation states by resource id. Returns the deciding
    ``resource`` (None for a dataset without files), its validation
    ``state`` and the ``verdict``: "valid", "invalid" (the newest file breaks
    the Table Schema, or could not be read: an unreachable link, an
    undecodable file), or "unchecked" (nothing the engine reads: a PDF, a
    web page, a file without a schema; or its check has not ended yet).
    """
    resource = newest_file(resources)
    state = states.get(str(resource.get("id") or "")) if resource is not None else None
    verdict = "valid" if state == "valid" else ("invalid" if state in ("invalid", "error") else "unchecked")
    return {"resource": resource, "state": state, "verdict": verdict}


def dataset_facts(dataset: Mapping[str, Any], validation_states: Mapping[str, str], is_open: bool) -> dict[str, Any]:
    """What the coverage page needs to know of one dataset, as index fields.

    ``dataset`` is a dataset dict with the resources the public sees;
    ``validation_states`` their states by resource id; ``is_open`` whether
    its licence is open. Its newest file decides whether it is valid.
    """
    resources = dataset.get("resources") or []
    formats = {str(r.get("format") or "").strip().upper().lstrip(".") for r in resources}
    verdict = decision(resources, validation_states)["verdict"]
    stamps = [_stamp(r) for r in resources]
    updated = max((s for s in stamps if s), default=None) or _parse(dataset.get("metadata_modified"))
    days = FRESH_FOR_DAYS.get(str(dataset.get("frequency") or ""), None)
    fresh_until = NEVER_STALE if days is None or updated is None else updated + datetime.timedelta(days=days)
    flags = {
        "open": bool(is_open),
        "machine_readable": bool(formats & MACHINE_READABLE),
        "valid": verdict == "valid",
        "invalid": verdict == "invalid",
    }
    cell = f"{dataset.get('owner_org') or ''}|{dataset.get('type') or ''}"
    facts = {f"ac_{name}": "true" if value else "false" for name, value in flags.items()}
    facts.update({
        "ac_fresh_until_date": _solr_date(fresh_until),
        # One term per cell, and one per cell and combination of flags: the
        # coverage query counts a whole country with two flat facets.
        "ac_cell": cell,
        "ac_cell_flags": cell + "|" + "".join("1" if flags[name] else "0" for name in FLAGS),
    })
    if updated is not None:
        facts["ac_updated_date"] = _solr_date(updated)
    return facts


def flags_of(term: str) -> tuple[str, str, dict[str, bool]]:
    """(organization id, type id, flags) from an ``ac_cell_flags`` term."""
    organization_id, type_id, bits = term.rsplit("|", 2)
    return organization_id, type_id, {name: bit == "1" for name, bit in zip(FLAGS, bits)}


@dataclass
class CellFacts:
    """Counts over the public datasets of one cell (from the search index).

    Each dataset is valid, invalid or unchecked by its newest file: those
    neither valid nor invalid are "published, not checked".
    """

    count: int = 0
    open: int = 0
    machine_readable: int = 0
    valid: int = 0
    invalid: int = 0
    fresh: int = 0
    updated: str | None = None


@dataclass
class Declaration:
    status: str  # not_applicable | nothing_to_report
    reason: str
    period: str = ""
    by_portal: bool = False
    created: str = ""


@dataclass
class Inputs:
    """Everything build_matrix needs, gathered by the CKAN side."""

    organizations: list[dict[str, Any]]  # id, name, title
    types: list[dict[str, Any]]  # id, title, category, category_title (in the Guide's order)
    public: dict[tuple[str, str], CellFacts]
    private: dict[tuple[str, str], int] = field(default_factory=dict)
    declarations: dict[tuple[str, str], Declaration] = field(default_factory=dict)
    requests: dict[tuple[str, str], int] = field(default_factory=dict)
    # When the first fresh public dataset becomes outdated (ISO, UTC): the matrix holds until then.
    changes_at: str | None = None


def _cell(facts: CellFacts | None, declaration: Declaration | None) -> dict[str, Any]:
    facts = facts or CellFacts()
    n = facts.count
    cell: dict[str, Any] = {"count": n}
    if n:
        met = {
            "published": n, "open": facts.open, "machine_readable": facts.machine_readable,
            "valid": facts.valid, "fresh": facts.fresh,
        }
        cell["criteria"] = met
        cell["score"] = round(sum(POINTS_PER_CRITERION * met[c] / n for c in CRITERIA))
        cell["updated"] = facts.updated
        cell["unchecked"] = n - facts.valid - facts.invalid
        if facts.invalid:
            cell["state"] = "invalid"
        elif not facts.fresh:
            cell["state"] = "outdated"
        elif not facts.valid:
            # Published, but nothing in it could be checked: never shown as valid.
            cell["state"] = "unchecked"
        else:
            cell["state"] = "published"
    elif declaration is not None:
        cell["state"], cell["score"] = declaration.status, None
        cell["declaration"] = {
            "status": declaration.status, "reason": declaration.reason, "period": declaration.period,
            "by_portal": declaration.by_portal, "created": declaration.created,
        }
    else:
        cell["state"], cell["score"] = "missing", 0
    return cell


def _mean(scores: list[int]) -> int | None:
    return round(sum(scores) / len(scores)) if scores else None


def _published_of_expected(cells: Iterable[dict[str, Any]]) -> int:
    """The "published" of "published of expected": expected cells (those scored) with public datasets.

    The figure of each row, of the national summary and of the snapshots.
    """
    return sum(1 for c in cells if c["count"] and c["score"] is not None)


def build_matrix(inputs: Inputs) -> dict[str, Any]:
    """The coverage matrix: one row per organization, one cell per type, plus totals.

    Each row's ``expected`` counts its scored cells (not declared, or published
    anyway) and ``published`` those of them with public datasets; the summary
    adds them up over the rows.
    """
    rows = []
    totals = {"expected": 0, "published": 0, "good": 0, "declared": 0}
    for org in inputs.organizations:
        cells = {}
        for typ in inputs.types:
            key = (org["id"], typ["id"])
            cell = _cell(inputs.public.get(key), inputs.declarations.get(key))
            cell["requests"] = inputs.requests.get(key, 0)
            if inputs.private.get(key):
                cell["private"] = inputs.private[key]
            cells[typ["id"]] = cell
        scored = [c["score"] for c in cells.values() if c["score"] is not None]
        expected = len(scored)
        published = _published_of_expected(cells.values())
        good = sum(1 for c in cells.values() if c["state"] == "published" and c["criteria"]["valid"])
        declared = sum(1 for c in cells.values() if c["state"] in DECLARED_STATES)
        rows.append({
            "organization": {k: org.get(k) for k in ("id", "name", "title")},
            "score": _mean(scored),
            "expected": expected,
            "published": published,
            "valid_and_fresh": good,
            "declared": declared,
            "cells": cells,
        })
        for key, value in (("expected", expected), ("published", published), ("good", good), ("declared", declared)):
            totals[key] += value
    summary = {
        "organizations": len(rows),
        "types": len(inputs.types),
        "expected": totals["expected"],
        "published": totals["published"],
        "valid_and_fresh": totals["good"],
        "declared": totals["declared"],
        "missing": sum(1 for row in rows for c in row["cells"].values() if c["state"] == "missing"),
        "valid_and_fresh_share": round(100 * totals["good"] / totals["published"]) if totals["published"] else 0,
        "score": _mean([row["score"] for row in rows if row["score"] is not None]),
        "states": {s: sum(1 for row in rows for c in row["cells"].values() if c["state"] == s) for s in STATES},
    }
    categories: list[dict[str, Any]] = []
    for typ in inputs.types:
        if not categories or categories[-1]["id"] != typ["category"]:
            categories.append({"id": typ["category"], "title": typ["category_title"], "types": []})
        categories[-1]["types"].append(typ)
    return {"summary": summary, "categories": categories, "types": inputs.types, "rows": rows}


def with_private(matrix: dict[str, Any], private: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    """The public matrix with the private datasets a caller may see counted in their cells
    (``private``), as ``build_matrix`` would give them; ``matrix`` itself is left as it is."""
    if not private:
        return matrix
    by_organization: dict[str, dict[str, int]] = {}
    for (organization_id, type_id), count in private.items():
        if count:
            by_organization.setdefault(organization_id, {})[type_id] = count
    rows = []
    for row in matrix["rows"]:
        mine = by_organization.get(row["organization"]["id"])
        if mine:
            row = {**row, "cells": {type_id: {**cell, "private": mine[type_id]} if mine.get(type_id) else cell
                                    for type_id, cell in row["cells"].items()}}
        rows.append(row)
    return {**matrix, "rows": rows}


def filter_matrix(matrix: dict[str, Any], *, category: str | None = None, state: str | None = None,
                  name: str | None = None, sort: str = "score") -> dict[str, Any]:
    """The matrix narrowed to a category's columns, rows with a cell in ``state``,
    organizations whose name or title contains ``name``, sorted by score or name."""
    categories = [c for c in matrix["categories"] if not category or c["id"] == category]
    type_ids = [t["id"] for c in categories for t in c["types"]]
    needle = (name or "").strip().casefold()
    rows = []
    for row in matrix["rows"]:
        org = row["organization"]
        if needle and needle not in (org.get("title") or "").casefold() and needle not in org["name"].casefold():
            continue
        if state and not any(row["cells"][t]["state"] == state for t in type_ids):
            continue
        rows.append(row)
    if sort == "name":
        rows.sort(key=lambda r: (r["organization"].get("title") or r["organization"]["name"]).casefold())
    else:
        ascending = sort == "score_asc"
        rows.sort(key=lambda r: ((r["score"] if r["score"] is not None else -1) * (1 if ascending else -1),
                                 (r["organization"].get("title") or "").casefold()))
    return {**matrix, "categories": categories, "type_ids": type_ids, "rows": rows}


def matrix_rows(matrix: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat record per cell, for CSV and XLSX exports."""
    records = []
    titles = {t["id"]: t for t in matrix["types"]}
    for row in matrix["rows"]:
        for type_id, cell in row["cells"].items():
            criteria = cell.get("criteria") or {}
            declaration = cell.get("declaration") or {}
            records.append({
                "organization": row["organization"]["name"],
                "organization_title": row["organization"].get("title") or "",
                "organization_score": row["score"] if row["score"] is not None else "",
                "category": titles[type_id]["category"],
                "type": type_id,
                "state": cell["state"],
                "datasets": cell["count"],
                "score": cell["score"] if cell["score"] is not None else "",
                "open": criteria.get("open", ""),
                "machine_readable": criteria.get("machine_readable", ""),
                "valid": criteria.get("valid", ""),
                "fresh": criteria.get("fresh", ""),
                "last_updated": cell.get("updated") or "",
                "declaration_reason": declaration.get("reason", ""),
                "declaration_period": declaration.get("period", ""),
                "requests": cell["requests"],
            })
    return records


EXPORT_COLUMNS = (
    "organization", "organization_title", "organization_score", "category", "type", "state", "datasets",
    "score", "open", "machine_readable", "valid", "fresh", "last_updated", "declaration_reason",
    "declaration_period", "requests",
)


def _safe(value: Any) -> Any:
    """Text that a spreadsheet shows rather than runs (a reason may start with "=")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def matrix_csv(matrix: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in matrix_rows(matrix):
        writer.writerow([_safe(record[c]) for c in EXPORT_COLUMNS])
    return out.getvalue()


def matrix_xlsx(matrix: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("coverage")
    sheet.append(list(EXPORT_COLUMNS))
    for record in matrix_rows(matrix):
        sheet.append([_safe(record[c]) for c in EXPORT_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def matrix_json(matrix: dict[str, Any]) -> str:
    return json.dumps(matrix, ensure_ascii=False, separators=(",", ":"))


def snapshot_rows(matrix: dict[str, Any]) -> list[dict[str, Any]]:
    """What a history snapshot keeps: the national totals (organization None) and each row's."""
    summary = matrix["summary"]
    rows = [{
        "organization_id": None, "score": summary["score"], "expected": summary["expected"],
        "published": summary["published"], "valid_and_fresh": summary["valid_and_fresh"],
    }]
    rows += [{
        "organization_id": row["organization"]["id"], "score": row["score"], "expected": row["expected"],
        "published": row["published"],
        "valid_and_fresh": row["valid_and_fresh"],
    } for row in matrix["rows"]]
    return rows


def trend_points(history: list[dict[str, Any]], width: int = 600, height: int = 160) -> dict[str, Any]:
    """Coordinates of a small SVG line chart of published and valid shares over time."""
    if not history:
        return {"width": width, "height": height, "published": "", "good": "", "labels": []}
    pad = 24
    step = (width - 2 * pad) / max(1, len(history) - 1)

    def line(key: str) -> str:
        points = []
        for index, point in enumerate(history):
            share = point[key] / point["expected"] if point["expected"] else 0
            points.append(f"{pad + index * step:.1f},{height - pad - share * (height - 2 * pad):.1f}")
        return " ".join(points)

    # A date is about 60 units wide, centred on its point: kept inside the chart at both ends.
    half = 32
    labels = [(min(max(pad + i * step, half), width - half), point["taken"][:10]) for i, point in enumerate(history)]
    if len(labels) > 6:  # a label every few points keeps the axis readable
        every = -(-len(labels) // 6)
        labels = labels[::every]
    return {"width": width, "height": height, "pad": pad, "published": line("published"),
            "good": line("valid_and_fresh"), "labels": labels}

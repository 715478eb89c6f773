"""Demo data for a portal that feels real: 22 Mexican federal agencies, about a third
of the datasets expected of them, a year of coverage history.

What is loaded is data (YAML and CSV files next to this module):
``organizations.yaml`` (the agencies), ``catalogue.yaml`` (which of the
Guide's types each agency is expected to publish and what it published,
valid, invalid or out of date; citizens and their requests; the shape of
the year's history), ``datasets.yaml`` (datasets with their own metadata:
excerpts of real publications with their column mappings, the red flags,
the privacy finding, a private draft) and ``declarations.yaml`` (types an
agency declared not applicable or with nothing to report).

Everything goes through CKAN's actions, as a publisher's upload would: the
files are checked, scanned for personal data and linked as in real use.
Nothing that already exists is changed, so loading twice is harmless and
adds nothing. The one thing no action does, back-dating the coverage
history, is written by the coverage store, each snapshot marked as demo data.
"""
from __future__ import annotations

import datetime
import json
import mimetypes
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk

__all__ = ["DemoError", "load_demo"]

HERE = Path(__file__).parent


class DemoError(Exception):
    """The demo data cannot be loaded; the message says why and what to do."""


def _read(name: str) -> Any:
    with open(HERE / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _exists(action: str, context: dict[str, Any], name: str) -> bool:
    try:
        tk.get_action(action)(dict(context), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def load_demo(user: str) -> Iterator[str]:
    """Create the demo agencies, datasets, declarations, requests and history; yield one line per item."""
    try:
        account = tk.get_action("user_show")({"ignore_auth": True}, {"id": user})
    except tk.ObjectNotFound:
        raise DemoError(
            f"There is no user '{user}'. Create a sysadmin first: "
            f"ckan user add {user} … && ckan sysadmin add {user}"
        ) from None
    if not account.get("sysadmin"):
        raise DemoError(f"The user '{user}' is not a sysadmin: ckan sysadmin add {user}")
    context = {"user": user}
    catalogue = _read("catalogue.yaml")
    yield from _organizations(context)
    for spec in _read("datasets.yaml"):
        yield from _dataset(context, spec)
    for spec in catalogue_datasets(catalogue):
        yield from _dataset(context, spec)
    yield from _declarations(context, catalogue)
    yield from _requests(context, catalogue)
    yield from _history(context, catalogue)


def _organizations(context: dict[str, Any]) -> Iterator[str]:
    for org in _read("organizations.yaml"):
        if _exists("organization_show", context, org["name"]):
            yield f"kept organization {org['name']}"
            continue
        tk.get_action("organization_create")(dict(context), dict(org))
        yield f"created organization {org['name']}"


def catalogue_datasets(catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    """The datasets of catalogue.yaml's ``published`` cells, as datasets.yaml writes them."""
    from ckanext.anticorruption.dataset_types.types import dataset_type

    defaults = dict(catalogue["dataset_defaults"])
    suffix = defaults.pop("notes_suffix")
    monthly = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    specs = []
    for agency in catalogue["agencies"]:
        for type_id, state in (agency.get("published") or {}).items():
            typ = dataset_type(type_id)
            presets = typ.dataset_fields
            spec: dict[str, Any] = {
                k: v for k, v in defaults.items()
                if (k != "fiscal_year" or "anticorruption_fiscal_year" in presets)
                and (k != "declaration_period" or "anticorruption_declaration_period" in presets)
            }
            title = typ.title["es"]
            spec.update({
                "name": f"{type_id.replace('_', '-')}-{agency['organization']}",
                "type": type_id,
                "owner_org": agency["organization"],
                "title": f"{title} ({agency['short']})",
                "notes": f"{typ.description['es']}\n\n{suffix}",
            })
            file = f"tipos/{type_id}_con_errores.csv" if state == "invalid" else f"tipos/{type_id}.csv"
            resource: dict[str, Any] = {"file": file, "name": f"{title} 2025"}
            if state == "outdated":
                # Promised every month, last updated months ago.
                spec["frequency"] = monthly
                resource["months_old"] = catalogue["outdated_months"]
            spec["resources"] = [resource]
            specs.append(spec)
    return specs


def _dataset(context: dict[str, Any], spec: dict[str, Any]) -> Iterator[str]:
    if _exists("package_show", context, spec["name"]):
        yield f"kept dataset {spec['name']}"
        return
    dataset = {k: v for k, v in spec.items() if k != "resources"}
    dataset.setdefault("license_id", "cc-by")
    created = tk.get_action("package_create")(dict(context), dataset)
    for resource in spec.get("resources", []):
        _upload(context, created["id"], resource)
    yield f"created dataset {spec['name']}"


def _upload(context: dict[str, Any], package_id: str, resource: dict[str, Any]) -> None:
    path = HERE / "files" / resource["file"]
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data: dict[str, Any] = {"package_id": package_id, "name": resource["name"],
                            "format": path.suffix.lstrip(".").upper()}
    if resource.get("column_mapping"):
        data["column_mapping"] = json.dumps(resource["column_mapping"], ensure_ascii=False)
    with open(path, "rb") as stream:
        data["upload"] = FileStorage(stream=stream, filename=path.name, content_type=content_type)
        created = tk.get_action("resource_create")(dict(context), data)
    if resource.get("months_old"):
        # An upload is dated now; an agency that stopped updating is shown by its file's old date.
        old = datetime.datetime.utcnow() - datetime.timedelta(days=30 * int(resource["months_old"]))
        tk.get_action("resource_patch")(dict(context), {"id": created["id"], "last_modified": old.isoformat()})


def _declarations(context: dict[str, Any], catalogue: dict[str, Any]) -> Iterator[str]:
    """declarations.yaml, then the portal's "not applicable" for every type an agency is not expected to
    publish. A cell already declared is kept as it is."""
    from ckanext.anticorruption.dataset_types.types import dataset_types

    matrix = tk.get_action("anticorruption_coverage")(dict(context), {})
    declared = {(row["organization"]["name"], type_id) for row in matrix["rows"]
                for type_id, cell in row["cells"].items() if cell.get("declaration")}
    wanted = [dict(d) for d in _read("declarations.yaml")]
    explicit = {(d["organization"], d["type"]) for d in wanted}
    for agency in catalogue["agencies"]:
        for type_id in dataset_types():
            cell = (agency["organization"], type_id)
            if type_id not in agency["applies"] and cell not in explicit:
                wanted.append({"organization": cell[0], "type": type_id, "status": "not_applicable",
                               "by_portal": True, "reason": catalogue["not_applicable_reason"]})
    declare = tk.get_action("anticorruption_coverage_declare")
    made = 0
    for declaration in wanted:
        if (declaration["organization"], declaration["type"]) in declared:
            continue
        declare(dict(context), declaration)
        made += 1
    yield f"declared {made} cells ({len(wanted) - made} kept)"


def _requests(context: dict[str, Any], catalogue: dict[str, Any]) -> Iterator[str]:
    """Citizens' accounts, and their requests for datasets still missing (each asked once)."""
    for citizen in catalogue["citizens"]:
        if not _exists("user_show", context, citizen["name"]):
            tk.get_action("user_create")(dict(context), {
                **citizen, "password": _password(citizen["name"]),
            })
            yield f"created user {citizen['name']}"
    asked = 0
    for request in catalogue["requests"]:
        existing = tk.get_action("anticorruption_coverage_request_list")(
            dict(context), {"organization": request["organization"]})
        if any(r["user"] == request["user"] and r["type"] == request["type"] for r in existing):
            continue
        tk.get_action("anticorruption_coverage_request_create")(
            {"user": request["user"]}, {"organization": request["organization"], "type": request["type"]})
        asked += 1
    yield f"recorded {asked} requests ({len(catalogue['requests']) - asked} kept)"


def _password(name: str) -> str:
    """A password nobody uses (citizens of the demo do not sign in), long enough for CKAN."""
    import secrets

    return f"{name}-{secrets.token_urlsafe(16)}"


def _history(context: dict[str, Any], catalogue: dict[str, Any]) -> Iterator[str]:
    """Twelve monthly snapshots before today, marked as demo data, then today's own (once a day)."""
    from ckanext.anticorruption.coverage import store

    now = datetime.datetime.utcnow()
    if store.has_demo_snapshots():
        yield "kept the demo's coverage history"
    else:
        matrix = tk.get_action("anticorruption_coverage")({"user": ""}, {})
        shares = catalogue["history"]
        months = len(shares["published_share"])
        for index, (published, valid) in enumerate(zip(shares["published_share"], shares["valid_share"])):
            taken = now - datetime.timedelta(days=30 * (months - index))
            store.add_snapshot(history_rows(matrix, published, valid), taken=taken, demo=True)
        yield f"recorded {months} monthly coverage snapshots (demo data, back-dated)"
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if store.snapshot_taken_since(midnight):
        yield "kept today's coverage snapshot"
    else:
        summary = tk.get_action("anticorruption_coverage_snapshot")(dict(context), {})
        yield (f"coverage snapshot: {summary['published']} of {summary['expected']} expected datasets published, "
               f"{summary['valid_and_fresh']} valid and up to date")


def history_rows(matrix: dict[str, Any], published_share: float, valid_share: float) -> list[dict[str, Any]]:
    """A past snapshot's rows: each agency's published and valid cells as a share of today's (varied per
    agency, never above today's), the nation their sum, as ``scoring.snapshot_rows`` writes them."""
    rows = []
    for row in matrix["rows"]:
        organization = row["organization"]
        # A stable variation per agency (its name), so that agencies do not all rise alike.
        jitter = (zlib.crc32(organization["name"].encode()) % 21 - 10) / 100
        published = min(row["published"], round(row["published"] * max(0.0, published_share + jitter)))
        good = min(published, row["valid_and_fresh"], round(row["valid_and_fresh"] * max(0.0, valid_share + jitter)))
        score = None if row["score"] is None else round(row["score"] * min(1.0, max(0.0, published_share + jitter)))
        rows.append({"organization_id": organization["id"], "score": score, "expected": row["expected"],
                     "published": published, "valid_and_fresh": good})
    scores = [r["score"] for r in rows if r["score"] is not None]
    nation = {"organization_id": None, "score": round(sum(scores) / len(scores)) if scores else None,
              "expected": sum(r["expected"] for r in rows), "published": sum(r["published"] for r in rows),
              "valid_and_fresh": sum(r["valid_and_fresh"] for r in rows)}
    return [nation, *rows]

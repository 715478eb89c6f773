"""Demo data for a portal that feels real: Mexican federal agencies, a few datasets
and coverage declarations.

Everything goes through CKAN's actions, as a publisher's upload would, and
nothing that already exists is changed, so loading twice is harmless.
"""
from __future__ import annotations

import mimetypes
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


def _read(name: str) -> list[dict[str, Any]]:
    with open(HERE / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _exists(action: str, context: dict[str, Any], name: str) -> bool:
    try:
        tk.get_action(action)(dict(context), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def load_demo(user: str) -> Iterator[str]:
    """Create the demo organizations and datasets; yield one line per item."""
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
    for org in _read("organizations.yaml"):
        if _exists("organization_show", context, org["name"]):
            yield f"kept organization {org['name']}"
            continue
        tk.get_action("organization_create")(dict(context), dict(org))
        yield f"created organization {org['name']}"

    for spec in _read("datasets.yaml"):
        if _exists("package_show", context, spec["name"]):
            yield f"kept dataset {spec['name']}"
            continue
        dataset = {k: v for k, v in spec.items() if k != "resources"}
        dataset.setdefault("license_id", "cc-by")
        created = tk.get_action("package_create")(dict(context), dataset)
        for resource in spec.get("resources", []):
            _upload(context, created["id"], resource)
        yield f"created dataset {spec['name']}"

    declare = tk.get_action("anticorruption_coverage_declare")
    for declaration in _read("declarations.yaml"):
        declare(dict(context), dict(declaration))
        yield f"declared {declaration['type']} {declaration['status']} for {declaration['organization']}"


def _upload(context: dict[str, Any], package_id: str, resource: dict[str, Any]) -> None:
    path = HERE / "files" / resource["file"]
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with open(path, "rb") as stream:
        tk.get_action("resource_create")(
            dict(context),
            {
                "package_id": package_id,
                "name": resource["name"],
                "format": path.suffix.lstrip(".").upper(),
                "upload": FileStorage(stream=stream, filename=path.name, content_type=content_type),
            },
        )

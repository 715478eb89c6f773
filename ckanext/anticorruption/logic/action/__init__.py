"""The extension's actions, one module per capability; the API, the views and the CLI call them.

Each action has an auth function of the same name (``logic/auth.py``) and an
input schema (``logic/schema.py``, applied with CKAN's ``@validate``). The
modules also wrap a few of CKAN's own actions (chained actions), listed in
their ``__all__`` with the others.
"""
from __future__ import annotations

from typing import Any

from ckanext.anticorruption.logic.action import (
    column_mapping, coverage, dcat, identifiers, national, privacy, types, validation,
)

__all__ = ["MODULES", "get_actions"]

MODULES = (types, validation, column_mapping, coverage, identifiers, privacy, dcat, national)


def get_actions() -> dict[str, Any]:
    """Every action of the extension by name, for ``IActions``."""
    return {name: getattr(module, name) for module in MODULES for name in module.__all__}

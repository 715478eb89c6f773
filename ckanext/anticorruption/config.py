"""The extension's configuration: options declared once, in config_declaration.yaml.

The code reads an option through the accessor of its capability
(``validation_option("link_timeout")``), so that keys are spelled only in the
declaration and here, and a name that is not declared fails at once.
"""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

import ckan.plugins.toolkit as tk

__all__ = [
    "coverage_option", "dcat_option", "declarations", "declared_keys", "national_option", "option", "privacy_option",
    "validation_option",
]

PREFIX = "ckanext.anticorruption"


@functools.cache
def _declarations() -> dict[str, Any]:
    with open(Path(__file__).with_name("config_declaration.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def declarations() -> dict[str, Any]:
    """The declaration as CKAN's ``IConfigDeclaration`` takes it (a copy: callers may change it)."""
    return copy.deepcopy(_declarations())


@functools.cache
def declared_keys() -> frozenset[str]:
    return frozenset(option["key"] for group in _declarations()["groups"] for option in group["options"])


def option(capability: str, name: str) -> Any:
    """``ckanext.anticorruption.<capability>.<name>``, with its declared default and type."""
    key = f"{PREFIX}.{capability}.{name}"
    if key not in declared_keys():
        raise KeyError(f"{key} is not declared in config_declaration.yaml")
    return tk.config.get(key)


def validation_option(name: str) -> Any:
    return option("validation", name)


def privacy_option(name: str) -> Any:
    return option("privacy", name)


def dcat_option(name: str) -> Any:
    return option("dcat", name)


def coverage_option(name: str) -> Any:
    return option("coverage", name)


def national_option(name: str) -> Any:
    return option("national", name)

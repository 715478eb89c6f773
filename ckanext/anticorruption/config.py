"""The extension's configuration: options declared once, in config_declaration.yaml."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import ckan.plugins.toolkit as tk

__all__ = ["declarations", "privacy_option", "validation_option"]


def declarations() -> dict[str, Any]:
    with open(Path(__file__).with_name("config_declaration.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def validation_option(name: str) -> Any:
    """``ckanext.anticorruption.validation.<name>``, with its declared default and type."""
    return tk.config.get(f"ckanext.anticorruption.validation.{name}")


def privacy_option(name: str) -> Any:
    """``ckanext.anticorruption.privacy.<name>``, with its declared default and type."""
    return tk.config.get(f"ckanext.anticorruption.privacy.{name}")

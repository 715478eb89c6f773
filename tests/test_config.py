"""The configuration an operator writes: what CKAN says when it starts, and the README's option table."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.anticorruption import config

ROOT = Path(__file__).resolve().parent.parent
INVALID_POLICY = "ckanext.anticorruption.validation.invalid_policy"
ON_FINDING = "ckanext.anticorruption.privacy.on_finding"


def _ckan(request: pytest.FixtureRequest, tmp_path: Path, settings: dict[str, str], *args: str) -> tuple[int, str]:
    """Run a real ``ckan`` command with the test configuration plus ``settings``; its exit code and output."""
    ini = tmp_path / "site.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{Path(request.config.getoption('ckan_ini')).resolve()}\n"
        + "".join(f"{key} = {value}\n" for key, value in settings.items())
    )
    done = subprocess.run([Path(sys.executable).with_name("ckan"), "-c", str(ini), *args],
                          env=dict(os.environ), capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_ckan_starts_without_warning_about_undeclared_options(request, tmp_path) -> None:
    code, output = _ckan(request, tmp_path, {}, "jobs", "list")

    assert code == 0, output
    # CKAN's own INFO lines are shown, so its warnings would be too.
    assert "Using configuration file" in output
    assert [line for line in output.splitlines() if "is not declared" in line] == []


def test_a_value_that_is_not_allowed_stops_ckan_naming_the_option_and_the_allowed_values(request, tmp_path) -> None:
    code, output = _ckan(request, tmp_path, {INVALID_POLICY: "privat", ON_FINDING: "quarantined"}, "jobs", "list")

    assert code != 0
    assert f"{INVALID_POLICY}: Value must be one of ['warn', 'private']" in output
    assert f"{ON_FINDING}: Value must be one of ['warn', 'quarantine']" in output
    assert "There are no pending jobs" not in output and "Traceback" not in output


def test_an_empty_policy_stops_ckan_too(request, tmp_path) -> None:
    code, output = _ckan(request, tmp_path, {INVALID_POLICY: "", ON_FINDING: ""}, "jobs", "list")

    assert code != 0
    assert f"{INVALID_POLICY}: Missing value" in output
    assert f"{ON_FINDING}: Missing value" in output


def test_the_allowed_values_are_accepted(request, tmp_path) -> None:
    code, output = _ckan(request, tmp_path, {INVALID_POLICY: "private", ON_FINDING: "quarantine"},
                         "config", "search", "ckanext.anticorruption.*", "--with-current")

    assert code == 0, output
    assert f"{INVALID_POLICY} [Current: 'private']" in output
    assert f"{ON_FINDING} [Current: 'quarantine']" in output


def test_an_option_that_is_not_declared_cannot_be_read() -> None:
    with pytest.raises(KeyError, match="ckanext.anticorruption.validation.invalid_polcy is not declared"):
        config.validation_option("invalid_polcy")


# The README's "Configuration options" section: one "### <group>" per group of the
# declaration, each with a table | option | default | type or allowed values | what it does |.

def _readme_tables() -> dict[str, dict[str, tuple[str, str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration options\n", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    for part in section.split("\n### ")[1:]:
        title, body = part.split("\n", 1)
        rows = [line.strip().strip("|").split("|") for line in body.splitlines() if line.startswith("|")]
        table = tables.setdefault(title.strip().lower(), {})
        for key, default, kind, _what in (map(str.strip, row) for row in rows[2:]):
            value = "" if default == "*(empty)*" else default.strip("`")
            table[key.strip("`")] = (value, kind)
    return tables


def _declared() -> dict[str, dict[str, dict]]:
    prefix = "ckanext-anticorruption: "
    return {group["annotation"].removeprefix(prefix).lower(): {option["key"]: option for option in group["options"]}
            for group in config.declarations()["groups"]}


def test_readme_lists_every_declared_option_under_its_group_with_its_default() -> None:
    readme = _readme_tables()

    assert {group: {key: value for key, (value, _kind) in table.items()} for group, table in readme.items()} == {
        group: {key: str(option.get("default", "")) for key, option in options.items()}
        for group, options in _declared().items()
    }


def test_readme_gives_each_options_type_or_allowed_values() -> None:
    readme = {key: kind for table in _readme_tables().values() for key, (_value, kind) in table.items()}

    for options in _declared().values():
        for key, option in options.items():
            allowed = re.search(r"one_of\((\[.*?\])\)", option.get("validators", ""))
            if allowed:
                assert re.findall(r"`([^`]+)`", readme[key]) == ast.literal_eval(allowed.group(1)), key
            else:
                assert readme[key].startswith({"int": "integer", "float": "number"}.get(option.get("type"), "")), key

"""The configuration an operator writes: what CKAN says when it starts, and the README's option table."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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

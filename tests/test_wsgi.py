"""The portal as a production server imports it (ckanext/anticorruption/wsgi.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a server's worker holds once it has imported the application, before its threads serve anything.
PROBE = """
import ckan.logic, ckan.authz
import ckanext.anticorruption.wsgi as wsgi
assert callable(wsgi.application)
print(sorted(name for name in ("anticorruption_coverage", "package_search") if name in ckan.logic._actions))
print(sorted(name for name in ("anticorruption_coverage", "package_search")
             if name in ckan.authz._AuthFunctions._functions))
"""


def test_the_application_has_its_actions_and_auth_functions_before_its_threads_serve() -> None:
    # CKAN gathers them at first use without a lock: two threads of a fresh worker asking at once could
    # be told that a function does not exist. Every worker must start with them gathered.
    found = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "CKAN_INI": str(ROOT / "test.ini")})
    assert found.returncode == 0, found.stderr[-3000:]
    assert found.stdout.split("\n")[-3:-1] == ["['anticorruption_coverage', 'package_search']"] * 2

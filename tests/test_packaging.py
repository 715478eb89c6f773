"""A non-editable install carries the 30 types, their Table Schemas and the presets."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import yaml

from tests.guide import GUIDE_TYPE_IDS

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_every_type_and_table_schema(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("ckanext_anticorruption-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # The fresh environment has no pip of its own: this one installs into it.
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        check=True, capture_output=True,
    )
    site = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())

    schemas = site / "ckanext" / "anticorruption" / "schemas"
    installed = sorted(p.stem for p in (schemas / "types").glob("*.yaml"))
    assert installed == sorted(GUIDE_TYPE_IDS)
    for path in (schemas / "types").glob("*.yaml"):
        descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert descriptor["dataset_type"] == path.stem
        assert descriptor["table_schema"]["fields"]
    assert (schemas / "presets.yaml").is_file()
    assert (schemas / "vocabularies.yaml").is_file()
    package = site / "ckanext" / "anticorruption"
    assert (package / "templates" / "anticorruption" / "type_list.html").is_file()
    assert list((package / "i18n").glob("*/LC_MESSAGES/ckanext-anticorruption.mo"))

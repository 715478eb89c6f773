"""Real files of Mexican public bodies: ``../shared/real-data`` next to the checkout, or
``ANTICORRUPTION_REAL_DATA_DIR``; never copied into the repository."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REAL_DATA = Path(os.environ.get(
    "ANTICORRUPTION_REAL_DATA_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "real-data",
))


MAPPINGS_FILE = Path(__file__).with_name("mappings.yaml")


@dataclass(frozen=True)
class RealFile:
    """A real file (its path under ``REAL_DATA``), the Guide type it is published as, its sheet, and
    the ``column_mapping`` a publisher would choose for it (``tests/real/mappings.yaml``)."""

    path: str
    type: str
    column_mapping: dict = field(default_factory=dict, hash=False, compare=False)
    sheet: str | None = None

    @property
    def id(self) -> str:
        return Path(self.path).name


def real_files() -> list[RealFile]:
    """Every real CSV, XLS and XLSX in the real data, as ``mappings.yaml`` lists them."""
    entries = yaml.safe_load(MAPPINGS_FILE.read_text(encoding="utf-8"))
    return [RealFile(entry["file"], entry["type"], entry.get("column_mapping") or {}, entry.get("sheet"))
            for entry in entries]


NAME_MATCHES_FILE = Path(__file__).with_name("name_matches.yaml")


def name_matches() -> dict[str, list[dict]]:
    """Look-alike supplier names of the real files, judged by hand: ``{"same": [...], "different": [...]}``
    (``tests/real/name_matches.yaml``)."""
    return yaml.safe_load(NAME_MATCHES_FILE.read_text(encoding="utf-8"))

"""Real files of Mexican public bodies: ``../shared/real-data`` next to the checkout, or
``ANTICORRUPTION_REAL_DATA_DIR``; never copied into the repository."""
from __future__ import annotations

import os
from pathlib import Path

REAL_DATA = Path(os.environ.get(
    "ANTICORRUPTION_REAL_DATA_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "real-data",
))

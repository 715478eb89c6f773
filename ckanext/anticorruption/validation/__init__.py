"""Pure validation core: a CSV or XLSX file against a Frictionless Table Schema.

No CKAN imports here; the CKAN side calls :func:`validate_file` and stores
the :class:`ValidationResult`.
"""

from __future__ import annotations

from .engine import validate_file
from .result import ValidationCancelled, ValidationResult

__all__ = ["ValidationCancelled", "ValidationResult", "validate_file"]

"""Pure validation core: a CSV, XLSX or XLS file against a Frictionless Table Schema.

No CKAN imports here; the CKAN side calls :func:`validate_file` and stores
the :class:`ValidationResult`.
"""

from __future__ import annotations

from .engine import validate_file
from .reference import table_schema_problems
from .result import BudgetExceeded, ValidationCancelled, ValidationResult

__all__ = ["BudgetExceeded", "ValidationCancelled", "ValidationResult", "table_schema_problems", "validate_file"]

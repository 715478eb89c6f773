"""Real files from Mexican public bodies, read as they were published.

The files are reference data outside the repository (``../shared/real-data``
next to the checkout, or ``ANTICORRUPTION_REAL_DATA_DIR``); they are never
copied into it. Each is checked with ``validate_file`` against its type's
Table Schema (pure, no CKAN): what matters here is that the file is read
right (the header row, the separator, the sheet), not how valid it is.
"""
from __future__ import annotations

from typing import Any

import pytest

from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.validation import ValidationResult, validate_file

from tests.real import REAL_DATA


pytestmark = pytest.mark.skipif(
    not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA} is absent)"
)

SFP = "jmtoral__sancionados_marzo19/proveedores_sancionados.csv"
SAT_69B = "Cihua01__Python230221/Listado_Completo_69-B.csv"
WORLD_BANK = "wiktorrajca__Data-Science-Honors-Thesis/world_bank_listing_of_ineligible_firms_and_individuals.xlsx"
EBRD = "wiktorrajca__Data-Science-Honors-Thesis/european_bank_for_reconstruction_and_development_ineligible_firms.csv"
CUENTA_PUBLICA_XLS = "lapanquecita__cuenta-publica/xls/2023.xls"
SFP_OTHER_DOWNLOAD = "anabcm__Compranet-sancionados/data/ProveedoresyContratistasSancionados.csv"

FINAL_STATES = {"valid", "invalid"}


def _validate(name: str, type_id: str) -> ValidationResult:
    path = REAL_DATA / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {REAL_DATA}")
    return validate_file(str(path), dataset_type(type_id).table_schema)


def _task(result: ValidationResult) -> dict[str, Any]:
    assert result.report is not None
    return result.report["tasks"][0]


def test_sfp_sanctions_separator_is_a_comma_and_its_tab_is_padding() -> None:
    result = _validate(SFP, "debarred_contractors")

    assert result.state in FINAL_STATES
    assert (result.detected["encoding"], result.detected["delimiter"], result.detected["padding"]) == ("cp1252", ",", "tab")
    assert "separator-padding" in result.detected["warnings"]
    assert result.rows == 1808
    labels = _task(result)["labels"]
    assert labels[:3] == ["PROVEEDOR O CONTRATISTA", "DEPENDENCIA", "NUMERO DE EXPEDIENTE"]
    # No cell the report shows keeps the invisible TAB.
    cells = [error.get("cell") for error in _task(result)["errors"]]
    assert cells and not any(isinstance(cell, str) and cell.startswith("\t") for cell in cells)
    assert not any(label.startswith(("\t", " ")) for label in labels)


def test_sat_69b_list_header_is_under_its_two_title_lines() -> None:
    result = _validate(SAT_69B, "tax_records")

    assert result.state in FINAL_STATES
    assert result.detected["header_rows"] == [3]
    assert "header-not-first-row" in result.detected["warnings"]
    assert _task(result)["labels"][:3] == ["No", "RFC", "Nombre del Contribuyente"]
    assert result.rows == 12505
    # The first data row is the file's row 4.
    assert min(error.get("rowNumber") or 99 for error in _task(result)["errors"]) >= 4


def test_world_bank_header_merged_over_two_rows_under_downloaded_on() -> None:
    result = _validate(WORLD_BANK, "debarred_contractors")

    assert result.state in FINAL_STATES
    assert result.detected["header_rows"] == [2, 3]
    assert _task(result)["labels"] == [
        "Firm Name", "Additional Firm Info", "Address", "Country",
        "Ineligibility Period From Date", "Ineligibility Period To Date", "Grounds",
    ]
    assert result.rows == 1285


def test_cuenta_publica_xls_is_read() -> None:
    result = _validate(CUENTA_PUBLICA_XLS, "budgets")

    assert result.state in FINAL_STATES
    assert (result.detected["format"], result.detected["sheet"]) == ("xls", "Hoja1")
    # Title rows, then a header over two rows (GASTO CORRIENTE over its parts).
    assert result.detected["header_rows"] == [7, 8]
    labels = _task(result)["labels"]
    assert "ENTE / RAMO" in labels and "GASTO CORRIENTE SERVICIOS PERSONALES" in labels
    assert result.rows > 4000


def test_sfp_other_download_trailing_empty_columns_are_not_read() -> None:
    result = _validate(SFP_OTHER_DOWNLOAD, "debarred_contractors")

    assert result.state in FINAL_STATES
    assert result.detected["width"] == 11
    assert "" not in _task(result)["labels"]
    assert result.rows == 1504


def test_ebrd_csv_with_a_bom_is_read_as_written() -> None:
    result = _validate(EBRD, "debarred_contractors")

    assert result.state in FINAL_STATES
    assert result.detected["encoding"] == "utf-8-sig"
    assert "warnings" not in result.detected
    assert _task(result)["labels"][0] == "Firm Name"


def _tables() -> list[str]:
    if not REAL_DATA.is_dir():
        return []
    return sorted(str(path.relative_to(REAL_DATA)) for pattern in ("*.csv", "*.xls", "*.xlsx")
                  for path in REAL_DATA.rglob(pattern))


@pytest.mark.parametrize("name", _tables())
def test_every_real_table_reaches_a_final_state(name: str) -> None:
    type_id = "contracts_register" if "Contratos" in name else "budgets" if "cuenta-publica" in name else "debarred_contractors"

    result = _validate(name, type_id)

    assert result.state in FINAL_STATES, (result.problem, result.problem_params)
    assert "no-header-row" not in result.detected.get("warnings", [])

"""Real files of Mexican public bodies: ``../shared/real-data`` next to the checkout, or
``ANTICORRUPTION_REAL_DATA_DIR``; never copied into the repository."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REAL_DATA = Path(os.environ.get(
    "ANTICORRUPTION_REAL_DATA_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "real-data",
))


@dataclass(frozen=True)
class RealFile:
    """A real file (its path under ``REAL_DATA``) and the Guide type it is published as."""

    path: str
    type: str

    @property
    def id(self) -> str:
        return Path(self.path).name


def real_files() -> list[RealFile]:
    """Every real CSV, XLS and XLSX in the real data, with its type (see real-data/README.md)."""
    return [RealFile(path, type_id) for path, type_id in (
        ("jmtoral__sancionados_marzo19/proveedores_sancionados.csv", "debarred_contractors"),
        ("anabcm__Compranet-sancionados/data/ProveedoresyContratistasSancionados.csv", "debarred_contractors"),
        ("wiktorrajca__Data-Science-Honors-Thesis/world_bank_listing_of_ineligible_firms_and_individuals.xlsx",
         "debarred_contractors"),
        ("wiktorrajca__Data-Science-Honors-Thesis/european_bank_for_reconstruction_and_development_ineligible_firms.csv",
         "debarred_contractors"),
        ("Cihua01__Python230221/Listado_Completo_69-B.csv", "tax_records"),
        ("procurement-analytics__compranet-data/data/sample/sample_Contratos2013_150514080004.csv",
         "contracts_register"),
        ("procurement-analytics__compranet-data/data/sample/sample_Contratos2014_150514075704.csv",
         "contracts_register"),
        ("lapanquecita__cuenta-publica/csv/2023.csv", "budgets"),
        ("lapanquecita__cuenta-publica/xls/2023.xls", "budgets"),
    )]

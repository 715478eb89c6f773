"""Real files with the column mapping a publisher chooses: only true defects are left.

Each real CSV, XLS and XLSX of ``../shared/real-data`` is uploaded through
the API to its type, exactly as published, with the ``column_mapping`` of
``tests/real/mappings.yaml`` (what a publisher would choose in the report's
form). The errors left are counted per (kind, field) from the run's complete
error log and must be exactly the defects the data really has, each named
below with why it is one.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA, real_files


# Stages of the budget written as the public account writes them (capitalised;
# "Ejercicio" for the stage "ejercido"): read as the type's codes, not defects.
_STAGE_WORDS = {"Aprobado", "Modificado", "Devengado", "Ejercicio"}

# (error kind, field) → count, per file: every error left is a defect of the data.
TRUE_DEFECTS: dict[str, dict[tuple[str, str], int]] = {
    "proveedores_sancionados.csv": {
        # The directory gives the notification date and the term, never the day a sanction starts:
        # no one can tell whether a contract was signed while the supplier was barred.
        ("missing-label", "sanction_start"): 1,
        # 22 records with no facts at all (and no outcome): a sanction without its cause.
        ("constraint-error", "grounds"): 22,
        # One record has a comma inside a cell (13 cells), its neighbour lost one (11 cells): ragged rows,
        # and the shifted record puts the official's name where the fine goes.
        ("extra-cell", ""): 1,
        ("missing-cell", "FECHA DE ACTUALIZACION "): 1,
        ("type-error", "fine_amount"): 1,
    },
    "ProveedoresyContratistasSancionados.csv": {
        ("missing-label", "sanction_start"): 1,
        ("constraint-error", "grounds"): 24,
        # Three records with commas inside cells: their cells are shifted one column to the right,
        # so a term ("1 AÑO 3 MESES") or a date lands in the fine, an outcome in the notification date.
        ("extra-cell", ""): 3,
        ("type-error", "fine_amount"): 3,
        # The same three shifted records, and one date written "2006-Ju-30".
        ("type-error", "notification_date"): 4,
    },
    "world_bank_listing_of_ineligible_firms_and_individuals.xlsx": {},
    "european_bank_for_reconstruction_and_development_ineligible_firms.csv": {
        # 405 debarments applied from other banks (cross-debarments) with no "Ineligible From":
        # the list does not say since when the firm is barred.
        ("constraint-error", "sanction_start"): 405,
    },
    "Listado_Completo_69-B.csv": {
        # 87 RFCs replaced by XXXXXXXXXXXX by court order: those taxpayers cannot be matched with suppliers.
        ("constraint-error", "taxpayer_id"): 87,
        # And those suppressed rows cannot be told apart: 56 repeat another's RFC, situation and date.
        ("primary-key", ""): 56,
        # One date of publication written as a spreadsheet's serial number (44014 is 2020-07-02):
        # the publisher's spreadsheet leaked it into the CSV.
        ("type-error", "status_date"): 1,
        # 24 taxpayers published twice as definitive, both dates in one cell ("29/06/2020 - 29/04/2019"):
        # no one date says since when they are listed, so their contracts cannot be compared with it.
        ("type-error", "definitive_date"): 24,
    },
    "sample_Contratos2013_150514080004.csv": {
        # CompraNet's contracts file has no RFC of the supplier (an optional column: its contracts are
        # matched with the debarment lists and the SAT's lists by the supplier's name, as probable).
        # The signature date is blank for 316 of 399 contracts.
        ("constraint-error", "date_signed"): 316,
    },
    "sample_Contratos2014_150514075704.csv": {
        ("constraint-error", "date_signed"): 178,
        # Two contracts listed twice, row for row (665468 and 646699).
        ("unique-error", "contract_id"): 2,
        ("primary-key", ""): 2,
    },
    "2023.csv": {
        # 18 rows are a branch's totals (Poder Legislativo...), with no public body.
        ("constraint-error", "public_body_name"): 18,
        # 2,007 rows are not amounts of a stage: 1,372 percentages (Porcentaje Ejer/Aprob, Ejer/Modif)
        # and 635 programme headings, whose name sits in the stage column; summing TOTAL counts them.
        ("constraint-error", "budget_stage"): 2007,
    },
    "2023.xls": {
        # A page laid out for print: the year is only in the title, the branches and ramos are headings
        # in columns without a label, so no row says whose budget or which year it is; it is not
        # checked row by row (header-mismatch).
        ("missing-label", "fiscal_year"): 1,
        ("missing-label", "public_body_name"): 1,
        ("blank-label", "field1"): 1,
        ("blank-label", "field3"): 1,
        ("blank-label", "field4"): 1,
        ("blank-label", "field5"): 1,
        ("blank-label", "field20"): 1,
        ("blank-label", "field21"): 1,
        ("blank-row", ""): 1,
    },
}

# Warnings, not errors: the columns the publisher set aside (kept in the file), and identifiers that
# pass the format but look odd (an RFC's check digit), which the report shows apart.
_WARNINGS = {"extra-label", "identifier-warning"}

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues"),
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA})"),
]


def _expected(name: str) -> Counter:
    return Counter(TRUE_DEFECTS[name])


def _errors_left(resource_id: str, user: str) -> tuple[Counter, Counter]:
    """(kind, field) → count from the run's complete error log, and the budget stages' values."""
    shown = call_action("anticorruption_validation_errors_show", {"user": user}, id=resource_id)
    text = b"".join(shown["lines"]).decode("utf-8")
    counts: Counter = Counter()
    stages: Counter = Counter()
    for row in csv.DictReader(io.StringIO(text)):
        if row["error"] not in _WARNINGS:
            counts[(row["error"], row["field"])] += 1
        if row["field"] == "budget_stage":
            stages["publisher word" if row["value"] in _STAGE_WORDS else "not a stage"] += 1
    return counts, stages


@pytest.mark.parametrize("real", real_files(), ids=lambda real: real.id)
def test_with_the_publishers_mapping_only_true_defects_are_left(create_with_upload, real) -> None:
    path = REAL_DATA / real.path
    name = path.name
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": user["name"]}, **minimal_dataset(real.type, org["id"]))
    extra = {"sheet": real.sheet} if real.sheet else {}
    resource = create_with_upload(path.read_bytes(), name, package_id=dataset["id"], format=path.suffix[1:].upper(),
                                  column_mapping=json.dumps(real.column_mapping, ensure_ascii=False),
                                  context={"user": user["name"]}, **extra)
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)
    validation = call_action("anticorruption_validation_show", id=resource["id"])

    assert validation["state"] in ("valid", "invalid")
    # Every column the publisher named was read as the field they chose.
    chosen = {column: field for column, field in real.column_mapping.items() if field}
    assert {m["column"]: m["field"] for m in validation["detected"]["columns"]["mapping"]} == chosen
    counts, stages = _errors_left(resource["id"], user["name"])
    assert counts == _expected(name)
    assert validation["state"] == ("valid" if not counts else "invalid")
    if name == "2023.csv":
        # The public account's words for the stages are read ("Ejercicio" as ejercido); what is left is not a stage.
        assert stages == {"not a stage": 2007}

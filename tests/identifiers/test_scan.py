"""Identifier scans inside a validation run: errors, warnings, links; both engines alike."""
from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from stdnum.mx import rfc

from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.identifiers.schemes import Registry
from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.identifiers.scan import IdentifierCheck, IdentifierLinks

REGISTRY = Registry.of([])
CONTRACTS = dataset_types.dataset_type("contracts_register")
SANCTIONS = dataset_types.dataset_type("debarred_contractors")
# The columns the rows below fill: the type's first 13 (the later ones are optional).
HEADER = [f["name"] for f in CONTRACTS.table_schema["fields"]][:13]

GOOD = "CMO180304KX" + rfc.calc_check_digit("CMO180304KX")
OTHER = "IPB201120RT" + rfc.calc_check_digit("IPB201120RT")
PERSON = "GODE561231GR" + rfc.calc_check_digit("GODE561231GR")
WRONG_DIGIT = GOOD[:-1] + ("2" if GOOD[-1] != "2" else "3")
BAD_DATE = "CMO181304KX1"  # the shape of an RFC, month 13
NOT_AN_RFC = "12345"  # neither an RFC nor an org-id identifier (GB-COH-…)


def _row(number: int, supplier: str, signed: str = "2025-03-10") -> list[str]:
    return [f"C-{number}", f"ocds-abc123-{number}", "09-210", supplier, "Proveedor SA de CV", "Obra",
            "100.50", "MXN", signed, "", "", "licitación pública", ""]


def _scans(typ: dataset_types.DatasetType = CONTRACTS) -> Any:
    return lambda: [IdentifierCheck(typ.table_schema, REGISTRY), IdentifierLinks(typ.table_schema, REGISTRY, typ.red_flags)]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "contracts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


ROWS = [_row(1, GOOD), _row(2, WRONG_DIGIT), _row(3, BAD_DATE), _row(4, NOT_AN_RFC), _row(5, GOOD, "2025-08-05"),
        _row(6, PERSON), _row(7, OTHER, "2026-01-02")]


def _errors(result: Any) -> collections.Counter:
    return collections.Counter((e["type"], e.get("rowNumber"), e.get("fieldName")) for e in result.report["tasks"][0]["errors"])


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_malformed_is_an_error_and_a_wrong_check_digit_a_warning(tmp_path: Path, engine: str) -> None:
    result = validate_file(str(_write(tmp_path, ROWS)), CONTRACTS.table_schema, engine=engine, scans=_scans())
    errors = _errors(result)
    assert errors[("identifier-error", 4, "supplier_id")] == 1
    assert errors[("identifier-warning", 3, "supplier_id")] == 1
    # A value that is no identifier at all is reported once, as such (the column has no pattern: it also
    # takes a foreign firm's org-id identifier, which no RFC pattern would let through).
    assert errors[("identifier-error", 5, "supplier_id")] == 1
    assert not any(key[0] == "constraint-error" and key[1] == 5 for key in errors)
    assert result.state == "invalid"
    assert result.error_counts["identifier-warning"] == 1
    assert result.error_count == 2  # the two malformed values; the warning is not counted


def test_both_engines_find_the_same(tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    fast = validate_file(str(path), CONTRACTS.table_schema, scans=_scans())
    reference = validate_file(str(path), CONTRACTS.table_schema, engine="frictionless", scans=_scans())
    assert fast.engine == "fast"
    assert _errors(fast) == _errors(reference)
    assert fast.scans == reference.scans


def test_warnings_alone_leave_the_file_valid(tmp_path: Path) -> None:
    result = validate_file(str(_write(tmp_path, [_row(1, GOOD), _row(2, WRONG_DIGIT)])), CONTRACTS.table_schema,
                           scans=_scans())
    assert result.state == "valid"
    assert result.report["valid"] is True
    assert result.report["stats"]["warnings"] == 1


def test_links_count_rows_and_keep_the_award_dates(tmp_path: Path) -> None:
    result = validate_file(str(_write(tmp_path, ROWS)), CONTRACTS.table_schema, scans=_scans())
    links = {link["identifier"]: link for link in result.scans["links"]["links"] if link["field"] == "supplier_id"}
    assert result.scans["links"]["role"] == "award"
    assert links[GOOD]["rows"] == 2
    assert links[GOOD]["dates"] == ["2025-03-10", "2025-08-05"]
    assert links[WRONG_DIGIT]["rows"] == 1  # a doubtful check digit still joins
    assert BAD_DATE not in links and NOT_AN_RFC not in links  # malformed values join nothing
    assert links[PERSON]["person"] is True and links[GOOD]["person"] is False
    # The buyer's budget code refers to a public body: indexed as written, without a role;
    # the contract's own number (LOCAL) is not.
    buyers = [link for link in result.scans["links"]["links"] if link["field"] == "buyer_id"]
    assert [(b["scheme"], b["identifier"], b["rows"]) for b in buyers] == [("MX-UR", "09-210", 7)]
    assert not any(link["field"] == "contract_id" for link in result.scans["links"]["links"])


def test_sanction_periods_are_kept_with_open_ends(tmp_path: Path) -> None:
    header = [f["name"] for f in SANCTIONS.table_schema["fields"]][:13]
    rows = [
        ["S-1", GOOD, "Constructora", "persona moral", "27-SFP", "SFP", "inhabilitación", "x", "2025-01-20",
         "2025-02-01", "2027-02-01", "1.00", "MXN"],
        ["S-2", GOOD, "Constructora", "persona moral", "27-SFP", "SFP", "inhabilitación", "x", "2028-01-20",
         "2028-02-01", "", "1.00", "MXN"],
    ]
    path = tmp_path / "sanciones.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    result = validate_file(str(path), SANCTIONS.table_schema, scans=_scans(SANCTIONS))
    assert result.state == "valid", result.report["tasks"][0]["errors"][:3]
    [link] = [link for link in result.scans["links"]["links"] if link["field"] == "supplier_id"]
    assert link["periods"] == [["2025-02-01", "2027-02-01"], ["2028-02-01", ""]]
    assert result.scans["links"]["role"] == "sanction"


def test_xlsx_files_are_scanned_too(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "contracts.xlsx"
    workbook.save(path)
    result = validate_file(str(path), CONTRACTS.table_schema, format="xlsx", scans=_scans())
    errors = _errors(result)
    assert errors[("identifier-error", 4, "supplier_id")] == 1
    assert errors[("identifier-warning", 3, "supplier_id")] == 1
    links = {link["identifier"]: link for link in result.scans["links"]["links"]}
    assert links[GOOD]["dates"] == ["2025-03-10", "2025-08-05"]


def test_an_unreadable_file_has_no_links(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = validate_file(str(path), CONTRACTS.table_schema, scans=_scans())
    assert result.state == "error"
    assert result.scans == {}


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_identifiers_and_dates_are_scanned_as_read(tmp_path: Path, engine: str) -> None:
    # A lower-case RFC with a wrong check digit is still checked (read upper-cased);
    # a day-first date is the date the red flags see.
    rows = [_row(1, GOOD, "10/03/2025"), _row(2, WRONG_DIGIT.lower()), _row(3, f" {GOOD.lower()}", "5 de agosto de 2025")]
    path = _write(tmp_path, rows)
    result = validate_file(str(path), CONTRACTS.table_schema, engine=engine, scans=_scans())
    assert _errors(result)[("identifier-warning", 3, "supplier_id")] == 1
    warning = next(e for e in result.report["tasks"][0]["errors"] if e["type"] == "identifier-warning")
    assert warning["cell"] == WRONG_DIGIT
    reference = validate_file(str(path), CONTRACTS.table_schema, engine="frictionless", scans=_scans())
    assert result.scans == reference.scans
    assert result.state == "valid"


TAX = dataset_types.dataset_type("tax_records")


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_supplier_names_are_links_of_their_normalised_name(tmp_path: Path, engine: str) -> None:
    rows = [_row(1, GOOD), _row(2, OTHER, "2025-08-05"), _row(3, GOOD, "2025-09-01"), _row(4, PERSON)]
    rows[0][4], rows[1][4], rows[2][4], rows[3][4] = (
        '"Constructora del Mayab, S. A. de C. V."', "CONSTRUCTORA DEL MAYAB SA DE CV", "Constructora del Mayab SA de CV",
        "Eduardo Gómez Díaz")
    result = validate_file(str(_write(tmp_path, rows)), CONTRACTS.table_schema, engine=engine, scans=_scans())
    names = {link["identifier"]: link for link in result.scans["links"]["links"] if link["scheme"] == "NAME"}
    assert set(names) == {"CONSTRUCTORA DEL MAYAB", "EDUARDO GOMEZ DIAZ"}
    mayab = names["CONSTRUCTORA DEL MAYAB"]
    assert (mayab["rows"], mayab["form"], mayab["person"], mayab["field"]) == (3, "S.A. de C.V.", False, "supplier_name")
    assert mayab["dates"] == ["2025-03-10", "2025-08-05", "2025-09-01"]
    assert mayab["label"] == "CONSTRUCTORA DEL MAYAB SA DE CV"  # one spelling each: the first in order
    # No legal form: perhaps a person's name, withheld as a person's RFC is.
    assert names["EDUARDO GOMEZ DIAZ"]["person"] is True
    # Beside each identifier, the name written with it.
    by_rfc = {link["identifier"]: link for link in result.scans["links"]["links"] if link["field"] == "supplier_id"}
    assert by_rfc[OTHER]["label"] == "CONSTRUCTORA DEL MAYAB SA DE CV"
    assert result.scans["links"]["supplier_name"] == "supplier_name"


def test_a_register_flags_only_the_rows_its_type_declares(tmp_path: Path) -> None:
    header = ["taxpayer_id", "taxpayer_name", "compliance_status", "status_date", "definitive_date"]
    rows = [[GOOD, "Constructora del Mayab SA de CV", "Definitivo", "2019-01-10", "28/06/2019"],
            [OTHER, "Ingeniería Peninsular SA de CV", "Sentencia Favorable", "2019-01-10", "28/06/2019"],
            [PERSON, "Eduardo Gómez Díaz", "Presunto", "2019-01-10", ""]]
    path = tmp_path / "69b.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    result = validate_file(str(path), TAX.table_schema, scans=_scans(TAX))
    links = {link["identifier"]: link for link in result.scans["links"]["links"]}
    assert result.scans["links"]["role"] == "sanction"
    # Definitive: listed from the definitive publication, with no end.
    assert links[GOOD]["periods"] == [["2019-06-28", ""]] and "flags" not in links[GOOD]
    assert links["CONSTRUCTORA DEL MAYAB"]["periods"] == [["2019-06-28", ""]]
    # The others name the taxpayer (identifier pages) but raise no flag.
    assert links[OTHER]["flags"] is False and links[OTHER]["periods"] == []
    assert links["INGENIERIA PENINSULAR"]["flags"] is False
    assert links["EDUARDO GOMEZ DIAZ"]["flags"] is False

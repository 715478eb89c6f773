"""The pure privacy detectors, the masking and the scan (no CKAN)."""
from __future__ import annotations

import datetime
import random

import pyarrow as pa
import pytest
from stdnum.mx import curp as stdnum_curp

from ckanext.anticorruption.identifiers.schemes import rfc_check_digit
from ckanext.anticorruption.privacy.scan import (
    PrivacyScan, find_identifiers, is_curp, is_natural_person_rfc, is_voter_key, mask,
    mask_csv_lines, mask_report, mask_text, scanned_fields,
)

from tests.privacy.corpus import curp, email, person_rfc, phone, voter_key

TODAY = datetime.date(2026, 11, 27)


def _scan(schema: dict, columns: dict[str, list[str]]) -> dict:
    scan = PrivacyScan(schema, today=TODAY)
    rows = len(next(iter(columns.values())))
    scan.feed({k: pa.array(v, pa.string()) for k, v in columns.items()}, pa.array(range(2, rows + 2), pa.int64()))
    return scan.finish(None)


def test_curp_check_digit_of_known_curps() -> None:
    # RENAPO's published example and a check done by hand with the algorithm.
    assert stdnum_curp.calc_check_digit("HEGG560427MVZRRL0") == "4"
    assert is_curp("HEGG560427MVZRRL04")
    assert is_curp("hegg560427mvzrrl04")


@pytest.mark.parametrize("value", [
    "HEGG561327MVZRRL04",  # month 13
    "HEGG560427MZZRRL04",  # no state ZZ
    "HEGG560427QVZRRL04",  # sex Q
    "HEGG560427MVZRRL0",  # 17 characters
    "HEGG560427MVZAEL04",  # vowels where consonants go
])
def test_what_is_not_a_curp(value: str) -> None:
    assert not is_curp(value)


def test_rfc_check_digit_of_known_rfcs() -> None:
    # SAT's own RFC and a person's RFC whose check digit verifies.
    assert rfc_check_digit("SAT970701NN") == "3"
    assert rfc_check_digit("GODE561231GR") == "8"


def test_natural_persons_rfc_has_13_characters_and_a_real_date() -> None:
    assert is_natural_person_rfc("GODE561231GR8")
    assert not is_natural_person_rfc("SAT970701NN3")  # a company: 12 characters
    assert not is_natural_person_rfc("GODE561331GR8")  # month 13
    assert [k for k, _ in find_identifiers("Proveedor SAT970701NN3 y CMO180304KX2")] == []


def test_voter_key_shape() -> None:
    assert is_voter_key("GMVLMR80070501M100")
    assert not is_voter_key("GMVLMR80070599M100")  # state 99
    assert not is_voter_key("GMVLMR80130501M100")  # month 13


def test_identifiers_inside_text_are_found_with_their_kind() -> None:
    text = ("Contacto: juan.perez@gmail.com, tel (55) 1234-5678, RFC GODE561231GR8, "
            "CURP HEGG560427MVZRRL04, clave GMVLMR80070501M100")
    assert find_identifiers(text) == [
        ("curp", "HEGG560427MVZRRL04"), ("voter_key", "GMVLMR80070501M100"), ("rfc", "GODE561231GR8"),
        ("email", "juan.perez@gmail.com"), ("phone", "(55) 1234-5678"),
    ]


@pytest.mark.parametrize("text", [
    "1,551,234,567.89", "5512345678.00", "06700", "2024-05-01", "09-210", "LA-012M7B997-E1-2024",
    "ocds-b5fd17-2024-000001", "2025 09 210 3 5 01 00 001 33901 1 1 09 00", "5512345678",
])
def test_look_alikes_are_not_phones(text: str) -> None:
    assert find_identifiers(text) == []


@pytest.mark.parametrize("seed", range(200))
def test_a_mask_never_returns_the_full_value(seed: int) -> None:
    rng = random.Random(seed)
    for kind, value in (("curp", curp(rng)), ("rfc", person_rfc(rng)), ("voter_key", voter_key(rng)),
                        ("email", email(rng)), ("phone", phone(rng)), ("birth_date", "1980-02-03")):
        masked = mask(value, kind)
        assert masked != value and "*" in masked
        assert value not in mask_text(f"dato {value} fin") or kind == "birth_date"


def test_masks_keep_what_helps_find_the_column() -> None:
    assert mask("HEGG560427MVZRRL04", "curp") == "HEGG************04"
    assert mask("juan.perez@gmail.com", "email") == "j***@gmail.com"
    assert mask("(55) 1234-5678", "phone") == "(**) ****-**78"
    assert mask("1980-02-03", "birth_date") == "19**-**-**"


def test_reports_and_csv_are_masked_cell_note_and_message() -> None:
    report = {"tasks": [{"errors": [{
        "cell": "HEGG560427MVZRRL04", "cells": ["1", "juan@gmail.com"],
        "note": 'value "HEGG560427MVZRRL04"', "message": 'cell "HEGG560427MVZRRL04" in row 2'}]}]}
    masked = str(mask_report(report))
    assert "HEGG560427MVZRRL04" not in masked and "juan@gmail.com" not in masked
    assert "HEGG************04" in masked
    lines = list(mask_csv_lines(["row,value\r\n", '2,"tel 55 1234 5678"\r\n']))
    assert lines == ["row,value\r\n", "2,tel ** **** **78\r\n"]


def test_scanned_fields_follow_the_declarations() -> None:
    from ckanext.anticorruption.dataset_types.types import dataset_type

    contracts = scanned_fields(dataset_type("contracts_register").table_schema)
    assert contracts["contract_title"] == ("undeclared", frozenset())
    assert contracts["supplier_id"] == ("public", frozenset({"rfc"}))
    grants = scanned_fields(dataset_type("government_grants").table_schema)
    assert grants["recipient_id"][0] == "not_public"
    officials = scanned_fields(dataset_type("public_officials_register").table_schema)
    assert officials["institutional_email"] == ("public", frozenset({"email"}))


def test_scan_counts_per_column_with_masked_examples_and_first_rows() -> None:
    values = [f"tel {phone(random.Random(i))}" for i in range(10)] + ["sin dato"] * 5
    result = _scan({"fields": [{"name": "notas"}]}, {"notas": values})
    [column] = result["columns"]
    assert result["findings"] == 10
    assert column["field"] == "notas" and column["declared"] == "undeclared"
    assert column["kinds"]["phone"]["count"] == 10
    assert len(column["kinds"]["phone"]["examples"]) == 3
    assert column["kinds"]["phone"]["rows"] == [2, 3, 4, 5, 6]
    assert not any(value[4:] in str(result) for value in values[:10])


def test_declared_public_data_is_not_a_finding_but_other_identifiers_in_it_are() -> None:
    schema = {"fields": [
        {"name": "supplier_id", "personal_data": True, "personal_data_public": True,
         "identifier": {"schemes": ["MX-RFC"]}},
        {"name": "full_name", "personal_data": True, "personal_data_public": True},
    ]}
    result = _scan(schema, {"supplier_id": ["GODE561231GR8", "HEGG560427MVZRRL04"],
                            "full_name": ["Ana López", "Ana López HEGG560427MVZRRL04"]})
    found = {(c["field"], k, c["declared"]) for c in result["columns"] for k in c["kinds"]}
    assert found == {("supplier_id", "curp", "public"), ("full_name", "curp", "public")}


def test_bare_ten_digit_numbers_are_phones_only_in_a_phone_like_column() -> None:
    numbers = [str(5500000000 + i * 7919) for i in range(20)]
    schema = {"fields": [{"name": "monto", "type": "number"}, {"name": "referencia", "type": "string"},
                         {"name": "celular", "type": "string"}]}
    result = _scan(schema, {"monto": numbers, "referencia": numbers, "celular": numbers[:10] + [""] * 10})
    found = {c["field"]: c["kinds"]["phone"]["count"] for c in result["columns"]}
    # An amount column is never a phone column; a text column of 10-digit numbers
    # starting 2-9 is, and so is a column named for it.
    assert found == {"referencia": 20, "celular": 10}


def test_birth_dates_need_a_column_named_for_them_and_a_plausible_age() -> None:
    schema = {"fields": [{"name": "fecha_nacimiento"}, {"name": "fecha_firma"}]}
    result = _scan(schema, {"fecha_nacimiento": ["1980-02-03", "03/02/1975", "2024-01-01", ""],
                            "fecha_firma": ["1980-02-03", "1975-02-03", "2024-01-01", ""]})
    [column] = result["columns"]
    assert column["field"] == "fecha_nacimiento" and column["kinds"]["birth_date"]["count"] == 2

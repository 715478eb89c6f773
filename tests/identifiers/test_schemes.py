"""Identifier schemes: well-formed, malformed and wrong-check-digit values, and joining keys."""
from __future__ import annotations

import pyarrow as pa
import pytest
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from ckanext.anticorruption.identifiers.schemes import Registry, org_id_register, stdnum_scheme

REGISTRY = Registry.of([])


def _with_check_digit(body: str) -> str:
    return body + stdnum_rfc.calc_check_digit(body)


COMPANY = _with_check_digit("CMO180304KX")  # 12 characters
PERSON = _with_check_digit("GODE561231GR")  # 13 characters
CURP = "BOXW310820HNERXN09"


@pytest.mark.parametrize("value", [COMPANY, PERSON, "IPB201120RT9", "MPE050505QX9"])
def test_a_good_rfc_passes(value: str) -> None:
    assert REGISTRY.check(value, ["MX-RFC"]) is None


@pytest.mark.parametrize(("value", "code"), [
    ("CMO180304KX", "length"),  # 11 characters
    ("CMO1803041KX12", "length"),  # 14
    ("cmo180304kx1", "format"),  # lower case
    ("CM0180304KX1", "format"),  # a digit among the letters
    ("CMO181304KX1", "date"),  # month 13
    ("GODE560231GR8", "date"),  # 31 February
])
def test_a_malformed_rfc_is_an_error(value: str, code: str) -> None:
    problem = REGISTRY.check(value, ["MX-RFC"])
    assert problem is not None
    assert (problem.severity, problem.code) == ("error", code)


def test_a_wrong_rfc_check_digit_is_only_a_warning() -> None:
    wrong = COMPANY[:-1] + ("1" if COMPANY[-1] != "1" else "2")
    problem = REGISTRY.check(wrong, ["MX-RFC"])
    assert (problem.severity, problem.code) == ("warning", "check-digit")
    # The same value is still usable to join datasets.
    assert REGISTRY.resolve(wrong, ["MX-RFC"]) == ("MX-RFC", wrong)


def test_the_generic_rfc_is_a_warning_not_a_supplier() -> None:
    assert REGISTRY.check("XAXX010101000", ["MX-RFC"]).code == "generic"


def test_a_good_curp_passes_and_a_wrong_digit_warns() -> None:
    assert stdnum_curp.validate(CURP)
    assert REGISTRY.check(CURP, ["MX-CURP"]) is None
    problem = REGISTRY.check(CURP[:-1] + ("0" if CURP[-1] != "0" else "1"), ["MX-CURP"])
    assert (problem.severity, problem.code) == ("warning", "check-digit")


@pytest.mark.parametrize(("value", "code"), [
    ("BOXW310820HNERXN0", "length"),
    ("B0XW310820HNERXN09", "format"),
    ("BOXW311320HNERXN09", "date"),
    ("BOXW310820HZZRXN09", "component"),  # ZZ is no state
])
def test_a_malformed_curp_is_an_error(value: str, code: str) -> None:
    problem = REGISTRY.check(value, ["MX-CURP"])
    assert (problem.severity, problem.code) == ("error", code)


def test_ocid_needs_its_prefix() -> None:
    assert REGISTRY.check("ocds-abc123-SICT-2025-0101", ["OCID"]) is None
    assert REGISTRY.check("abc123-SICT-2025-0101", ["OCID"]).code == "prefix"
    assert REGISTRY.check("ocds-abc12-1", ["OCID"]).severity == "error"
    assert REGISTRY.check("ocds-abc123", ["OCID"]).severity == "error"


def test_ocids_compare_case_insensitively() -> None:
    """Mexico City writes its ocids in upper case: the same process as in lower case."""
    upper, lower = "OCDS-87SD3T-SEFIN-DRM-A-001-2016", "ocds-87sd3t-sefin-drm-a-001-2016"
    assert REGISTRY.check(upper, ["OCID"]) is None
    assert REGISTRY.resolve(upper, ["OCID"]) == REGISTRY.resolve(lower, ["OCID"]) == ("OCID", lower)
    assert REGISTRY.resolve("Ocds-87Sd3T-sefin-DRM-A-001-2016", ["OCID"]) == ("OCID", lower)


def test_only_lower_case_ocids_are_certainly_fine() -> None:
    """The column-wide shortcut never skips an ocid whose canonical form differs."""
    values = pa.array(["ocds-87sd3t-a-1", "OCDS-87SD3T-A-1", "ocds-87sd3t-A-1", "ocds-x", None], pa.string())
    (mask,) = REGISTRY.certainly_fine(values, ["OCID"])
    assert mask.to_pylist() == [True, False, False, False, False]


def test_org_id_values_are_checked_with_their_register_and_join_with_bare_ones() -> None:
    assert REGISTRY.check(f"MX-RFC-{COMPANY}", ["ORG-ID"]) is None
    assert REGISTRY.check("MX-RFC-CMO181304KX1", ["ORG-ID"]).code == "date"
    assert REGISTRY.check(COMPANY, ["ORG-ID"]).code == "prefix"
    # A register this portal does not know is accepted as written.
    assert REGISTRY.check("GB-COH-01234567", ["ORG-ID"]) is None
    assert REGISTRY.resolve(f"MX-RFC-{COMPANY}", ["ORG-ID"]) == REGISTRY.resolve(COMPANY, ["MX-RFC"])


@pytest.mark.parametrize(("value", "scheme", "identifier"), [
    ("GB-COH-01234567", "GB-COH", "01234567"),  # a British company on the World Bank's list
    ("XI-IATI-EBRD", "XI-IATI", "EBRD"),  # a list that belongs to no country
    ("MX-JALPP-10450", "MX-JALPP", "10450"),  # a state's own register of suppliers
    (f"MX-RFC-{COMPANY}", "MX-RFC", COMPANY),
    (COMPANY, "MX-RFC", COMPANY),
])
def test_a_supplier_column_takes_an_rfc_or_an_org_id_and_records_its_scheme(value, scheme, identifier) -> None:
    assert REGISTRY.check(value, ["MX-RFC", "ORG-ID"]) is None
    assert REGISTRY.resolve(value, ["MX-RFC", "ORG-ID"]) == (scheme, identifier)


@pytest.mark.parametrize(("value", "code"), [
    ("QQ-COH-01234567", "country"),  # QQ is no country
    ("ZZ-COH-01234567", "country"),  # "unknown region" is not one either
    ("MX-RFC-CMO181304KX1", "date"),  # an org-id RFC is checked as an RFC
])
def test_a_value_written_as_an_org_id_is_told_what_is_wrong_with_it_as_one(value, code) -> None:
    problem = REGISTRY.check(value, ["MX-RFC", "ORG-ID"])
    assert (problem.severity, problem.code) == ("error", code)
    assert REGISTRY.resolve(value, ["MX-RFC", "ORG-ID"]) is None


def test_a_bare_foreign_number_is_neither_an_rfc_nor_an_org_id() -> None:
    problem = REGISTRY.check("01234567", ["MX-RFC", "ORG-ID"])
    assert (problem.severity, problem.scheme) == ("error", "MX-RFC")
    assert REGISTRY.resolve("01234567", ["MX-RFC", "ORG-ID"]) is None


def test_org_id_registers_are_titled_with_their_country_in_both_languages() -> None:
    assert org_id_register("GB-COH") == {
        "en": "Register GB-COH (United Kingdom), as listed by org-id.guide",
        "es": "Registro GB-COH (Reino Unido), según org-id.guide",
    }
    assert org_id_register("QQ-COH") is None
    assert REGISTRY.title("MX-RFC")["es"] == "Registro Federal de Contribuyentes (RFC)"


def test_a_column_of_rfcs_or_curps_accepts_either() -> None:
    assert REGISTRY.check(PERSON, ["MX-RFC", "MX-CURP"]) is None
    assert REGISTRY.check(CURP, ["MX-RFC", "MX-CURP"]) is None
    assert REGISTRY.check("NO-ES-UN-ID", ["MX-RFC", "MX-CURP"]).severity == "error"


def test_natural_persons_are_recognised() -> None:
    assert REGISTRY.natural_person("MX-RFC", PERSON)
    assert not REGISTRY.natural_person("MX-RFC", COMPANY)
    assert REGISTRY.natural_person("MX-CURP", CURP)


def test_another_country_plugs_in_a_stdnum_scheme() -> None:
    registry = Registry.of([stdnum_scheme("CO-NIT", "stdnum.co.nit", {"en": "Colombian NIT", "es": "NIT"})])
    assert registry.check("213.123.432-1", ["CO-NIT"]) is None
    assert registry.check("2131234325", ["CO-NIT"]).code == "check-digit"
    assert registry.check("21312", ["CO-NIT"]).severity == "error"
    assert registry.resolve("213.123.432-1", ["CO-NIT"]) == ("CO-NIT", "2131234321")
    assert "CO-NIT" not in REGISTRY.schemes


def test_our_rfc_check_digit_is_stdnums() -> None:
    import random

    from ckanext.anticorruption.identifiers.schemes import rfc_check_digit

    rng = random.Random(3)
    letters = "ABCDEFGHIJKLMNÑOPQRSTUVWXYZ&"
    for _ in range(2000):
        size = rng.choice((3, 4))
        body = ("".join(rng.choice(letters) for _ in range(size)) + f"{rng.randrange(100):02d}"
                f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" + rng.choice("ABC123") + rng.choice("XYZ789"))
        assert rfc_check_digit(body) == stdnum_rfc.calc_check_digit(body), body


def test_whole_columns_are_judged_as_value_by_value() -> None:
    import random

    import pyarrow as pa

    rng = random.Random(5)
    letters = "ABCDEFGHIJKLMNÑOPQRSTUVWXYZ&"
    values = ["XAXX010101000", "", "CMO181304KX1", "cmo180304kx1", COMPANY, PERSON, "MX-RFC-" + COMPANY]
    for _ in range(3000):
        size = rng.choice((3, 4))
        body = ("".join(rng.choice(letters) for _ in range(size)) + f"{rng.randrange(100):02d}"
                f"{rng.randrange(1, 14):02d}{rng.randrange(1, 32):02d}" + rng.choice("AB0Z1") + rng.choice("XY97"))
        values.append(body + rng.choice("0123456789A"))
    [mask] = REGISTRY.certainly_fine(pa.array(values, pa.string()), ["MX-RFC"])
    for value, fine in zip(values, mask.to_pylist()):
        assert fine == (REGISTRY.check(value, ["MX-RFC"]) is None), value
    assert sum(mask.to_pylist()) > 100  # the sample holds good ones, not only bad ones


@pytest.mark.parametrize(("value", "joined"), [
    ("09-210", "09-210"),  # as this portal's templates write it
    ("06E00", "06-E00"),  # as the federal OCDS records write it (scheme MX-CPA)
    ("06-e00", "06-E00"),
    ("50-GYR", "50-GYR"),  # a budget unit named by letters only
])
def test_a_budget_unit_code_is_a_ramo_and_a_unidad_responsable(value: str, joined: str) -> None:
    assert REGISTRY.check(value, ["MX-UR"]) is None
    assert REGISTRY.resolve(value, ["MX-UR"]) == ("MX-UR", joined)


def test_a_compranet_buying_unit_code_warns_and_joins_by_its_budget_unit() -> None:
    problem = REGISTRY.check("011C00999", ["MX-UR"])
    assert (problem.severity, problem.code, problem.scheme) == ("warning", "buying-unit", "MX-UR")
    assert REGISTRY.resolve("011C00999", ["MX-UR"]) == ("MX-UR", "11-C00")


@pytest.mark.parametrize("value", [
    "compras@sict.gob.mx", "Secretaría de Hacienda", "9-210", "09-2100", "0921", "09 210", "09-21Ñ", "ramo 06",
])
def test_anything_else_in_a_budget_unit_column_is_malformed_and_joins_nothing(value: str) -> None:
    problem = REGISTRY.check(value, ["MX-UR"])
    assert (problem.severity, problem.code) == ("error", "format")
    assert REGISTRY.resolve(value, ["MX-UR"]) is None


def test_budget_unit_columns_are_judged_as_value_by_value() -> None:
    import pyarrow as pa

    values = ["09-210", "06E00", "09-2100", "011C00999", "a@b.mx", "", "06-e00", "50-GYR"]
    [mask] = REGISTRY.certainly_fine(pa.array(values, pa.string()), ["MX-UR"])
    for value, fine in zip(values, mask.to_pylist()):
        # Certainly fine: good, and already in the form it joins on.
        assert fine == (REGISTRY.check(value, ["MX-UR"]) is None
                        and REGISTRY.resolve(value, ["MX-UR"]) == ("MX-UR", value)), value


@pytest.mark.parametrize("value", ["compras@sict.gob.mx", "Secretaría de Hacienda", "a,b", "<b>", "-", "x" * 81])
def test_a_scheme_with_no_checks_never_turns_free_text_into_a_key(value: str) -> None:
    assert REGISTRY.resolve(value, ["XX-UNKNOWN"]) is None
    assert REGISTRY.resolve(f"XX-UNKNOWN-{value}", ["ORG-ID"]) is None


def test_a_scheme_with_no_checks_still_joins_codes() -> None:
    assert REGISTRY.resolve("PRY-2025/031", ["XX-UNKNOWN"]) == ("XX-UNKNOWN", "PRY-2025/031")
    assert REGISTRY.resolve("GB-COH-01234567", ["ORG-ID"]) == ("GB-COH", "01234567")

"""Legal names as join keys (identifiers/names.py): what a publisher writes, what is compared."""
from __future__ import annotations

import pytest

from ckanext.anticorruption.identifiers.names import NameRules

RULES = NameRules.load()


@pytest.mark.parametrize("written", [
    "3R INNOVACIÓN Y DISEÑO, S.A. DE  C.V.",  # SFP's directory, as published
    "3r Innovacion y Diseno SA de CV",
    "3R INNOVACION Y DISEÑO S. A. DE C. V.",
    "3R Innovación y Diseño, Sociedad Anónima de Capital Variable",
])
def test_spellings_of_one_firm_share_one_key(written):
    assert RULES.key(written) == "3R INNOVACION Y DISENO"
    assert RULES.parse(written).form == "S.A. de C.V."


@pytest.mark.parametrize(("written", "key", "form"), [
    ("INGTEC CONSTRUCCIONES SA. DE CV.", "INGTEC CONSTRUCCIONES", "S.A. de C.V."),  # OCDS, federal government
    ("A & P Internacional S. de R.L. de C.V.", "A&P INTERNACIONAL", "S. de R.L. de C.V."),
    ("Financiera X, S.A. de C.V., SOFOM, E.N.R.", "FINANCIERA X", "SOFOM E.N.R."),
    ("Grupo Alfa S.A.P.I. de C.V.", "GRUPO ALFA", "S.A.P.I. de C.V."),
    ("ACME Co. Ltd.", "ACME", "Ltd."),  # World Bank list
    ("Juan Pérez López", "JUAN PEREZ LOPEZ", None),
])
def test_the_legal_form_is_taken_off_and_kept_apart(written, key, form):
    parsed = RULES.parse(written)
    assert (parsed.key, parsed.form) == (key, form)


def test_different_firms_keep_different_keys():
    assert RULES.key("Constructora Alfa, S.A. de C.V.") != RULES.key("Constructora Alfa Beta, S.A. de C.V.")
    assert RULES.key("ALZ CONSTRUCCIONES SA DE CV") != RULES.key("ALZA CONSTRUCCIONES SA DE CV")


@pytest.mark.parametrize("written", ["CONSTRUCTORA S.A. DE C.V.", "Servicios, S.C.", "S.A. DE C.V.", "ABC", "", "  ,. "])
def test_names_that_say_too_little_match_nothing(written):
    assert RULES.key(written) is None


def test_a_paragraph_in_the_name_column_matches_nothing():
    # The linkage index could not hold it, and no legal name is that long.
    assert RULES.key("CONSTRUCTORA ALFA " * 30 + "SA DE CV") is None


def test_keys_are_computed_once_per_distinct_name():
    keys = RULES.keys(["Alfa Uno, S.A.", "ALFA UNO SA", "Alfa Uno, S.A."])
    assert keys == {"Alfa Uno, S.A.": "ALFA UNO", "ALFA UNO SA": "ALFA UNO"}

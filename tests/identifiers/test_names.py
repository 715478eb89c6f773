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


# parse_all (Arrow, a whole column at once) must give what parse gives, name by name.

_TRICKY = [
    "3R INNOVACIÓN Y DISEÑO, S.A. DE  C.V.", "Financiera X, S.A. de C.V., SOFOM, E.N.R.", "ACME Co. Ltd.",
    "A & P Internacional S. de R.L. de C.V.", "A &&  B, S. A.", "&Co SA", "X SA DE RL DE CV", "S.A. DE C.V.", "SA",
    "", "   ", "  ,. ", "Juan Pérez López", "J. R. R. Tolkien Ltd", "GRUPO S A DE C V", "A1 B2 C3 SA",
    "Straße GmbH", "Æther SA", "ĲSSEL B.V.", "ǅAKOVO d.o.o.", "Ｆｕｌｌ ＷＩＤＴＨ SA", "Café\u0301 SA", "ﬁne Ltd",
    "x\x1cy SA", "tab\there\u00a0nbsp SA", "«Comillas» “curvas” – guion — raya S.A.", "l’Oréal S.A.", "O´Higgins SA",
    "ĳ ŉ ſ ı İ ß", "Ω Omega SA", "北京 Ltd", "Niño\u0303 S.C.", "sociedad anónima de capital variable x sa de cv",
    "Foo S EN C POR A", "Bar, Sociedad de Responsabilidad Limitada de Capital Variable", "CONSTRUCTORA PEME",
    "Baz SA CV SA DE CV", "Qux S DE RL DE CV MI", "Ltd Ltd Ltd", "X" * 400 + " SA",
]


def test_parse_all_is_parse_on_tricky_names():
    assert RULES.parse_all(_TRICKY) == [RULES.parse(name) for name in _TRICKY]
    assert RULES.usable_all(_TRICKY) == [RULES.usable(name) for name in _TRICKY]


def test_parse_all_is_parse_on_generated_names():
    import random

    rng = random.Random(16)
    alphabet = "abcdeñáéíóúüÀÇ ,.;&-'’´\"()SACVDERL" + "\u00a0\t\x1cß\u0301Ǆ"
    forms = [spelling for spelling in RULES.forms] + ["S.A. de C.V.", "S. A. DE C. V.", ", Sociedad Civil"]
    names = []
    for _ in range(3000):
        words = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
        names.append(words + " " + " ".join(rng.choice(forms) for _ in range(rng.randrange(0, 3))))
    assert RULES.parse_all(names) == [RULES.parse(name) for name in names]


def _real_names() -> list[str]:
    """Every name written in a supplier or taxpayer name column of the real files (tests/real/mappings.yaml)."""
    import csv
    import io

    from tests.real import REAL_DATA, real_files

    names: set[str] = set()
    for real in real_files():
        columns = {label.strip() for label, target in real.column_mapping.items()
                   if target in ("supplier_name", "taxpayer_name")}
        if not columns or not (REAL_DATA / real.path).is_file():
            continue
        if real.path.endswith(".csv"):
            raw = (REAL_DATA / real.path).read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            rows = list(csv.reader(io.StringIO(text)))
        elif real.path.endswith(".xlsx"):
            import openpyxl

            book = openpyxl.load_workbook(REAL_DATA / real.path, read_only=True)
            sheet = book[real.sheet] if real.sheet else book.active
            rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
        else:
            continue
        header = next(index for index, row in enumerate(rows) if any(cell.strip() in columns for cell in row))
        positions = [index for index, label in enumerate(rows[header]) if label.strip() in columns]
        names.update(row[p] for row in rows[header + 1:] for p in positions if p < len(row))
    return sorted(names)


def test_parse_all_is_parse_on_every_name_of_the_real_files():
    from tests.real import REAL_DATA

    if not REAL_DATA.is_dir():
        pytest.skip(f"the real files are not next to the checkout ({REAL_DATA})")
    names = _real_names()
    assert len(names) > 10_000
    assert RULES.parse_all(names) == [RULES.parse(name) for name in names]
    assert RULES.usable_all(names) == [RULES.usable(name) for name in names]

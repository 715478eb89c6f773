"""The name tier against look-alike names of the real files, judged by hand (tests/real/name_matches.yaml).

Every pair of names the tier matches must be the same firm: a probable match is shown to the public, so
it must be right. Near misses of one letter are not matched at all (nothing is fuzzy).
"""
from __future__ import annotations

import csv
import functools

import pytest

from ckanext.anticorruption.identifiers.names import NameRules

from tests.real import REAL_DATA, name_matches, real_files

pytestmark = pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA})")

RULES = NameRules.load()
PAIRS = name_matches()
# The name columns of the real files, as tests/real/mappings.yaml maps them.
_NAME_FIELDS = {"supplier_name", "taxpayer_name"}
_ENCODINGS = ("utf-8-sig", "cp1252")


@functools.cache
def _names_in(path: str) -> frozenset[str]:
    """Every name the real file writes in the column mapped to a supplier or taxpayer name."""
    real = next(real for real in real_files() if real.path == path)
    columns = [label for label, target in real.column_mapping.items() if target in _NAME_FIELDS]
    for encoding in _ENCODINGS:
        try:
            text = (REAL_DATA / path).read_text(encoding=encoding)
        except UnicodeDecodeError:
            continue
        rows = list(csv.reader(text.splitlines()))
        header = next(index for index, row in enumerate(rows) if any(c.strip() in columns for c in row))
        labels = rows[header]
        positions = [index for index, label in enumerate(labels) if label in columns or label.strip() in columns]
        return frozenset(row[p].strip() for row in rows[header + 1:] for p in positions if p < len(row))
    raise AssertionError(f"{path} is in neither {_ENCODINGS}")


def _csv_files() -> list[str]:
    return [real.path for real in real_files() if real.path.endswith(".csv") and real.type in
            ("contracts_register", "debarred_contractors", "tax_records")]


def _anywhere(name: str) -> bool:
    return any(name.strip() in _names_in(path) for path in _csv_files())


@pytest.mark.parametrize("pair", PAIRS["same"] + PAIRS["different"], ids=lambda pair: pair["contract"][:30])
def test_every_judged_name_is_written_so_in_a_real_file(pair) -> None:
    if "contract_file" in pair:
        assert pair["contract"].strip() in _names_in(pair["contract_file"])
        assert pair["register"].strip() in _names_in(pair["register_file"])
    else:
        assert _anywhere(pair["contract"]) and _anywhere(pair["register"])


def test_every_pair_the_name_tier_matches_is_the_same_firm() -> None:
    matched_same = [pair for pair in PAIRS["same"] if RULES.key(pair["contract"]) == RULES.key(pair["register"])]
    matched_different = [pair for pair in PAIRS["different"]
                         if RULES.key(pair["contract"]) == RULES.key(pair["register"])]
    assert matched_different == []
    # The four spelled differently (accents, "S.A DE C.V." against "SA DE CV", a missing legal form) are found.
    assert len(matched_same) == 4
    # The typing slip ("LLOS CHANEQUES") is missed: nothing is fuzzy.
    missed = [pair["register"] for pair in PAIRS["same"] if pair not in matched_same]
    assert missed == ["COMERCIALIZADORA EL LAGO DE LLOS CHANEQUES  S.A. DE C.V."]

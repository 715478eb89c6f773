"""Red flags from the real registers, joined for real: SFP's two downloads of its directory of sanctioned
suppliers, SAT's 69-B list and the federal government's OCDS releases (the one real source with supplier
RFCs), against CompraNet's contracts samples, each uploaded through the API with the mapping its publisher
would choose (tests/real/mappings.yaml).

No real contract and no real register share an RFC; every real flag is found by name, and is shown as
probable. The portal's probable matches are checked against tests/real/name_matches.yaml, judged by hand.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.real import REAL_DATA, name_matches, real_files

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues"),
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"the real files are not next to the checkout ({REAL_DATA})"),
]

_REGISTERS = ("proveedores_sancionados.csv", "ProveedoresyContratistasSancionados.csv", "Listado_Completo_69-B.csv")
_CONTRACTS = ("sample_Contratos2013_150514080004.csv", "sample_Contratos2014_150514075704.csv")
_FEDERAL_OCDS = sorted((REAL_DATA / "open-contracting__sample-data/mexico/administracion-publica-federal/sample/records")
                       .glob("*.json"))


def _run_jobs() -> None:
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


@pytest.fixture
def portal(create_with_upload) -> dict[str, Any]:
    """Each real register and contracts file in its own dataset of its own agency, checked."""
    by_name = {real.id: real for real in real_files()}
    user = factories.UserWithToken()
    datasets: dict[str, dict[str, Any]] = {}
    for name in (*_REGISTERS, *_CONTRACTS):
        real = by_name[name]
        org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
        slug = Path(name).stem.lower().replace("_", "-")[:60]
        dataset = call_action("package_create", {"user": user["name"]},
                              **minimal_dataset(real.type, org["id"], f"real-{slug}"))
        path = REAL_DATA / real.path
        create_with_upload(path.read_bytes(), path.name, package_id=dataset["id"], format="CSV",
                           column_mapping=json.dumps(real.column_mapping, ensure_ascii=False),
                           context={"user": user["name"]})
        datasets[name] = dataset
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    federal = call_action("package_create", {"user": user["name"]},
                          **minimal_dataset("contracts_register", org["id"], "contratos-apf-ocds"))
    for path in _FEDERAL_OCDS:
        create_with_upload(path.read_bytes(), path.name, package_id=federal["id"], context={"user": user["name"]})
    datasets["federal"] = federal
    _run_jobs()
    return datasets


def _spaced(name: str) -> str:
    """A name with its runs of spaces as one (the report's labels are written so)."""
    return " ".join(name.split())


def _probable_pairs(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(_spaced(entry["names"][0]), _spaced(entry["names"][1])) for supplier in result["suppliers"]
            for entry in supplier["entries"] if entry["tier"] == "probable"}


def test_real_registers_joined_to_real_contracts(portal, app) -> None:
    """One upload of every file (they are large), then what each side shows."""
    _contracts_are_flagged_by_name_only_where_the_hand_checked_list_says_same_firm(portal, app)
    _the_federal_ocds_suppliers_share_no_rfc_with_the_registers(portal)
    _sats_list_is_indexed_as_a_register_of_its_definitive_taxpayers(portal)


def _contracts_are_flagged_by_name_only_where_the_hand_checked_list_says_same_firm(portal, app) -> None:
    judged = name_matches()
    same = {(_spaced(pair["contract"]), _spaced(pair["register"])) for pair in judged["same"]}
    different = {(_spaced(pair["contract"]), _spaced(pair["register"])) for pair in judged["different"]}
    found: set[tuple[str, str]] = set()
    for name in _CONTRACTS:
        result = call_action("anticorruption_identifier_matches", id=portal[name]["id"])
        # No real contract carries its supplier's RFC: nothing is certain.
        assert {entry["tier"] for s in result["suppliers"] for entry in s["entries"]} <= {"probable"}
        found |= _probable_pairs(result)
    # Each probable match the portal shows was judged the same firm by hand (precision 1 on the list) ...
    assert found, "the name tier found none of the real matches"
    assert found & different == set()
    names_in_list = {contract for contract, _ in same}
    assert {pair for pair in found if pair[0] in names_in_list} <= same
    # ... and every same-firm pair of the list is found, except the register's typing slip.
    assert {pair for pair in same if "LLOS" not in pair[1]} <= found
    # The page says so in plain words, apart from certain matches, with both names.
    page = app.get(f"/es/dataset/{portal['sample_Contratos2013_150514080004.csv']['name']}").body
    assert "probable (mismo nombre)" in page
    assert "CONSTRUCTORA PEME" in page and "ROOST CONTROL DE PLAGAS Y SERVICIOS" in page


def _the_federal_ocds_suppliers_share_no_rfc_with_the_registers(portal) -> None:
    # The only real RFCs of suppliers (the federal releases) are not on SAT's 69-B list, nor named in
    # SFP's directory: the join runs and honestly finds nothing.
    result = call_action("anticorruption_identifier_matches", id=portal["federal"]["id"])
    assert result["suppliers"] == []
    shown = call_action("anticorruption_identifier_show", scheme="MX-RFC", identifier="GFM010122DZ9")
    assert [d["name"] for d in shown["datasets"]] == ["contratos-apf-ocds"] and not shown["sanctioned"]


def _sats_list_is_indexed_as_a_register_of_its_definitive_taxpayers(portal) -> None:
    # SAT's list names six firms of SFP's directory (by name); neither is an award dataset, so no flag.
    sat = call_action("anticorruption_identifier_matches", id=portal["Listado_Completo_69-B.csv"]["id"])
    assert sat["sanctioned"] == []
    # The register has been indexed: a definitive taxpayer's RFC has its identifier page.
    path = REAL_DATA / next(r.path for r in real_files() if r.id == "Listado_Completo_69-B.csv")
    rows = list(csv.reader(path.read_text(encoding="cp1252").splitlines()))[3:]
    definitive = next(row[1] for row in rows if len(row) > 3 and row[3].strip().lower() == "definitivo"
                      and len(row[1]) == 12 and row[1] != "XXXXXXXXXXXX")
    shown = call_action("anticorruption_identifier_show", scheme="MX-RFC", identifier=definitive)
    assert shown["sanctioned"] and [d["name"] for d in shown["datasets"]] == [
        portal["Listado_Completo_69-B.csv"]["name"]]

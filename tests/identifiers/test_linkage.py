"""The linkage index's second tier and the registers that raise flags, through real uploads.

A contracts file and a register that share only a supplier's legal name
(written differently) give a probable flag; sharing its RFC, a certain one;
SAT's real 69-B list raises flags for its definitive taxpayers only.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

import ckan.model as model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.model import IdentifierLink

from tests.identifiers.linkage_fixtures import (  # noqa: F401  (fixtures)
    BARRED, CLEAN, LATER, PERSON, _contracts, _dataset, _rfc, _run_jobs_here, _sanctions, _upload, agencies, people,
)
from tests.real import REAL_DATA, real_files

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

# A firm the register names without its RFC, written as SFP's directory writes names.
ALAMO = _rfc("CAL150505AB")
ALAMO_BY_BUYER = "Constructora Álamo del Norte, S. A. de C. V."
ALAMO_BY_REGISTER = "CONSTRUCTORA ALAMO DEL NORTE SA DE CV"


def _matches(dataset_id: str, user: str | None = None) -> dict:
    return call_action("anticorruption_identifier_matches", {"user": user or "", "ignore_auth": False}, id=dataset_id)


def _by_label(result: dict) -> dict:
    return {(s["label"] or "withheld"): s for s in result["suppliers"]}


@pytest.fixture
def by_name(create_with_upload, agencies, people):
    """Contracts naming BARRED (its RFC is in the register) and ALAMO (only its name is)."""
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    register = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    _upload(create_with_upload, contracts, people["buyer"],
            _contracts((BARRED, "2025-03-10"), (ALAMO, "2025-03-12", ALAMO_BY_BUYER), (CLEAN, "2025-03-12"),
                       ("", "2025-05-02", "Eduardo Gómez Díaz")), "contratos.csv")
    _upload(create_with_upload, register, people["auditor"],
            _sanctions((BARRED, "2025-02-01", "2027-02-01"), ("", "2025-01-15", "", ALAMO_BY_REGISTER),
                       ("", "2025-01-15", "", "EDUARDO GOMEZ DIAZ")), "sanciones.csv")
    return {"contracts": contracts, "register": register}


def test_names_are_indexed_once_per_normalised_name_with_the_name_as_written(by_name) -> None:
    register_side = model.Session.query(IdentifierLink).filter_by(
        scheme="NAME", identifier="CONSTRUCTORA ALAMO DEL NORTE", role="sanction").one()
    assert register_side.label == ALAMO_BY_REGISTER and register_side.moments == "2025-01-15|"
    contracts_side = model.Session.query(IdentifierLink).filter_by(
        scheme="NAME", identifier="CONSTRUCTORA ALAMO DEL NORTE", role="award").one()
    assert contracts_side.label == ALAMO_BY_BUYER and contracts_side.rows == 1
    # Beside an identifier, the supplier's name as written there.
    barred = model.Session.query(IdentifierLink).filter_by(scheme="MX-RFC", identifier=BARRED, role="award").one()
    assert barred.label == "Constructora del Mayab S.A. de C.V."


def test_a_shared_name_is_a_probable_flag_beside_a_certain_one(by_name) -> None:
    result = _matches(by_name["contracts"]["id"])
    suppliers = _by_label(result)
    barred = suppliers["Constructora del Mayab S.A. de C.V."]
    assert (barred["scheme"], barred["identifier"], barred["tier"]) == ("MX-RFC", BARRED, "certain")
    # Found by RFC in the register: not listed again by name.
    assert [entry["tier"] for entry in barred["entries"]] == ["certain"]
    alamo = suppliers[ALAMO_BY_BUYER]
    assert (alamo["scheme"], alamo["tier"], alamo["in_force"]) == ("NAME", "probable", True)
    [entry] = alamo["entries"]
    assert entry["names"] == [ALAMO_BY_BUYER, ALAMO_BY_REGISTER]
    assert (entry["since"], entry["until"]) == ("2025-01-15", "")
    assert "Aceros y Perfiles del Sur, S.A. de C.V." not in suppliers
    assert (result["supplier_count"], result["probable_count"]) == (3, 2)


def test_a_name_without_a_legal_form_is_counted_but_named_only_to_editors(by_name, people) -> None:
    public = _by_label(_matches(by_name["contracts"]["id"]))
    withheld = public["withheld"]
    assert withheld["person"] and withheld["tier"] == "probable" and withheld["identifier"] is None
    assert withheld["entries"][0]["names"] is None
    assert "EDUARDO GOMEZ DIAZ" not in json.dumps(public, ensure_ascii=False)
    editor = _by_label(_matches(by_name["contracts"]["id"], people["buyer"]["name"]))
    assert editor["Eduardo Gómez Díaz"]["entries"][0]["names"] == ["Eduardo Gómez Díaz", "EDUARDO GOMEZ DIAZ"]


def test_the_register_lists_each_of_its_suppliers_once_with_the_award_datasets(by_name) -> None:
    result = _matches(by_name["register"]["id"])
    tiers = {(s["label"] or "withheld"): [e["tier"] for e in s["entries"]] for s in result["sanctioned"]}
    assert tiers == {"CONSTRUCTORA DEL MAYAB SA DE CV": ["certain"], ALAMO_BY_REGISTER: ["probable"],
                     "withheld": ["probable"]}
    [award] = result["awards"]
    assert (award["dataset"]["name"], award["supplier_count"]) == (by_name["contracts"]["name"], 3)


def test_a_private_register_gives_no_name_flag_to_those_who_may_not_see_it(by_name, people) -> None:
    call_action("package_patch", {"user": people["auditor"]["name"]}, id=by_name["register"]["id"], private=True)
    assert _matches(by_name["contracts"]["id"])["suppliers"] == []
    assert _matches(by_name["contracts"]["id"], people["buyer"]["name"])["suppliers"] == []
    assert _matches(by_name["contracts"]["id"], people["auditor"]["name"])["probable_count"] == 2


def test_names_have_no_identifier_page(app, by_name) -> None:
    app.get("/en/anticorruption/identifier/NAME/CONSTRUCTORA%20ALAMO%20DEL%20NORTE", status=400)


def test_the_contracts_page_shows_probable_flags_apart_with_the_reason(app, by_name) -> None:
    page = app.get(f"/en/dataset/{by_name['contracts']['name']}").body
    assert "Probable: found by name only" in page
    assert f"Probable: same name («{ALAMO_BY_BUYER}» ≈ «{ALAMO_BY_REGISTER}»)" in page
    assert "certain (same RFC)" in page and "probable (same name)" in page
    assert "Eduardo" not in page and "EDUARDO" not in page
    spanish = app.get(f"/es/dataset/{by_name['contracts']['name']}").body
    assert f"Probable: mismo nombre («{ALAMO_BY_BUYER}» ≈ «{ALAMO_BY_REGISTER}»)" in spanish


# SAT's list as published, with the publisher's mapping (tests/real/mappings.yaml).
SAT_69B = next((real for real in real_files() if real.id == "Listado_Completo_69-B.csv"), None)


def _taxpayers() -> dict[str, dict[str, str]]:
    """One taxpayer of each situation, with its RFC, name and definitive listing's date (dd/mm/yyyy)."""
    text = (REAL_DATA / SAT_69B.path).read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text)))[2:]
    header, found = rows[0], {}
    for row in rows[1:]:
        record = dict(zip(header, row))
        situation, rfc = record["Situación del contribuyente"], record["RFC"]
        if situation in found or rfc.startswith("XXX") or len(rfc) != 12:
            continue
        if situation == "Definitivo" and not record["Publicación DOF definitivos"]:
            continue
        found[situation] = {"rfc": rfc, "name": record["Nombre del Contribuyente"],
                            "definitive": record["Publicación DOF definitivos"]}
    return found


def _iso(day: str) -> str:
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


@pytest.mark.skipif(SAT_69B is None or not REAL_DATA.is_dir(), reason="the real files are not next to the checkout")
def test_sat_69b_raises_flags_for_definitive_taxpayers_only(app, create_with_upload, agencies, people) -> None:
    taxpayers = _taxpayers()
    assert set(taxpayers) == {"Definitivo", "Sentencia Favorable", "Presunto", "Desvirtuado"}
    definitive = taxpayers["Definitivo"]
    since = _iso(definitive["definitive"])
    register = _dataset("tax_records", agencies["auditor"], people["auditor"])
    path = REAL_DATA / SAT_69B.path
    resource = create_with_upload(
        path.read_bytes(), path.name, package_id=register["id"], format="CSV",
        column_mapping=json.dumps(SAT_69B.column_mapping, ensure_ascii=False), context={"user": people["auditor"]["name"]})
    _run_jobs_here()
    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] in ("valid", "invalid")

    # Every taxpayer signs a contract a year after the definitive one was listed, under the name SAT writes.
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    after = f"{int(since[:4]) + 1}{since[4:]}"
    rows = [(taxpayers[situation]["rfc"], after, taxpayers[situation]["name"])
            for situation in ("Definitivo", "Sentencia Favorable", "Presunto", "Desvirtuado")]
    _upload(create_with_upload, contracts, people["buyer"], _contracts(*rows), "contratos.csv")
    _run_jobs_here()

    result = _matches(contracts["id"])
    # Only the definitive taxpayer, by RFC (its name is not listed again); the others by neither tier.
    assert [s["identifier"] for s in result["suppliers"]] == [definitive["rfc"]]
    [entry] = result["suppliers"][0]["entries"]
    assert (entry["tier"], entry["in_force"], entry["since"], entry["until"]) == ("certain", True, since, "")
    page = app.get(f"/en/dataset/{contracts['name']}").body
    assert (f"supplier listed by SAT as issuing invoices for simulated operations (definitive since {since}) "
            "when the contract was signed.") in page
    spanish = app.get(f"/es/dataset/{contracts['name']}").body
    assert (f"proveedor en la lista del SAT de contribuyentes que facturan operaciones simuladas (definitivo desde el "
            f"{since}) cuando se firmó el contrato.") in spanish


@pytest.mark.skipif(SAT_69B is None or not REAL_DATA.is_dir(), reason="the real files are not next to the checkout")
def test_a_contract_signed_before_the_definitive_listing_is_outside_it(create_with_upload, agencies, people) -> None:
    definitive = _taxpayers()["Definitivo"]
    since = _iso(definitive["definitive"])
    register = _dataset("tax_records", agencies["auditor"], people["auditor"])
    path = REAL_DATA / SAT_69B.path
    create_with_upload(path.read_bytes(), path.name, package_id=register["id"], format="CSV",
                       column_mapping=json.dumps(SAT_69B.column_mapping, ensure_ascii=False),
                       context={"user": people["auditor"]["name"]})
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    before = f"{int(since[:4]) - 1}{since[4:]}"
    _upload(create_with_upload, contracts, people["buyer"], _contracts((definitive["rfc"], before, definitive["name"])),
            "contratos.csv")
    _run_jobs_here()
    [supplier] = _matches(contracts["id"])["suppliers"]
    assert supplier["in_force"] is False and supplier["entries"][0]["since"] == since


def test_a_hostile_name_is_shown_as_text(app, create_with_upload, agencies, people) -> None:
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    register = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    hostile = "<script>alert(1)</script> Obras SA de CV"
    _upload(create_with_upload, contracts, people["buyer"], _contracts((CLEAN, "2025-03-12", hostile)), "contratos.csv")
    _upload(create_with_upload, register, people["auditor"],
            _sanctions(("", "2025-01-15", "", "<SCRIPT>ALERT(1)</SCRIPT> OBRAS S.A. DE C.V.")), "sanciones.csv")
    assert _matches(contracts["id"])["probable_count"] == 1
    page = app.get(f"/en/dataset/{contracts['name']}").body
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Obras SA de CV" in page

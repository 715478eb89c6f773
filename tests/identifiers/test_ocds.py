"""The suppliers of OCDS files as links of the linkage index: identifiers, names, contract dates."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.identifiers.names import NAME_SCHEME, NameRules
from ckanext.anticorruption.identifiers.ocds import OcdsPartyLinks
from ckanext.anticorruption.identifiers.schemes import Registry

from tests.validation.test_ocds import CDMX_RECORDS, CDMX_RELEASES, FEDERAL, needs_real_files

REGISTRY = Registry.of([])


def _links(*releases: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    scan = OcdsPartyLinks(REGISTRY, NameRules.load())
    for number, release in enumerate(releases, start=1):
        scan.feed(number, release)
    summary = scan.finish()
    assert (summary["role"], summary["supplier"]) == ("award", "parties")
    for link in summary["links"]:
        assert link["field"] == "parties" and link["dates"] == sorted(link["dates"])
    return {(link["scheme"], link["identifier"]): link for link in summary["links"]}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@needs_real_files
def test_federal_suppliers_by_rfc_and_name_with_their_contract_dates() -> None:
    found = _links(*[_load(path) for path in FEDERAL])
    gruas = found[("MX-RFC", "GFM010122DZ9")]
    assert (gruas["rows"], gruas["dates"], gruas["person"]) == (1, ["2017-03-06"], False)
    assert gruas["label"] == "GRUAS FLETES Y MANIOBRAS SA DE CV"
    assert found[(NAME_SCHEME, NameRules.load().key("GRUAS FLETES Y MANIOBRAS SA DE CV"))]["label"] == \
        "GRUAS FLETES Y MANIOBRAS SA DE CV"
    # A supplier named by two compiled releases: both dates.
    assert found[("MX-RFC", "SDS060209QG3")]["rows"] == 2
    assert len(found[("MX-RFC", "SDS060209QG3")]["dates"]) == 2
    # The buyer is not a supplier; an RFC the publisher replaced by a hash is no RFC.
    assert not any(identifier.startswith("95F5D7F5") or identifier == "06E00" for _, identifier in found)
    assert ("MX-CPA", "06E00") not in found


@needs_real_files
def test_mexico_citys_suppliers_without_a_scheme_are_joined_by_their_rfc() -> None:
    releases = [_load(path) for path in CDMX_RELEASES] + [_load(path)["compiledRelease"] for path in CDMX_RECORDS]
    found = _links(*releases)
    tiendas = found[("MX-RFC", "TCM951030A17")]
    assert tiendas["dates"] == ["2015-12-31"] and tiendas["person"] is False
    # OCDS 1.0 releases have no parties: the awards' suppliers are read.
    assert found[("MX-RFC", "BSM971107ME6")]["dates"] == ["2015-12-30"]
    # The government (procuring entity) and the tenderers that won nothing are not awards.
    assert ("MX-RFC", "GDF9712054NA") not in found


def _release(parties: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"ocid": "ocds-abc123-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["award"],
            "initiationType": "tender", "parties": parties, **more}


def test_other_registers_keep_their_org_id_code_and_the_dates_follow_the_awards() -> None:
    parties = [
        {"id": "a", "name": "Acme Construction Ltd", "roles": ["supplier"],
         "identifier": {"scheme": "GB-COH", "id": " 01234567 "}},
        {"id": "b", "name": "Constructora del Norte, S.A. de C.V.", "roles": ["supplier", "tenderer"],
         "identifier": {"scheme": "MX-RFC", "id": "mx-rfc-cno180304kx1"},
         "additionalIdentifiers": [{"scheme": "RUPC", "id": "1"}, {"scheme": "MX-CURP", "id": "X"}]},
        {"id": "c", "name": "Perdedora SA de CV", "roles": ["tenderer"],
         "identifier": {"scheme": "MX-RFC", "id": "PER180304KX1"}},
        {"id": "d", "name": "Público en General", "roles": ["payee"],
         "identifier": {"scheme": "MX-RFC", "id": "XAXX010101000"}},
        {"id": "e", "name": "JUAN PEREZ LOPEZ", "roles": ["supplier"], "identifier": {"scheme": "bad scheme", "id": "1"}},
    ]
    release = _release(
        parties,
        awards=[{"id": "A1", "date": "2024-02-01T00:00:00Z", "suppliers": [{"id": "a"}]},
                {"id": "A2", "date": "2024-03-01T00:00:00Z", "suppliers": [{"id": "b"}]}],
        contracts=[{"id": "C1", "awardID": "A1", "dateSigned": "2024-02-10T10:00:00-06:00"}],
    )
    found = _links(release)
    assert found[("GB-COH", "01234567")]["dates"] == ["2024-02-10"]  # the contract's signature
    assert found[("MX-RFC", "CNO180304KX1")]["dates"] == ["2024-03-01"]  # no contract yet: the award's date
    assert not any(scheme in ("RUPC", "MX-CURP") for scheme, _ in found)  # not an org-id code; personal
    assert ("MX-RFC", "PER180304KX1") not in found  # a tenderer only
    assert ("MX-RFC", "XAXX010101000") not in found  # the general public's RFC names no one
    # A name without a legal form nor a company's identifier may be a person's.
    person = found[(NAME_SCHEME, NameRules.load().key("JUAN PEREZ LOPEZ"))]
    assert person["person"] is True and person["label"] == "JUAN PEREZ LOPEZ"
    company = found[(NAME_SCHEME, NameRules.load().key("Constructora del Norte, S.A. de C.V."))]
    assert company["person"] is False and company["label"] == "Constructora del Norte, S.A. de C.V."


def test_a_natural_persons_rfc_is_marked_as_a_person() -> None:
    found = _links(_release([{"id": "p", "name": "María Pérez", "roles": ["supplier"],
                              "identifier": {"scheme": "MX-RFC", "id": "PEMM800101AB1"}}]))
    assert all(link["person"] for link in found.values())


@pytest.mark.parametrize("junk", [None, [], "text", {"parties": "x"}, {"parties": [1, None, {"roles": "supplier"}]},
                                  {"awards": [{"suppliers": [{"identifier": {"id": ["x"]}}]}]}])
def test_odd_shapes_give_no_links_and_no_error(junk: Any) -> None:
    scan = OcdsPartyLinks(REGISTRY)
    if isinstance(junk, dict):
        scan.feed(1, junk)
    assert scan.finish()["links"] == []


def test_a_type_without_an_award_role_stores_suppliers_but_raises_no_flag() -> None:
    """Procurement complaints follow OCDS, but a complaint is not an award: its links carry no role."""
    scan = OcdsPartyLinks(REGISTRY, role=None)
    scan.feed(1, _release([{"id": "a", "name": "Acme SA de CV", "roles": ["supplier"],
                            "identifier": {"scheme": "MX-RFC", "id": "CNO180304KX1"}}]))
    summary = scan.finish()
    assert (summary["role"], summary["supplier"]) == (None, None)
    assert {(link["scheme"], link["identifier"]) for link in summary["links"]} >= {("MX-RFC", "CNO180304KX1")}


def test_huge_names_and_identifiers_are_not_stored() -> None:
    """A hostile file cannot put megabytes into the index's key (PostgreSQL would refuse the row)."""
    found = _links(_release([{"id": "a", "name": "ACME " * 1_000_000, "roles": ["supplier"],
                              "identifier": {"scheme": "GB-COH", "id": "9" * 1_000_000,
                                             "legalName": "Acme Holdings Ltd"}}]))
    assert [(scheme, identifier) for scheme, identifier in found] == [
        (NAME_SCHEME, NameRules.load().key("Acme Holdings Ltd"))]

"""Red flags, pure: overlap of award dates with sanction periods, and grouping."""
from __future__ import annotations

from ckanext.anticorruption.identifiers.redflags import by_dataset, counts, dates_in_force, match, summarise


def test_dates_inside_a_period_are_in_force() -> None:
    dates = ["2024-12-31", "2025-03-10", "2027-02-02"]
    assert dates_in_force(dates, [["2025-02-01", "2027-02-01"]]) == ["2025-03-10"]


def test_no_overlap_is_an_empty_list_and_missing_dates_are_unknown() -> None:
    assert dates_in_force(["2020-01-01"], [["2025-02-01", "2027-02-01"]]) == []
    assert dates_in_force([], [["2025-02-01", "2027-02-01"]]) is None
    assert dates_in_force(["2020-01-01"], []) is None


def test_open_ends_and_inclusive_bounds() -> None:
    assert dates_in_force(["2030-01-01"], [["2025-03-15", ""]]) == ["2030-01-01"]
    assert dates_in_force(["2000-01-01"], [["", "2001-01-01"]]) == ["2000-01-01"]
    assert dates_in_force(["2025-02-01", "2027-02-01"], [["2025-02-01", "2027-02-01"]]) == [
        "2025-02-01", "2027-02-01"]


def _link(identifier: str, role: str, moments: list, resource: str = "r", person: bool = False,
          scheme: str = "MX-RFC", label: str | None = None) -> dict:
    return {"scheme": scheme, "identifier": identifier, "role": role, "moments": moments, "rows": 2,
            "person": person, "resource_id": resource, "package_id": "p-" + resource, "label": label}


def test_match_pairs_same_identifiers_only_and_says_when_in_force() -> None:
    awards = [_link("AAA010101AA1", "award", ["2025-03-10"], "contracts"),
              _link("BBB010101BB2", "award", ["2019-01-01"], "contracts"),
              _link("CCC010101CC3", "award", ["2025-03-10"], "contracts")]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "sanctions"),
                 _link("BBB010101BB2", "sanction", [["2025-01-01", "2026-01-01"]], "sanctions")]
    found = {m["award"]["identifier"]: m for m in match(awards, sanctions)}
    assert set(found) == {"AAA010101AA1", "BBB010101BB2"}
    assert found["AAA010101AA1"]["in_force"] is True
    assert (found["AAA010101AA1"]["since"], found["AAA010101AA1"]["until"]) == ("2025-01-01", "")
    assert found["BBB010101BB2"]["in_force"] is False
    assert {m["tier"] for m in found.values()} == {"certain"}


def test_a_shared_name_alone_is_probable() -> None:
    [found] = match([_link("ALZ CONSTRUCCIONES", "award", ["2025-03-10"], "contracts", scheme="NAME")],
                    [_link("ALZ CONSTRUCCIONES", "sanction", [["2025-01-01", ""]], "sanctions", scheme="NAME")])
    assert (found["tier"], found["in_force"]) == ("probable", True)


def test_the_verdict_rests_on_the_period_holding_the_award() -> None:
    [found] = match([_link("AAA010101AA1", "award", ["2025-03-10"])],
                    [_link("AAA010101AA1", "sanction", [["2019-01-01", "2020-01-01"], ["2025-01-01", "2026-01-01"]])])
    assert (found["since"], found["until"]) == ("2025-01-01", "2026-01-01")


def test_each_supplier_is_listed_once_with_every_register_naming_it_worst_first() -> None:
    awards = [_link("AAA010101AA1", "award", ["2025-03-10"], "contracts"),
              _link("BBB010101BB2", "award", [], "contracts", person=True)]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "s1"),
                 _link("BBB010101BB2", "sanction", [["2025-01-01", ""]], "s2"),
                 _link("AAA010101AA1", "sanction", [["2020-01-01", "2021-01-01"]], "s2")]
    suppliers = summarise(match(awards, sanctions))
    assert [s["identifier"] for s in suppliers] == ["AAA010101AA1", "BBB010101BB2"]
    first, second = suppliers
    assert [(e["resource_id"], e["in_force"]) for e in first["entries"]] == [("s1", True), ("s2", False)]
    assert first["in_force"] is True and first["rows"] == 2  # its rows counted once, not once per register
    assert second["in_force"] is None and second["person"]
    assert counts(suppliers) == {"supplier_count": 2, "in_force_count": 1, "probable_count": 0}
    assert [(g["resource_id"], g["supplier_count"]) for g in by_dataset(suppliers)] == [("s1", 1), ("s2", 2)]


def test_a_name_match_joins_the_supplier_found_by_identifier_and_is_not_repeated() -> None:
    rfc = _link("AAA010101AA1", "award", ["2025-03-10"], "contracts", label="Alfa Uno, S.A. de C.V.")
    name = _link("ALFA UNO", "award", ["2025-03-10"], "contracts", scheme="NAME", label="Alfa Uno, S.A. de C.V.")
    # s1 names the supplier by RFC and by name; s2 (no RFC column) by name only.
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "s1", label="ALFA UNO SA DE CV"),
                 _link("ALFA UNO", "sanction", [["2025-01-01", ""]], "s1", scheme="NAME", label="ALFA UNO SA DE CV"),
                 _link("ALFA UNO", "sanction", [["2024-01-01", ""]], "s2", scheme="NAME", label="ALFA ÚNO, S. A.")]
    [supplier] = summarise(match([rfc, name], sanctions))
    assert (supplier["scheme"], supplier["identifier"], supplier["tier"]) == ("MX-RFC", "AAA010101AA1", "certain")
    assert [(e["resource_id"], e["tier"]) for e in supplier["entries"]] == [("s1", "certain"), ("s2", "probable")]
    assert supplier["entries"][1]["names"] == ["Alfa Uno, S.A. de C.V.", "ALFA ÚNO, S. A."]
    assert supplier["rows"] == 2


def test_a_supplier_found_by_name_only_is_probable_and_after_the_certain_ones() -> None:
    awards = [_link("AAA010101AA1", "award", ["2019-03-10"], "contracts"),
              _link("BETA DOS", "award", ["2025-03-10"], "contracts", scheme="NAME", label="Beta Dos SA")]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "s1"),
                 _link("BETA DOS", "sanction", [["2025-01-01", ""]], "s1", scheme="NAME", label="BETA DOS S.A.")]
    suppliers = summarise(match(awards, sanctions))
    # In force beats outside the period, whatever the tier.
    assert [(s["identifier"], s["tier"], s["in_force"]) for s in suppliers] == [
        ("BETA DOS", "probable", True), ("AAA010101AA1", "certain", False)]
    assert counts(suppliers)["probable_count"] == 1


def test_the_register_side_lists_each_sanctioned_supplier_once_with_the_award_datasets() -> None:
    awards = [_link("AAA010101AA1", "award", ["2025-03-10"], "c1"), _link("AAA010101AA1", "award", ["2019-01-01"], "c2")]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "s1")]
    [supplier] = summarise(match(awards, sanctions), side="sanction")
    assert [(e["package_id"], e["in_force"]) for e in supplier["entries"]] == [("p-c1", True), ("p-c2", False)]
    assert [g["package_id"] for g in by_dataset([supplier], "package_id")] == ["p-c1", "p-c2"]


def test_a_name_written_with_a_legal_form_on_either_side_is_a_company_not_a_person() -> None:
    # CompraNet writes "CONSTRUCTORA PEME"; SFP's directory "CONSTRUCTORA PEME, S.A. DE C.V.": a company,
    # whose name the public may read. Only when no file writes a legal form is it perhaps a person's.
    contract = _link("CONSTRUCTORA PEME", "award", ["2013-05-15"], "contracts", person=True, scheme="NAME",
                     label="CONSTRUCTORA PEME")
    register = _link("CONSTRUCTORA PEME", "sanction", [["2015-05-04", ""]], "s1", scheme="NAME",
                     label="CONSTRUCTORA PEME, S.A. DE C.V.")
    [company] = summarise(match([contract], [register]))
    assert not company["person"]
    person = _link("JUAN PEREZ LOPEZ", "sanction", [["2015-05-04", ""]], "s1", person=True, scheme="NAME")
    contract_person = _link("JUAN PEREZ LOPEZ", "award", ["2016-01-01"], "contracts", person=True, scheme="NAME")
    [someone] = summarise(match([contract_person], [person]))
    assert someone["person"]

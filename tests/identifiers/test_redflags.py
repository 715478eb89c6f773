"""Red flags, pure: overlap of award dates with sanction periods, and grouping."""
from __future__ import annotations

from ckanext.anticorruption.identifiers.redflags import dates_in_force, match, summarise


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


def _link(identifier: str, role: str, moments: list, resource: str = "r", person: bool = False) -> dict:
    return {"scheme": "MX-RFC", "identifier": identifier, "role": role, "moments": moments, "rows": 2,
            "person": person, "resource_id": resource, "package_id": "p-" + resource}


def test_match_pairs_same_identifiers_only_and_says_when_in_force() -> None:
    awards = [_link("AAA010101AA1", "award", ["2025-03-10"], "contracts"),
              _link("BBB010101BB2", "award", ["2019-01-01"], "contracts"),
              _link("CCC010101CC3", "award", ["2025-03-10"], "contracts")]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "sanctions"),
                 _link("BBB010101BB2", "sanction", [["2025-01-01", "2026-01-01"]], "sanctions")]
    found = {m["award"]["identifier"]: m for m in match(awards, sanctions)}
    assert set(found) == {"AAA010101AA1", "BBB010101BB2"}
    assert found["AAA010101AA1"]["in_force"] is True
    assert found["BBB010101BB2"]["in_force"] is False


def test_summarise_counts_suppliers_per_register_worst_first() -> None:
    awards = [_link("AAA010101AA1", "award", ["2025-03-10"], "contracts"),
              _link("BBB010101BB2", "award", [], "contracts", person=True)]
    sanctions = [_link("AAA010101AA1", "sanction", [["2025-01-01", ""]], "s1"),
                 _link("BBB010101BB2", "sanction", [["2025-01-01", ""]], "s2"),
                 _link("AAA010101AA1", "sanction", [["2020-01-01", "2021-01-01"]], "s2")]
    groups = summarise(match(awards, sanctions))
    assert [g["sanctions_resource_id"] for g in groups] == ["s1", "s2"]
    assert (groups[0]["supplier_count"], groups[0]["in_force_count"]) == (1, 1)
    second = {s["identifier"]: s for s in groups[1]["suppliers"]}
    assert second["BBB010101BB2"]["in_force"] is None and second["BBB010101BB2"]["person"]
    assert second["AAA010101AA1"]["in_force"] is False

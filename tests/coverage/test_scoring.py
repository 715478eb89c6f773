"""The pure coverage computations: dataset facts, cell states and scores, filters, exports."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.coverage.scoring import CellFacts, Declaration, Inputs

EU = "http://publications.europa.eu/resource/authority/frequency/"
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.timezone.utc)


def _dataset(frequency: str = "MONTHLY", days_ago: int = 0, fmt: str = "CSV", **extra) -> dict:
    updated = (NOW - datetime.timedelta(days=days_ago)).isoformat()
    return {"owner_org": "org-1", "type": "budgets", "frequency": EU + frequency, "metadata_modified": updated,
            "resources": [{"id": "r1", "format": fmt, "last_modified": updated}], **extra}


@pytest.mark.parametrize(("frequency", "days"), [("DAILY", 2), ("WEEKLY", 10), ("MONTHLY", 45), ("ANNUAL", 400)])
def test_a_dataset_stays_fresh_for_its_frequency_plus_a_margin(frequency: str, days: int) -> None:
    facts = coverage.dataset_facts(_dataset(frequency, days_ago=3), {"r1": "valid"}, is_open=True)

    fresh_until = datetime.datetime.fromisoformat(facts["ac_fresh_until_date"].replace("Z", "+00:00"))
    assert fresh_until == (NOW - datetime.timedelta(days=3) + datetime.timedelta(days=days)).replace(microsecond=0)


@pytest.mark.parametrize("frequency", ["IRREG", "NEVER", "unknown"])
def test_irregular_and_one_off_datasets_never_go_out_of_date(frequency: str) -> None:
    facts = coverage.dataset_facts(_dataset(frequency, days_ago=3000), {}, is_open=True)

    assert facts["ac_fresh_until_date"].startswith("9999-12-31")


def test_the_last_file_update_counts_before_the_description() -> None:
    dataset = _dataset(days_ago=100)
    dataset["resources"].append({"format": "CSV", "created": NOW.isoformat()})

    facts = coverage.dataset_facts(dataset, {}, is_open=True)

    assert facts["ac_updated_date"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def _two_files(older: str | None, newer: str | None, *, same_time: bool = False) -> tuple[dict, dict]:
    """A dataset with an older and a newer file, and their validation states (None: no run)."""
    old = (NOW - datetime.timedelta(days=0 if same_time else 30)).isoformat()
    # Listed newest first: the order of the list does not decide, the dates do.
    dataset = _dataset(resources=[{"id": "new", "format": "CSV", "last_modified": NOW.isoformat()},
                                  {"id": "old", "format": "CSV", "created": old}])
    if same_time:
        dataset["resources"].reverse()
    states = {rid: state for rid, state in (("old", older), ("new", newer)) if state is not None}
    return dataset, states


@pytest.mark.parametrize(("older", "newer", "valid", "invalid"), [
    ("invalid", "valid", True, False),  # a corrected file replaces a wrong one
    ("valid", "invalid", False, True),  # an old valid file does not make up for a newer wrong one
    ("valid", "not_validated", False, False),  # the newest is a PDF: published, not checked
    ("not_validated", "valid", True, False),
    ("valid", "error", False, True),  # the newest link could not be read
    ("valid", "pending", False, False),  # being checked
    ("valid", None, False, False),  # never checked (a dataset type without a schema)
])
def test_the_newest_file_decides_the_validity_flags(older, newer, valid: bool, invalid: bool) -> None:
    dataset, states = _two_files(older, newer)

    facts = coverage.dataset_facts(dataset, states, is_open=True)

    assert (facts["ac_valid"], facts["ac_invalid"]) == (str(valid).lower(), str(invalid).lower())
    assert coverage.decision(dataset["resources"], states)["resource"]["id"] == "new"


def test_of_two_files_of_the_same_time_the_later_added_decides() -> None:
    dataset, states = _two_files("valid", "invalid", same_time=True)

    assert [r["id"] for r in dataset["resources"]] == ["old", "new"]
    assert coverage.decision(dataset["resources"], states) == {
        "resource": dataset["resources"][1], "state": "invalid", "verdict": "invalid"}


def test_a_dataset_without_files_is_not_checked() -> None:
    assert coverage.decision([], {}) == {"resource": None, "state": None, "verdict": "unchecked"}
    facts = coverage.dataset_facts(_dataset(resources=[]), {}, is_open=True)
    assert (facts["ac_valid"], facts["ac_invalid"]) == ("false", "false")


def test_flags_and_cell_terms_read_back() -> None:
    facts = coverage.dataset_facts(_dataset(fmt="pdf"), {"r1": "valid"}, is_open=False)

    assert facts["ac_cell"] == "org-1|budgets"
    assert coverage.flags_of(facts["ac_cell_flags"]) == (
        "org-1", "budgets", {"open": False, "machine_readable": False, "valid": True, "invalid": False})


def _inputs(**cells) -> Inputs:
    types = [{"id": "budgets", "title": {"en": "Budgets"}, "category": "public_resources",
              "category_title": {"en": "Public resources"}},
             {"id": "spending", "title": {"en": "Spending"}, "category": "public_resources",
              "category_title": {"en": "Public resources"}},
             {"id": "tax_records", "title": {"en": "Tax"}, "category": "rent_extraction",
              "category_title": {"en": "Rent extraction"}}]
    orgs = [{"id": "a", "name": "agency-a", "title": "Agency A"}, {"id": "b", "name": "agency-b", "title": "=B"}]
    return Inputs(organizations=orgs, types=types, **cells)


def test_cell_score_averages_its_datasets_and_states_follow_the_worst_fact() -> None:
    matrix = coverage.build_matrix(_inputs(public={
        ("a", "budgets"): CellFacts(count=2, open=2, machine_readable=2, valid=1, invalid=1, fresh=2),
        ("a", "spending"): CellFacts(count=1, open=1, machine_readable=1, valid=1, fresh=0),
    }))

    cells = matrix["rows"][0]["cells"]
    assert (cells["budgets"]["state"], cells["budgets"]["score"]) == ("invalid", 90)
    assert (cells["spending"]["state"], cells["spending"]["score"]) == ("outdated", 80)
    assert (cells["tax_records"]["state"], cells["tax_records"]["score"]) == ("missing", 0)
    assert matrix["rows"][0]["score"] == 57  # (90 + 80 + 0) / 3


def test_a_cell_whose_files_could_not_be_checked_is_published_not_checked_and_never_valid() -> None:
    matrix = coverage.build_matrix(_inputs(public={
        # One dataset whose newest file is a PDF: published, open, fresh; not machine-readable, not valid.
        ("a", "budgets"): CellFacts(count=1, open=1, fresh=1),
        ("a", "spending"): CellFacts(count=1, open=1, machine_readable=1, valid=1, fresh=1),
    }))

    row = matrix["rows"][0]
    budgets = row["cells"]["budgets"]
    assert (budgets["state"], budgets["score"], budgets["unchecked"]) == ("unchecked", 60, 1)
    assert row["cells"]["spending"]["state"] == "published"
    # Counted as published, not as valid and up to date.
    assert (row["published"], row["valid_and_fresh"]) == (2, 1)
    assert matrix["summary"]["states"]["unchecked"] == 1
    assert coverage.filter_matrix(matrix, state="unchecked")["rows"][0]["organization"]["id"] == "a"


def test_declared_cells_are_neither_gaps_nor_scored() -> None:
    matrix = coverage.build_matrix(_inputs(
        public={("a", "budgets"): CellFacts(count=1, open=1, machine_readable=1, valid=1, fresh=1)},
        declarations={("a", "tax_records"): Declaration("not_applicable", "No recauda."),
                      ("b", "spending"): Declaration("nothing_to_report", "Sin gasto", period="2026")},
    ))

    row_a, row_b = matrix["rows"]
    assert row_a["cells"]["tax_records"]["score"] is None and row_a["expected"] == 2
    assert row_a["score"] == 50  # (100 + 0) / 2: the declared cell is left out
    assert row_b["cells"]["spending"]["declaration"]["period"] == "2026"
    summary = matrix["summary"]
    assert (summary["expected"], summary["published"], summary["missing"], summary["declared"]) == (4, 1, 3, 2)
    assert summary["valid_and_fresh_share"] == 100


def test_a_row_counts_published_of_expected_as_the_summary_and_the_snapshot_do() -> None:
    matrix = coverage.build_matrix(_inputs(
        public={("a", "budgets"): CellFacts(count=1, fresh=1),
                ("a", "tax_records"): CellFacts(count=2, fresh=2)},  # declared not applicable, published anyway
        declarations={("a", "tax_records"): Declaration("not_applicable", "No recauda."),
                      ("a", "spending"): Declaration("not_applicable", "Sin gasto.")},
    ))

    row = matrix["rows"][0]
    assert (row["published"], row["expected"], row["declared"]) == (2, 2, 1)
    assert matrix["summary"]["published"] == sum(r["published"] for r in matrix["rows"]) == 2
    assert coverage.snapshot_rows(matrix)[1]["published"] == 2


def test_a_published_dataset_outranks_a_declaration() -> None:
    matrix = coverage.build_matrix(_inputs(
        public={("a", "tax_records"): CellFacts(count=1, valid=1, fresh=1)},
        declarations={("a", "tax_records"): Declaration("not_applicable", "x")},
    ))

    assert matrix["rows"][0]["cells"]["tax_records"]["state"] == "published"


def test_private_counts_are_shown_but_never_scored() -> None:
    matrix = coverage.build_matrix(_inputs(public={}, private={("a", "budgets"): 3}))

    cell = matrix["rows"][0]["cells"]["budgets"]
    assert (cell["state"], cell["count"], cell["private"], cell["score"]) == ("missing", 0, 3, 0)


def test_filters_narrow_columns_and_rows_and_sort() -> None:
    matrix = coverage.build_matrix(_inputs(public={("b", "budgets"): CellFacts(count=1, valid=1, fresh=1)}))

    by_category = coverage.filter_matrix(matrix, category="rent_extraction")
    by_state = coverage.filter_matrix(matrix, state="published")
    by_name = coverage.filter_matrix(matrix, name="agency a")
    by_name_sort = coverage.filter_matrix(matrix, sort="name")

    assert by_category["type_ids"] == ["tax_records"]
    assert [r["organization"]["name"] for r in by_state["rows"]] == ["agency-b"]
    assert [r["organization"]["name"] for r in by_name["rows"]] == ["agency-a"]
    assert [r["organization"]["name"] for r in coverage.filter_matrix(matrix)["rows"]] == ["agency-b", "agency-a"]
    assert [r["organization"]["name"] for r in by_name_sort["rows"]] == ["agency-b", "agency-a"]  # "=B" < "Agency A"


def test_csv_export_has_a_line_per_cell_and_defuses_formulas() -> None:
    matrix = coverage.build_matrix(_inputs(
        public={}, declarations={("a", "budgets"): Declaration("not_applicable", "=HYPERLINK(\"x\")")}))

    lines = list(csv.DictReader(io.StringIO(coverage.matrix_csv(matrix))))

    assert len(lines) == 6
    assert next(x for x in lines if x["organization"] == "agency-a" and x["type"] == "budgets")[
        "declaration_reason"] == "'=HYPERLINK(\"x\")"
    assert next(x for x in lines if x["organization"] == "agency-b")["organization_title"] == "'=B"


def test_snapshot_rows_hold_the_nation_and_each_agency() -> None:
    matrix = coverage.build_matrix(_inputs(public={("a", "budgets"): CellFacts(count=1, valid=1, fresh=1)}))

    rows = coverage.snapshot_rows(matrix)

    assert [r["organization_id"] for r in rows] == [None, "a", "b"]
    assert (rows[0]["expected"], rows[0]["published"], rows[0]["valid_and_fresh"]) == (6, 1, 1)


def test_trend_points_scale_shares_to_the_chart() -> None:
    history = [{"taken": "2026-11-01T02:00:00", "expected": 10, "published": 0, "valid_and_fresh": 0},
               {"taken": "2026-11-02T02:00:00", "expected": 10, "published": 10, "valid_and_fresh": 5}]

    points = coverage.trend_points(history, width=200, height=100)

    assert points["published"] == "24.0,76.0 176.0,24.0"
    assert points["good"] == "24.0,76.0 176.0,50.0"
    assert coverage.trend_points([])["published"] == ""


def test_trend_dates_stay_inside_the_chart() -> None:
    history = [{"taken": f"2026-0{m}-01T00:00:00", "expected": 10, "published": m, "valid_and_fresh": 1}
               for m in range(1, 4)]
    labels = coverage.trend_points(history, width=600)["labels"]
    assert [text for _, text in labels] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert all(32 <= x <= 568 for x, _ in labels)

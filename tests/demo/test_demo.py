"""`ckan anticorruption demo` builds a portal that looks lived in, and running it again changes nothing.

The demo is loaded once for the module (twice, in fact: the second run must
add nothing), then each test reads what a visitor, a citizen or an agency's
editor would find.
"""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from ckan.cli.cli import ckan as ckan_command
from ckan.tests.helpers import call_action

from ckanext.anticorruption.demo import HERE as DEMO_DIR

pytestmark = pytest.mark.usefixtures("with_plugins")

_LOADED: dict[str, Any] = {}
ANONYMOUS = {"user": "", "ignore_auth": False}


def _run(cli) -> str:
    result = cli.invoke(ckan_command, ["anticorruption", "demo", "--user", "admin"])
    assert result.exit_code == 0, result.output
    return result.output


def _state() -> dict[str, Any]:
    """What the second run must leave as the first left it."""
    datasets = call_action("package_search", q="*:*", include_private=True, rows=1000)["results"]
    return {
        "datasets": sorted((d["name"], d["metadata_modified"]) for d in datasets),
        "organizations": sorted(call_action("organization_list")),
        "history": call_action("anticorruption_coverage_history"),
        "requests": {org: call_action("anticorruption_coverage_request_list", organization=org)
                     for org in call_action("organization_list")},
        "declarations": {(row["organization"]["name"], type_id): cell["declaration"]
                         for row in call_action("anticorruption_coverage")["rows"]
                         for type_id, cell in row["cells"].items() if cell.get("declaration")},
    }


@pytest.fixture
def demo(request: pytest.FixtureRequest, cli) -> dict[str, Any]:
    """The demo, loaded on an empty site the first time a test of this module asks, then run again."""
    if not _LOADED:
        request.getfixturevalue("clean_db")
        request.getfixturevalue("clean_index")
        request.getfixturevalue("clean_queues")
        request.getfixturevalue("sysadmin_factory")(name="admin")
        _LOADED["first"] = _run(cli)
        call_action("package_patch", id="proveedores-sancionados-sfp", title="Edited by a publisher")
        _LOADED["before"] = _state()
        _LOADED["second"] = _run(cli)
        _LOADED["after"] = _state()
    return _LOADED


def _cells(matrix: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["organization"]["name"], type_id): cell
            for row in matrix["rows"] for type_id, cell in row["cells"].items()}


def test_at_least_twenty_real_federal_agencies(demo) -> None:
    organizations = call_action("organization_list", all_fields=True)

    assert len(organizations) >= 20
    titles = {org["title"] for org in organizations}
    assert {"Secretaría de la Función Pública", "Servicio de Administración Tributaria",
            "Instituto Mexicano del Seguro Social", "Petróleos Mexicanos", "Cámara de Diputados"} <= titles


def test_about_a_third_of_the_expected_datasets_are_published(demo) -> None:
    summary = call_action("anticorruption_coverage", ANONYMOUS)["summary"]

    assert summary["organizations"] >= 20
    assert 0.28 <= summary["published"] / summary["expected"] <= 0.40, summary
    # Every state a cell can be in, the one for files nobody could check aside.
    for state in ("missing", "published", "invalid", "outdated", "not_applicable", "nothing_to_report"):
        assert summary["states"][state] >= 1, (state, summary["states"])


def test_cells_are_valid_invalid_and_out_of_date_for_the_reasons_the_catalogue_gives(demo) -> None:
    cells = _cells(call_action("anticorruption_coverage", ANONYMOUS))

    assert cells[("imss", "contracts_register")]["state"] == "published"
    assert cells[("imss", "contracts_register")]["criteria"]["valid"] == 1
    assert cells[("imss", "spending")]["state"] == "invalid"  # its file breaks the Table Schema
    assert cells[("pemex", "tenders_awards")]["state"] == "outdated"  # monthly, last file 8 months old
    assert cells[("pemex", "tenders_awards")]["criteria"]["valid"] == 1
    assert cells[("ine", "voting_records")]["declaration"]["by_portal"] is True
    assert cells[("ine", "government_grants")]["state"] == "nothing_to_report"
    assert cells[("sat", "campaign_promises")]["declaration"]["by_portal"] is False
    spending = call_action("package_show", id="spending-imss")["resources"][0]
    assert spending["validation_state"] == "invalid"
    report = call_action("anticorruption_validation_show", id=spending["id"], include_report=True)
    assert report["error_count"] > 0


def test_real_files_are_uploaded_with_their_publishers_column_mapping(demo) -> None:
    expected = {spec["name"]: spec for spec in yaml.safe_load((DEMO_DIR / "datasets.yaml").read_text("utf-8"))}

    for name in ("listado-69b-sat", "directorio-proveedores-sancionados-sfp-2019", "contratos-compranet-aefcm-2013-2014"):
        [resource] = call_action("package_show", id=name)["resources"]
        assert resource["url_type"] == "upload" and resource["size"] > 10_000
        # Stored as the form saves it: a column left out is "".
        wanted = {label: field or "" for label, field in expected[name]["resources"][0]["column_mapping"].items()}
        assert resource["column_mapping"] == wanted
        assert resource["validation_state"] in ("valid", "invalid")  # checked as in real use, defects and all
    sat = call_action("package_show", id="listado-69b-sat")["resources"][0]
    assert sat["validation_state"] == "valid"


def test_the_private_draft_stays_invisible_to_anonymous_visitors(demo) -> None:
    import ckan.plugins.toolkit as tk

    assert call_action("package_show", id="carpetas-investigacion-fgr-2025")["private"] is True
    with pytest.raises(tk.NotAuthorized):
        call_action("package_show", ANONYMOUS, id="carpetas-investigacion-fgr-2025")
    found = call_action("package_search", ANONYMOUS, q="*:*", rows=1000)["results"]
    assert "carpetas-investigacion-fgr-2025" not in {d["name"] for d in found}
    # Not counted as published either: the cell is still a gap for the public.
    assert _cells(call_action("anticorruption_coverage", ANONYMOUS))[("fgr", "court_data")]["state"] == "missing"


def test_red_flags_by_rfc_and_probable_by_name(demo) -> None:
    flagged = call_action("anticorruption_identifier_matches", ANONYMOUS)["datasets"]
    by_name = {entry["dataset"]["name"]: entry for entry in flagged}

    sict = call_action("anticorruption_identifier_matches", ANONYMOUS, id="contratos-obra-publica-sict-2025")
    certain = [s for s in sict["suppliers"] if s["tier"] == "certain"]
    assert {s["identifier"] for s in certain} >= {"CMO180304KX1"} and all(s["scheme"] == "MX-RFC" for s in certain)
    assert by_name["contratos-obra-publica-sict-2025"]["in_force_count"] >= 1
    # Real CompraNet contracts and the SFP's real directory share no RFC: found by name, shown as probable.
    ports = call_action("anticorruption_identifier_matches", ANONYMOUS, id="contratos-compranet-puertos-2013-2014")
    probable = {s["label"] for s in ports["suppliers"] if s["tier"] == "probable"}
    assert "TECON CONSTRUCCION Y SUPERVISION DE OBRAS SA DE CV" in probable
    assert by_name["contratos-compranet-puertos-2013-2014"]["probable_count"] >= 1


def test_the_privacy_guard_finds_personal_data_in_a_grants_file(demo) -> None:
    [resource] = call_action("package_show", id="subsidios-bienestar-2025")["resources"]

    found = call_action("anticorruption_privacy_show", id=resource["id"])

    assert found["state"] == "warned"
    [column] = found["findings"]["columns"]
    assert column["field"] == "purpose" and column["declared"] == "undeclared"
    assert set(column["kinds"]) == {"curp", "email"}


def test_citizens_asked_for_missing_datasets(demo) -> None:
    catalogue = yaml.safe_load((DEMO_DIR / "catalogue.yaml").read_text("utf-8"))

    requests = call_action("anticorruption_coverage_request_list", organization="imss")
    cells = _cells(call_action("anticorruption_coverage", ANONYMOUS))

    assert {r["user"] for r in requests if r["type"] == "tenders_awards"} == {
        "ciudadana-lucia", "periodista-tomas", "observatorio-civico"}
    assert cells[("imss", "tenders_awards")]["requests"] == 3
    assert sum(cell["requests"] for cell in cells.values()) == len(catalogue["requests"])


def test_a_year_of_monthly_snapshots_marked_as_demo_data_that_rise(demo, app) -> None:
    history = call_action("anticorruption_coverage_history", ANONYMOUS)

    past, today = history[:-1], history[-1]
    assert len(past) == 12 and all(point["demo"] for point in past)
    assert today["demo"] is False
    published = [point["published"] for point in history]
    assert published == sorted(published) and published[0] < published[-1] / 2
    assert all(point["expected"] == today["expected"] for point in past)
    agency = call_action("anticorruption_coverage_history", ANONYMOUS, organization="sfp")
    assert len(agency) == 13 and sum(point["demo"] for point in agency) == 12
    # The chart says so: on /coverage and the home page.
    for url in ("/coverage", "/"):
        page = app.get(url, status=200).get_data(as_text=True)
        assert 'data-demo-snapshots="12"' in page
        assert "ckan anticorruption demo" in page


def test_running_the_demo_again_adds_and_changes_nothing(demo) -> None:
    assert "created dataset" in demo["first"]
    assert "created" not in demo["second"] and "recorded 0 requests" in demo["second"]
    assert "kept dataset proveedores-sancionados-sfp" in demo["second"]
    assert "kept the demo's coverage history" in demo["second"]
    assert "kept today's coverage snapshot" in demo["second"]
    assert demo["after"] == demo["before"]
    assert call_action("package_show", id="proveedores-sancionados-sfp")["title"] == "Edited by a publisher"

"""`ckan anticorruption demo` builds a portal that feels real, and can run twice."""
from __future__ import annotations

import pytest
import yaml

from ckan.cli.cli import ckan as ckan_command
from ckan.tests.helpers import call_action

from ckanext.anticorruption.demo import HERE as DEMO_DIR

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _demo(cli, user: str = "admin"):
    result = cli.invoke(ckan_command, ["anticorruption", "demo", "--user", user])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_creates_mexican_agencies_and_datasets_with_files(cli, sysadmin_factory) -> None:
    sysadmin_factory(name="admin")

    _demo(cli)

    orgs = call_action("organization_list", all_fields=True)
    titles = {org["title"] for org in orgs}
    assert len(orgs) == 8
    assert "Secretaría de la Función Pública" in titles
    # The agencies' datasets; the national files' datasets (plain CKAN type) are the portal's own.
    found = call_action("package_search", q="*:*", fq="-dataset_type:dataset", rows=100)
    expected = yaml.safe_load((DEMO_DIR / "datasets.yaml").read_text(encoding="utf-8"))
    assert found["count"] == len(expected) >= 5
    assert {d["type"] for d in found["results"]} == {d["type"] for d in expected}
    for dataset in found["results"]:
        assert dataset["resources"], dataset["name"]
        resource = dataset["resources"][0]
        assert resource["url_type"] == "upload"
        assert resource["format"] == "CSV"
        assert resource["size"] > 0


def test_running_the_demo_again_keeps_what_exists(cli, sysadmin_factory) -> None:
    sysadmin_factory(name="admin")
    _demo(cli)
    call_action("package_patch", id="proveedores-sancionados-sfp", title="Edited by a publisher")

    output = _demo(cli)

    assert "kept dataset proveedores-sancionados-sfp" in output
    assert call_action("package_show", id="proveedores-sancionados-sfp")["title"] == "Edited by a publisher"
    assert len(call_action("package_list")) == call_action("package_search")["count"]


def test_demo_for_an_unknown_user_fails_with_a_message(cli) -> None:
    result = cli.invoke(ckan_command, ["anticorruption", "demo", "--user", "nobody"])

    assert result.exit_code != 0
    assert "There is no user 'nobody'" in result.output
    assert "Traceback" not in result.output


def test_demo_needs_a_sysadmin(cli, user_factory) -> None:
    user_factory(name="publisher")

    result = cli.invoke(ckan_command, ["anticorruption", "demo", "--user", "publisher"])

    assert result.exit_code != 0
    assert "is not a sysadmin" in result.output


def test_demo_files_follow_their_types_table_schema() -> None:
    from ckanext.anticorruption.dataset_types.types import dataset_type
    from ckanext.anticorruption.validation import validate_file

    for spec in yaml.safe_load((DEMO_DIR / "datasets.yaml").read_text(encoding="utf-8")):
        descriptor = dict(dataset_type(spec["type"]).table_schema)
        # References to other datasets are checked across the portal, not within one file.
        descriptor.pop("foreignKeys", None)
        for resource in spec["resources"]:
            # As the portal checks them: columns by name, absent optional columns fine.
            result = validate_file(str(DEMO_DIR / "files" / resource["file"]), descriptor)
            assert result.state == "valid", (resource["file"], result.error_counts)


def test_validate_prints_a_summary_table(cli, create_with_upload) -> None:
    from ckan.tests import factories

    from tests.guide import minimal_dataset
    from tests.hostile import HEADER, ROW

    org = factories.Organization()
    dataset = call_action("package_create", **minimal_dataset("contracts_register", org["id"]))
    create_with_upload((HEADER + "\n" + ROW + "\n").encode(), "ok.csv", package_id=dataset["id"],
                       format="CSV", name="bueno")
    create_with_upload((HEADER + "\n" + ROW.replace("100.50", "cien") + "\n").encode(), "bad.csv",
                       package_id=dataset["id"], format="CSV", name="malo")

    by_dataset = cli.invoke(ckan_command, ["anticorruption", "validate", "--dataset", dataset["name"]])
    by_type = cli.invoke(ckan_command, ["anticorruption", "validate", "--type", "contracts_register"])

    for result in (by_dataset, by_type):
        assert result.exit_code == 0, result.output
        assert "Total: 1 invalid, 1 valid" in result.output
        assert "malo" in result.output and "bueno" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "Say what to validate"),
    (["--type", "parking_tickets"], "unknown dataset type: parking_tickets"),
    (["--dataset", "nothing-here"], "no dataset nothing-here"),
])
def test_validate_explains_bad_arguments(cli, args, message) -> None:
    result = cli.invoke(ckan_command, ["anticorruption", "validate", *args])

    assert result.exit_code != 0
    assert message in result.output


def test_demo_declares_some_types_so_the_coverage_page_shows_every_state(cli, sysadmin_factory) -> None:
    sysadmin_factory(name="admin")

    _demo(cli)
    _demo(cli)  # declaring again keeps one declaration per cell

    matrix = call_action("anticorruption_coverage")
    cells = {(r["organization"]["name"], t): c for r in matrix["rows"] for t, c in r["cells"].items()}
    assert cells[("asf", "land_property_register")]["state"] == "not_applicable"
    assert cells[("asf", "land_property_register")]["declaration"]["by_portal"] is True
    assert cells[("ine", "government_grants")]["state"] == "nothing_to_report"
    assert cells[("sfp", "debarred_contractors")]["state"] == "published"
    assert matrix["summary"]["declared"] == 3


def test_the_demo_shows_red_flags_between_contracts_and_sanctions(cli, sysadmin_factory) -> None:
    sysadmin_factory(name="admin")
    _demo(cli)

    [entry] = call_action("anticorruption_identifier_matches", {"user": "", "ignore_auth": False})["datasets"]
    assert entry["dataset"]["type"] == "contracts_register"
    assert entry["in_force_count"] >= 2
    result = cli.invoke(ckan_command, ["anticorruption", "links"])
    assert "listed at the time of an award" in result.output

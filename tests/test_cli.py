"""The `ckan anticorruption` commands: the demo's refusals and files, and `validate`.

What the demo builds, and that it can run twice, is tested in tests/demo/ (loaded once for the module)."""
from __future__ import annotations

import pytest
import yaml

from ckan.cli.cli import ckan as ckan_command
from ckan.tests.helpers import call_action

from ckanext.anticorruption.demo import HERE as DEMO_DIR

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


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
    """The invented files are valid (the `_con_errores` copies invalid, on purpose); the excerpts of real
    files are checked as published, defects included, by tests/demo."""
    from ckanext.anticorruption.dataset_types.types import dataset_type
    from ckanext.anticorruption.demo import catalogue_datasets
    from ckanext.anticorruption.validation import validate_file

    specs = yaml.safe_load((DEMO_DIR / "datasets.yaml").read_text(encoding="utf-8"))
    specs += catalogue_datasets(yaml.safe_load((DEMO_DIR / "catalogue.yaml").read_text(encoding="utf-8")))
    checked = 0
    for spec in specs:
        descriptor = dict(dataset_type(spec["type"]).table_schema)
        # References to other datasets are checked across the portal, not within one file.
        descriptor.pop("foreignKeys", None)
        for resource in spec["resources"]:
            if resource["file"].startswith("reales/"):
                continue
            # As the portal checks them: columns by name, absent optional columns fine.
            result = validate_file(str(DEMO_DIR / "files" / resource["file"]), descriptor)
            expected = "invalid" if "_con_errores" in resource["file"] else "valid"
            assert result.state == expected, (resource["file"], result.error_counts)
            checked += 1
    assert checked >= 50


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

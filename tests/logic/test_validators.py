"""What a publisher is told when the metadata of a typed dataset is incomplete or wrong."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def org():
    return factories.Organization()


def _create(**fields):
    return call_action("package_create", **fields)


def _errors(**fields) -> dict:
    with pytest.raises(tk.ValidationError) as error:
        _create(**fields)
    return error.value.error_dict


def test_category_and_kind_come_from_the_type_not_from_input(org) -> None:
    dataset = _create(**minimal_dataset("debarred_contractors", org["id"]),
                      guide_category="public_resources", guide_kind="transaction")

    assert dataset["guide_category"] == "regulation_procedures"
    assert dataset["guide_kind"] == "register"


def test_defaults_open_licence_spanish_national_and_type_standards(org) -> None:
    dataset = _create(**minimal_dataset("contracts_register", org["id"]))

    assert dataset["license_id"] == "cc-by"
    assert dataset["isopen"] is True
    assert dataset["language"] == ["es"]
    assert dataset["spatial_level"] == "national"
    assert dataset["contains_personal_data"] == "no"
    assert dataset["data_standards"] == ["ocds"]
    assert "MX-RFC" in dataset["identifier_schemes"]


def test_publisher_choices_replace_the_type_defaults(org) -> None:
    dataset = _create(**minimal_dataset("contracts_register", org["id"]), data_standards=["oc4ids"])

    assert dataset["data_standards"] == ["oc4ids"]


def test_required_metadata_is_named(org) -> None:
    errors = _errors(type="budgets", name="b", owner_org=org["id"])

    for field in ("title", "notes", "frequency", "contact_name", "contact_email", "fiscal_year"):
        assert field in errors, field


def test_personal_data_needs_a_justification(org) -> None:
    errors = _errors(**minimal_dataset("pep_list", org["id"]), contains_personal_data="yes")
    assert "personal_data_justification" in errors

    dataset = _create(**minimal_dataset("pep_list", org["id"]), contains_personal_data="yes",
                      personal_data_justification="Ley General de Transparencia, art. 70")
    assert dataset["personal_data_justification"].startswith("Ley General")


def test_state_coverage_needs_the_state(org) -> None:
    assert "spatial_text" in _errors(**minimal_dataset("budgets", org["id"]), spatial_level="state")

    dataset = _create(**minimal_dataset("budgets", org["id"]), spatial_level="state", spatial_text="Jalisco")
    assert dataset["spatial_text"] == "Jalisco"


def test_coverage_cannot_end_before_it_starts(org) -> None:
    errors = _errors(**minimal_dataset("spending", org["id"]),
                     temporal_start="2025-06-01", temporal_end="2025-01-31")

    assert errors["temporal_end"] == ["The end date comes before the start date"]


@pytest.mark.parametrize("year", ["25", "dos mil", "3025"])
def test_fiscal_year_has_four_digits(org, year: str) -> None:
    errors = _errors(**dict(minimal_dataset("budgets", org["id"]), fiscal_year=year))

    assert errors["fiscal_year"] == ["Write the year with four digits, e.g. 2026"]


def test_frequency_must_be_from_the_list(org) -> None:
    errors = _errors(**dict(minimal_dataset("budgets", org["id"]), frequency="whenever"))

    assert "frequency" in errors


def test_resource_with_other_schema_needs_its_address_and_a_reason(org) -> None:
    dataset = _create(**minimal_dataset("contracts_register", org["id"]))

    with pytest.raises(tk.ValidationError) as error:
        call_action("resource_create", package_id=dataset["id"], url="https://example.org/c.csv",
                    schema_mode="other")
    assert {"schema_url", "schema_reason"} <= set(error.value.error_dict)

    resource = call_action("resource_create", package_id=dataset["id"], url="https://example.org/c.csv",
                           schema_mode="none", schema_reason="Scanned documents, no table")
    assert resource["schema_mode"] == "none"


def test_resources_follow_the_type_schema_by_default(org) -> None:
    dataset = _create(**minimal_dataset("contracts_register", org["id"]))

    resource = call_action("resource_create", package_id=dataset["id"], url="https://example.org/c.csv")

    assert resource["schema_mode"] == "type"


# column_mapping: which column of the type each column of a publisher's file holds.

def _sanctions_dataset(org) -> dict:
    return _create(**minimal_dataset("debarred_contractors", org["id"]))


def _link(dataset: dict, **fields) -> dict:
    return call_action("resource_create", package_id=dataset["id"], url="https://example.org/s.csv",
                       format="CSV", **fields)


def test_a_column_mapping_is_taken_as_an_object_or_as_json_text_and_shown_as_an_object(org) -> None:
    dataset = _sanctions_dataset(org)
    as_object = _link(dataset, column_mapping={"PROVEEDOR O CONTRATISTA": "supplier_name", "NOTAS": ""})
    as_text = _link(dataset, column_mapping='{"DEPENDENCIA": "sanctioning_authority_name"}')

    assert call_action("resource_show", id=as_object["id"])["column_mapping"] == {
        "PROVEEDOR O CONTRATISTA": "supplier_name", "NOTAS": ""}
    assert as_text["column_mapping"] == {"DEPENDENCIA": "sanctioning_authority_name"}
    patched = call_action("resource_patch", id=as_text["id"], column_mapping={"DEPENDENCIA": "supplier_name"})
    assert patched["column_mapping"] == {"DEPENDENCIA": "supplier_name"}


@pytest.mark.parametrize("mapping, message", [
    ({"PROVEEDOR": "proveedor"}, "«proveedor»: not a column of this dataset type. Use one of: sanction_id"),
    ({"A": "supplier_name", "B": "supplier_name"}, "«supplier_name»: given to more than one column of the file"),
    ("PROVEEDOR -> supplier_name", 'must be written as {"column of the file": "column of the type", ...}'),
    (["supplier_name"], 'must be written as {"column of the file": "column of the type", ...}'),
])
def test_a_wrong_column_mapping_says_what_to_write(org, mapping, message) -> None:
    dataset = _sanctions_dataset(org)
    with pytest.raises(tk.ValidationError) as error:
        _link(dataset, column_mapping=mapping)

    assert message in str(error.value.error_dict)


def test_an_empty_column_mapping_from_the_form_stores_nothing(org) -> None:
    dataset = _sanctions_dataset(org)
    resource = _link(dataset, column_mapping="")
    shown = call_action("resource_show", id=resource["id"])

    assert "column_mapping" not in shown or not shown["column_mapping"]
    assert call_action("package_show", id=dataset["id"])["resources"][0]["id"] == resource["id"]

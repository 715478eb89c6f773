"""The extension's actions through CKAN's action layer, against real PostgreSQL and Solr."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import GUIDE_TYPE_IDS, minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _counts(user: str | None = None) -> dict[str, int]:
    context = {"user": user} if user else {}
    return {t["id"]: t["dataset_count"] for t in call_action("anticorruption_dataset_type_list", context)}


def test_type_list_describes_the_30_types() -> None:
    result = call_action("anticorruption_dataset_type_list")

    assert [t["id"] for t in result] == GUIDE_TYPE_IDS
    budgets = result[GUIDE_TYPE_IDS.index("budgets")]
    assert budgets["title"] == {"en": "Budgets", "es": "Presupuestos"}
    assert budgets["category"] == "public_resources"
    assert budgets["category_title"]["es"] == "Recursos públicos"
    assert budgets["kind"] == "public_disclosure"
    assert budgets["table_schema_url"] == "http://test.ckan.net/anticorruption/schemas/budgets.json"
    assert budgets["dataset_count"] == 0


def test_type_list_counts_only_what_the_caller_may_see() -> None:
    editor = factories.User()
    outsider = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    call_action("package_create", {"user": editor["name"]},
                **minimal_dataset("budgets", org["id"], name="public-budget"))
    call_action("package_create", {"user": editor["name"]},
                **minimal_dataset("budgets", org["id"], name="private-budget"), private=True)

    assert _counts()["budgets"] == 1
    assert _counts(outsider["name"])["budgets"] == 1
    assert _counts(editor["name"])["budgets"] == 2
    assert _counts()["contracts_register"] == 0


def test_type_show_includes_the_table_schema() -> None:
    result = call_action("anticorruption_dataset_type_show", id="debarred_contractors")

    assert result["id"] == "debarred_contractors"
    assert result["table_schema"]["fields"]
    assert set(result["privacy_note"]) == {"en", "es"}


def test_table_schema_show_returns_the_descriptor() -> None:
    schema = call_action("anticorruption_table_schema_show", id="contracts_register")

    assert schema["primaryKey"] == ["contract_id"]


@pytest.mark.parametrize("action", ["anticorruption_dataset_type_show", "anticorruption_table_schema_show"])
def test_unknown_type_is_not_found(action: str) -> None:
    with pytest.raises(tk.ObjectNotFound):
        call_action(action, id="parking_tickets")


@pytest.mark.parametrize("action", ["anticorruption_dataset_type_show", "anticorruption_table_schema_show"])
def test_missing_id_is_a_validation_error(action: str) -> None:
    with pytest.raises(tk.ValidationError) as error:
        call_action(action)
    assert "id" in error.value.error_dict


NUL_INPUTS = [
    ("anticorruption_validation_show", {"id": "a\u0000b"}),
    ("anticorruption_validation_show", {"id": "a\u0000b", "include_report": True}),
    ("anticorruption_validation_run", {"id": "a\u0000b"}),
    ("anticorruption_privacy_show", {"id": "a\u0000b"}),
    ("anticorruption_privacy_review", {"id": "a\u0000b", "decision": "confirm", "justification": "x"}),
    ("anticorruption_organization_catalog_show", {"id": "a\u0000b"}),
    ("anticorruption_identifier_matches", {"id": "a\u0000b"}),
    ("anticorruption_coverage", {"organization": "a\u0000b"}),
    ("anticorruption_coverage_declare", {"organization": "a\u0000b", "type": "budgets",
                                         "status": "not_applicable", "reason": "x"}),
    ("anticorruption_coverage_declare", {"organization": "sfp", "type": "bud\u0000gets",
                                         "status": "not_applicable", "reason": "x"}),
    ("anticorruption_coverage_declare", {"organization": "sfp", "type": "budgets",
                                         "status": "not_applicable", "reason": "a\u0000b"}),
    ("anticorruption_coverage_declaration_delete", {"organization": "a\u0000b", "type": "budgets"}),
    ("anticorruption_coverage_request_create", {"organization": "a\u0000b", "type": "budgets"}),
    ("anticorruption_coverage_request_list", {"organization": "a\u0000b"}),
    ("anticorruption_coverage_history", {"organization": "a\u0000b"}),
]


@pytest.mark.parametrize(("action", "data"), NUL_INPUTS, ids=[f"{a}-{i}" for i, (a, _) in enumerate(NUL_INPUTS)])
def test_a_nul_character_in_an_id_is_not_found_or_invalid_never_a_server_error(app, action, data) -> None:
    editor, sysadmin = factories.UserWithToken(), factories.SysadminWithToken()
    factories.Organization(name="sfp", users=[{"name": editor["name"], "capacity": "editor"}])

    for user in (editor, sysadmin):  # sysadmins skip the auth functions
        response = app.post(f"/api/3/action/{action}", headers={"Authorization": user["token"]}, json=data)
        assert response.status_code in (403, 404, 409), (user["name"], response.body)
        assert response.json["success"] is False

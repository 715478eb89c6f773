"""The extension is installed in a real CKAN 2.12 with a real Solr behind it."""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_status_show_lists_the_extension_on_ckan_2_12(app) -> None:
    status = app.get("/api/3/action/status_show").json["result"]

    assert "anticorruption" in status["extensions"]
    assert status["ckan_version"].startswith("2.12.")


def test_a_dataset_created_through_the_api_is_found_by_search(app) -> None:
    user = factories.UserWithToken()
    org = factories.Organization(
        user=user, name="sfp", title="Secretaría de la Función Pública"
    )
    headers = {"Authorization": user["token"]}

    created = app.post(
        "/api/3/action/package_create",
        json={
            "name": "contratos-2025",
            "title": "Contratos de obra pública 2025",
            "owner_org": org["id"],
        },
        headers=headers,
    ).json["result"]

    found = call_action("package_search", q="contratos obra", fq="organization:sfp")
    assert found["count"] == 1
    assert found["results"][0]["id"] == created["id"]
    assert found["results"][0]["organization"]["title"] == "Secretaría de la Función Pública"

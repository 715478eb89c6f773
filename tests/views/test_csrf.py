"""Forms of the extension refuse posts forged from another site.

CKAN 2.12 exempts a view from its CSRF check for good once a request with an
API token (or an anonymous one) has reached it. These tests make exactly that
happen first, then post as a signed-in editor's browser would when another
site forges the request: with the cookie, without the form's token.
"""
from __future__ import annotations

import re

import pytest
from flask_login.utils import encode_cookie

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.guide import minimal_dataset
from tests.hostile import HEADER, ROW

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("WTF_CSRF_ENABLED", True),
    # The test client keeps its session cookie for "localhost": serve the site there.
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

OUR_BLUEPRINTS = ("anticorruption", "anticorruption_coverage", "anticorruption_dcat")


@pytest.fixture
def agency(create_with_upload):
    editor = factories.UserWithToken()
    org = factories.Organization(name="sfp", users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": editor["name"]},
                          **minimal_dataset("contracts_register", org["id"]))
    resource = create_with_upload((HEADER + "\n" + ROW + "\n").encode(), "contratos.csv",
                                  package_id=dataset["id"], format="CSV", context={"user": editor["name"]})
    return {"editor": editor, "org": org, "resource": resource}


def _post_routes(app) -> list[tuple[str, str]]:
    """(endpoint, rule) of every route of ours that changes something."""
    return sorted((rule.endpoint, rule.rule) for rule in app.flask_app.url_map.iter_rules()
                  if rule.endpoint.split(".")[0] in OUR_BLUEPRINTS and "POST" in (rule.methods or ()))


def _url(rule: str, agency) -> str:
    return (rule.replace("<resource_id>", agency["resource"]["id"]).replace("<id>", agency["org"]["name"]))


def test_every_form_of_ours_is_covered(app) -> None:
    # If a new form is added, it must be listed in FORMS below.
    assert [endpoint for endpoint, _ in _post_routes(app)] == sorted(FORMS)


FORMS = {
    "anticorruption.validation_run": {},
    "anticorruption.validation_columns": {"column": "contract_id", "field": "contract_id"},
    "anticorruption.privacy_review": {"justification": "Datos de empresas, no de personas."},
    "anticorruption_coverage.request_dataset": {"organization": "sfp", "type": "budgets"},
    "anticorruption_coverage.declare": {"type": "tax_records", "status": "not_applicable",
                                        "reason": "La SFP no recauda impuestos."},
    "anticorruption_coverage.withdraw": {"type": "tax_records"},
}


@pytest.mark.parametrize("login", ["session", "remember_cookie"])
def test_a_forged_post_is_refused_even_after_an_api_request_reached_the_view(app, agency, login) -> None:
    editor = agency["editor"]
    for endpoint, rule in _post_routes(app):
        url = _url(rule, agency)
        # An API client reaches the view first: CKAN exempts it from its own check from now on.
        app.post(url, headers={"Authorization": editor["token"]}, data=FORMS[endpoint])
        if login == "session":
            app.set_session_user(editor["name"])
        else:
            # Only the "remember me" cookie, as a browser sends it cross-site with SameSite=None.
            app.client = app.test_client()
            with app.flask_app.test_request_context():
                app.client.set_cookie("remember_token", encode_cookie(editor["id"]), domain="localhost")

        assert "Log out" in app.get("/en/dashboard/datasets").body  # the browser is signed in
        forged = app.post(url, data=FORMS[endpoint], follow_redirects=False)

        assert forged.status_code == 400, (endpoint, forged.status_code)
        assert "CSRF" in forged.body, endpoint


def test_a_forged_declaration_changes_nothing(app, agency) -> None:
    url, form = "/en/organization/coverage/sfp/declare", FORMS["anticorruption_coverage.declare"]
    app.post(url, headers={"Authorization": agency["editor"]["token"]}, data={**form, "type": "land_property_register"})
    app.set_session_user(agency["editor"]["name"])

    app.post(url, data=form)

    from ckanext.anticorruption.model import CoverageDeclaration

    declared = {d.type_id for d in model.Session.query(CoverageDeclaration)}
    assert declared == {"land_property_register"}


def test_the_editors_own_form_still_works_with_its_token(app, agency) -> None:
    app.set_session_user(agency["editor"]["name"])
    tab = app.get("/en/organization/coverage/sfp").body
    assert "Log out" in tab
    token = re.search(r'name="_csrf_token" value="([^"]+)"', tab).group(1)

    answer = app.post("/en/organization/coverage/sfp/declare", follow_redirects=False,
                      data={**FORMS["anticorruption_coverage.declare"], "_csrf_token": token})

    assert answer.status_code == 302
    assert 'data-type="tax_records" data-state="not_applicable"' in app.get("/en/organization/coverage/sfp").body

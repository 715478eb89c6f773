"""The coverage page kept for anonymous visitors (views/page_cache.py), against real Solr, PostgreSQL and Redis:
each visitor gets the page with their own working CSRF token, messages and private datasets never go to another
visitor, and a change shows within the configured lag (at once by default in the tests)."""
from __future__ import annotations

import json
import re
import time

import pytest

from flask_login.utils import encode_cookie

from ckan.tests.helpers import call_action

from ckanext.anticorruption.coverage import cache as coverage_cache
from tests.guide import minimal_dataset

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("WTF_CSRF_ENABLED", True),
    # The test client keeps its session cookie for "localhost": serve the site there.
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

@pytest.fixture(autouse=True)
def fresh_process():
    """Each test starts as a web process that has served nothing yet (no page nor matrix kept from another test)."""
    coverage_cache._local.clear()


TOKEN = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')
PUBLISHED = re.compile(r"(\d+) of 60 expected datasets published")


def _visit(client, url="/en/coverage"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def _published(page: str) -> int:
    return int(PUBLISHED.search(page).group(1))


def _ask(client, token: str) -> int:
    """An anonymous visitor asks for a missing dataset (a form checked for CSRF): 302 to the sign-in page
    when the token is theirs, 400 when it is not."""
    return client.post("/coverage/request", data={"_csrf_token": token, "organization": "sfp", "type": "tax_records"},
                       follow_redirects=False).status_code


KEPT_PAGES = ["/en/", "/en/coverage", "/en/anticorruption/types"]


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_each_anonymous_visitor_gets_the_kept_page_with_a_token_that_works_for_them(app, coverage_agency, url) -> None:
    first, second = app.test_client(), app.test_client()
    page_first, page_second = _visit(first, url), _visit(second, url)

    assert _token(page_first) != _token(page_second)
    # The same page otherwise: rendered once, given to both.
    assert page_first.replace(_token(page_first), "") == page_second.replace(_token(page_second), "")
    assert page_second.count(_token(page_second)) == 2  # the page's meta and the language form
    # Each token works for its own visitor's form, not for the other visitor.
    assert _ask(second, _token(page_second)) == 302
    assert _ask(first, _token(page_second)) == 400
    assert _ask(first, _token(page_first)) == 302


def test_a_message_waiting_for_a_visitor_is_shown_to_them_only(app, coverage_agency) -> None:
    someone, other = app.test_client(), app.test_client()
    _visit(other)  # the page is kept
    with someone.session_transaction() as session:
        session["_flashes"] = [("alert-success", "Mensaje solo para esta visita")]

    assert "Mensaje solo para esta visita" in _visit(someone)
    assert "Mensaje solo para esta visita" not in _visit(someone)  # shown once, as CKAN does
    assert "Mensaje solo para esta visita" not in _visit(other)


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_a_signed_in_user_page_is_never_given_to_anonymous_visitors_nor_the_reverse(app, coverage_agency, url) -> None:
    member = coverage_agency["member"]
    signed_in = app.test_client()
    with app.flask_app.test_request_context():
        signed_in.set_cookie("remember_token", encode_cookie(member["id"]), domain="localhost")
    anonymous = app.test_client()
    for _ in range(2):  # each follows the other
        mine = _visit(signed_in, url)
        assert f'/user/{member["name"]}' in mine and "/user/_logout" in mine
        page = _visit(anonymous, url)
        assert member["name"] not in page and "/user/_logout" not in page and "/user/login" in page


def test_searches_and_unknown_queries_are_rendered_for_the_request(app, coverage_agency) -> None:
    visitor = app.test_client()
    found = _visit(visitor, "/en/coverage?q=Hacienda")
    assert 'data-organization="shcp"' in found and 'data-organization="sfp"' not in found
    assert 'data-organization="sfp"' in _visit(visitor, "/en/coverage?utm_source=x&state=")
    # A page number the table does not have shows its last page, as before.
    assert 'data-organization="sfp"' in _visit(visitor, "/en/coverage?page=9999")


def _contracts_count(types_page: str) -> str:
    card = types_page[types_page.index('data-type="contracts_register"'):]
    return re.search(r"\d+ datasets? published", card).group(0)


def test_a_change_shows_to_anonymous_visitors_at_the_next_request_by_default(app, coverage_agency) -> None:
    visitor = app.test_client()
    assert _published(_visit(visitor)) == 1
    assert _published(_visit(visitor, "/en/")) == 1
    assert _contracts_count(_visit(visitor, "/en/anticorruption/types")) == "0 datasets published"
    assert json.loads(_visit(visitor, "/coverage.json"))["summary"]["published"] == 1
    _publish_contracts(coverage_agency)
    assert _published(_visit(visitor)) == 2
    assert _published(_visit(visitor, "/en/")) == 2
    assert _contracts_count(_visit(visitor, "/en/anticorruption/types")) == "1 dataset published"
    assert json.loads(_visit(visitor, "/coverage.json"))["summary"]["published"] == 2


def _publish_contracts(agency) -> None:
    call_action("package_create", {"user": agency["editor"]["name"]},
                **minimal_dataset("contracts_register", agency["org"]["id"], name="contratos"))


@pytest.mark.ckan_config("ckanext.anticorruption.coverage.anonymous_page_seconds", "600")
def test_within_the_lag_anonymous_visitors_see_the_kept_page_and_signed_in_users_the_change(
        app, coverage_agency) -> None:
    visitor = app.test_client()
    assert _published(_visit(visitor)) == 1
    _publish_contracts(coverage_agency)

    assert _published(_visit(visitor)) == 1
    assert _published(app.get("/en/coverage", headers={"Authorization": coverage_agency["editor"]["token"]}).body) == 2
    # The signed-in user's request found the change: the process's kept page follows it.
    assert _published(_visit(visitor)) == 2


@pytest.mark.ckan_config("ckanext.anticorruption.coverage.anonymous_page_seconds", "1")
def test_after_the_lag_anonymous_visitors_see_the_change(app, coverage_agency) -> None:
    visitor = app.test_client()
    assert _published(_visit(visitor)) == 1
    _publish_contracts(coverage_agency)
    time.sleep(1.1)
    assert _published(_visit(visitor)) == 2

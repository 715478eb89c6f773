"""The national matrix shared by the web processes (coverage/cache.py), against real Solr, PostgreSQL and Redis:
what it serves equals what is computed afresh, a change shows at the next request, and no caller's private
datasets reach another caller."""
from __future__ import annotations

import datetime
import json
import time

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search import rebuild
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.coverage import cache, query, scoring
from tests.guide import minimal_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"


@pytest.fixture
def agency(coverage_agency):
    return coverage_agency


def _create(user, type_id, org, name, **extra):
    data = {**minimal_dataset(type_id, org["id"], name=name), **extra}
    return call_action("package_create", {"user": user["name"]}, **data)


def _uncached(user_name=None):
    return scoring.build_matrix(query.gather(user_name))


def _json(app, user=None):
    headers = {"Authorization": user["token"]} if user else {}
    return json.loads(app.get("/coverage.json", headers=headers).body)


def _private_cells(matrix):
    return [cell for row in matrix["rows"] for cell in row["cells"].values() if "private" in cell]


def _cell(matrix, org, type_id):
    return next(r for r in matrix["rows"] if r["organization"]["name"] == org)["cells"][type_id]


def _forget_process_copy():
    """As another web process that has not served the matrix yet would be."""
    cache._local.clear()


def test_the_cached_matrix_equals_the_one_computed_afresh_for_every_caller(app, agency) -> None:
    sysadmin = factories.SysadminWithToken()
    for user in (None, agency["member"], sysadmin, None, agency["editor"]):
        served = _json(app, user)
        assert served == json.loads(scoring.matrix_json(_uncached(user and user["name"])))
    # Another process finds it in Redis, and gets the same.
    _forget_process_copy()
    assert _json(app) == json.loads(scoring.matrix_json(_uncached()))
    assert cache._redis_get(cache._local["stamp"], time.time())["matrix"] == _uncached()


def _table(page):
    return page[page.index('<table class="table anticorruption-matrix">'):page.index("</table>")]


def test_the_coverage_and_home_pages_show_the_cached_figures(app, agency) -> None:
    anonymous = [app.get("/en/coverage?sort=name").body for _ in range(2)]
    # The member's matrix (with their private counts) is not the shared one: their table is rendered afresh.
    member = app.get("/en/coverage?sort=name", headers={"Authorization": agency["member"]["token"]}).body
    home = tk.h.anticorruption_home()

    assert "1 of 60 expected datasets published" in anonymous[0]
    assert _table(anonymous[0]) == _table(anonymous[1]) == _table(member)
    assert 'data-organization="sfp"' in _table(member)
    assert home["summary"] == _uncached()["summary"] and home["summary"]["published"] == 1


def test_the_home_page_follows_every_change(app, agency) -> None:
    assert "1 of 60 expected datasets published" in app.get("/en/").body
    before = tk.h.anticorruption_home()

    call_action("anticorruption_coverage_snapshot", {})
    _create(agency["editor"], "contracts_register", agency["org"], "contratos")

    after = tk.h.anticorruption_home()
    assert len(after["history"]) == len(before["history"]) + 1
    assert after["summary"] == _uncached()["summary"] and after["summary"]["published"] == 2
    assert "2 of 60 expected datasets published" in app.get("/en/").body


def test_private_cells_never_reach_another_caller(app, agency) -> None:
    outsider = factories.UserWithToken()
    other_editor = factories.UserWithToken()
    factories.Organization(name="otra", users=[{"name": other_editor["name"], "capacity": "editor"}])

    # Each in turn, twice over, so that every one of them follows every other one.
    for _ in range(2):
        for user in (agency["member"], None, agency["editor"], outsider, other_editor):
            cell = _cell(_json(app, user), "sfp", "spending")
            if user in (agency["member"], agency["editor"]):
                assert cell["private"] == 1
            else:
                assert "private" not in cell
            assert cell["state"] == "missing" and cell["count"] == 0
    assert "gasto-secreto" not in app.get("/en/coverage").body
    # What is kept (in the process and in Redis) is the public matrix only.
    for kept in (cache._local["matrix"], cache._redis_get(cache._local["stamp"], time.time())["matrix"]):
        assert _private_cells(kept) == []


def test_every_change_shows_at_the_next_request(app, agency) -> None:
    editor, org = agency["editor"], agency["org"]
    sysadmin = factories.Sysadmin()
    assert _cell(_json(app), "sfp", "contracts_register")["state"] == "missing"

    contracts = _create(editor, "contracts_register", org, "contratos")
    assert _cell(_json(app), "sfp", "contracts_register")["state"] == "unchecked"

    call_action("package_patch", {"user": editor["name"]}, id=contracts["id"], private=True)
    assert _cell(_json(app), "sfp", "contracts_register")["count"] == 0

    call_action("package_patch", {"user": editor["name"]}, id="gasto-secreto", private=False)
    assert _cell(_json(app), "sfp", "spending")["count"] == 1

    call_action("package_delete", {"user": editor["name"]}, id="gasto-secreto")
    assert _cell(_json(app), "sfp", "spending")["count"] == 0

    call_action("dataset_purge", {"user": sysadmin["name"]}, id="presupuesto")
    assert _cell(_json(app), "sfp", "budgets")["state"] == "missing"

    call_action("anticorruption_coverage_declare", {"user": editor["name"]}, organization="sfp",
                type="tax_records", status="not_applicable", reason="No aplica.")
    assert _cell(_json(app), "sfp", "tax_records")["state"] == "not_applicable"

    call_action("anticorruption_coverage_request_create", {"user": factories.User()["name"]},
                organization="sfp", type="land_property_register")
    assert _cell(_json(app), "sfp", "land_property_register")["requests"] == 1

    call_action("organization_patch", {"user": sysadmin["name"]}, id="shcp", title="Hacienda y Crédito Público")
    assert "Hacienda y Crédito Público" in {r["organization"]["title"] for r in _json(app)["rows"]}

    call_action("organization_delete", {"user": sysadmin["name"]}, id="shcp")
    assert {r["organization"]["name"] for r in _json(app)["rows"]} == {"sfp"}
    # A change made by another process (a background job reindexing a dataset) shows too.
    budgets = _create(editor, "budgets", org, "presupuesto-2")
    assert _cell(_json(app), "sfp", "budgets")["state"] == "unchecked"
    _age(budgets["id"], days=5, frequency=DAILY)
    assert _cell(_json(app), "sfp", "budgets")["state"] == "outdated"


def _age(package_id, *, days, frequency):
    call_action("package_patch", {"ignore_auth": True}, id=package_id, frequency=frequency)
    model.Package.get(package_id).metadata_modified = datetime.datetime.utcnow() - datetime.timedelta(days=days)
    model.Session.commit()
    rebuild(package_id)


def test_the_matrix_is_computed_again_when_a_fresh_dataset_becomes_outdated(app, agency) -> None:
    budgets = model.Package.get("presupuesto")
    # Updated as long ago as a daily dataset stays fresh, minus a few seconds: still fresh, for those seconds.
    call_action("package_patch", {"ignore_auth": True}, id=budgets.id, frequency=DAILY)
    margin = 6
    budgets = model.Package.get("presupuesto")
    budgets.metadata_modified = (datetime.datetime.utcnow() - datetime.timedelta(days=scoring.FRESH_FOR_DAYS[DAILY])
                                 + datetime.timedelta(seconds=margin))
    model.Session.commit()
    rebuild(budgets.id)

    before = _cell(_json(app), "sfp", "budgets")
    assert cache._local["until"] <= time.time() + margin
    time.sleep(max(0.0, cache._local["until"] - time.time()) + 1)
    after = _cell(_json(app), "sfp", "budgets")

    assert before["criteria"]["fresh"] == 1 and after["criteria"]["fresh"] == 0 and after["state"] == "outdated"


def test_without_redis_the_pages_still_work_and_change(app, agency, monkeypatch) -> None:
    monkeypatch.setitem(tk.config, "ckan.redis.url", "redis://127.0.0.1:1/0")  # nothing listens there
    _forget_process_copy()

    assert _json(app) == json.loads(scoring.matrix_json(_uncached()))
    assert "1 of 60 expected datasets published" in app.get("/en/coverage").body
    assert app.get("/en/").status_code == 200
    call_action("anticorruption_coverage_declare", {"user": agency["editor"]["name"]}, organization="sfp",
                type="tax_records", status="not_applicable", reason="No aplica.")
    assert _cell(_json(app), "sfp", "tax_records")["state"] == "not_applicable"

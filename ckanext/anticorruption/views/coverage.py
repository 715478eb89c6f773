"""The coverage pages: national matrix, exports, an agency's Coverage tab, and its forms."""
from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, request
from markupsafe import Markup, escape

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.coverage import cache as coverage_cache
from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.views import context, csrf, page_cache

__all__ = ["coverage_blueprint"]

coverage_blueprint = csrf.protect(Blueprint("anticorruption_coverage", __name__))

ROWS_PER_PAGE = 50
_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}



def _action(name: str, **data: Any) -> Any:
    return tk.get_action(name)(context(), data)


def _filters(matrix: dict[str, Any]) -> dict[str, str]:
    args = request.args
    categories = {category["id"] for category in matrix["categories"]}
    return {
        "category": args.get("category", "") if args.get("category", "") in categories else "",
        "state": args.get("state", "") if args.get("state", "") in coverage.STATES else "",
        "q": args.get("q", "")[:100],
        "sort": args.get("sort", "score") if args.get("sort") in ("score", "score_asc", "name") else "score",
    }


@coverage_blueprint.route("/coverage")
def national() -> str:
    """The matrix of agencies by the Guide's 30 types, with a summary, filters, legend and trend."""
    # The same page for every anonymous visitor, rendered once per change, language and filters (only the
    # filters' own values: any other query is rendered for itself, so that it cannot crowd the kept pages).
    kept = page_cache.public(_page_key, _national, auth="anticorruption_coverage")
    if kept is not None:
        return kept
    return _national(_action("anticorruption_coverage"))


def _page_key(matrix: dict[str, Any]) -> tuple[Any, ...] | None:
    """The key of the anonymous page for this request, or None when its query is not the filters' own
    values, each given once (a search by name included: any text would do)."""
    filters = _filters(matrix)
    canonical = {name: value for name, value in filters.items() if value and not (name == "sort" and value == "score")}
    page = request.args.get("page")
    if page is not None:
        if not (page.isdigit() and len(page) <= 4):
            return None
        canonical["page"] = page
    if filters["q"] or len(list(request.args.items(multi=True))) != len(canonical) or dict(request.args) != canonical:
        return None
    return ("coverage", tuple(sorted(canonical.items())))


def _national(matrix: dict[str, Any]) -> str:
    filters = _filters(matrix)
    page = request.args.get("page", 1, type=int) or 1
    # The table is public data, the same for everyone: rendered once per change of the matrix.
    table = coverage_cache.derived(matrix, ("national", tk.h.lang(), tuple(filters.items()), page),
                                   lambda: _matrix_table(matrix, filters, page))
    history = coverage_cache.derived(matrix, ("history", 90), lambda: _action("anticorruption_coverage_history", limit=90))
    return tk.render("anticorruption/coverage/national.html", {
        "matrix": matrix, "matrix_table": table, "filters": filters,
        "history": history, "trend": coverage.trend_points(history),
    })


def _matrix_table(matrix: dict[str, Any], filters: dict[str, str], page: int) -> Markup:
    view = coverage.filter_matrix(matrix, category=filters["category"] or None, state=filters["state"] or None,
                                  name=filters["q"], sort=filters["sort"])
    pages = max(1, math.ceil(len(view["rows"]) / ROWS_PER_PAGE))
    page = min(max(1, page), pages)
    shown = view["rows"][(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    return Markup(tk.render("anticorruption/coverage/matrix_table.html", {
        "matrix": matrix, "view": view, "rows": _table(shown, view["type_ids"]), "filters": filters,
        "page": page, "pages": pages,
    }))


def _table(rows: list[dict[str, Any]], type_ids: list[str]) -> list[tuple[Any, ...]]:
    """The matrix rows as plain tuples, worded once: a 1,500-cell page renders in milliseconds.

    Each row is (organization name, title, score, url, cells); each cell is
    (type id, state, link, tooltip, symbol, words for screen readers).
    """
    states = {s["id"]: s for s in tk.h.anticorruption_coverage_states()}
    base = tk.url_for("anticorruption_coverage.agency", id="__ID__")
    # Most cells repeat the same few texts: escape each text once, not per cell.
    escaped: dict[str, Markup] = {}

    def safe(text: str) -> Markup:
        if text not in escaped:
            escaped[text] = escape(text)
        return escaped[text]

    table = []
    for row in rows:
        org = row["organization"]
        url = base.replace("__ID__", org["name"])
        cells = []
        for type_id in type_ids:
            cell = row["cells"][type_id]
            state = states[cell["state"]]
            n, asked = cell["count"], cell["requests"]
            words = state["label"]
            if n:
                words += ", " + tk.ungettext("{n} dataset", "{n} datasets", n).format(n=n)
            tooltip = words
            if asked:
                tooltip += " · " + tk.ungettext("{n} request", "{n} requests", asked).format(n=asked)
            symbol = state["symbol"] + (str(n) if n > 1 else "")
            cells.append((safe(type_id), safe(cell["state"]), escape(f"{url}#type-{type_id}"),
                          safe(tooltip), safe(symbol), safe(words)))
        score = row["score"] if row["score"] is not None else "–"
        table.append((org["name"], org.get("title") or org["name"], score, url, cells))
    return table


@coverage_blueprint.route("/coverage.<any(csv, json, xlsx):fmt>")
def export(fmt: str) -> Response:
    """The matrix as CSV, JSON or XLSX (optionally one organization or some types)."""
    params: dict[str, Any] = {}
    if request.args.get("organization"):
        params["organization"] = request.args["organization"]
    if request.args.getlist("type"):
        params["type"] = request.args.getlist("type")
    body: str | bytes
    if not params and not request.args and page_cache.anonymous_visit():
        # The whole matrix for an anonymous visitor: written once per change of the public data.
        public = page_cache.public_matrix("anticorruption_coverage")
        body = coverage_cache.derived(public, ("export", fmt), lambda: _export(public, fmt))
    else:
        try:
            body = _export(_action("anticorruption_coverage", **params), fmt)
        except tk.ObjectNotFound as e:
            return tk.abort(404, str(e))
        except tk.ValidationError as e:
            return tk.abort(400, "; ".join(str(m) for messages in e.error_dict.values() for m in messages))
    return Response(body, mimetype=_MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="coverage.{fmt}"'})


def _export(matrix: dict[str, Any], fmt: str) -> str | bytes:
    if fmt == "csv":
        return coverage.matrix_csv(matrix)
    if fmt == "xlsx":
        return coverage.matrix_xlsx(matrix)
    return coverage.matrix_json(matrix)


@coverage_blueprint.route("/organization/coverage/<id>")
def agency(id: str) -> str:
    """An agency's Coverage tab: its 30 types, what is published, what is missing and why."""
    try:
        tab = _action("anticorruption_coverage_organization_show", organization=id, history_limit=90)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))
    matrix = tab["coverage"]
    return tk.render("anticorruption/coverage/agency.html", {
        "group_dict": tab["organization"], "group_type": "organization", "matrix": matrix, "row": matrix["rows"][0],
        "datasets": tab["datasets"], "can_edit": tab["may_declare"],
        "may_decide_for_portal": tab["may_decide_for_portal"], "requests": tab["requests"],
        "history": tab["history"], "trend": coverage.trend_points(tab["history"]),
    })


def _local_path(target: str) -> bool:
    """A path on this site. Browsers read a backslash as a slash ("/\\evil"
    is another site) and a line break would split the Location header."""
    parts = urlsplit(target)
    return (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
            and not any(c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in target))


def _back(organization: str, type_id: str = "") -> Response:
    target = request.form.get("came_from", "")
    if not _local_path(target):
        target = tk.url_for("anticorruption_coverage.agency", id=organization)
    anchor = f"#type-{quote(type_id, safe='')}" if type_id and "#" not in target else ""
    return tk.redirect_to(target + anchor)


def _flash_errors(error: tk.ValidationError) -> None:
    """Each problem with the field it concerns, e.g. "Reason: Missing value"."""
    labels = {"reason": tk._("Reason"), "period": tk._("Period"), "status": tk._("State"),
              "type": tk._("Dataset type"), "organization": tk._("Agency")}
    for field, messages in error.error_dict.items():
        for message in messages if isinstance(messages, list) else [messages]:
            tk.h.flash_error(f"{labels.get(field, field)}: {message}")


@coverage_blueprint.route("/coverage/request", methods=["POST"])
def request_dataset() -> Response:
    """A signed-in user asks an agency for a missing dataset."""
    organization, type_id = request.form.get("organization", ""), request.form.get("type", "")
    try:
        _action("anticorruption_coverage_request_create", organization=organization, type=type_id)
        tk.h.flash_success(tk._("Thank you: the agency's editors will see your request."))
    except tk.NotAuthorized:
        # The action refuses only those who are not signed in: sign in, then back to the tab.
        tk.h.flash_error(tk._("Sign in to ask for a dataset"))
        return tk.redirect_to("user.login", came_from=tk.url_for("anticorruption_coverage.agency", id=organization))
    except tk.ValidationError as e:
        _flash_errors(e)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    return _back(organization, type_id)


def _editor_post(action: str, done: str, organization: str, type_id: str, **data: Any) -> Response:
    """Run an editor's action from a form; say what happened and go back to the tab."""
    try:
        _action(action, organization=organization, type=type_id, **data)
        tk.h.flash_success(done)
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Only editors of the organization can do this"))
    except tk.ObjectNotFound as e:
        return tk.abort(404, str(e))
    except tk.ValidationError as e:
        _flash_errors(e)
    return _back(organization, type_id)


@coverage_blueprint.route("/organization/coverage/<id>/declare", methods=["POST"])
def declare(id: str) -> Response:
    """An editor declares a type not applicable, or with nothing to report for a period."""
    form = request.form
    return _editor_post(
        "anticorruption_coverage_declare", tk._("Declaration saved; it is shown publicly with its reason."),
        id, form.get("type", ""), status=form.get("status", ""), reason=form.get("reason", ""),
        period=form.get("period", ""), by_portal=form.get("by_portal") == "true",
    )


@coverage_blueprint.route("/organization/coverage/<id>/withdraw", methods=["POST"])
def withdraw(id: str) -> Response:
    return _editor_post("anticorruption_coverage_declaration_delete", tk._("Declaration withdrawn."),
                        id, request.form.get("type", ""))

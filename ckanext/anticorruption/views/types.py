"""Pages of the Guide's dataset types: the type picker, one type, its Table Schema and blank files."""
from __future__ import annotations

import json

from flask import Response, request

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.dataset_types import publisher_templates
from ckanext.anticorruption.helpers import current_lang
from ckanext.anticorruption.views import anticorruption, context, page_cache


def _type_or_404(type_id: str) -> dict:
    try:
        return tk.get_action("anticorruption_dataset_type_show")(context(), {"id": type_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown dataset type: {id}").format(id=type_id))


@anticorruption.route("/types")
def type_list() -> str:
    """The type picker: all types grouped by the Guide's categories."""
    # The same for every anonymous visitor (public counts): rendered once per change of the public data.
    kept = page_cache.public(lambda matrix: None if request.args else ("types",), lambda matrix: _type_list(),
                             auth="anticorruption_dataset_type_list")
    return kept if kept is not None else _type_list()


def _type_list() -> str:
    types = tk.get_action("anticorruption_dataset_type_list")(context(), {})
    categories: dict[str, dict] = {}
    for typ in types:
        group = categories.setdefault(
            typ["category"], {"id": typ["category"], "title": typ["category_title"], "types": []}
        )
        group["types"].append(typ)
    return tk.render(
        "anticorruption/type_list.html",
        {"categories": list(categories.values()), "total": len(types)},
    )


@anticorruption.route("/types/<type_id>")
def type_read(type_id: str) -> str:
    dataset_type = _type_or_404(type_id)
    national = tk.get_action("anticorruption_national_show")(context(), {"id": type_id})
    return tk.render("anticorruption/type_read.html", {"dataset_type": dataset_type, "national": national})


@anticorruption.route("/schemas/<type_id>.json")
def table_schema(type_id: str) -> Response:
    """The Table Schema of a type at a stable URL."""
    try:
        schema = tk.get_action("anticorruption_table_schema_show")(context(), {"id": type_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown dataset type: {id}").format(id=type_id))
    return Response(
        json.dumps(schema, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


@anticorruption.route("/templates/<type_id>.<any(csv, xlsx):file_format>")
def publisher_template(type_id: str, file_format: str) -> Response:
    """A blank file with the type's columns, for publishers to fill in."""
    schema = _type_or_404(type_id)["table_schema"]
    if file_format == "csv":
        body, mimetype = publisher_templates.csv_template(schema), "text/csv"
    else:
        body = publisher_templates.xlsx_template(schema, current_lang(), tk._)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{type_id}.{file_format}"'},
    )

"""Pages of the extension: each view calls an action and renders a template."""
from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.anticorruption import csrf, jobs, privacy, publisher_templates, reports
from ckanext.anticorruption.coverage_views import coverage_blueprint
from ckanext.anticorruption.helpers import current_lang

__all__ = ["get_blueprints"]

anticorruption = csrf.protect(Blueprint("anticorruption", __name__, url_prefix="/anticorruption"))


def _context() -> Context:
    return {"user": tk.current_user.name if tk.current_user else ""}


def _type_or_404(type_id: str) -> dict:
    try:
        return tk.get_action("anticorruption_dataset_type_show")(_context(), {"id": type_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Unknown dataset type: {id}").format(id=type_id))


@anticorruption.route("/types")
def type_list() -> str:
    """The type picker: all types grouped by the Guide's categories."""
    types = tk.get_action("anticorruption_dataset_type_list")(_context(), {})
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
    return tk.render("anticorruption/type_read.html", {"dataset_type": _type_or_404(type_id)})


@anticorruption.route("/schemas/<type_id>.json")
def table_schema(type_id: str) -> Response:
    """The Table Schema of a type at a stable URL."""
    try:
        schema = tk.get_action("anticorruption_table_schema_show")(_context(), {"id": type_id})
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
        body = publisher_templates.xlsx_template(schema, current_lang())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{type_id}.{file_format}"'},
    )


def _validation_or_404(resource_id: str, include_report: bool = False) -> dict:
    try:
        return tk.get_action("anticorruption_validation_show")(
            _context(), {"id": resource_id, "include_report": include_report})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this file"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("This file has not been validated"))


@anticorruption.route("/validation/<resource_id>")
def validation_report(resource_id: str) -> str:
    """The report of a file: summary, errors grouped by kind and column, rows in context."""
    validation = _validation_or_404(resource_id, include_report=True)
    resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    package = tk.get_action("package_show")(_context(), {"id": resource["package_id"]})
    return tk.render("anticorruption/validation_report.html", {
        "validation": validation, "resource": resource, "pkg": package,
        "table_schema": tk.h.anticorruption_resource_table_schema(package, resource),
    })


@anticorruption.route("/validation/<resource_id>/status.json")
def validation_status(resource_id: str) -> Response:
    """State and progress, polled by the report and resource pages while a file is checked."""
    validation = _validation_or_404(resource_id)
    return jsonify({k: validation[k] for k in (
        "state", "rows_checked", "error_count", "problem", "updated", "finished")})


@anticorruption.route("/validation/<resource_id>/errors.csv")
def validation_errors_csv(resource_id: str) -> Response:
    """Every error of the latest run (the report page shows the first ones of each kind)."""
    validation = _validation_or_404(resource_id, include_report=True)
    content = jobs.error_log_of(resource_id)
    if not tk.h.check_access("anticorruption_privacy_show", {"id": resource_id}):
        # Not an editor: a person's identifier in a bad cell is shown masked.
        text = (io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(content)), encoding="utf-8", newline="")
                if content else io.StringIO(reports.errors_csv(validation.get("report")), newline=""))
        body: Any = (line.encode("utf-8") for line in privacy.mask_csv_lines(text))
    else:
        body = _gunzipped(content) if content else reports.errors_csv(validation.get("report"))
    return Response(
        body, mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="errors-{resource_id}.csv"'},
    )


def _gunzipped(content: bytes, chunk: int = 1 << 16) -> Iterator[bytes]:
    """Stream a gzip body out uncompressed, a chunk at a time."""
    inflater = zlib.decompressobj(wbits=31)
    for start in range(0, len(content), chunk):
        yield inflater.decompress(content[start:start + chunk])
    yield inflater.flush()


@anticorruption.route("/validation/<resource_id>/report.json")
def validation_report_json(resource_id: str) -> Response:
    """The report in Frictionless's own JSON form."""
    validation = _validation_or_404(resource_id, include_report=True)
    return Response(
        json.dumps(validation.get("report") or {}, ensure_ascii=False, indent=2),
        mimetype="application/json",
    )


@anticorruption.route("/validation/<resource_id>/run", methods=["POST"])
def validation_run(resource_id: str) -> Response:
    try:
        run = tk.get_action("anticorruption_validation_run")(_context(), {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset can validate its files"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Resource not found"))
    jobs.tell_publisher(run["background_reason"])
    return tk.redirect_to("anticorruption.validation_report", resource_id=resource_id)


@anticorruption.route("/validation/<resource_id>/privacy-review", methods=["POST"])
def privacy_review(resource_id: str) -> Response:
    """An editor confirms a file with privacy findings, with a justification."""
    try:
        tk.get_action("anticorruption_privacy_review")(_context(), {
            "id": resource_id, "decision": "confirm",
            "justification": tk.request.form.get("justification", ""),
        })
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset can review its files"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(str(m) for msgs in e.error_dict.values() for m in msgs))
    else:
        tk.h.flash_success(tk._("Your review was recorded: the file is public."))
    return tk.redirect_to("anticorruption.validation_report", resource_id=resource_id)


@anticorruption.route("/identifier/<scheme>/<path:identifier>")
def identifier_read(scheme: str, identifier: str) -> str:
    """Every dataset naming an organization's identifier; never a natural person's."""
    try:
        found = tk.get_action("anticorruption_identifier_show")(
            _context(), {"scheme": scheme, "identifier": identifier})
    except tk.ObjectNotFound as e:
        return tk.abort(404, str(e.message) if getattr(e, "message", None) else tk._("Not found"))
    except tk.ValidationError as e:
        messages = [m for values in e.error_dict.values() for m in values]
        return tk.abort(400, " ".join(messages))
    return tk.render("anticorruption/identifier.html", {"found": found})


def _refuse_nul() -> None:
    """No id, name or form value of these pages holds a NUL character, and
    PostgreSQL refuses one in a query: answer 404 (a path) or 400 (a
    parameter) instead of failing the request."""
    if any("\x00" in str(value) for value in (tk.request.view_args or {}).values()):
        tk.abort(404, tk._("Not found"))
    for values in (tk.request.args, tk.request.form):
        if any("\x00" in value for _, value in values.items(multi=True)):
            tk.abort(400, tk._("The request contains a NUL character."))


def get_blueprints() -> list[Blueprint]:
    from ckanext.anticorruption.dcat_views import anticorruption_dcat

    blueprints = [anticorruption, coverage_blueprint, anticorruption_dcat]
    for blueprint in blueprints:
        if _refuse_nul not in blueprint.before_request_funcs.get(None, []):
            blueprint.before_request(_refuse_nul)
    return blueprints

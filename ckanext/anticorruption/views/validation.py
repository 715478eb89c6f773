"""Pages of a file's validation: the report, its progress, every error as CSV, a new run."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.uploads import run as jobs
from ckanext.anticorruption.views import anticorruption, context


def _validation_or_404(resource_id: str, include_report: bool = False) -> dict:
    return _or_abort("anticorruption_validation_show", {"id": resource_id, "include_report": include_report})


def _or_abort(action: str, data: dict[str, Any]) -> dict:
    try:
        return tk.get_action(action)(context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this file"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("This file has not been validated"))


@anticorruption.route("/validation/<resource_id>")
def validation_report(resource_id: str) -> str:
    """The report of a file: summary, errors grouped by kind and column, rows in context."""
    validation = _validation_or_404(resource_id, include_report=True)
    resource = tk.get_action("resource_show")(context(), {"id": resource_id})
    package = tk.get_action("package_show")(context(), {"id": resource["package_id"]})
    return tk.render("anticorruption/validation_report.html", {
        "validation": validation, "resource": resource, "pkg": package,
        "table_schema": tk.h.anticorruption_resource_table_schema(package, resource),
    })


@anticorruption.route("/validation/<resource_id>/status.json")
def validation_status(resource_id: str) -> Response:
    """State and progress, polled by the report and resource pages while a file is checked and loaded."""
    validation = _validation_or_404(resource_id)
    status = {k: validation[k] for k in ("state", "rows_checked", "error_count", "problem", "updated", "finished")}
    # Then the DataStore load that follows: its phase and the sentence the page shows of it.
    datastore = tk.h.anticorruption_datastore_load(validation)
    status["datastore"] = {k: datastore[k] for k in ("state", "text", "unfinished")} if datastore else None
    return jsonify(status)


@anticorruption.route("/validation/<resource_id>/errors.csv")
def validation_errors_csv(resource_id: str) -> Response:
    """Every error of the latest run (the report page shows the first ones of each kind)."""
    errors = _or_abort("anticorruption_validation_errors_show", {"id": resource_id})
    return Response(
        errors["lines"], mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{errors["filename"]}"'},
    )


@anticorruption.route("/validation/<resource_id>/report.json")
def validation_report_json(resource_id: str) -> Response:
    """The report in Frictionless's own JSON form."""
    validation = _validation_or_404(resource_id, include_report=True)
    return Response(
        json.dumps(validation.get("report") or {}, ensure_ascii=False, indent=2),
        mimetype="application/json",
    )


@anticorruption.route("/validation/<resource_id>/columns", methods=["POST"])
def validation_columns(resource_id: str) -> Response:
    """A publisher says which column of the type each column of the file holds; the file is checked again."""
    form = tk.request.form
    mapping = dict(zip(form.getlist("column"), form.getlist("field")))
    try:
        tk.get_action("resource_patch")(context(), {"id": resource_id, "column_mapping": mapping})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset can validate its files"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(str(m) for messages in e.error_dict.values() for m in _flat(messages)))
    return tk.redirect_to("anticorruption.validation_report", resource_id=resource_id)


def _flat(messages: Any) -> list[Any]:
    # A resource field's errors come nested: [{"column_mapping": [...]}] under "resources".
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [messages]


@anticorruption.route("/validation/<resource_id>/run", methods=["POST"])
def validation_run(resource_id: str) -> Response:
    try:
        run = tk.get_action("anticorruption_validation_run")(context(), {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset can validate its files"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Resource not found"))
    jobs.tell_publisher(run["background_reason"])
    return tk.redirect_to("anticorruption.validation_report", resource_id=resource_id)

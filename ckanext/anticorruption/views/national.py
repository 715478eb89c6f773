"""The national files of the Guide's dataset types: CSV and Parquet downloads."""
from __future__ import annotations

import datetime

from flask import Response, stream_with_context

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.views import anticorruption, context


@anticorruption.route("/national/<type_id>.<any(csv, parquet):file_format>")
def national_file(type_id: str, file_format: str) -> Response:
    """Every valid public file of a type from every agency, in one file; the CSV is streamed."""
    try:
        found = tk.get_action("anticorruption_national_file_show")(context(), {"id": type_id, "format": file_format})
    except tk.ObjectNotFound as e:
        return tk.abort(404, str(e.message or e))
    headers = {"Content-Disposition": f'attachment; filename="{found["filename"]}"',
               "Access-Control-Allow-Origin": "*"}
    if found["changed"]:
        # When the rows last changed: the file is always as of then (the Parquet file is written again first).
        changed = datetime.datetime.fromisoformat(found["changed"]).replace(tzinfo=datetime.timezone.utc)
        headers["Last-Modified"] = changed.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return Response(stream_with_context(found["chunks"]), mimetype=found["mimetype"], headers=headers)

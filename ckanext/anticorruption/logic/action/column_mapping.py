"""The column-mapping step of the upload form: the header of the file a publisher chose, read
before the upload, with the field of the type each column seems to hold."""
from __future__ import annotations

import concurrent.futures
import os
import tempfile
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption import helpers
from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.dataset_types import types
from ckanext.anticorruption.logic import schema
from ckanext.anticorruption.validation.ocds import is_ocds_resource
from ckanext.anticorruption.validation.source import SourceProblem
from ckanext.anticorruption.validation.suggest import suggest_columns

__all__ = ["anticorruption_column_mapping_suggest"]

# Two headers read at a time in each web process; more wait their turn
# (within column_mapping_max_seconds), so many uploads at once cannot take
# the web process's cores.
_READERS = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="anticorruption-header")

_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".xls": "xls"}


def _type_of(context: Context, data_dict: DataDict) -> types.DatasetType:
    type_id = data_dict.get("type")
    if data_dict.get("package_id"):
        package = tk.get_action("package_show")(
            {"user": context.get("user"), "ignore_auth": True}, {"id": data_dict["package_id"]})
        type_id = package.get("type")
    typ = types.dataset_type(type_id)
    if typ is None:
        raise tk.ValidationError({"type": [tk._("Unknown dataset type: {id}").format(id=type_id or "")]})
    return typ


def _read(upload: Any, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of what was sent (one more says it was longer)."""
    if isinstance(upload, (bytes, bytearray)):
        return bytes(upload[: limit + 1])
    stream = getattr(upload, "stream", upload)
    try:
        return stream.read(limit + 1)
    finally:
        # A large upload is spooled to a temporary file that nobody else closes.
        close = getattr(upload, "close", None)
        if callable(close):
            close()


@validate(schema.column_mapping_suggest_schema)
def anticorruption_column_mapping_suggest(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The columns of a file a publisher is about to upload, each with the field of the type it seems to hold.

    Read as the check will read the file (encoding, separator, header row
    past title lines, a file without a header row) from its beginning
    only. The upload form sends the first 256 KiB of a CSV and a whole
    Excel file; at most ``column_mapping_max_bytes`` are read, in at most
    ``column_mapping_max_seconds``, and a file with more than
    ``max_columns`` columns is refused. A file that cannot be read is a
    ValidationError whose message says why, in the caller's language.

    :param package_id: the dataset the file is for (its type is used);
        either this or ``type``
    :param type: the dataset type, e.g. ``debarred_contractors``
    :param upload: the beginning of the file (multipart/form-data)
    :param filename: the file's name (its extension says the format)
    :param format: the format, if the name does not say it (optional)
    :param sheet: the name or number of an Excel file's sheet (optional)
    :param truncated: true when ``upload`` is only the beginning of the
        file (its last, cut line is not read)
    :param column_mapping: a mapping given before, {column of the file:
        column of the type}; it wins for the columns it names (optional)
    :returns: ``columns`` (each with ``number``, ``label``, ``key`` (what
        ``column_mapping`` names it by: its label, or its position for a
        file without a header row), ``sample`` (its first value), ``field``
        (or null), ``how`` (``explicit``, ``name``, ``title``, ``alias``,
        ``position``, ``ignored``, or empty for none), ``confidence`` (0 to
        1) and ``duplicate_of``), ``fields`` (the type's, with ``title``,
        ``title_es`` and ``required``), ``matched``, ``missing_required``,
        ``complete`` (nothing to map: every column is a field by its own
        name and no required field is missing), ``header_rows``,
        ``no_header``, ``detected`` and ``notes`` (what the reader assumed,
        one sentence each)
    """
    tk.check_access("anticorruption_column_mapping_suggest", context, data_dict)
    if not data_dict.get("package_id") and not data_dict.get("type"):
        raise tk.ValidationError({"type": [tk._("Give the dataset (package_id) or its type (type)")]})
    typ = _type_of(context, data_dict)
    limit = validation_option("column_mapping_max_bytes")
    content = _read(data_dict["upload"], limit)
    if len(content) > limit:
        raise tk.ValidationError({"upload": [tk._(
            "The file is too large to read its columns here (more than {limit} bytes). Save it and the report "
            "will let you say which column is which after the check.").format(limit=f"{limit:,}")]})
    filename = data_dict.get("filename") or getattr(data_dict["upload"], "filename", None) or ""
    extension = os.path.splitext(str(filename))[1].lower()
    # The name's extension says the format as the resource's format field would ("json" is not read as CSV).
    declared = data_dict.get("format") or _FORMATS.get(extension) or extension.lstrip(".") or None
    if is_ocds_resource(typ.standards, {"format": declared or "", "url": str(filename)}):
        # Checked against the OCDS schema, not as a table (see validation/ocds.py).
        raise tk.ValidationError({"upload": [tk._(
            "This JSON file will be checked against the OCDS 1.1 schema when it is saved: it has no columns to "
            "match.")]})
    if data_dict.get("truncated") and b"\n" in content:
        # The last line was cut where the beginning ends: it is not read.
        content = content[: content.rindex(b"\n") + 1]
    with tempfile.NamedTemporaryFile(prefix="anticorruption-header-", suffix=extension[:10], delete=False) as f:
        f.write(content)
    try:
        sheet = data_dict.get("sheet") or None
        work = _READERS.submit(
            suggest_columns, f.name, typ.table_schema, format=declared, sheet=sheet,
            mapping={k: v or None for k, v in (data_dict.get("column_mapping") or {}).items()},
            max_columns=validation_option("max_columns"))
        try:
            found = work.result(timeout=validation_option("column_mapping_max_seconds"))
        except concurrent.futures.TimeoutError:
            work.cancel()
            raise tk.ValidationError({"upload": [tk._(
                "Reading the columns of this file took too long. Save it and the report will let you say which "
                "column is which after the check.")]}) from None
        except Exception as error:  # any reader failure is the file's, said as such
            found = SourceProblem("error", "unreadable", {"detail": f"{type(error).__name__}: {error}"[:300]})
    finally:
        # The reader may still hold it open: on POSIX the name goes now, the data when it closes it.
        os.unlink(f.name)
    if isinstance(found, SourceProblem):
        raise tk.ValidationError({"upload": [helpers.anticorruption_problem_message(found.problem, found.params)]})
    found["type"] = typ.id
    found["notes"] = helpers.anticorruption_reading_notes(found["detected"])
    return found

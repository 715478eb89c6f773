"""Template helpers: they return data, never HTML."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.dataset_types import types
from ckanext.anticorruption.validation.suggest import CSV_SAMPLE_BYTES

__all__ = [
    "anticorruption_category",
    "anticorruption_coverage_criteria",
    "anticorruption_coverage_freshness_rules",
    "anticorruption_coverage_states",
    "anticorruption_choices",
    "anticorruption_column_mapping_reader",
    "anticorruption_column_mapping_rows",
    "anticorruption_dataset_type",
    "anticorruption_field_text",
    "anticorruption_header_summary",
    "anticorruption_resource_table_schema",
    "anticorruption_error_explanation",
    "anticorruption_error_group_text",
    "anticorruption_previous_column_mapping",
    "anticorruption_privacy",
    "anticorruption_privacy_advice",
    "anticorruption_privacy_kind_labels",
    "anticorruption_problem_message",
    "anticorruption_reading_notes",
    "anticorruption_red_flags",
    "anticorruption_text",
    "anticorruption_validation",
    "anticorruption_validation_groups",
    "anticorruption_validation_state_labels",
    "humanize_entity_type",
]


def current_lang() -> str:
    """The language of the current request, or the site's default outside one (CLI, jobs)."""
    default = tk.config.get("ckan.locale_default") or "en"
    try:
        return tk.h.lang() or default
    except RuntimeError:
        return default


def anticorruption_text(text: types.Text | str | None) -> str:
    """Bilingual schema text in the language the visitor is browsing in."""
    return types.localized(text, current_lang())


def anticorruption_field_text(field: dict[str, Any], key: str) -> str:
    """A Table Schema field's ``title`` or ``description`` in the visitor's language."""
    return str(field.get(f"{key}_{current_lang()}") or field.get(key) or "")


def anticorruption_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a form field from a controlled list in ``schemas/vocabularies.yaml``."""
    terms = getattr(types.vocabularies(), field["choices_source"])
    return [{"value": t.id, "label": t.title} for t in terms.values()]


def anticorruption_dataset_type(type_id: str | None) -> types.DatasetType | None:
    return types.dataset_type(type_id)


def anticorruption_category(category_id: str | None) -> types.Category | None:
    return types.vocabularies().categories.get(category_id or "")


def anticorruption_resource_table_schema(
    package: dict[str, Any], resource: dict[str, Any]
) -> dict[str, Any] | None:
    return types.resource_table_schema(package.get("type"), resource)


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    """Name the Guide's types by their plain-language titles in CKAN's own pages."""
    typ = types.dataset_type(object_type) if entity_type == "package" else None
    if typ is None:
        return next_helper(entity_type, object_type, purpose)
    title = anticorruption_text(typ.title)
    phrases = {
        "add link": tk._("Add a dataset: {type}"),
        "create label": tk._("New dataset: {type}"),
        "create title": tk._("New dataset: {type}"),
        "edit label": tk._("Edit dataset"),
        "update label": tk._("Update dataset"),
        "save label": tk._("Save dataset"),
        "search placeholder": tk._("Search {type}…"),
        "no any objects": tk._("No datasets of this type yet."),
        "no description": tk._("There is no description for this dataset"),
    }
    return phrases.get(purpose, "{type}").format(type=title)


def anticorruption_validation_state_labels() -> dict[str, str]:
    """What each validation state means, for badges and facets."""
    return {
        "pending": tk._("Waiting to be checked"),
        "running": tk._("Being checked"),
        "valid": tk._("Valid"),
        "invalid": tk._("Has errors"),
        "error": tk._("Could not be checked"),
        "not_validated": tk._("Not checked"),
    }


def anticorruption_validation(resource_id: str, include_report: bool = False) -> dict[str, Any] | None:
    """The latest validation of a resource the visitor may see, or None."""
    try:
        return tk.get_action("anticorruption_validation_show")(
            {}, {"id": resource_id, "include_report": include_report})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def anticorruption_validation_groups(validation: dict[str, Any]) -> list[dict[str, Any]]:
    from ckanext.anticorruption.validation.reports import error_groups

    return error_groups(validation.get("report"), validation.get("error_counts") or {})


def anticorruption_header_summary(validation: dict[str, Any]) -> dict[str, Any] | None:
    """How the file's columns were matched to the type's, when its header is not the type's own.

    None when the header was the schema's names in order (nothing to say).
    Otherwise ``text`` is the sentence that opens the report ("Your file's
    header matches 7 of 13 columns of this type."), ``mapping`` the (file
    column, field) pairs found, ``missing_required`` and ``extra`` what to
    add and what was kept aside.
    """
    columns = (validation.get("detected") or {}).get("columns")
    if not isinstance(columns, dict):
        return None
    text = tk._("Your file's header matches {matched} of {fields} columns of this type.").format(
        matched=_number(int(columns.get("matched") or 0)), fields=_number(int(columns.get("fields") or 0)))
    return {
        "text": text,
        "mapping": [(str(entry.get("column", "")).strip(), entry.get("field"))
                    for entry in columns.get("mapping") or [] if isinstance(entry, dict)],
        "missing_required": list(columns.get("missing_required") or []),
        "extra": [str(label).strip() for label in columns.get("extra") or []],
        "extra_count": int(columns.get("extra_count") or 0),
    }


def _number(value: int) -> str:
    """A count as the reader's language writes it (10,000 / 10.000)."""
    try:
        from flask_babel import format_decimal

        return format_decimal(value)
    except Exception:  # outside a request there is no locale
        return f"{value:,}"


def anticorruption_problem_message(problem: str | None, params: dict[str, Any] | None = None) -> str:
    """Why a file could not be checked, in words a publisher can act on."""
    params = dict(params or {})
    if "sheets" in params and isinstance(params["sheets"], list):
        params["sheets"] = ", ".join(str(s) for s in params["sheets"])
    for count in ("columns", "max_columns", "required", "required_matched", "rows"):
        if isinstance(params.get(count), int):
            params[count] = _number(params[count])
    messages = {
        "empty-file": tk._("The file is empty."),
        "not-a-table": tk._("The file does not look like a table (CSV or Excel). Check that you uploaded the right file."),
        "encoding": tk._("The characters of the file could not be read. Save it as \"CSV UTF-8\" and upload it again."),
        "password-protected": tk._("The Excel file is protected with a password. Remove the password and upload it again."),
        "zip-bomb": tk._("The Excel file would expand to far more data than it holds, so it was not opened."),
        "too-large": tk._("The file is too large to be checked."),
        "sheet-not-found": tk._("There is no sheet \"{sheet}\" in the file. Its sheets are: {sheets}."),
        "format-not-supported": tk._("Files in {format} format are not checked: only CSV and Excel (XLSX or XLS) files are."),
        "no-schema": tk._("This file has no Table Schema, so it is not checked."),
        "schema-unreachable": tk._("The schema at {url} could not be downloaded. Check its address."),
        "schema-invalid": tk._("The address {url} does not hold a Frictionless Table Schema ({detail})."),
        "link-forbidden": tk._("Links to internal addresses ({host}) are not fetched. Publish the file at a public address or upload it."),
        "file-missing": tk._("The uploaded file could not be found. Upload it again."),
        "link-status": tk._("The link answered with an error (HTTP {status}). Check the address."),
        "link-too-slow": tk._("The linked file took longer than {seconds} seconds to download."),
        "link-too-large": tk._("The linked file is larger than the limit of {limit} bytes."),
        "link-unreachable": tk._("The link could not be reached. Check the address."),
        "link-invalid": tk._("Only http and https links can be checked."),
        "link-malformed": tk._("The link is not a plain web address (it has a backslash, a user name or password, or control characters), so it was not fetched. Give its ordinary http or https address."),
        "stopped": tk._("The check stopped unexpectedly (the background worker may have stopped). Run it again."),
        "unreadable": tk._("The file could not be read ({detail})."),
        "queue-unavailable": tk._("The file could not be queued for checking yet (the job queue is not available). It will be checked as soon as the queue is back."),
        "worker-died": tk._("The check stopped {attempts} times before it could finish (the background worker died, perhaps for lack of memory). Try a smaller file, or ask the portal's operators."),
        "unstorable": tk._("The file was checked, but its result could not be stored ({detail}). Run the check again; if this happens again, tell the portal's operators."),
        "too-many-columns": tk._("This file has {columns} columns; this portal checks files of up to {max_columns} columns."),
        "header-mismatch": tk._("It has only {required_matched} of the {required} required columns, so its {rows} rows were not checked against this type (every row would only repeat the header's mistake). Rename the columns as in the type's template, or say which column is which."),
    }
    text = messages.get(problem or "", tk._("The file could not be checked."))
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def anticorruption_reading_notes(detected: dict[str, Any] | None) -> list[str]:
    """What the reader assumed about a file as it came, one sentence each (header row, padding, columns)."""
    detected = detected or {}
    rows = [row for row in detected.get("header_rows") or [] if isinstance(row, int)]
    notes = []
    for code in detected.get("warnings") or []:
        if code == "no-header-row":
            notes.append(tk._("The first row of this file holds data, not column names: the file was read as having no "
                              "header row, its columns taken in the order of the Table Schema."))
        elif code == "header-not-first-row" and len(rows) == 1:
            notes.append(tk._("The column names were read from row {row}; the rows above it (titles, notes) were not "
                              "checked.").format(row=rows[0]))
        elif code == "header-not-first-row" and len(rows) >= 2:
            notes.append(tk._("The column names were read from rows {first} and {last} together (a header written over "
                              "two rows); the data starts at row {start}.").format(
                                  first=rows[0], last=rows[-1], start=rows[-1] + 1))
        elif code == "separator-padding":
            notes.append(tk._("Every separator in this file is followed by a TAB or spaces: they were read as part of "
                              "the separator, not of the values."))
        elif code == "empty-columns-ignored":
            notes.append(tk._("The empty columns after column {columns} (no name and no values) were ignored.").format(
                columns=detected.get("width")))
    return notes


def anticorruption_error_group_text(group: dict[str, Any], table_schema: dict[str, Any] | None = None) -> str:
    """One group of errors in plain words, e.g. "312 rows have a value in «amount» that is not a number"."""
    n = group["count"]
    more = "+" if group.get("capped") else ""
    field = group.get("field") or ""
    kind = group["type"]
    field_type = ""
    for f in (table_schema or {}).get("fields", []):
        if f.get("name") == field:
            field_type = f.get("type", "")
    type_words = {
        "number": tk._("a number"), "integer": tk._("a whole number"),
        "date": tk._("a date written as YYYY-MM-DD"), "datetime": tk._("a date and time"),
        "boolean": tk._("yes or no"), "year": tk._("a year"),
    }
    if kind == "type-error":
        text = tk.ungettext("{n} row has a value in «{field}» that is not {what}",
                            "{n} rows have a value in «{field}» that is not {what}", n)
        return text.format(n=f"{n}{more}", field=field, what=type_words.get(field_type, field_type))
    constraint_templates = {
        "required": tk.ungettext("{n} row has no value in «{field}», which is required",
                                 "{n} rows have no value in «{field}», which is required", n),
        "enum": tk.ungettext("{n} row has a value in «{field}» that is not in its list of allowed values",
                             "{n} rows have a value in «{field}» that is not in its list of allowed values", n),
        "pattern": tk.ungettext("{n} row has a value in «{field}» that is not written in the expected form",
                                "{n} rows have a value in «{field}» that is not written in the expected form", n),
        "minimum": tk.ungettext("{n} row has a value in «{field}» below the minimum",
                                "{n} rows have a value in «{field}» below the minimum", n),
        "maximum": tk.ungettext("{n} row has a value in «{field}» above the maximum",
                                "{n} rows have a value in «{field}» above the maximum", n),
        "unique": tk.ungettext("{n} row repeats a value of «{field}» that must be unique",
                               "{n} rows repeat a value of «{field}» that must be unique", n),
    }
    if kind == "constraint-error" and group.get("constraint") in constraint_templates:
        return constraint_templates[group["constraint"]].format(n=f"{n}{more}", field=field)
    templates = {
        "constraint-error": tk.ungettext("{n} row breaks a rule of «{field}»",
                                         "{n} rows break a rule of «{field}»", n),
        "missing-cell": tk.ungettext("{n} row has no cell for «{field}» (it is shorter than the header)",
                                     "{n} rows have no cell for «{field}» (they are shorter than the header)", n),
        "extra-cell": tk.ungettext("{n} row has more cells than the header",
                                   "{n} rows have more cells than the header", n),
        "blank-row": tk.ungettext("{n} row is completely empty", "{n} rows are completely empty", n),
        "primary-key": tk.ungettext("{n} row repeats the key of an earlier row",
                                    "{n} rows repeat the key of an earlier row", n),
        "unique-error": tk.ungettext("{n} row repeats a value of «{field}» that must be unique",
                                     "{n} rows repeat a value of «{field}» that must be unique", n),
        "identifier-error": tk.ungettext("{n} row has a value in «{field}» that is not a valid identifier",
                                         "{n} rows have a value in «{field}» that is not a valid identifier", n),
        "identifier-warning": tk.ungettext(
            "{n} row has an identifier in «{field}» whose check digit does not match",
            "{n} rows have an identifier in «{field}» whose check digit does not match", n),
        "incorrect-label": tk._("Column «{field}» has a different name in the header"),
        "missing-label": tk._("The header has no column «{field}»"),
        "extra-label": tk._("The header has a column that is not in the schema"),
        "blank-label": tk._("The header has a column without a name"),
        "duplicate-label": tk._("The header repeats a column name"),
    }
    text = templates.get(kind, tk.ungettext("{n} error of kind {kind}", "{n} errors of kind {kind}", n))
    return text.format(n=f"{n}{more}", field=field, kind=kind)


def anticorruption_error_explanation(group: dict[str, Any], row: dict[str, Any],
                                     table_schema: dict[str, Any] | None = None) -> str:
    """What the publisher should write instead, for one offending cell."""
    field = next((f for f in (table_schema or {}).get("fields", [])
                  if f.get("name") == group.get("field")), {})
    constraints = field.get("constraints", {})
    rule = group.get("constraint")
    if group["type"] == "type-error" and field.get("type") == "date":
        return tk._("Write the date as YYYY-MM-DD, e.g. 2025-03-10.")
    if group["type"] == "type-error" and field.get("type") in ("number", "integer"):
        return tk._("Write only digits, with a dot for decimals and no thousands separators, e.g. 48250000.50.")
    if rule == "enum":
        return tk._("Use one of: {values}.").format(values=", ".join(map(str, constraints.get("enum", []))))
    if rule == "pattern" and field.get("example"):
        return tk._("Write it like this example: {example}.").format(example=field["example"])
    if rule == "required":
        return tk._("Fill in this cell.")
    if rule == "minimum":
        return tk._("Use a value of at least {n}.").format(n=constraints.get("minimum"))
    if group["type"] in ("identifier-error", "identifier-warning"):
        return _identifier_explanation(row, field)
    return str(row.get("note") or row.get("message") or "")


def _identifier_explanation(row: dict[str, Any], field: dict[str, Any]) -> str:
    scheme, problem = row.get("scheme"), row.get("problem")
    example = field.get("example")
    if problem == "length" and scheme == "MX-RFC":
        return tk._("An RFC has 12 characters for a company and 13 for a person.")
    if problem == "length" and scheme == "MX-CURP":
        return tk._("A CURP has 18 characters.")
    if problem == "date":
        return tk._("The six digits of the identifier are a date (YYMMDD) that does not exist.")
    if problem == "component":
        return tk._("The two letters after the H or M are not the code of a Mexican state.")
    if problem == "prefix" and scheme == "OCID":
        return tk._("An OCID starts with «ocds-», the publisher's 6-character prefix and a hyphen.")
    if problem == "prefix":
        return tk._("Start the identifier with the code of its register, such as «MX-RFC-».")
    if problem == "generic":
        return tk._("This is the generic RFC for the general public. Use the supplier's own RFC.")
    if problem == "check-digit":
        return tk._("The last character does not match the check digit computed from the others. "
                    "Check the identifier in the source record; if it is right, leave it as it is.")
    if example:
        return tk._("Write it like this example: {example}.").format(example=example)
    return str(row.get("note") or "")


def anticorruption_coverage_states() -> list[dict[str, str]]:
    """The states of a coverage cell, in the legend's order: id, symbol, label, meaning."""
    states = {
        "missing": ("✗", tk._("Missing"), tk._("Not published, and not declared as not applicable.")),
        "invalid": ("!", tk._("Invalid"), tk._("Published, but a file does not match the type's Table Schema.")),
        "outdated": ("◷", tk._("Out of date"), tk._("Published, but not updated as often as its update frequency promises.")),
        "published": ("✓", tk._("Published"), tk._("Published, valid (or not checkable) and up to date.")),
        "nothing_to_report": ("∅", tk._("Nothing to report"), tk._("The agency declared there is nothing to report for the period, and why.")),
        "not_applicable": ("–", tk._("Not applicable"), tk._("The agency or the portal declared that this type does not apply, and why.")),
    }
    return [{"id": s, "symbol": states[s][0], "label": states[s][1], "meaning": states[s][2]}
            for s in coverage.STATES]


def anticorruption_coverage_criteria() -> list[dict[str, str]]:
    """The scoring criteria, each worth 20 points per dataset."""
    return [
        {"id": "published", "label": tk._("Published"), "meaning": tk._("The dataset is public.")},
        {"id": "open", "label": tk._("Open licence"), "meaning": tk._("Its licence lets anyone reuse the data.")},
        {"id": "machine_readable", "label": tk._("Machine-readable"),
         "meaning": tk._("At least one file is in a format programs can read (CSV, Excel, JSON, XML…), not only PDF.")},
        {"id": "valid", "label": tk._("Valid"),
         "meaning": tk._("Every checked file matches the type's Table Schema.")},
        {"id": "fresh", "label": tk._("Up to date"),
         "meaning": tk._("The last update is recent enough for the declared update frequency.")},
    ]


def anticorruption_coverage_freshness_rules() -> list[dict[str, Any]]:
    """How many days each update frequency allows before a dataset is out of date."""
    labels = {c["value"]: c["label"] for c in types.preset_choices("anticorruption_frequency")}
    return [{"label": types.localized(labels.get(uri, uri), current_lang()), "days": days}
            for uri, days in coverage.FRESH_FOR_DAYS.items()]



def anticorruption_privacy(resource_id: str) -> dict[str, Any] | None:
    """The privacy scan of a file and its reviews, if the visitor may edit its dataset; else None."""
    try:
        return tk.get_action("anticorruption_privacy_show")({}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def anticorruption_privacy_kind_labels() -> dict[str, str]:
    return {
        "curp": tk._("CURP"),
        "rfc": tk._("RFC of a natural person (13 characters)"),
        "email": tk._("E-mail addresses"),
        "phone": tk._("Phone numbers"),
        "birth_date": tk._("Dates of birth"),
        "voter_key": tk._("Voter keys (clave de elector)"),
    }


def anticorruption_privacy_advice(column: dict[str, Any]) -> str:
    """What the publisher should do about the findings in one column."""
    if column.get("declared") == "not_public":
        return tk._(
            "The Table Schema says this column may not carry personal data in the open file. "
            "Leave it empty for natural persons (a company's RFC may stay) and upload the file again.")
    kinds = set(column.get("kinds") or {})
    advice = tk._(
        "This column is not declared as personal data. If these are not meant to be published, "
        "remove the column or its values and upload the file again. If publishing them is lawful, "
        "mark the dataset as containing personal data, cite the law in its justification, "
        "and confirm the file below.")
    if kinds <= {"email", "phone"}:
        advice += " " + tk._(
            "If these are the agency's institutional addresses or phone numbers rather than a "
            "person's, confirm the file and say so.")
    return advice


def anticorruption_red_flags(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The dataset's red flags as the visitor may see them, or None when it has none."""
    typ = types.dataset_type(pkg.get("type"))
    if typ is None or not typ.red_flags:
        return None
    try:
        found = tk.get_action("anticorruption_identifier_matches")({}, {"id": pkg["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    return found if found["registers"] or found["awards"] else None


def anticorruption_column_mapping_rows(validation: dict[str, Any]) -> list[tuple[str, str]]:
    """Each column of the file with the column of the type it holds ("" for none), for the mapping form.

    Read from how the check matched the header (``detected.columns``): the
    columns it matched, then those it kept aside. Empty when the header was
    the type's own, in order.
    """
    columns = (validation.get("detected") or {}).get("columns")
    if not isinstance(columns, dict):
        return []
    matched = [(str(entry.get("column", "")), str(entry.get("field") or ""))
               for entry in columns.get("mapping") or [] if isinstance(entry, dict)]
    return matched + [(str(label), "") for label in columns.get("extra") or []]


def anticorruption_previous_column_mapping(package_id: str | None) -> dict[str, str] | None:
    """The column mapping of the dataset's last file that has one, offered for its next file."""
    if not package_id:
        return None
    try:
        pkg = tk.get_action("package_show")({}, {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    for resource in reversed(pkg.get("resources") or []):
        if isinstance(resource.get("column_mapping"), dict) and resource["column_mapping"]:
            return resource["column_mapping"]
    return None


def anticorruption_column_mapping_reader() -> dict[str, Any]:
    """Where and how much of a chosen file the resource form sends to have its header read before the upload."""
    return {
        "url": tk.url_for("api.action", logic_function="anticorruption_column_mapping_suggest", ver=3),
        "max_bytes": validation_option("column_mapping_max_bytes"),
        "text_bytes": min(CSV_SAMPLE_BYTES, validation_option("column_mapping_max_bytes")),
    }

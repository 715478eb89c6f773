"""Template helpers: they return data, never HTML."""
from __future__ import annotations

import re
import threading
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.config import validation_option
from ckanext.anticorruption.coverage import cache as coverage_cache
from ckanext.anticorruption.coverage import scoring as coverage
from ckanext.anticorruption.dataset_types import types
from ckanext.anticorruption.identifiers import linkage
from ckanext.anticorruption.validation.suggest import CSV_SAMPLE_BYTES

__all__ = [
    "anticorruption_home",
    "anticorruption_datastore_load",
    "anticorruption_category",
    "anticorruption_coverage_criteria",
    "anticorruption_coverage_decision",
    "anticorruption_coverage_freshness_rules",
    "anticorruption_coverage_states",
    "anticorruption_choices",
    "anticorruption_column_mapping_choices",
    "anticorruption_column_mapping_reader",
    "anticorruption_dataset_type",
    "anticorruption_field_text",
    "anticorruption_header_summary",
    "anticorruption_resource_table_schema",
    "anticorruption_error_explanation",
    "anticorruption_error_group_text",
    "anticorruption_error_kind_label",
    "anticorruption_invisible_legend",
    "anticorruption_mapping_confidence",
    "anticorruption_number",
    "anticorruption_ocds_reading",
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
    "anticorruption_value_assumptions",
    "anticorruption_visible",
    "anticorruption_visible_row",
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
    counts = {"matched": _number(int(columns.get("matched") or 0)), "fields": _number(int(columns.get("fields") or 0))}
    headerless = "no-header-row" in ((validation.get("detected") or {}).get("warnings") or [])
    if headerless:
        text = tk._("Your file has no header row; the columns you named by position hold {matched} of the {fields} "
                    "columns of this type.").format(**counts)
    else:
        text = tk._("Your file's header matches {matched} of {fields} columns of this type.").format(**counts)
    return {
        "text": text,
        # Labels as the file has them: a TAB or a space at the end is shown, not hidden.
        "mapping": [(tk._("Column {number}").format(number=entry.get("column")) if headerless
                     else str(entry.get("column", "")), entry.get("field"))
                    for entry in columns.get("mapping") or [] if isinstance(entry, dict)],
        "missing_required": list(columns.get("missing_required") or []),
        "extra": [str(label) for label in columns.get("extra") or []],
        "extra_count": int(columns.get("extra_count") or 0),
    }


def anticorruption_datastore_load(validation: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the resource and report pages say of the file's DataStore table: who loaded it, with which types,
    how many rows in how long, its progress while it loads, or why it was not loaded.

    ``{"state", "text", "unfinished", "xloader"}``; ``xloader`` is the
    sentence saying ckanext-xloader leaves the file to this loader, when it
    runs on the portal. None when there is nothing to say (no DataStore, no load).
    """
    load = (validation or {}).get("datastore")
    if not load:
        return None
    from ckanext.anticorruption.datastore import load as datastore_load

    state, reason = load["state"], load.get("reason")
    count, total = _number(int(load.get("rows_loaded") or 0)), _number(int(load.get("rows_total") or 0))
    seconds = f"{float(load.get('load_seconds') or 0):.1f}"
    if state == "loading":
        text = tk._("Loading into the DataStore: {rows} of {total} rows.").format(rows=count, total=total)
    elif state == "indexing":
        text = tk._("Loaded into the DataStore by ckanext-anticorruption with the Table Schema's column types: "
                    "{rows} rows in {seconds} s. Building the search index: {done} of {total} rows.").format(
            rows=count, seconds=seconds, done=_number(int(load.get("rows_indexed") or 0)), total=total)
    elif state == "loaded":
        text = tk._("Loaded into the DataStore by ckanext-anticorruption with the Table Schema's column types: "
                    "{rows} rows in {seconds} s (search index: {index_seconds} s).").format(
            rows=count, seconds=seconds, index_seconds=f"{float(load.get('index_seconds') or 0):.1f}")
    elif state == "not_loaded":
        text = {
            "invalid": tk._("Not loaded into the DataStore: the file does not follow its Table Schema."),
            "header-mismatch": tk._("Not loaded into the DataStore: the columns of the file are not those of "
                                    "its type."),
            "held-back": tk._("Not loaded into the DataStore: the file is held back for a privacy review."),
        }.get(reason or "", tk._("Not loaded into the DataStore: the file could not be checked against a "
                                 "Table Schema."))
    elif reason == "search-index":
        text = tk._("Loaded into the DataStore by ckanext-anticorruption with the Table Schema's column types: "
                    "{rows} rows in {seconds} s, but its search index could not be built: searching its text "
                    "finds nothing.").format(rows=count, seconds=seconds)
    elif reason == "worker-lost":
        text = tk._("The load into the DataStore stopped before the end: the process that ran it stopped. "
                    "The validation result stands; check the file again to load it.")
    else:
        text = tk._("The load into the DataStore failed. The validation result stands; check the file again "
                    "to load it.")
    xloader = None
    import ckan.plugins as plugins

    if plugins.plugin_loaded("xloader") and validation and datastore_load.takes(
            validation["resource_id"]):
        xloader = tk._("XLoader also runs on this portal: it leaves this file to ckanext-anticorruption, which "
                       "loads it with the Table Schema's column types instead of guessing them.")
    return {"state": state, "text": text, "unfinished": state in ("loading", "indexing"), "xloader": xloader,
            "detail": load.get("detail")}


def anticorruption_number(value: Any) -> str:
    """A count as the reader's language writes it (1,808 in both es-MX and en)."""
    try:
        return _number(int(value or 0))
    except (TypeError, ValueError):
        return str(value)


# The portal's Spanish is Mexico's: 1,808 (Spain's Spanish writes 1808 and 18.080).
_NUMBER_LOCALES = {"es": "es_MX"}


def _number(value: int) -> str:
    """A count as the reader's language writes it (1,808 in Mexico and in English)."""
    from babel.numbers import format_decimal

    lang = current_lang()
    try:
        return format_decimal(value, locale=_NUMBER_LOCALES.get(lang, lang))
    except Exception:  # a locale babel does not know
        return f"{value:,}"


def anticorruption_problem_message(problem: str | None, params: dict[str, Any] | None = None) -> str:
    """Why a file could not be checked, in words a publisher can act on."""
    params = dict(params or {})
    if "sheets" in params and isinstance(params["sheets"], list):
        params["sheets"] = ", ".join(str(s) for s in params["sheets"])
    for count in ("columns", "max_columns", "required", "required_matched", "rows", "size", "limit"):
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
        "json-too-large": tk._("This JSON file has {size} bytes; OCDS files of up to {limit} bytes are checked here. Split it into smaller packages and upload them as separate files."),
        "json-encoding": tk._("The characters of the file could not be read as {encoding} (line {line}, column {column}). Save the JSON file as UTF-8 and upload it again."),
        "json-syntax": tk._("The file is not valid JSON: the text breaks off or has a mistake at line {line}, column {column} ({detail}). Check that the file is complete and was saved as JSON."),
        "json-too-deep": tk._("The JSON file nests objects and lists more than {depth} levels deep, far more than OCDS does, so it was not checked."),
        "json-not-ocds": tk._("The file is JSON, but not OCDS: an OCDS file is a release package (with «releases»), a record package (with «records»), a release or a record (with «ocid»)."),
        "header-mismatch": tk._("It has only {required_matched} of the {required} required columns, so its {rows} rows were not checked against this type (every row would only repeat the header's mistake). Rename the columns as in the type's template, or say which column is which."),
    }
    text = messages.get(problem or "", tk._("The file could not be checked."))
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def anticorruption_reading_notes(detected: dict[str, Any] | None, report: dict[str, Any] | None = None) -> list[str]:
    """What the reader assumed about a file as it came, one sentence each (separator, header row, padding, columns).

    With the ``report``, a file whose header came out as a single column
    holding another separator is said to use that separator.
    """
    from ckanext.anticorruption.validation.reports import separator_guess

    detected = detected or {}
    rows = [row for row in detected.get("header_rows") or [] if isinstance(row, int)]
    notes = []
    tasks = (report or {}).get("tasks") or []
    labels = tasks[0].get("labels") if tasks and isinstance(tasks[0], dict) else None
    guess = separator_guess(labels, detected.get("delimiter")) if detected.get("format") == "csv" else None
    if guess:
        names = {"\t": tk._("TAB"), **{char: f"«{char}»" for char in ";|,~^"}}
        notes.append(tk._("Your file seems to use {separator} as its separator, but it was read with {read}: each "
                          "row came out as a single column. Save it as \"CSV UTF-8 (comma delimited)\" and upload it "
                          "again.").format(separator=names[guess], read=names.get(detected.get("delimiter") or ",", "«,»")))
    for code in detected.get("warnings") or []:
        if code == "no-header-row" and isinstance(detected.get("columns"), dict):
            notes.append(tk._("The first row of this file holds data, not column names: the file was read as having "
                              "no header row, its columns taken as you named them by position."))
        elif code == "no-header-row":
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


def _date_shape(shape: str) -> str:
    """A date format as the reader's language writes it: dd/mm/yyyy, dd/mm/aaaa."""
    if shape.endswith(" hh:mm"):
        return tk._("{format} with a time of day, which was left out").format(format=_date_shape(shape[:-6]))
    if shape.startswith("long"):
        return tk._("a date written in words") + shape[4:]
    return re.sub(r"y+", lambda years: tk._("yyyy") if len(years[0]) == 4 else tk._("yy"), shape)


def _mark(char: str) -> str:
    return tk._("space") if char in (" ", "\u00a0") else char


def anticorruption_value_assumptions(detected: dict[str, Any] | None) -> list[str]:
    """What was assumed to read values as publishers write them, one sentence each
    ("312 dates in «resolution_date» were read as dd/mm/yyyy"), from ``detected.assumptions``."""
    sentences = []
    for item in (detected or {}).get("assumptions") or []:
        if not isinstance(item, dict):
            continue
        n, kind, field = int(item.get("count") or 0), item.get("kind"), item.get("field", "")
        params = item.get("params") or {}
        example = item.get("example") or {}
        values = {"n": _number(n), "field": field, "written": example.get("written", ""), "read": example.get("read", "")}
        if kind == "date":
            text = tk.ungettext("{n} date in «{field}» was read as {format}, e.g. «{written}» as {read}.",
                                "{n} dates in «{field}» were read as {format}, e.g. «{written}» as {read}.", n)
            values["format"] = _date_shape(str(params.get("format", "")))
        elif kind == "number":
            how = []
            if params.get("currency"):
                how.append(tk._("without «{mark}»").format(mark=params["currency"]))
            if params.get("group"):
                how.append(tk._("with «{mark}» separating thousands").format(mark=_mark(params["group"])))
            if params.get("decimal"):
                how.append(tk._("with «{mark}» for decimals").format(mark=_mark(params["decimal"])))
            text = tk.ungettext("{n} value in «{field}» was read as a number {how}, e.g. «{written}» as {read}.",
                                "{n} values in «{field}» were read as numbers {how}, e.g. «{written}» as {read}.", n)
            values["how"] = ", ".join(how) or tk._("without the spaces around them")
        elif kind == "value":
            text = tk.ungettext("«{written}» was read as «{read}» in {n} row of «{field}».",
                                "«{written}» was read as «{read}» in {n} rows of «{field}».", n)
        elif kind == "upper":
            text = tk.ungettext(
                "{n} identifier in «{field}» was trimmed and upper-cased, e.g. «{written}» as {read}.",
                "{n} identifiers in «{field}» were trimmed and upper-cased, e.g. «{written}» as {read}.", n)
        elif kind == "missing":
            text = tk.ungettext("«{written}» was read as an empty cell in {n} row of «{field}».",
                                "«{written}» was read as an empty cell in {n} rows of «{field}».", n)
        else:
            continue
        sentences.append(text.format(**values))
    return sentences


def _rows_phrase(n: int, rows: int | None, capped: bool = False) -> str:
    """How many rows a group holds, as the start of its sentence: "All 1,808", "1,786 of 1,808", "3"."""
    if capped:  # a report stored before runs counted every group
        return f"{_number(n)}+"
    if rows and rows > 1 and n == rows:
        return tk._("All {rows}").format(rows=_number(rows))
    if rows and 1 < n < rows:
        return tk._("{n} of {rows}").format(n=_number(n), rows=_number(rows))
    return _number(n)


def anticorruption_error_group_text(group: dict[str, Any], table_schema: dict[str, Any] | None = None,
                                    rows: int | None = None) -> str:
    """One group of errors in plain words, e.g. "1,786 of 1,808 rows have a value in «amount» that is not a number".

    ``rows`` is how many rows the file has: a group that holds every row
    says so ("All 1,808 rows …").
    """
    n = group["count"]
    if str(group.get("type", "")).startswith("ocds-"):
        return _ocds_group_text(group)
    phrase = _rows_phrase(n, rows, bool(group.get("capped")))
    field = group.get("field") or ""
    kind = group["type"]
    field_type = ""
    for f in (table_schema or {}).get("fields", []):
        if f.get("name") == field:
            field_type = f.get("type", "")
    type_words = _type_words()
    if kind == "type-error":
        text = tk.ungettext("{n} row has a value in «{field}» that is not {what}",
                            "{n} rows have a value in «{field}» that is not {what}", n)
        return text.format(n=phrase, field=field, what=type_words.get(field_type, field_type))
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
        return constraint_templates[group["constraint"]].format(n=phrase, field=field)
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
        # A check digit that does not match, a generic RFC, a buying unit's code: each row says which.
        "identifier-warning": tk.ungettext("{n} row has an identifier in «{field}» to check",
                                           "{n} rows have identifiers in «{field}» to check", n),
        "incorrect-label": tk._("Column «{field}» has a different name in the header"),
        "missing-label": tk._("The header has no column «{field}»"),
        "extra-label": tk.ungettext("The header has {n} column that is not in this type's columns",
                                    "The header has {n} columns that are not in this type's columns", n),
        "blank-label": tk._("The header has a column without a name"),
        "duplicate-label": tk._("The header repeats a column name"),
    }
    text = templates.get(kind, tk.ungettext("{n} error of kind {kind}", "{n} errors of kind {kind}", n))
    return text.format(n=_number(n) if kind.endswith("-label") else phrase, field=field, kind=kind)


def _ocds_group_text(group: dict[str, Any]) -> str:
    """One group of OCDS errors in plain words: "«awards[].date» is not a date and time in 3 places"."""
    n, field, kind = group["count"], group.get("field") or "", group["type"]
    count = f"{_number(n)}+" if group.get("capped") else _number(n)
    templates = {
        "ocds-required": tk.ungettext("«{field}» is missing {n} time; it is required",
                                      "«{field}» is missing {n} times; it is required", n),
        "ocds-type": tk.ungettext("{n} value of «{field}» is not of the kind the schema expects",
                                  "{n} values of «{field}» are not of the kind the schema expects", n),
        "ocds-enum": tk.ungettext("{n} value of «{field}» is not in its codelist",
                                  "{n} values of «{field}» are not in its codelist", n),
        "ocds-format": tk.ungettext("{n} value of «{field}» is not written in the format the schema expects",
                                    "{n} values of «{field}» are not written in the format the schema expects", n),
        "ocds-pattern": tk.ungettext("{n} value of «{field}» is not written in the expected form",
                                     "{n} values of «{field}» are not written in the expected form", n),
        "ocds-uniqueItems": tk.ungettext("{n} list «{field}» repeats an element",
                                         "{n} lists «{field}» repeat an element", n),
        "ocds-minItems": tk.ungettext("{n} list «{field}» is empty or too short",
                                      "{n} lists «{field}» are empty or too short", n),
        "ocds-minLength": tk.ungettext("{n} value of «{field}» is empty or too short",
                                       "{n} values of «{field}» are empty or too short", n),
    }
    text = templates.get(kind, tk.ungettext("{n} value of «{field}» breaks a rule of the OCDS schema",
                                            "{n} values of «{field}» break a rule of the OCDS schema", n))
    return text.format(n=count, field=field)


def anticorruption_ocds_reading(detected: dict[str, Any] | None) -> list[str]:
    """What an OCDS file was read as and checked against, one sentence each (empty for a table)."""
    ocds = (detected or {}).get("ocds")
    if not isinstance(ocds, dict):
        return []
    shapes = {
        "release-package": tk._("An OCDS release package, each release checked against the release schema {version}."),
        "record-package": tk._("An OCDS record package, each record checked against the record schema {version}."),
        "release": tk._("A single OCDS release, checked against the release schema {version}."),
        "record": tk._("A single OCDS record, checked against the record schema {version}."),
    }
    version = str(ocds.get("checked_against") or "1.1")
    sentences = [shapes.get(str(ocds.get("shape")), shapes["release"]).format(version=version)]
    declared = ocds.get("version")
    if not declared:
        sentences.append(tk._("The file does not say which OCDS version it follows (OCDS 1.0 files do not): it was "
                              "checked against version {version}, whose rules 1.0 files mostly follow.").format(
                                  version=version))
    elif declared != version:
        sentences.append(tk._("The file says it follows OCDS {declared}: it was checked against version {version}.")
                         .format(declared=str(declared)[:20], version=version))
    return sentences


def _ocds_explanation(group: dict[str, Any], row: dict[str, Any]) -> str:
    kind, expected = group["type"], row.get("expected")
    if kind == "ocds-required":
        name = str(group.get("field") or "").rsplit(".", 1)[-1]
        return tk._("Add «{name}» here: the OCDS schema requires it.").format(name=name)
    if kind == "ocds-type":
        words = {"string": tk._("text in quotes"), "number": tk._("a number"), "integer": tk._("a whole number"),
                 "array": tk._("a list [ … ]"), "object": tk._("an object { … }"), "boolean": tk._("true or false"),
                 "null": tk._("null")}
        kinds = [words.get(str(t), str(t)) for t in (expected or [])]
        return tk._("Write {kinds} here.").format(kinds=tk._(" or ").join(kinds) if kinds else "?")
    if kind == "ocds-enum":
        values = [str(v) for v in (expected or [])]
        shown = ", ".join(values[:25]) + (" …" if len(values) > 25 else "")
        return tk._("Use one of the codes of its codelist: {values}.").format(values=shown)
    if kind == "ocds-format" and expected == "date-time":
        return tk._("Write the date and time as ISO 8601 with its time zone, e.g. 2016-03-01T00:00:00-06:00.")
    if kind == "ocds-format" and expected == "uri":
        return tk._("Write a full web address, starting with https:// (no spaces).")
    if kind == "ocds-pattern" and expected:
        return tk._("Write it in the form the standard expects (regular expression {pattern}).").format(
            pattern=expected)
    if kind == "ocds-uniqueItems" and isinstance(expected, int):
        return tk._("The same as number {n}: remove the repetition.").format(n=expected)
    if kind == "ocds-uniqueItems":
        return tk._("Remove the repeated element.")
    if kind in ("ocds-minItems", "ocds-minLength"):
        return tk._("Fill it in, or leave the field out if there is nothing to say.")
    return tk._("This value does not follow the OCDS 1.1 schema (see the field's description in the standard).")


def _type_words() -> dict[str, str]:
    return {
        "number": tk._("a number"), "integer": tk._("a whole number"),
        "date": tk._("a date written as YYYY-MM-DD"), "datetime": tk._("a date and time"),
        "boolean": tk._("yes or no"), "year": tk._("a year"),
    }


def anticorruption_error_kind_label(kind: str) -> str:
    """The name of a kind of error, in the page's language (frictionless names them in English only)."""
    labels = {
        "type-error": tk._("Wrong kind of value"),
        "constraint-error": tk._("A rule of the column is not met"),
        "unique-error": tk._("Repeated value"),
        "primary-key": tk._("Repeated key"),
        "missing-cell": tk._("Missing cell"),
        "extra-cell": tk._("Extra cell"),
        "blank-row": tk._("Empty row"),
        "extra-label": tk._("Column this type does not have"),
        "missing-label": tk._("Missing column"),
        "blank-label": tk._("Column without a name"),
        "duplicate-label": tk._("Repeated column name"),
        "incorrect-label": tk._("Column with another name"),
        "identifier-error": tk._("Identifier that is not valid"),
        "identifier-warning": tk._("Identifier to check"),
        "ocds-required": tk._("Required field missing (OCDS)"),
        "ocds-type": tk._("Wrong kind of value (OCDS)"),
        "ocds-enum": tk._("Code not in the codelist (OCDS)"),
        "ocds-format": tk._("Wrong format (OCDS)"),
        "ocds-pattern": tk._("Not in the expected form (OCDS)"),
        "ocds-uniqueItems": tk._("Repeated element (OCDS)"),
    }
    return labels.get(kind, tk._("Other problem"))


_POSITION = re.compile(r'position "?(\d+)')


def anticorruption_error_explanation(group: dict[str, Any], row: dict[str, Any],
                                     table_schema: dict[str, Any] | None = None) -> str:
    """What the publisher should write instead, for one offending cell, in the page's language.

    Every kind of error has its own sentence: frictionless's notes are
    English and name its internals ("type is date/default"), so none is shown.
    """
    field = next((f for f in (table_schema or {}).get("fields", [])
                  if f.get("name") == group.get("field")), {})
    if str(group.get("type", "")).startswith("ocds-"):
        return _ocds_explanation(group, row)
    constraints = field.get("constraints", {})
    rule = group.get("constraint")
    kind = group["type"]
    if kind == "type-error":
        return _type_explanation(field)
    if rule == "enum":
        return tk._("Use one of: {values}.").format(values=", ".join(map(str, constraints.get("enum", []))))
    if rule == "pattern" and field.get("example"):
        return tk._("Write it like this example: {example}.").format(example=field["example"])
    if rule == "pattern":
        return tk._("Write it in the form this column expects (see its description in the Table Schema).")
    if rule == "required":
        return tk._("Fill in this cell.")
    if rule in ("minimum", "exclusiveMinimum"):
        return tk._("Use a value of at least {n}.").format(n=constraints.get(rule))
    if rule in ("maximum", "exclusiveMaximum"):
        return tk._("Use a value of at most {n}.").format(n=constraints.get(rule))
    if rule == "minLength":
        return tk._("Write at least {n} characters.").format(n=constraints.get(rule))
    if rule == "maxLength":
        return tk._("Write at most {n} characters.").format(n=constraints.get(rule))
    if kind in ("identifier-error", "identifier-warning"):
        return _identifier_explanation(row, field)
    position = _POSITION.search(str(row.get("note") or ""))
    if kind == "unique-error" and position:
        return tk._("The same value as row {row}: each row needs its own.").format(row=position.group(1))
    if kind == "primary-key" and position:
        return tk._("The same key as row {row}: each row needs its own.").format(row=position.group(1))
    if kind == "primary-key":
        return tk._("The key of this row is empty: fill it in.")
    if kind == "duplicate-label" and position:
        return tk._("Column {column} has the same name: rename one of them, or delete it.").format(
            column=position.group(1))
    explanations = {
        "constraint-error": tk._("This value breaks a rule of the column (see its description in the Table Schema)."),
        "unique-error": tk._("This value is repeated in another row: each row needs its own."),
        "extra-cell": tk._("This row has more cells than the header: look for the separator inside a value "
                           "(put that value in quotes) or at the end of the row."),
        "missing-cell": tk._("This row ends before this column: look for a line break inside a value, or a "
                             "missing separator."),
        "blank-row": tk._("Delete the empty row."),
        "extra-label": tk._("Kept as it is and not checked. If it holds one of this type's columns, say which one "
                            "when you match the columns."),
        "missing-label": tk._("Add this column (it is in the type's template), or say which column of your file "
                              "holds it."),
        "blank-label": tk._("Give this column a name, or delete it if it is empty."),
        "duplicate-label": tk._("Another column has this name: rename one of them, or delete it."),
        "incorrect-label": tk._("Rename the column to «{field}», or say which column of your file holds it.").format(
            field=group.get("field") or ""),
    }
    if kind in explanations:
        return explanations[kind]
    return tk._("This value does not follow the Table Schema of this type.")


def _type_explanation(field: dict[str, Any]) -> str:
    field_type = field.get("type")
    if field_type == "date":
        return tk._("Write the date as YYYY-MM-DD, e.g. 2025-03-10.")
    if field_type in ("number", "integer"):
        return tk._("Write only digits, with a dot for decimals and no thousands separators, e.g. 48250000.50.")
    if field_type == "datetime":
        return tk._("Write the date and time as YYYY-MM-DDThh:mm:ss, e.g. 2025-03-10T09:30:00.")
    if field_type == "year":
        return tk._("Write the year with four digits, e.g. 2025.")
    if field_type == "boolean":
        values = [*(field.get("trueValues") or ["true"]), *(field.get("falseValues") or ["false"])]
        return tk._("Use one of: {values}.").format(values=", ".join(map(str, values)))
    if field.get("format") == "email":
        return tk._("Write an e-mail address, e.g. contacto@dependencia.gob.mx.")
    if field.get("format") == "uri":
        return tk._("Write a web address that starts with http:// or https://.")
    return tk._("This value is not of the kind this column holds.")


def _identifier_explanation(row: dict[str, Any], field: dict[str, Any]) -> str:
    explanation = _scheme_explanation(row, field)
    schemes = (field.get("identifier") or {}).get("schemes") or []
    if "ORG-ID" in schemes and row.get("scheme") != "ORG-ID" and row.get("problem") != "check-digit":
        return explanation + " " + tk._("For a foreign firm, write the code of its register before its number, "
                                        "e.g. GB-COH-01234567 (see org-id.guide).")
    return explanation


def _scheme_explanation(row: dict[str, Any], field: dict[str, Any]) -> str:
    scheme, problem = row.get("scheme"), row.get("problem")
    example = field.get("example")
    if problem == "country":
        return tk._("An org-id identifier starts with a country's two-letter code (or XI, XM) and the code of "
                    "its register, such as «GB-COH-».")
    if problem == "length" and scheme == "MX-RFC":
        return tk._("An RFC has 12 characters for a company and 13 for a person.")
    if problem == "length" and scheme == "MX-CURP":
        return tk._("A CURP has 18 characters.")
    if problem == "date":
        return tk._("The six digits of the identifier are a date (YYMMDD) that does not exist.")
    if problem == "component":
        return tk._("The two letters after the H or M are not the code of a Mexican state.")
    if problem == "format" and scheme == "MX-UR":
        return tk._("A budget unit code is the ramo's two digits and the unidad responsable's three letters or "
                    "digits, e.g. 09-210 or 06E00. Write the code, not the unit's name or e-mail address.")
    if problem == "buying-unit":
        return tk._("This is a CompraNet buying-unit code (CLAVEUC), not a budget unit code: it is linked to other "
                    "datasets by its ramo and unidad responsable (its 2nd to 6th characters).")
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
    return tk._("This identifier is not written as its register writes them.")


def anticorruption_visible(value: Any, limit: int | None = None) -> list[dict[str, str]]:
    """A cell's text with what cannot be seen in it (TAB, space at either end, …) as marks; see
    ``reports.visible_segments``. Data: the template writes the marks (macros/visible.html)."""
    from ckanext.anticorruption.validation.reports import visible_segments

    return visible_segments(value, limit)


def anticorruption_visible_row(cells: list[Any] | None, limit: int = 200) -> list[list[dict[str, str]]]:
    """The cells of a row, each as :func:`anticorruption_visible`, cut after ``limit`` characters in all."""
    from ckanext.anticorruption.validation.reports import visible_row

    return visible_row(cells, limit)


def _mark_labels() -> dict[str, str]:
    return {
        "tab": tk._("TAB (tabulator)"),
        "space-start": tk._("space at the start"),
        "space-end": tk._("space at the end"),
        "special-space": tk._("non-breaking or other special space, not an ordinary space"),
        "line-break": tk._("line break inside the cell"),
        "zero-width": tk._("zero-width character (it takes no room on screen)"),
        "bom": tk._("byte order mark (BOM), which some programs leave at the start of a file"),
        "direction": tk._("character that changes the direction of the text"),
        "control": tk._("control character (it cannot be seen)"),
    }


# The mark the legend shows for each kind; characters shown by their code
# point (⟨U+200B⟩) are shown as ⟨U+…⟩.
_LEGEND_SYMBOLS = {"tab": "⇥", "space-start": "␣", "space-end": "␣", "special-space": "⍽", "line-break": "↵"}


def anticorruption_invisible_legend(validation: dict[str, Any] | None = None,
                                    groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What each mark for an invisible character means (``labels``, by kind, for the marks' titles)
    and the marks used on this report's page (``used``: symbol and label, for the legend)."""
    from ckanext.anticorruption.validation.reports import marks_in

    labels = _mark_labels()
    values: list[Any] = []
    for group in groups or []:
        for row in group.get("rows") or []:
            values.append(row.get("cell"))
            values.append(row.get("label"))
            values.extend(row.get("cells") or [])
    columns = ((validation or {}).get("detected") or {}).get("columns")
    if isinstance(columns, dict):
        values.extend(entry.get("column") for entry in columns.get("mapping") or [] if isinstance(entry, dict))
        values.extend(columns.get("extra") or [])
    used = [{"kind": kind, "symbol": _LEGEND_SYMBOLS.get(kind, "⟨U+…⟩"), "label": labels[kind]}
            for kind in marks_in(values)]
    return {"labels": labels, "used": used}


def anticorruption_mapping_confidence(how: str | None) -> dict[str, str]:
    """How sure the suggested match of a column is, in a publisher's words: ``level`` and ``reason``."""
    reasons = {
        "explicit": (tk._("Sure"), tk._("You chose it.")),
        "name": (tk._("Sure"), tk._("Your column has the name of this column.")),
        "title": (tk._("Very likely"), tk._("Your column has the title of this column.")),
        "alias": (tk._("Likely"), tk._("Your column has a name publishers often give this column. Check it.")),
        "ignored": (tk._("Sure"), tk._("You left it out.")),
        "position": (tk._("Assumed"), tk._("Taken from the order of the columns in the Table Schema: check it.")),
    }
    level, reason = reasons.get(how or "", (tk._("No match"), tk._("No column of this type has this name: choose "
                                                                   "one, or leave it out.")))
    return {"how": how or "", "level": level, "reason": reason}


def anticorruption_coverage_states() -> list[dict[str, str]]:
    """The states of a coverage cell, in the legend's order: id, symbol, label, meaning."""
    states = {
        "missing": ("✗", tk._("Missing"), tk._("Not published, and not declared as not applicable.")),
        "invalid": ("!", tk._("Invalid"), tk._("Published, but a file does not match the type's Table Schema.")),
        "outdated": ("◷", tk._("Out of date"), tk._("Published, but not updated as often as its update frequency promises.")),
        "unchecked": ("?", tk._("Published, not checked"), tk._(
            "Published and up to date, but its newest file could not be checked against the type's Table Schema "
            "(a PDF, a format the portal does not read, a link to a web page). It counts as published, not as "
            "valid.")),
        "published": ("✓", tk._("Published"), tk._("Published, its newest file valid, and up to date.")),
        "nothing_to_report": ("∅", tk._("Nothing to report"), tk._("The agency declared there is nothing to report for the period, and why.")),
        "not_applicable": ("–", tk._("Not applicable"), tk._("The agency or the portal declared that this type does not apply, and why.")),
    }
    return [{"id": s, "symbol": states[s][0], "label": states[s][1], "meaning": states[s][2]}
            for s in coverage.STATES]


def anticorruption_coverage_decision(decided: dict[str, Any] | None) -> dict[str, str]:
    """Why a dataset counts as valid, invalid or not checked, in words: a short
    ``verdict`` and a ``reason`` (a sentence, or empty).

    ``decided`` is a dataset's ``decided_by`` (see
    ``anticorruption_coverage_organization_show``): its newest file.
    """
    if decided is None:
        return {"verdict": tk._("not checked"), "reason": tk._("The dataset has no files.")}
    state, problem, params = decided.get("state"), decided.get("problem"), decided.get("problem_params")
    if decided["verdict"] == "valid":
        return {"verdict": tk._("valid"), "reason": ""}
    if state == "invalid" and not problem:
        count = int(decided.get("error_count") or 0)
        return {"verdict": tk._("invalid"), "reason": tk.ungettext(
            "It has {n} error against the type's Table Schema.",
            "It has {n} errors against the type's Table Schema.", count).format(n=_number(count))}
    if state in ("invalid", "error"):
        return {"verdict": tk._("invalid"), "reason": anticorruption_problem_message(problem, params)}
    if state in ("pending", "running"):
        return {"verdict": tk._("not checked yet"), "reason": tk._("It is being checked.")}
    if state == "not_validated":
        return {"verdict": tk._("could not be checked"), "reason": anticorruption_problem_message(problem, params)}
    return {"verdict": tk._("could not be checked"), "reason": tk._("It has not been checked.")}


def anticorruption_coverage_criteria() -> list[dict[str, str]]:
    """The scoring criteria, each worth 20 points per dataset."""
    return [
        {"id": "published", "label": tk._("Published"), "meaning": tk._("The dataset is public.")},
        {"id": "open", "label": tk._("Open licence"), "meaning": tk._("Its licence lets anyone reuse the data.")},
        {"id": "machine_readable", "label": tk._("Machine-readable"),
         "meaning": tk._("At least one file is in a format programs can read (CSV, Excel, JSON, XML…), not only PDF.")},
        {"id": "valid", "label": tk._("Valid"),
         "meaning": tk._("Its newest file was checked and matches the type's Table Schema.")},
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


def anticorruption_column_mapping_choices(validation: dict[str, Any], column_mapping: dict[str, Any] | None = None,
                                          table_schema: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each column of the file for the report's mapping form: ``label`` (as the file has it; its
    position, "3", in a file without a header row), ``field`` suggested ("" for none), ``how`` it
    was matched (see mapping.CONFIDENCE; "ignored" for a column the resource's ``column_mapping``
    leaves out, "position" for a column taken by its place in the Table Schema) and ``example``,
    the column's first value in a file without a header row (None otherwise).

    The columns the check matched, then those it kept aside; empty when the
    header was the type's own, in order.
    """
    from ckanext.anticorruption.validation.mapping import CONFIDENCE

    detected = validation.get("detected") or {}
    first_row = detected.get("first_row") if isinstance(detected.get("first_row"), list) else None
    columns = detected.get("columns")
    if not isinstance(columns, dict):
        if first_row is None:
            return []
        # No header row and no mapping yet: the columns were taken in the Table Schema's order.
        names = [spec.get("name") for spec in (table_schema or {}).get("fields") or []]
        return [{"label": str(number), "field": names[number - 1] if number <= len(names) else "",
                 "how": "position" if number <= len(names) else "", "example": value}
                for number, value in enumerate(first_row, start=1)]
    by_confidence = {confidence: how for how, confidence in CONFIDENCE.items()}
    left_out = {label for label, field in (column_mapping or {}).items() if not field} if isinstance(
        column_mapping, dict) else set()

    def example(label: str) -> str | None:
        if first_row is None or not label.isdigit() or not 0 < int(label) <= len(first_row):
            return None
        return first_row[int(label) - 1]

    choices = [{"label": str(entry.get("column", "")), "field": str(entry.get("field") or ""),
                # Reports stored before the match said how it was found give only its confidence.
                "how": entry.get("how") or by_confidence.get(entry.get("confidence"), "")}
               for entry in columns.get("mapping") or [] if isinstance(entry, dict)]
    choices += [{"label": str(label), "field": "", "how": "ignored" if label in left_out else ""}
                for label in columns.get("extra") or []]
    return [{**choice, "example": example(choice["label"])} for choice in choices]


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


# The home page's red flags are public data, the same for every visitor: each web
# process computes them again only when a dataset or a run has changed since (the
# portal-wide matching is the home page's costliest part).
_home_flags: dict[str, Any] = {}
_home_flags_lock = threading.Lock()


def _public_red_flags() -> list[dict[str, Any]]:
    version = linkage.index_version()
    with _home_flags_lock:
        if _home_flags.get("version") == version:
            return _home_flags["datasets"]
    # As an anonymous visitor: the home page shows public data only, whoever is signed in.
    found = tk.get_action("anticorruption_identifier_matches")({"user": ""}, {})["datasets"]
    with _home_flags_lock:
        _home_flags.update(version=version, datasets=found)
    return found


def anticorruption_home(flags: int = 5, behind: int = 5) -> dict[str, Any]:
    """What the home page shows: the national coverage summary and its trend, the
    categories with their types, the latest red flags (public data only) and
    the agencies furthest behind."""
    # As an anonymous visitor: public figures only, from the matrix shared by every request,
    # and worked out once per change of the matrix (its stamp covers the history) or of the red flags.
    matrix = tk.get_action("anticorruption_coverage")({"user": ""}, {})
    return coverage_cache.derived(matrix, ("home", flags, behind, linkage.index_version()),
                                  lambda: _home(matrix, flags, behind))


def _home(matrix: dict[str, Any], flags: int, behind: int) -> dict[str, Any]:
    history = tk.get_action("anticorruption_coverage_history")({"user": ""}, {"limit": 365})
    rows = [row for row in matrix["rows"] if row["expected"]]
    furthest = sorted(rows, key=lambda row: (row["score"] if row["score"] is not None else -1,
                                             row["published"], row["organization"]["title"] or ""))[:behind]
    datasets = sorted(_public_red_flags(), key=lambda found: (found["dataset"] or {}).get("metadata_modified") or "",
                      reverse=True)
    return {"summary": matrix["summary"], "categories": matrix["categories"], "history": history,
            "trend": coverage.trend_points(history), "red_flags": datasets[:flags], "behind": furthest}

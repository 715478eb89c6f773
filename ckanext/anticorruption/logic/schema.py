"""Input schemas of the extension's actions."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = [
    "column_mapping_suggest_schema", "coverage_cell_schema", "coverage_declare_schema", "coverage_history_schema", "coverage_organization_schema",
    "coverage_organization_show_schema", "coverage_schema", "id_schema", "identifier_matches_schema",
    "identifier_show_schema", "national_file_show_schema", "no_input_schema", "organization_catalog_show_schema", "privacy_review_schema",
    "validation_run_schema", "validation_show_schema", "vocabulary_show_schema",
]

# Daily snapshots: a century is more than anyone keeps, and less than PostgreSQL's LIMIT overflows at.
MAX_HISTORY = 36500
# Serializations of the DCAT documents (ckanext-dcat's names).
RDF_FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")


def no_input_schema() -> Schema:
    """Actions without parameters: anything given is left aside."""
    return {}


@validator_args
def id_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    """Actions that show one thing by its id: a dataset type, a file's errors, its privacy scan."""
    return {"id": [not_empty, unicode_safe, _no_nul]}


@validator_args
def validation_run_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                          boolean_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe, _no_nul],
        "background": [ignore_missing, boolean_validator],
        "force": [ignore_missing, boolean_validator],
    }


@validator_args
def validation_show_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                           boolean_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe, _no_nul],
        "include_report": [ignore_missing, boolean_validator],
    }


@validator_args
def vocabulary_show_schema(default: Validator, one_of: Validator) -> Schema:
    return {"format": [default("ttl"), one_of(RDF_FORMATS)]}


@validator_args
def organization_catalog_show_schema(not_empty: Validator, unicode_safe: Validator, default: Validator,
                                     one_of: Validator, is_positive_integer: Validator,
                                     ignore_missing: Validator, isodate: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe, _no_nul],
        "format": [default("ttl"), one_of(RDF_FORMATS)],
        "page": [default(1), is_positive_integer],
        "modified_since": [ignore_missing, isodate],
    }


@validator_args
def column_mapping_suggest_schema(ignore_missing: Validator, unicode_safe: Validator,
                                  boolean_validator: Validator, strip_value: Validator) -> Schema:
    return {
        "type": [ignore_missing, strip_value, unicode_safe, _no_nul, _max_length(100)],
        "package_id": [ignore_missing, strip_value, unicode_safe, _no_nul, _max_length(100)],
        "upload": [_an_upload],
        "filename": [ignore_missing, unicode_safe, _no_nul, _max_length(1000)],
        "format": [ignore_missing, strip_value, unicode_safe, _no_nul, _max_length(100)],
        "sheet": [ignore_missing, strip_value, unicode_safe, _no_nul, _max_length(1000)],
        "truncated": [ignore_missing, boolean_validator],
        "column_mapping": [ignore_missing, _a_json_object],
    }


def _an_upload(value: Any) -> Any:
    """A file sent as multipart/form-data (CKAN gives it as a FileStorage), or its bytes."""
    if isinstance(value, (bytes, bytearray)) or callable(getattr(getattr(value, "stream", value), "read", None)):
        return value
    raise tk.Invalid(tk._("Send the beginning of the file as a multipart/form-data field named upload"))


def _a_json_object(value: Any) -> Any:
    """A JSON object (or its text); anything else is left aside: it is only a hint."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in list(value.items())[:10000]}


def _no_nul(value: Any) -> Any:
    """PostgreSQL refuses a NUL character in text: say so instead of failing the request."""
    if isinstance(value, str) and "\x00" in value:
        raise tk.Invalid(tk._("Must not contain NUL characters"))
    return value


def _strict_boolean(value: Any) -> Any:
    """true or false (also yes/no, 1/0); anything else is an error, not a silent false."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "t", "y", "1", "on"):
        return True
    if text in ("false", "no", "f", "n", "0", "off", ""):
        return False
    raise tk.Invalid(tk._("Must be true or false"))


def _at_most(limit: int) -> Validator:
    def validator(value: Any) -> Any:
        if value is not None and int(value) > limit:
            raise tk.Invalid(tk._("At most {limit}").format(limit=limit))
        return value

    return validator


def _max_length(limit: int) -> Validator:
    def validator(value: Any) -> Any:
        if value is not None and len(str(value)) > limit:
            raise tk.Invalid(tk._("At most {limit} characters").format(limit=limit))
        return value

    return validator


@validator_args
def coverage_schema(ignore_missing: Validator, unicode_safe: Validator, list_of_strings: Validator,
                    convert_to_list_if_string: Validator) -> Schema:
    return {
        "organization": [ignore_missing, unicode_safe, _no_nul],
        "type": [ignore_missing, convert_to_list_if_string, list_of_strings],
    }


@validator_args
def coverage_organization_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [not_empty, unicode_safe, _no_nul]}


@validator_args
def coverage_organization_show_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                                      natural_number_validator: Validator) -> Schema:
    return {
        "organization": [not_empty, unicode_safe, _no_nul],
        "history_limit": [ignore_missing, natural_number_validator, _at_most(MAX_HISTORY)],
    }


@validator_args
def coverage_cell_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [not_empty, unicode_safe, _no_nul], "type": [not_empty, unicode_safe, _no_nul]}


@validator_args
def coverage_declare_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                            one_of: Validator, strip_value: Validator) -> Schema:
    return {
        "organization": [not_empty, unicode_safe, _no_nul],
        "type": [not_empty, unicode_safe, _no_nul],
        "status": [not_empty, one_of(["not_applicable", "nothing_to_report"])],
        "reason": [strip_value, not_empty, unicode_safe, _no_nul, _max_length(1000)],
        "period": [ignore_missing, strip_value, unicode_safe, _no_nul, _max_length(50)],
        "by_portal": [ignore_missing, _strict_boolean],
    }


@validator_args
def coverage_history_schema(ignore_missing: Validator, unicode_safe: Validator,
                            natural_number_validator: Validator) -> Schema:
    return {
        "organization": [ignore_missing, unicode_safe, _no_nul],
        "limit": [ignore_missing, natural_number_validator, _at_most(MAX_HISTORY)],
    }


@validator_args
def identifier_matches_schema(ignore_empty: Validator, unicode_safe: Validator) -> Schema:
    # No _no_nul or length limit: such an id names no dataset, and the action says "Dataset not found".
    return {"id": [ignore_empty, unicode_safe]}


@validator_args
def identifier_show_schema(ignore_empty: Validator, unicode_safe: Validator, strip_value: Validator) -> Schema:
    # Whether the scheme is known and the identifier well formed (NUL characters included) is the
    # action's answer, with a message that names the field and the scheme.
    return {
        "scheme": [ignore_empty, unicode_safe, strip_value],
        "identifier": [ignore_empty, unicode_safe, strip_value],
    }


@validator_args
def privacy_review_schema(not_empty: Validator, unicode_safe: Validator, one_of: Validator,
                          strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe, _no_nul],
        "decision": [not_empty, unicode_safe, _no_nul, one_of(["confirm"])],
        "justification": [strip_value, not_empty, unicode_safe, _no_nul],
    }


@validator_args
def national_file_show_schema(not_empty: Validator, unicode_safe: Validator, one_of: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe, _no_nul], "format": [not_empty, one_of(["csv", "parquet"])]}

"""Input schemas of the extension's actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = [
    "coverage_cell_schema", "coverage_declare_schema", "coverage_history_schema", "coverage_organization_schema",
    "coverage_schema", "dataset_type_show_schema", "organization_catalog_show_schema", "privacy_review_schema", "privacy_show_schema",
    "validation_run_schema",
    "validation_show_schema", "vocabulary_show_schema",
]

# Serializations of the DCAT documents (ckanext-dcat's names).
RDF_FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")


@validator_args
def dataset_type_show_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def validation_run_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                          boolean_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "background": [ignore_missing, boolean_validator],
        "force": [ignore_missing, boolean_validator],
    }


@validator_args
def validation_show_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                           boolean_validator: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
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
        "id": [not_empty, unicode_safe],
        "format": [default("ttl"), one_of(RDF_FORMATS)],
        "page": [default(1), is_positive_integer],
        "modified_since": [ignore_missing, isodate],
    }


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
        "organization": [ignore_missing, unicode_safe],
        "type": [ignore_missing, convert_to_list_if_string, list_of_strings],
    }


@validator_args
def coverage_organization_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [not_empty, unicode_safe]}


@validator_args
def coverage_cell_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"organization": [not_empty, unicode_safe], "type": [not_empty, unicode_safe]}


@validator_args
def coverage_declare_schema(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
                            boolean_validator: Validator, one_of: Validator, strip_value: Validator) -> Schema:
    return {
        "organization": [not_empty, unicode_safe],
        "type": [not_empty, unicode_safe],
        "status": [not_empty, one_of(["not_applicable", "nothing_to_report"])],
        "reason": [strip_value, not_empty, unicode_safe, _max_length(1000)],
        "period": [ignore_missing, strip_value, unicode_safe, _max_length(50)],
        "by_portal": [ignore_missing, boolean_validator],
    }


@validator_args
def coverage_history_schema(ignore_missing: Validator, unicode_safe: Validator,
                            natural_number_validator: Validator) -> Schema:
    return {
        "organization": [ignore_missing, unicode_safe],
        "limit": [ignore_missing, natural_number_validator],
    }


@validator_args
def privacy_show_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def privacy_review_schema(not_empty: Validator, unicode_safe: Validator, one_of: Validator,
                          strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "decision": [not_empty, unicode_safe, one_of(["confirm"])],
        "justification": [strip_value, not_empty, unicode_safe],
    }

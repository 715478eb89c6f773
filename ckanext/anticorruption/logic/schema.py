"""Input schemas of the extension's actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = ["dataset_type_show_schema", "validation_run_schema", "validation_show_schema",
           "vocabulary_show_schema", "organization_catalog_show_schema"]

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

"""One auth function per action, with the action's name.

The dataset types and their Table Schemas are public reference information:
anyone may read them. Counts of datasets are computed with the caller's own
permissions inside the actions. A validation report is as visible as its
resource, and only those who may edit the dataset may run a validation.
"""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "anticorruption_dataset_type_list",
    "anticorruption_dataset_type_show",
    "anticorruption_table_schema_show",
    "anticorruption_validation_run",
    "anticorruption_validation_show",
    "anticorruption_vocabulary_show",
    "anticorruption_organization_catalog_show",
]


@tk.auth_allow_anonymous_access
def anticorruption_dataset_type_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def anticorruption_dataset_type_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def anticorruption_table_schema_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def anticorruption_validation_run(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def anticorruption_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("resource_show", context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def anticorruption_vocabulary_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def anticorruption_organization_catalog_show(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the organization may read its catalog, which lists only
    # public datasets.
    return authz.is_authorized("organization_show", context, {"id": data_dict.get("id")})

"""One auth function per action, with the action's name.

The dataset types and their Table Schemas are public reference information:
anyone may read them. Counts of datasets are computed with the caller's own
permissions inside the actions. A validation report is as visible as its
resource, and only those who may edit the dataset may run a validation.

Coverage is public (computed from public datasets). An organization's
editors declare its types not applicable or with nothing to report and read
the requests of users; only sysadmins decide for the portal which types
apply to which organization, and take snapshots.
"""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.anticorruption.coverage import store as coverage_store
from ckanext.anticorruption.privacy import guard as privacy_guard

__all__ = [
    "anticorruption_column_mapping_suggest",
    "anticorruption_coverage",
    "anticorruption_coverage_declaration_delete",
    "anticorruption_coverage_declare",
    "anticorruption_coverage_history",
    "anticorruption_coverage_organization_show",
    "anticorruption_coverage_request_create",
    "anticorruption_coverage_request_list",
    "anticorruption_coverage_snapshot",
    "anticorruption_dataset_type_list",
    "anticorruption_dataset_type_show",
    "anticorruption_identifier_matches",
    "anticorruption_identifier_show",
    "anticorruption_national_file_show",
    "anticorruption_national_publish",
    "anticorruption_national_rebuild",
    "anticorruption_national_show",
    "anticorruption_table_schema_show",
    "anticorruption_validation_errors_show",
    "anticorruption_validation_run",
    "anticorruption_validation_show",
    "anticorruption_vocabulary_show",
    "anticorruption_organization_catalog_show",
    "anticorruption_privacy_review",
    "anticorruption_privacy_show",
]


def _id(data_dict: DataDict, key: str = "id") -> str:
    """The id the caller named. One with a NUL character names nothing, and
    PostgreSQL would refuse it in a query, so it is not found."""
    value = str(data_dict.get(key) or "")
    if "\x00" in value:
        raise tk.ObjectNotFound(tk._("Not found"))
    return value





@tk.auth_allow_anonymous_access
def _anyone(context: Context, data_dict: DataDict) -> AuthResult:
    """Public: anyone, signed in or not."""
    return {"success": True}


# The Guide's types, their Table Schemas and the DCAT vocabulary are public.
anticorruption_dataset_type_list = anticorruption_dataset_type_show = anticorruption_table_schema_show = _anyone
anticorruption_vocabulary_show = _anyone
# The coverage page and its history count public datasets only.
anticorruption_coverage = anticorruption_coverage_history = _anyone
# Red flags and identifier pages: the actions keep only the datasets the caller
# may see (and check package_show for a named one), and refuse natural persons'
# identifiers to everyone.
anticorruption_identifier_matches = anticorruption_identifier_show = _anyone
# The national files hold only public rows (valid files of public datasets, none held back).
anticorruption_national_show = anticorruption_national_file_show = _anyone


def _sysadmins(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (CKAN lets them through before this runs) and the site's own internal calls."""
    return {"success": False, "msg": tk._("Only sysadmins may do this")}


# Publishing a national dataset and rebuilding a table are the site's own work.
anticorruption_national_publish = anticorruption_national_rebuild = _sysadmins


def _file_editor(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may update the file's dataset."""
    return authz.is_authorized("resource_update", context, {"id": _id(data_dict)})


# Running a check, and a file's privacy findings and reviews, are for the publisher.
anticorruption_validation_run = anticorruption_privacy_show = anticorruption_privacy_review = _file_editor


def anticorruption_column_mapping_suggest(context: Context, data_dict: DataDict) -> AuthResult:
    """Publishers: those who may add a file to the dataset named, or to some dataset when none is.

    Not allowed anonymously: CKAN refuses before this runs.
    """
    package_id = _id(data_dict, "package_id")
    if package_id:
        return authz.is_authorized("resource_create", context, {"package_id": package_id})
    user = context.get("user") or ""
    if authz.is_sysadmin(user) or authz.has_user_permission_for_some_org(user, "create_dataset"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only publishers of an organization can have a file's columns read")}


@tk.auth_allow_anonymous_access
def anticorruption_validation_show(context: Context, data_dict: DataDict) -> AuthResult:
    result = authz.is_authorized("resource_show", context, {"id": _id(data_dict)})
    if result.get("success") and _held_back(context, _id(data_dict)):
        return {"success": False, "msg": tk._("This file is held back for a privacy review")}
    return result


# Every error of the report: whoever may see the report.
anticorruption_validation_errors_show = anticorruption_validation_show


def _held_back(context: Context, resource_id: str) -> bool:
    """A quarantined file, and the caller may not update its dataset."""
    state = privacy_guard.state_of(resource_id)
    return (state is not None and state.state in privacy_guard.HIDDEN_STATES
            and not privacy_guard.may_update(dict(context), state.package_id))




@tk.auth_allow_anonymous_access
def anticorruption_organization_catalog_show(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the organization may read its catalog, which lists only
    # public datasets.
    return authz.is_authorized("organization_show", context, {"id": _id(data_dict)})



@tk.auth_allow_anonymous_access
def anticorruption_coverage_organization_show(context: Context, data_dict: DataDict) -> AuthResult:
    # Whoever may see the organization; the action shows each part (private
    # datasets, requests, forms) only to whoever may see or use it.
    return authz.is_authorized("organization_show", context, {"id": _id(data_dict, "organization")})


def _organization_editor(context: Context, data_dict: DataDict, portal_only: bool = False) -> AuthResult:
    """Editors (and admins) of the organization; sysadmins alone for what the portal decides."""
    group = coverage_store.organization_or_404(str(data_dict.get("organization") or ""))
    if portal_only:
        return {"success": False, "msg": tk._("Only sysadmins decide which types apply to an organization")}
    if authz.has_user_permission_for_group_or_org(group.id, context.get("user") or "", "create_dataset"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only editors of the organization can do this")}


def _portal_declared(data_dict: DataDict) -> bool:
    group = coverage_store.organization_or_404(str(data_dict.get("organization") or ""))
    return coverage_store.portal_declared(group.id, _id(data_dict, "type"))


def _asks_for_portal(data_dict: DataDict) -> bool:
    # A by_portal that is neither true nor false is refused by the action's
    # schema, with a message; here it only must not fail.
    try:
        return tk.asbool(data_dict.get("by_portal", False))
    except ValueError:
        return False


def anticorruption_coverage_declare(context: Context, data_dict: DataDict) -> AuthResult:
    portal = _asks_for_portal(data_dict) or _portal_declared(data_dict)
    return _organization_editor(context, data_dict, portal_only=portal)


def anticorruption_coverage_declaration_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _organization_editor(context, data_dict, portal_only=_portal_declared(data_dict))


def anticorruption_coverage_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _organization_editor(context, data_dict)


def anticorruption_coverage_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    # Not allowed anonymously: CKAN refuses before this runs.
    return {"success": True}


def anticorruption_coverage_snapshot(context: Context, data_dict: DataDict) -> AuthResult:
    # Sysadmins pass every auth function before it runs.
    return {"success": False, "msg": tk._("Only sysadmins can take coverage snapshots")}



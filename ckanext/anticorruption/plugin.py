"""Wiring of the anticorruption plugin: every capability lives in its own module."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.anticorruption import cli, config, hooks, search, views
from ckanext.anticorruption.coverage import schedule as coverage_schedule
from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.helpers import anticorruption_validation_state_labels, current_lang
from ckanext.anticorruption.uploads import sweep

try:  # ckanext-xloader is optional: when it runs, the files of the 30 types are ours to load
    from ckanext.xloader.interfaces import IXloader
except ImportError:
    IXloader = None


def _actions() -> dict[str, Any]:
    from ckanext.anticorruption.logic import action

    return action.get_actions()


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers
@tk.blanket.validators
class AnticorruptionPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigurer)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IForkObserver)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ITranslation)
    if IXloader is not None:
        p.implements(IXloader, inherit=True)

    # IXloader (only when ckanext-xloader is installed)

    def can_upload(self, resource_id: str) -> bool:
        from ckanext.anticorruption.datastore import load as datastore_load

        return not datastore_load.takes(resource_id)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        problem = dataset_types.plugin_order_problem(config.get("ckan.plugins", []))
        if problem:
            raise RuntimeError(problem)
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "anticorruption")
        dataset_types.add_schemas_to_config(config)

    # IMiddleware

    def make_middleware(self, app: Any, config: Any) -> Any:
        from ckanext.anticorruption.views import home

        return home.keep_for_anonymous(app)

    # IConfigurable

    def configure(self, config: tk.CKANConfig) -> None:
        coverage_schedule.ensure_scheduled()
        sweep.start_sweeper_in_worker()

    # IForkObserver: called in a jobs worker's own process before each job

    def before_fork(self) -> None:
        sweep.before_job_fork()

    # IConfigDeclaration

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(config.declarations())

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return _with_guide_facets(facets_dict)

    def organization_facets(self, facets_dict: dict[str, Any], organization_type: str,
                            package_type: str | None) -> dict[str, Any]:
        return _with_guide_facets(facets_dict)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return hooks.dataset_indexed(pkg_dict)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        hooks.dataset_deleted(pkg_dict["id"])

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return hooks.dataset_shown(context, pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facets(search_results, current_lang(),
                                   anticorruption_validation_state_labels())


def _with_guide_facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    labels = {
        "guide_category": tk._("Open Up Guide category"),
        "dataset_type": tk._("Dataset type"),
        search.VALIDATION_FIELD: tk._("File validation"),
    }
    return {**labels, **{k: v for k, v in facets_dict.items() if k not in labels}}

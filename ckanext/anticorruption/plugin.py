"""Wiring of the anticorruption plugin: every capability lives in its own module."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.anticorruption import cli


@tk.blanket.cli(cli.get_commands)
class AnticorruptionPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

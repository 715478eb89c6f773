"""The portal as a WSGI application, for a production server.

    CKAN_INI=/etc/ckan/default/ckan.ini gunicorn -w 4 -b 127.0.0.1:5000 ckanext.anticorruption.wsgi:application

CKAN 2.12 ships no WSGI module of its own; this builds the application as
``ckan run`` does, from the configuration file named by ``CKAN_INI``
(CKAN's ``load_config`` also sets up the file's logging). Each server worker
process imports it and builds its own application (no preloading: database
connections must not cross a fork).
"""
from __future__ import annotations

import os

from ckan import authz
from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.logic import get_action

__all__ = ["application"]

if not os.environ.get("CKAN_INI"):
    raise RuntimeError("CKAN_INI must name the portal's configuration file (e.g. /etc/ckan/default/ckan.ini)")
application = make_app(load_config(os.environ["CKAN_INI"]))
# CKAN gathers its plugins' action and auth functions at their first use, without a lock: when two
# threads of a worker that has just started ask at once, one of them may find a function "not found"
# (seen as errors at a worker's first requests under load). Gathered here, before threads share the app.
get_action("package_show")
authz.auth_functions_list()

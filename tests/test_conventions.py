"""The project's conventions, made executable."""
from __future__ import annotations

import inspect

from ckanext.anticorruption import helpers
from ckanext.anticorruption.logic import action, auth, validators

# The extension's own actions; CKAN's own ones that it wraps (chained) keep CKAN's auth.
OWN_ACTIONS = [name for name in action.__all__ if not getattr(getattr(action, name), "chained_action", False)]


def test_every_action_has_an_auth_function_of_the_same_name() -> None:
    assert set(OWN_ACTIONS) == set(auth.__all__)


def test_every_action_is_documented_and_checks_access_first() -> None:
    for name in OWN_ACTIONS:
        function = getattr(action, name)
        assert inspect.getdoc(function), name
        body = inspect.getsource(function).split('"""')[-1]
        first_statement = next(line.strip() for line in body.splitlines() if line.strip())
        assert first_statement.startswith(f'tk.check_access("{name}"'), name


def test_registered_names_are_prefixed() -> None:
    for names in (OWN_ACTIONS, auth.__all__, validators.__all__):
        assert all(name.startswith("anticorruption_") for name in names), names
    # humanize_entity_type is CKAN's own helper, chained on purpose.
    assert all(n.startswith("anticorruption_") for n in helpers.__all__ if n != "humanize_entity_type")

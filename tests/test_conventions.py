"""The project's conventions, made executable: the shape of the package (see the README's map)."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from ckanext.anticorruption import helpers
from ckanext.anticorruption.logic import action, auth, validators

PACKAGE = Path(action.__file__).parents[2]
ACTIONS = action.get_actions()
# The extension's own actions; CKAN's own ones that it wraps (chained) keep CKAN's auth and schema.
OWN_ACTIONS = sorted(name for name, function in ACTIONS.items() if not getattr(function, "chained_action", False))

# The capabilities below logic/ and views/: none of them calls an action.
CAPABILITIES = ("dataset_types", "uploads", "validation", "identifiers", "privacy", "coverage", "dcat", "national")
# The pure modules: plain data in, plain data out, nothing from CKAN (or its web and database layers).
PURE = (
    "dataset_types/",
    "validation/",
    "identifiers/schemes.py",
    "identifiers/names.py",
    "identifiers/redflags.py",
    "identifiers/scan.py",
    "privacy/scan.py",
    "coverage/scoring.py",
    "dcat/mapping.py",
    "dcat/vocabulary.py",
    "national/columns.py", "datastore/columns.py", "datastore/pgcopy.py",
    "search.py",
)
NOT_IN_PURE = ("ckan", "flask", "sqlalchemy", "ckanext.scheming", "ckanext.dcat")


def _modules(*prefixes: str) -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if "migration" not in path.parts and str(path.relative_to(PACKAGE)).startswith(prefixes))


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _module_file(name: str) -> Path | None:
    relative = name.removeprefix("ckanext.anticorruption.").replace(".", "/")
    for candidate in (PACKAGE / f"{relative}.py", PACKAGE / relative / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_every_action_has_an_auth_function_of_the_same_name() -> None:
    assert set(OWN_ACTIONS) == set(auth.__all__)


def test_every_action_is_documented_and_checks_access_first() -> None:
    for name in OWN_ACTIONS:
        function = ACTIONS[name]
        assert inspect.getdoc(function), name
        body = inspect.getsource(function).split('"""')[-1]
        first_statement = next(line.strip() for line in body.splitlines() if line.strip())
        assert first_statement.startswith(f'tk.check_access("{name}"'), name


def test_every_action_validates_its_input_with_a_schema() -> None:
    for name in OWN_ACTIONS:
        function = ACTIONS[name]
        decorators = inspect.getsource(function).split("\ndef ")[0]
        # CKAN's @validate wraps the action: the schema is applied before the body runs.
        assert "@validate(schema." in decorators and hasattr(function, "__wrapped__"), name


def test_every_action_module_is_listed() -> None:
    listed = {module.__name__.rsplit(".", 1)[-1] for module in action.MODULES}
    on_disk = {path.stem for path in (PACKAGE / "logic" / "action").glob("*.py") if path.stem != "__init__"}
    assert listed == on_disk


def test_registered_names_are_prefixed() -> None:
    for names in (OWN_ACTIONS, auth.__all__, validators.__all__):
        assert all(name.startswith("anticorruption_") for name in names), names
    # humanize_entity_type is CKAN's own helper, chained on purpose.
    assert all(n.startswith("anticorruption_") for n in helpers.__all__ if n != "humanize_entity_type")


@pytest.mark.parametrize("path", _modules(*PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_modules_import_nothing_from_ckan(path: Path) -> None:
    for name in _imports(path):
        assert not any(name == n or name.startswith(f"{n}.") for n in NOT_IN_PURE), name
        if name.startswith("ckanext.anticorruption.") and name != "ckanext.anticorruption.schemas":
            imported = _module_file(name)
            # Importing a name from a module: the module itself must be pure too.
            if imported is not None and not (imported.name == "__init__.py" and not _imports(imported)):
                assert str(imported.relative_to(PACKAGE)).startswith(PURE), f"{name} is not a pure module"


@pytest.mark.parametrize("path", _modules(*CAPABILITIES), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_capability_calls_an_action_or_imports_upwards(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree)
             if isinstance(node, (ast.Attribute, ast.Name)) and "get_action" in (getattr(node, "attr", None),
                                                                                   getattr(node, "id", None))]
    assert not calls, f"{path.name} calls an action (line {calls[0].lineno})" if calls else ""
    upwards = ("ckanext.anticorruption.logic", "ckanext.anticorruption.views", "ckanext.anticorruption.plugin",
               "ckanext.anticorruption.hooks", "ckanext.anticorruption.helpers", "ckanext.anticorruption.cli")
    assert not [name for name in _imports(path) if name.startswith(upwards)]


def test_tests_mirror_the_package() -> None:
    tests = Path(__file__).parent
    for capability in (*CAPABILITIES, "logic", "logic/action", "views"):
        assert (tests / capability / "__init__.py").exists(), capability
    # Where a test module is about one module, it is named after it (validation, privacy, dcat and national
    # also hold tests named after what they prove across modules: differential, bounds, corpus, SHACL, links).
    for capability in ("dataset_types", "uploads", "identifiers", "coverage", "views", "logic/action"):
        modules = {path.stem for path in (PACKAGE / capability).glob("*.py")}
        for test in (tests / capability).glob("test_*.py"):
            assert test.stem.removeprefix("test_") in modules, test


def test_the_public_interface_keeps_its_import_path() -> None:
    # Other extensions import it from here (see the README): the move into identifiers/ must not break them.
    from ckan.plugins.interfaces import Interface

    from ckanext.anticorruption.identifiers import linkage
    from ckanext.anticorruption.interfaces import IIdentifierSchemes

    assert issubclass(IIdentifierSchemes, Interface)
    assert linkage.IIdentifierSchemes is IIdentifierSchemes

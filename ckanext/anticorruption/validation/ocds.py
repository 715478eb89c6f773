"""OCDS files: a JSON upload of a procurement type, checked against the OCDS 1.1 JSON Schemas, offline.

Pure module: a path in, a :class:`ValidationResult` out, shaped like a
table's (state, error counts by kind, the first errors of each kind with
where they are, the complete error log), so that the run stores it and the
report pages show it as they show a CSV's.

What Mexican publishers really publish is accepted: a release package, a
record package, a single release (the federal government's compiled
releases) or a single record (Mexico City's). Each release or record is
checked on its own against the matching schema of ``schemas/ocds/1.1``
(shipped with the package; every ``$ref`` resolves to those files, nothing
is ever fetched). A file that does not say its version (OCDS 1.0 packages
had none) is checked against 1.1 too, and the result says so.

The work is bounded: the file's size (``max_bytes``), the depth of its
nesting (:data:`MAX_DEPTH`), the errors kept (``max_errors_per_type``; the
counts stay exact), and the checks that could cost more than linear time on
hostile input (``uniqueItems`` over whole releases, a regular expression over
a huge string) are done in linear time here.
"""
from __future__ import annotations

import datetime
import functools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from ckanext.anticorruption.dataset_types.types import SCHEMAS_DIR

from .errorlog import ErrorLog, spreadsheet_safe
from .result import Budget, ValidationCancelled, ValidationResult

__all__ = [
    "OCDS_VERSION", "SCHEMA_DIR", "SHAPES", "STANDARD_URI", "is_ocds_resource", "release_like", "shape_of",
    "validate_ocds",
]

OCDS_VERSION = "1.1"
SCHEMA_DIR = SCHEMAS_DIR / "ocds" / "1.1"
# What a distribution checked as OCDS conforms to (DCAT's dct:conformsTo).
STANDARD_URI = "https://standard.open-contracting.org/1.1/"
# The four things a publisher uploads, as the report names them.
SHAPES = ("release-package", "record-package", "release", "record")
# OCDS nests about a dozen levels (a versioned release a few more): far
# deeper is hostile, and would exhaust Python's stack in any recursive reader.
MAX_DEPTH = 64
# No OCDS pattern is meant for text this long; a backtracking pattern over
# megabytes of digits would take hours.
MAX_PATTERN_CHARS = 10_000
# How much of a value the report and the error log show.
CELL_CHARS = 200
# Releases between two looks at the clock, the cancel flag and the progress.
POLL_EVERY = 50

_URL = re.compile(r"https://standard\.open-contracting\.org/schema/1__1__\d+/([\w.-]+\.json)")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")
_REQUIRED = re.compile(r"^'(.*)' is a required property$", re.DOTALL)
_JSON_FORMATS = {"json", "application/json", ".json", "ocds", "ocds json"}


def is_ocds_resource(standards: Iterable[str], resource: dict[str, Any]) -> bool:
    """Whether a resource of a type with these ``standards`` is checked as OCDS rather than as a table.

    A type that follows OCDS (its ``standards`` in the type's YAML) and a
    JSON file: its format says so, or, with no format, its name ends in
    ``.json``. A publisher who chose another schema, or none, is followed.
    """
    if "ocds" not in {str(s).lower() for s in standards or ()}:
        return False
    if (resource.get("schema_mode") or "type") != "type":
        return False
    declared = str(resource.get("format") or "").strip().lower()
    if declared:
        return declared in _JSON_FORMATS
    path = str(resource.get("url") or "").split("?", 1)[0].split("#", 1)[0]
    return path.lower().endswith(".json")


# The schemas ----------------------------------------------------------------

def _retrieve(uri: str) -> Resource:
    """A shipped schema for any 1.1.x address of the standard's; nothing else, and never the network."""
    found = _URL.fullmatch(uri)
    path = SCHEMA_DIR / found.group(1) if found else None
    if path is None or not path.is_file():
        raise NoSuchResource(ref=uri)
    return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")),
                                  default_specification=_draft4())


def _draft4() -> Any:
    from referencing.jsonschema import DRAFT4

    return DRAFT4


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.json")}


@functools.cache
def _registry() -> Registry:
    resources = [(schema["id"], Resource.from_contents(schema, default_specification=_draft4()))
                 for schema in _schemas().values()]
    return Registry(retrieve=_retrieve).with_resources(resources)


def _is_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) > 40 or not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value: Any) -> bool:
    return not isinstance(value, str) or bool(_URI.fullmatch(value))


@functools.cache
def _format_checker() -> jsonschema.FormatChecker:
    """date-time and uri checked here: jsonschema checks them only with optional packages installed."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


def _canonical(item: Any) -> str:
    try:
        return json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(item)


def _unique_items(validator: Any, unique: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """``uniqueItems`` in linear time (jsonschema compares objects pair by pair)."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError("has non-unique elements")
            return
        seen.add(key)


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and (
            len(instance) > MAX_PATTERN_CHARS or not _compiled(pattern).search(instance)):
        yield ValidationError(f"does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {"uniqueItems": _unique_items, "pattern": _pattern})


def _without(schema: dict[str, Any], prop: str, replacement: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "properties": {**schema["properties"], prop: replacement}}


@functools.cache
def _validators() -> dict[str, Any]:
    """One validator per thing checked: a release, a record (embedded or linked releases), a package's own fields."""
    schemas = _schemas()
    registry, formats = _registry(), _format_checker()
    release_url = schemas["release-schema"]["id"]
    record = schemas["record-package-schema"]["definitions"]["record"]
    linked, embedded = record["properties"]["releases"]["oneOf"]
    # Each release or record is checked on its own; the package is checked without them.
    shell = {"type": "array", "minItems": 1}

    def make(schema: dict[str, Any]) -> Any:
        return _Validator(schema, registry=registry, format_checker=formats)

    return {
        "release": make({"$ref": release_url}),
        "record": make(_without(record, "releases", embedded)),
        "record-linked": make(_without(record, "releases", linked)),
        "release-package": make(_without(schemas["release-package-schema"], "releases", shell)),
        "record-package": make(_without(schemas["record-package-schema"], "records", shell)),
    }


# Reading --------------------------------------------------------------------

class _Problem(Exception):
    def __init__(self, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem, self.params = problem, params


def _place(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _read(path: str, max_bytes: int | None) -> Any:
    """The JSON document of ``path``; :class:`_Problem` says why there is none."""
    import os

    size = os.path.getsize(path)
    if max_bytes and size > max_bytes:
        raise _Problem("json-too-large", size=size, limit=max_bytes)
    with open(path, "rb") as handle:
        raw = handle.read()
    if not raw.strip():
        raise _Problem("empty-file")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or (
            len(raw) > 1 and (raw[0] == 0 or raw[1] == 0)):
        raise _Problem("json-encoding", line=1, column=1, encoding="UTF-16/32")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _place(raw, error.start)
        raise _Problem("json-encoding", line=line, column=column, encoding="UTF-8") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Problem("json-syntax", line=error.lineno, column=error.colno, detail=error.msg) from None
    except RecursionError:
        raise _Problem("json-too-deep", depth=MAX_DEPTH) from None
    if _too_deep(document, MAX_DEPTH):
        raise _Problem("json-too-deep", depth=MAX_DEPTH)
    return document


def _too_deep(document: Any, limit: int) -> bool:
    """Whether ``document`` nests deeper than ``limit`` (iteratively: no recursion to exhaust)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def shape_of(document: Any) -> str | None:
    """What an OCDS file holds (one of :data:`SHAPES`), or None when it is not OCDS."""
    if not isinstance(document, dict):
        return None
    if "records" in document:
        return "record-package"
    if "compiledRelease" in document or "versionedRelease" in document:
        return "record"
    if "releases" in document:
        return "record" if "ocid" in document else "release-package"
    if "ocid" in document:
        return "release"
    return None


def _found(document: Any) -> str:
    """What a JSON file that is not OCDS holds, for the message."""
    if isinstance(document, list):
        return "list"
    if isinstance(document, dict):
        return "object"
    return "value"


def release_like(shape: str, document: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(number, release) for each release that says what the file's processes are now:
    each release of a package, a record's compiled release (or its embedded releases)."""
    def of_record(record: Any) -> Iterator[dict[str, Any]]:
        if not isinstance(record, dict):
            return
        if isinstance(record.get("compiledRelease"), dict):
            yield record["compiledRelease"]
            return
        for release in record.get("releases") or []:
            if isinstance(release, dict) and "ocid" in release:
                yield release

    if shape == "release":
        yield 1, document
    elif shape == "record":
        for release in of_record(document):
            yield 1, release
    elif shape == "release-package":
        for number, release in enumerate(_list(document.get("releases")), start=1):
            if isinstance(release, dict):
                yield number, release
    elif shape == "record-package":
        for number, record in enumerate(_list(document.get("records")), start=1):
            for release in of_record(record):
                yield number, release


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Errors ---------------------------------------------------------------------

def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text[:300]


def _generic(parts: Iterable[Any]) -> str:
    return _path("[]" if isinstance(part, int) else part for part in parts).replace(".[]", "[]")


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else _canonical(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…"


def _kind(error: ValidationError) -> str:
    known = {"required", "type", "enum", "format", "pattern", "minItems", "minLength", "uniqueItems",
             "minProperties", "minimum", "maximum", "maxLength", "maxItems"}
    return error.validator if error.validator in known else "other"


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """An error, or for one that says only "none of the choices fit", the errors of the nearest choice."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)
        for sub in min(branches.values(), key=len):
            yield from _leaves(sub)
        return
    yield error


def _expected(error: ValidationError) -> Any:
    value = error.validator_value
    if error.validator == "enum" and isinstance(value, list):
        return [str(v) for v in value[:60]]
    if error.validator == "type":
        return value if isinstance(value, list) else [value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return None


def _descriptor(error: ValidationError, prefix: list[Any], number: int | None, ocid: Any) -> dict[str, Any]:
    kind = _kind(error)
    parts = [*prefix, *error.absolute_path]
    value: Any = error.instance
    if kind == "required":
        found = _REQUIRED.match(error.message)
        name = found.group(1) if found else "?"
        parts.append(name)
        value = None
        note = f"{name} is required"
    elif kind == "type":
        note = f"expected {' or '.join(map(str, _expected(error)))}"
    elif kind == "enum":
        note = "not in the codelist"
    elif kind == "format":
        note = f"not a {error.validator_value}"
    elif kind == "pattern":
        note = f"does not match {error.validator_value}"
    else:
        note = f"{error.validator}: {_shown(error.validator_value)}"
    if isinstance(value, (dict, list)) and kind != "type":
        value = None
    return {
        "type": f"ocds-{kind}",
        "title": f"OCDS {kind}",
        "note": note,
        "rowNumber": number,
        "fieldName": _generic(parts),
        "path": _path(parts),
        "ocid": _shown(ocid) if isinstance(ocid, str) else None,
        "cell": _shown(value),
        "validator": error.validator,
        "expected": _expected(error),
    }


class _Errors:
    """Every error counted and logged; the first ``cap`` of each kind kept for the report."""

    def __init__(self, cap: int, log: ErrorLog) -> None:
        self.cap, self.log = cap, log
        self.counts: dict[str, int] = {}
        self.kept: list[dict[str, Any]] = []

    def add(self, descriptor: dict[str, Any]) -> None:
        kind = descriptor["type"]
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        if count <= self.cap:
            self.kept.append(descriptor)
        self.log.write(kind, row=descriptor["rowNumber"] or 0, field=spreadsheet_safe(descriptor["path"]),  # type: ignore[arg-type]
                       field_name=descriptor["fieldName"], cell=descriptor["cell"], note=descriptor["note"])

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# The check ------------------------------------------------------------------

def _items(shape: str, document: dict[str, Any]) -> tuple[list[Any], str]:
    """What is checked one by one (releases or records), and under which key of the package."""
    if shape == "release-package":
        return _list(document.get("releases")), "releases"
    if shape == "record-package":
        return _list(document.get("records")), "records"
    return [document], ""


def _record_validator(record: Any) -> str:
    """A record's releases are either linked (url, date, tag) or embedded (whole releases)."""
    releases = record.get("releases") if isinstance(record, dict) else None
    if isinstance(releases, list) and releases and all(
            isinstance(r, dict) and set(r) <= {"url", "date", "tag"} for r in releases):
        return "record-linked"
    return "record"


def validate_ocds(
    path: str,
    *,
    max_bytes: int | None = None,
    max_errors_per_type: int = 1000,
    error_log: str | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_seconds: float | None = None,
    max_memory_bytes: int | None = None,
    scans: Callable[[], list[Any]] | None = None,
) -> ValidationResult:
    """Check the OCDS file at ``path``; never raises for bad input.

    ``scans`` makes the release scans of the run (objects with a ``name``,
    ``feed(number, release)`` and ``finish()``): their summaries are in
    ``result.scans``. Raises :class:`ValidationCancelled` and
    ``BudgetExceeded`` as ``validate_file`` does.
    """
    started = time.perf_counter()
    budget = Budget(max_seconds, max_memory_bytes) if (max_seconds, max_memory_bytes) != (None, None) else None
    detected: dict[str, Any] = {"format": "json", "standard": "ocds"}
    try:
        document = _read(path, max_bytes)
    except _Problem as problem:
        return _problem(problem.problem, problem.params, detected, started)
    shape = shape_of(document)
    if shape is None:
        return _problem("json-not-ocds", {"found": _found(document)}, detected, started)
    version = document.get("version")[:20] if isinstance(document.get("version"), str) else None
    detected["ocds"] = {"shape": shape, "version": version, "checked_against": OCDS_VERSION}

    validators = _validators()
    with ErrorLog(error_log) as log:
        errors = _Errors(max_errors_per_type, log)
        if shape in ("release-package", "record-package"):
            for error in validators[shape].iter_errors(document):
                for leaf in _leaves(error):
                    errors.add(_descriptor(leaf, [], None, None))
        items, key = _items(shape, document)
        if key:
            _duplicates(items, key, errors)
        for index, item in enumerate(items):
            if index % POLL_EVERY == 0:
                _poll(index, progress, cancelled, budget)
            number = index + 1
            name = "release" if shape in ("release", "release-package") else _record_validator(item)
            prefix = [key, index] if key else []
            ocid = _ocid_of(item)
            for error in validators[name].iter_errors(item):
                for leaf in _leaves(error):
                    errors.add(_descriptor(leaf, prefix, number, ocid))
        groups = log.group_counts()
    summaries: dict[str, Any] = {}
    if scans is not None:
        running = scans()
        for number, release in release_like(shape, document):
            for scan in running:
                scan.feed(number, release)
        summaries = {scan.name: scan.finish() for scan in running}
    seconds = time.perf_counter() - started
    total = errors.total
    notes = [] if version == OCDS_VERSION else ["ocds-version"]
    report = {
        "valid": total == 0,
        "stats": {"tasks": 1, "errors": total, "warnings": 0, "seconds": round(seconds, 3)},
        "warnings": [],
        "errors": [],
        "tasks": [{
            "name": "ocds", "type": "ocds", "valid": total == 0, "place": path, "labels": [],
            "stats": {"errors": total, "warnings": 0, "seconds": round(seconds, 3), "rows": len(items)},
            "warnings": notes, "errors": errors.kept, "groups": groups,
        }],
    }
    return ValidationResult(
        state="valid" if total == 0 else "invalid", report=report, rows=len(items), error_count=total,
        error_counts=dict(errors.counts), problem=None, problem_params={}, detected=detected,
        seconds=seconds, engine="ocds", scans=summaries,
    )


def _ocid_of(item: Any) -> Any:
    """The ocid of a release or record (a record that lacks its own: its compiled release's)."""
    if not isinstance(item, dict):
        return None
    compiled = item.get("compiledRelease")
    return item.get("ocid") or (compiled.get("ocid") if isinstance(compiled, dict) else None)


def _duplicates(items: list[Any], key: str, errors: _Errors) -> None:
    """A package's ``uniqueItems``: the same release (or record) twice, found in linear time."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        canonical = _canonical(item)
        if canonical in seen:
            ocid = item.get("ocid") if isinstance(item, dict) else None
            errors.add({
                "type": "ocds-uniqueItems", "title": "OCDS uniqueItems", "note": f"same as {key}[{seen[canonical]}]",
                "rowNumber": index + 1, "fieldName": f"{key}[]", "path": f"{key}[{index}]",
                "ocid": _shown(ocid) if isinstance(ocid, str) else None, "cell": None, "validator": "uniqueItems",
                "expected": seen[canonical] + 1,
            })
        else:
            seen[canonical] = index


def _poll(rows: int, progress: Callable[[int], None] | None, cancelled: Callable[[], bool] | None,
          budget: Budget | None) -> None:
    if cancelled is not None and cancelled():
        raise ValidationCancelled()
    if budget is not None:
        budget.rows = rows
        budget.check()
    if progress is not None and rows:
        progress(rows)


def _problem(problem: str, params: dict[str, Any], detected: dict[str, Any], started: float) -> ValidationResult:
    return ValidationResult(
        state="error", report=None, rows=0, error_count=0, error_counts={}, problem=problem, problem_params=params,
        detected=detected, seconds=time.perf_counter() - started, engine="ocds",
    )

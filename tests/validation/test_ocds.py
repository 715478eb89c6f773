"""OCDS files checked against the shipped OCDS 1.1 schemas: what Mexican publishers publish, broken JSON, hostile JSON.

Pure: no CKAN. The real files are those of ``../shared/real-data`` (never
edited: the packages and the broken files are built from copies here).
"""
from __future__ import annotations

import copy
import csv
import gzip
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from ckanext.anticorruption.validation.ocds import SCHEMA_DIR, is_ocds_resource, validate_ocds

from tests.real import REAL_DATA

MEXICO = REAL_DATA / "open-contracting__sample-data" / "mexico"
FEDERAL = sorted((MEXICO / "administracion-publica-federal" / "sample" / "records").glob("*.json"))
CDMX_RECORDS = sorted((MEXICO / "cdmx" / "sample" / "records").glob("*.json"))
CDMX_RELEASES = sorted((MEXICO / "cdmx" / "sample" / "releases").glob("*.json"))

needs_real_files = pytest.mark.skipif(not MEXICO.is_dir(), reason=f"the real files are not there ({MEXICO})")


def _write(tmp_path: Path, content: Any, name: str = "file.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _groups(result) -> dict[tuple[str, str], int]:
    return {(g["type"], g["field"]): g["count"] for g in result.report["tasks"][0]["groups"]}


def test_the_schemas_are_shipped_with_the_package() -> None:
    names = {path.name for path in SCHEMA_DIR.glob("*.json")}
    assert names == {"release-schema.json", "release-package-schema.json", "record-package-schema.json",
                     "versioned-release-validation-schema.json"}
    assert "Apache" in (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("standards", "resource", "expected"), [
    (("ocds",), {"format": "JSON", "url": "x.json"}, True),
    (("ocds",), {"format": "", "url": "https://x.gob.mx/contratos.JSON?x=1"}, True),
    (("ocds",), {"format": "CSV", "url": "x.json"}, False),
    (("ocds",), {"format": "JSON", "schema_mode": "other", "schema_url": "https://x/s.json"}, False),
    (("ocds",), {"format": "JSON", "schema_mode": "none"}, False),
    (("bods",), {"format": "JSON"}, False),
])
def test_which_files_are_checked_as_ocds(standards, resource, expected) -> None:
    assert is_ocds_resource(standards, resource) is expected


@needs_real_files
@pytest.mark.parametrize("path", FEDERAL, ids=lambda p: p.name)
def test_the_federal_governments_compiled_releases_are_valid(path: Path) -> None:
    result = validate_ocds(str(path))
    assert (result.state, result.rows, result.error_count) == ("valid", 1, 0)
    # Single compiled releases, without a version: checked against 1.1, and the report says so.
    assert result.detected["ocds"] == {"shape": "release", "version": None, "checked_against": "1.1"}
    assert result.report["tasks"][0]["warnings"] == ["ocds-version"]


@needs_real_files
@pytest.mark.parametrize("path", CDMX_RELEASES, ids=lambda p: p.name)
def test_mexico_citys_releases_are_valid(path: Path) -> None:
    result = validate_ocds(str(path))
    assert (result.state, result.rows, result.detected["ocds"]["shape"]) == ("valid", 1, "release")


@needs_real_files
@pytest.mark.parametrize("path", CDMX_RECORDS, ids=lambda p: p.name)
def test_mexico_citys_records_have_their_true_defects_listed(path: Path) -> None:
    """Each record lacks its own ocid, writes the versioned roles and submission method as a list inside
    a list, and gives two documents no id."""
    result = validate_ocds(str(path))
    assert (result.state, result.rows, result.detected["ocds"]["shape"]) == ("invalid", 1, "record")
    groups = _groups(result)
    assert groups[("ocds-required", "ocid")] == 1
    assert groups[("ocds-required", "versionedRelease.awards[].documents[].id")] == 1
    assert groups[("ocds-type", "versionedRelease.tender.submissionMethod[]")] == 1
    assert groups[("ocds-type", "versionedRelease.parties[].roles[]")] in (4, 5)
    assert sum(groups.values()) == result.error_count
    missing = next(e for e in result.report["tasks"][0]["errors"] if e["fieldName"] == "ocid")
    # The record has no ocid of its own: its compiled release's names it, in Mexico City's upper case.
    assert missing["ocid"].startswith("OCDS-87SD3T-SEFIN-DRM-A-") and missing["rowNumber"] == 1


@needs_real_files
def test_a_release_package_is_checked_release_by_release(tmp_path: Path) -> None:
    releases = [_load(path) for path in FEDERAL]
    broken = copy.deepcopy(releases[3])
    broken["tag"] = ["adjudicacion"]
    broken["date"] = "2017-13-01"
    del broken["id"]
    broken["contracts"][0]["dateSigned"] = "06/03/2017"
    releases[3] = broken
    package = {"uri": "https://api.datos.gob.mx/v1/contratacionesabiertas", "version": "1.1",
               "publishedDate": "2018-01-04T19:23:45Z", "publisher": {"name": "SHCP"}, "releases": releases}
    log = tmp_path / "errors.csv.gz"
    result = validate_ocds(_write(tmp_path, package), error_log=str(log))

    assert (result.state, result.rows, result.error_count) == ("invalid", len(FEDERAL), 4)
    assert result.detected["ocds"] == {"shape": "release-package", "version": "1.1", "checked_against": "1.1"}
    assert result.report["tasks"][0]["warnings"] == []
    by_path = {e["path"]: e for e in result.report["tasks"][0]["errors"]}
    assert set(by_path) == {"releases[3].tag[0]", "releases[3].date", "releases[3].id",
                            "releases[3].contracts[0].dateSigned"}
    assert by_path["releases[3].tag[0]"]["type"] == "ocds-enum" and "tender" in by_path["releases[3].tag[0]"]["expected"]
    assert by_path["releases[3].date"]["type"] == "ocds-format"
    assert by_path["releases[3].contracts[0].dateSigned"]["cell"] == "06/03/2017"
    assert by_path["releases[3].id"]["type"] == "ocds-required"
    assert {e["rowNumber"] for e in by_path.values()} == {4}
    assert {e["ocid"] for e in by_path.values()} == {broken["ocid"]}
    # Every error is in the complete log, with its exact place.
    with gzip.open(log, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["column"] for row in rows} == set(by_path)
    assert {row["field"] for row in rows} >= {"releases[].contracts[].dateSigned"}


@needs_real_files
def test_a_record_package_of_mexico_citys_records(tmp_path: Path) -> None:
    package = {"uri": "https://contratosabiertos.cdmx.gob.mx/records", "publishedDate": "2016-06-01T00:00:00Z",
               "publisher": {"name": "CDMX"}, "records": [_load(path) for path in CDMX_RECORDS]}
    result = validate_ocds(_write(tmp_path, package))
    assert (result.state, result.rows) == ("invalid", len(CDMX_RECORDS))
    # No version: an OCDS 1.0 package, checked against 1.1.
    assert result.detected["ocds"] == {"shape": "record-package", "version": None, "checked_against": "1.1"}
    errors = result.report["tasks"][0]["errors"]
    assert {e["path"] for e in errors if e["fieldName"] == "records[].ocid"} == {
        f"records[{n}].ocid" for n in range(len(CDMX_RECORDS))}
    assert ("ocds-required", "records[].ocid") in _groups(result)


def test_counts_stay_exact_past_the_cap(tmp_path: Path) -> None:
    releases = [{"ocid": f"ocds-abc123-{n}", "id": str(n), "date": "not a date", "tag": ["tender"],
                 "initiationType": "tender"} for n in range(30)]
    package = {"uri": "https://x.gob.mx/p", "version": "1.1", "publishedDate": "2020-01-01T00:00:00Z",
               "publisher": {"name": "X"}, "releases": releases}
    result = validate_ocds(_write(tmp_path, package), max_errors_per_type=3)
    assert result.error_counts == {"ocds-format": 30}
    assert len(result.report["tasks"][0]["errors"]) == 3
    assert _groups(result) == {("ocds-format", "releases[].date"): 30}


def test_the_same_release_twice_is_found_in_a_package(tmp_path: Path) -> None:
    release = {"ocid": "ocds-abc123-1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender"}
    package = {"uri": "https://x.gob.mx/p", "version": "1.1", "publishedDate": "2020-01-01T00:00:00Z",
               "publisher": {"name": "X"}, "releases": [release, {**release, "id": "2"}, dict(release)]}
    result = validate_ocds(_write(tmp_path, package))
    assert result.error_counts == {"ocds-uniqueItems": 1}
    assert result.report["tasks"][0]["errors"][0]["path"] == "releases[2]"


@pytest.mark.parametrize(("content", "problem", "params"), [
    (b"", "empty-file", {}),
    (b"  \n\t ", "empty-file", {}),
    (b'{"ocid": "ocds-abc123-1",\n  "tag": ["tender"\n}', "json-syntax", {"line": 3, "column": 1}),
    ('{"ocid": "ocds-abc123-1", "buyer": {"name": "Secretaría"}}'.encode("latin-1"), "json-encoding",
     {"line": 1, "column": 54, "encoding": "UTF-8"}),
    ('{"ocid": "x"}'.encode("utf-16"), "json-encoding", {"line": 1, "column": 1, "encoding": "UTF-16/32"}),
    (b"[1, 2, 3]", "json-not-ocds", {"found": "list"}),
    (b'{"proveedor": "ACME", "monto": 10}', "json-not-ocds", {"found": "object"}),
    (b'"ocds"', "json-not-ocds", {"found": "value"}),
    (b"ocid,id\nocds-abc123-1,1\n", "json-syntax", {"line": 1, "column": 1}),
])
def test_what_is_not_an_ocds_file_gets_a_clear_problem(tmp_path: Path, content: bytes, problem: str,
                                                         params: dict[str, Any]) -> None:
    result = validate_ocds(_write(tmp_path, content))
    assert (result.state, result.problem, result.report) == ("error", problem, None)
    assert {key: result.problem_params[key] for key in params} == params


def test_deep_nesting_is_refused_without_a_traceback(tmp_path: Path) -> None:
    # Deeper than Python's recursion limit, and deep but parseable.
    for depth in (100_000, 500):
        text = '{"ocid": "ocds-abc123-1", "x": ' + "[" * depth + "]" * depth + "}"
        result = validate_ocds(_write(tmp_path, text))
        assert (result.state, result.problem, result.problem_params) == ("error", "json-too-deep", {"depth": 64})


def test_a_huge_string_is_checked_in_linear_time(tmp_path: Path) -> None:
    """The package's version pattern backtracks quadratically on a long run of digits: not here."""
    package = {"uri": "https://x.gob.mx/p", "version": "1" * 5_000_000 + "x", "publishedDate": "2020-01-01T00:00:00Z",
               "publisher": {"name": "X" * 5_000_000}, "releases": [
                   {"ocid": "ocds-abc123-1", "id": "1", "date": "2" * 3_000_000, "tag": ["tender"],
                    "initiationType": "tender"}]}
    result = validate_ocds(_write(tmp_path, package))
    assert result.error_counts == {"ocds-pattern": 1, "ocds-format": 1}
    cells = [e["cell"] for e in result.report["tasks"][0]["errors"]]
    assert all(len(cell) <= 201 for cell in cells)


def test_a_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    path = _write(tmp_path, {"ocid": "ocds-abc123-1", "padding": "x" * 2000})
    result = validate_ocds(path, max_bytes=1000)
    assert (result.state, result.problem) == ("error", "json-too-large")
    assert result.problem_params["limit"] == 1000 and result.problem_params["size"] > 2000


def test_no_schema_is_ever_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    record = {"ocid": "ocds-abc123-1", "releases": [{"url": "https://x.gob.mx/r.json#1", "date": "2020-01-01T00:00:00Z",
                                                     "tag": ["tender"]}],
              "compiledRelease": {"ocid": "ocds-abc123-1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["compiled"],
                                  "initiationType": "tender"}}
    result = validate_ocds(_write(tmp_path, record))
    assert (result.state, result.detected["ocds"]["shape"]) == ("valid", "record")


def test_a_huge_ocid_or_version_is_shown_by_its_beginning(tmp_path: Path) -> None:
    release = {"ocid": "ocds-abc123-" + "9" * 2_000_000, "date": "x", "tag": ["tender"], "initiationType": "tender",
               "version": "1." + "1" * 1_000_000}
    result = validate_ocds(_write(tmp_path, release))
    assert len(result.detected["ocds"]["version"]) == 20
    assert {len(error["ocid"]) for error in result.report["tasks"][0]["errors"]} == {201}
    assert len(json.dumps(result.report)) < 10_000


def test_the_standards_addresses_resolve_to_the_shipped_files_and_nothing_else() -> None:
    from referencing.exceptions import NoSuchResource

    from ckanext.anticorruption.validation.ocds import _retrieve

    shipped = _retrieve("https://standard.open-contracting.org/schema/1__1__4/release-schema.json")
    assert shipped.contents["id"].endswith("/release-schema.json")
    for address in ("https://standard.open-contracting.org/schema/1__1__4/other.json",
                    "https://example.org/release-schema.json",
                    "https://standard.open-contracting.org/schema/1__1__5/../../../../etc/passwd.json"):
        with pytest.raises(NoSuchResource):
            _retrieve(address)

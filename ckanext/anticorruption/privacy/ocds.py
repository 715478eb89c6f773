"""Privacy scan of OCDS files: the table scan, fed with each release's values by path.

Pure module. An OCDS file has no columns, but every value sits at a path
(``parties.contactPoint.email``, ``tender.description``): those paths are
the columns the privacy scan (privacy/scan.py) looks into, and the release's
number is its row. What OCDS itself publishes about persons is declared
public here, as a type's Table Schema declares its columns: the names and
identifiers of parties (a natural person who wins a contract is named by
law, with the RFC), and the contact point an agency chose to publish. Any
other personal identifier is a finding: a CURP in a party's identifier, an
e-mail address or a phone number in a description, a person's RFC in an
address.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ckanext.anticorruption.privacy.scan import PrivacyScan

__all__ = ["OCDS_DECLARED", "OcdsPrivacyScan", "release_values"]

# Values read at once into the table scan.
_BATCH = 20_000
# Characters of one value looked at (a longer text is cut, as the report cuts it).
_LONGEST = 2_000
# A record wraps its releases; the versioned release wraps each value.
_WRAPPERS = ("compiledRelease", "releases", "versionedRelease")

_RFC = {"identifier": {"schemes": ["MX-RFC"]}}
# Where OCDS writes an organization (a party, or in OCDS 1.0 the organization itself).
_ORGANIZATIONS = ("parties", "buyer", "tender.procuringEntity", "tender.tenderers", "awards.suppliers",
                  "contracts.implementation.transactions.payee", "contracts.implementation.transactions.payer")
_PUBLIC: dict[str, dict[str, Any]] = {}
for _organization in _ORGANIZATIONS:
    _PUBLIC.update({
        # Parties, by their identifiers (an RFC: companies and persons who take part are named by law) ...
        f"{_organization}.id": _RFC, f"{_organization}.identifier.id": _RFC,
        f"{_organization}.additionalIdentifiers.id": _RFC,
        # ... and by their names.
        f"{_organization}.name": {}, f"{_organization}.identifier.legalName": {},
        f"{_organization}.additionalIdentifiers.legalName": {},
        # The contact point the publisher chose to publish.
        f"{_organization}.contactPoint.name": {}, f"{_organization}.contactPoint.email": {"format": "email"},
        f"{_organization}.contactPoint.telephone": {}, f"{_organization}.contactPoint.faxNumber": {},
    })

# The paths OCDS publishes about persons on purpose, as a Table Schema (see privacy.scan.scanned_fields).
OCDS_DECLARED: dict[str, Any] = {"fields": [
    {"name": path, "type": "string", "personal_data": True, "personal_data_public": True, **extra}
    for path, extra in _PUBLIC.items()
]}


def release_values(release: Any) -> Iterator[tuple[str, str]]:
    """Every text value of a release (or record) with its path, array positions and wrappers left out.

    Iterative, so a deeply nested file cannot exhaust the stack (the checker
    refuses those anyway).
    """
    stack: list[tuple[tuple[str, ...], Any]] = [((), release)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict) and path and "value" in value and "releaseDate" in value:
            stack.append((path, value["value"]))  # a versioned value: only the value is data
        elif isinstance(value, dict):
            for key, inner in value.items():
                if not path and key in _WRAPPERS:
                    stack.append(((), inner))
                elif isinstance(key, str):
                    stack.append(((*path, key), inner))
        elif isinstance(value, list):
            stack.extend((path, inner) for inner in value)
        elif isinstance(value, str) and value and path:
            yield ".".join(path), value[:_LONGEST]


class OcdsPrivacyScan:
    """A release scan of the OCDS check (``feed(number, release)``, ``finish()``) whose summary is the
    privacy scan's, as for a table: per path, the kinds found, masked examples and release numbers."""

    name = PrivacyScan.name

    def __init__(self, today: datetime.date | None = None) -> None:
        self._scan = PrivacyScan(OCDS_DECLARED, today)
        self._values: dict[str, list[str]] = {}
        self._rows: dict[str, list[int]] = {}
        self._held = 0

    def feed(self, number: int, release: Any) -> None:
        for path, value in release_values(release):
            self._values.setdefault(path, []).append(value)
            self._rows.setdefault(path, []).append(number)
            self._held += 1
        if self._held >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        for path, values in self._values.items():
            self._scan.feed({path: pa.array(values, pa.string())}, pa.array(self._rows[path], pa.int64()))
        self._values, self._rows, self._held = {}, {}, 0

    def finish(self) -> dict[str, Any]:
        self._flush()
        return self._scan.finish()

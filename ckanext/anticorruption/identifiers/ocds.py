"""The suppliers of an OCDS file, for the linkage index and the red flags.

Pure module. :class:`OcdsPartyLinks` is fed the releases of a file (each
release of a package, each record's compiled release, see
``validation.ocds.release_like``) and sums up, as ``IdentifierLinks`` does
for a table's supplier column, the organizations that were awarded a
contract, with the dates their contracts were signed:

* the parties whose ``roles`` hold ``supplier`` or ``payee`` (tenderers that
  won nothing are not awards; OCDS 1.0 files have no parties, so their
  ``awards[].suppliers`` are read too);
* by identifier: ``identifier.scheme`` + ``identifier.id`` (and
  ``additionalIdentifiers``): ``MX-RFC`` is checked and joined as the RFC
  itself; any other org-id register code (``GB-COH``, ``MX-CPA``) is kept as
  written; a party without a scheme whose id is a well-formed RFC (Mexico
  City writes them so) is taken as one;
* by name: the party's ``name`` (or ``identifier.legalName``) as a join key
  of the second tier (see names), with the name as written as its label;
* dates: ``dateSigned`` of the contracts of the awards naming the party,
  else those awards' ``date``; a release without awards (the federal
  government's compiled releases) gives its contracts' dates to each of its
  suppliers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ckanext.anticorruption.identifiers.names import NAME_SCHEME, NameRules
from ckanext.anticorruption.identifiers.schemes import Registry

__all__ = ["AWARDED_ROLES", "FIELD", "OcdsPartyLinks"]

# The roles of a party that was awarded a contract or is paid under one.
AWARDED_ROLES = frozenset({"supplier", "payee"})
# The "column" the links are stored under in the index.
FIELD = "parties"
_ORG_ID_SCHEME = re.compile(r"[A-Z]{2}-[A-Z0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# How publishers spell the RFC register instead of its org-id code.
_RFC_SPELLINGS = frozenset({"MX-RFC", "RFC", "MX-RFC-", "MX_RFC"})
# No legal name is this long: a longer one is junk, and would not fit the index's key.
MAX_NAME = 300


def _day(value: Any) -> str | None:
    text = str(value or "")[:10]
    return text if _DAY.fullmatch(text) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class OcdsPartyLinks:
    """Award links of an OCDS file: ``feed(number, release)`` each release, then ``finish()``."""

    name = "links"

    def __init__(self, registry: Registry, rules: NameRules | None = None, role: str | None = "award") -> None:
        self.registry = registry
        self.rules = rules or NameRules.load()
        # The type's red-flag role (its ``red_flags``): a type that declares none stores the
        # suppliers for the identifier pages, but raises no flag with them.
        self.role = role
        # (scheme, identifier) → link under construction
        self._found: dict[tuple[str, str], dict[str, Any]] = {}

    def feed(self, number: int, release: dict[str, Any]) -> None:
        seen: set[tuple[str, str]] = set()
        for organization, dates in self._suppliers(release):
            for key, person, label in self._keys(organization):
                link = self._found.get(key)
                if link is None:
                    link = self._found[key] = {"field": FIELD, "scheme": key[0], "identifier": key[1], "rows": 0,
                                               "person": person, "dates": set(), "label": label}
                if key not in seen:
                    link["rows"] += 1
                    seen.add(key)
                link["dates"] |= dates
                link["person"] = link["person"] or person

    def finish(self) -> dict[str, Any]:
        links = [{**link, "dates": sorted(link["dates"])} for link in self._found.values()]
        return {"role": self.role, "supplier": FIELD if self.role else None, "links": links}

    # The suppliers of a release, each with its contracts' dates.
    def _suppliers(self, release: dict[str, Any]) -> Iterator[tuple[dict[str, Any], set[str]]]:
        awards = _dicts(release.get("awards"))
        contracts = _dicts(release.get("contracts"))
        signed: dict[str, set[str]] = {}
        for contract in contracts:
            day = _day(contract.get("dateSigned"))
            if day:
                signed.setdefault(str(contract.get("awardID")), set()).add(day)
        all_signed = set().union(*signed.values()) if signed else set()
        all_awarded = {day for award in awards if (day := _day(award.get("date")))}

        def dates_of(names: set[str]) -> set[str]:
            found: set[str] = set()
            for award in awards:
                if any(names & self._references(s) for s in _dicts(award.get("suppliers"))):
                    award_signed = signed.get(str(award.get("id")), set())
                    found |= award_signed or ({_day(award.get("date"))} - {None})  # type: ignore[operator]
            return found or all_signed or all_awarded

        parties = [party for party in _dicts(release.get("parties"))
                   if AWARDED_ROLES & {str(role) for role in party.get("roles") or [] if isinstance(role, str)}]
        named = set()
        for party in parties:
            references = self._references(party)
            named |= references
            yield party, dates_of(references)
        # OCDS 1.0 (and awards naming suppliers that are not among the parties).
        for award in awards:
            for supplier in _dicts(award.get("suppliers")):
                if self._references(supplier) & named:
                    continue
                if any(isinstance(p.get("id"), (str, int)) and str(p.get("id")) == str(supplier.get("id"))
                       for p in _dicts(release.get("parties"))):
                    continue  # a party with another role (the award's data is the party's)
                named |= self._references(supplier)
                award_signed = signed.get(str(award.get("id")), set())
                yield supplier, award_signed or ({_day(award.get("date"))} - {None}) or all_signed  # type: ignore[operator]

    def _references(self, organization: dict[str, Any]) -> set[str]:
        """What names an organization within a release: its id, its identifier, its name's key."""
        found = set()
        if isinstance(organization.get("id"), (str, int)) and str(organization["id"]):
            found.add(f"id:{organization['id']}")
        identifier = organization.get("identifier")
        if isinstance(identifier, dict) and isinstance(identifier.get("id"), (str, int)) and str(identifier["id"]):
            found.add(f"identifier:{str(identifier['id']).strip().upper()}")
        name = self._name(organization)
        if name and (key := self.rules.key(name)):
            found.add(f"name:{key}")
        return found

    @staticmethod
    def _name(organization: dict[str, Any]) -> str | None:
        identifier = organization.get("identifier") if isinstance(organization.get("identifier"), dict) else {}
        for value in (organization.get("name"), identifier.get("legalName")):
            if isinstance(value, str) and value.strip() and len(value) <= MAX_NAME:
                return value.strip()
        return None

    # The keys an organization is stored under: identifiers, then its name.
    def _keys(self, organization: dict[str, Any]) -> Iterator[tuple[tuple[str, str], bool, str | None]]:
        name = self._name(organization)
        company = False
        for identifier in self._identifiers(organization):
            resolved = self._resolve(identifier)
            if resolved is None:
                continue
            person = self.registry.natural_person(*resolved)
            company = company or not person
            yield resolved, person, name
        if name:
            key = self.rules.key(name)
            if key:
                # A name without a legal form or a company's identifier may be a person's.
                person = not (company or self.rules.parse(name).form)
                yield (NAME_SCHEME, key), person, name

    @staticmethod
    def _identifiers(organization: dict[str, Any]) -> Iterable[dict[str, Any]]:
        identifier = organization.get("identifier")
        return ([identifier] if isinstance(identifier, dict) else []) + _dicts(organization.get("additionalIdentifiers"))

    def _resolve(self, identifier: dict[str, Any]) -> tuple[str, str] | None:
        value = identifier.get("id")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            return None
        text = str(value).strip()
        scheme = str(identifier.get("scheme") or "").strip().upper()
        if not text or len(text) > 200:
            return None
        if scheme in _RFC_SPELLINGS or not scheme:
            rfc = re.sub(r"[\s-]", "", text.upper())
            if rfc.startswith("MXRFC"):
                rfc = rfc[5:]
            resolved = self.registry.resolve(rfc, ("MX-RFC",))
            problem = self.registry.check(rfc, ("MX-RFC",))
            # A generic RFC (the general public's) names no one in particular.
            if resolved is None or (problem is not None and problem.code == "generic"):
                return None
            return resolved
        if not _ORG_ID_SCHEME.fullmatch(scheme):
            return None
        scheme_of = self.registry.schemes.get(scheme)
        if scheme_of is not None:
            if scheme_of.personal:
                return None
            return self.registry.resolve(text, (scheme,))
        return scheme, text

"""Identifier schemes: what a well-formed identifier looks like, country by country.

Pure module. A Table Schema field declares the schemes its values follow::

    identifier: {refers_to: organization, schemes: [MX-RFC]}

and :class:`Registry` checks each value against them. A value that cannot
be an identifier of the scheme is *malformed* (an error: the file is
invalid); a value whose shape is right but whose check digit is not is a
*warning*, because a share of the RFCs the tax authority really issued fail
the published algorithm.

Other countries plug in their schemes through the ``IIdentifierSchemes``
plugin interface (see interfaces.py); :func:`stdnum_scheme` turns any
python-stdnum module into a scheme in one line.
"""
from __future__ import annotations

import datetime
import functools
import importlib
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BUILT_IN_SCHEMES",
    "LOCAL",
    "ORGANIZATION_REFERENCES",
    "IdentifierScheme",
    "Problem",
    "Registry",
    "org_id_register",
    "rfc_check_digit",
    "stdnum_scheme",
]

# How many answers a registry remembers before it starts again.
_MEMO_LIMIT = 500_000
_UNKNOWN = object()

# Identifiers that mean something only inside their own file.
LOCAL = "LOCAL"

# What an identifier column may refer to for its values to join datasets
# about organizations (the linkage index and the red flags).
ORGANIZATION_REFERENCES = frozenset({"organization", "person_or_organization", "public_body"})


@dataclass(frozen=True)
class Problem:
    """Why a value is not a good identifier of a scheme."""

    severity: str  # "error" (malformed) | "warning" (check digit)
    code: str  # "format", "length", "date", "component", "check-digit", "prefix", "generic", "buying-unit"
    scheme: str
    note: str  # English, for the error log; pages word it from ``code``


@dataclass(frozen=True)
class IdentifierScheme:
    """A scheme: its code (org-id style where one exists), titles and checks.

    ``check`` returns None for a good value. ``natural_person`` tells whether
    a good value names a person (never listed on public identifier pages).
    ``canonical`` is the form used to join datasets.
    """

    code: str
    title: dict[str, str]
    check: Callable[[str], Problem | None]
    natural_person: Callable[[str], bool] = lambda value: False
    canonical: Callable[[str], str] = lambda value: value
    # Whether its values are personal identifiers (never joined or listed).
    personal: bool = False
    # Whole columns at once: a function from a string array to a boolean
    # array, true only where ``check`` would find nothing and ``canonical``
    # would change nothing; the other values are checked one by one.
    certainly_fine: Callable[[pa.Array], pa.Array] | None = None


# Mexico: RFC -----------------------------------------------------------------

_RFC_COMPANY = re.compile(r"[A-ZÑ&]{3}[0-9]{6}[A-Z0-9]{3}")
_RFC_PERSON = re.compile(r"[A-ZÑ&]{4}[0-9]{6}[A-Z0-9]{3}")
_RFC_HOMOCLAVE = re.compile(r"[1-9A-V][1-9A-Z][0-9A]")
# Issued to everyone the tax authority cannot identify: not one supplier.
_RFC_GENERIC = frozenset({"XAXX010101000", "XEXX010101000"})


def _date_ok(digits: str) -> bool:
    try:
        datetime.date(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


# python-stdnum's algorithm (stdnum.mx.rfc.calc_check_digit), with the
# alphabet looked up in a dict: this runs once per distinct supplier of a
# million-row file. tests/identifiers/test_schemes.py checks both agree.
_RFC_VALUES = {character: index for index, character in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}
_RFC_DIGITS = "0123456789A"


_RFC_WEIGHTS = tuple(range(13, 1, -1))
_RFC_ALPHABET_ARRAY = pa.array([character.replace("Ñ", "#") for character in _RFC_VALUES], pa.string())
_RFC_DIGITS_ARRAY = pa.array(list(_RFC_DIGITS), pa.string())


def rfc_check_digit(body: str) -> str:
    """The check digit of an RFC without its last character (11 or 12 characters)."""
    padded = ("   " + body)[-12:]
    total = sum(map(operator.mul, map(_RFC_VALUES.__getitem__, padded), _RFC_WEIGHTS))
    return _RFC_DIGITS[(11 - total) % 11]


def _check_rfc(value: str) -> Problem | None:
    if len(value) not in (12, 13):
        return Problem("error", "length", "MX-RFC",
                       f"an RFC has 12 characters (company) or 13 (person), not {len(value)}")
    shape = _RFC_COMPANY if len(value) == 12 else _RFC_PERSON
    if not shape.fullmatch(value):
        return Problem("error", "format", "MX-RFC",
                       "an RFC is 3 or 4 capital letters, 6 digits (YYMMDD) and 3 letters or digits")
    start = len(value) - 9
    if not _date_ok(value[start:start + 6]):
        return Problem("error", "date", "MX-RFC", f"{value[start:start + 6]} is not a date (YYMMDD)")
    if value in _RFC_GENERIC:
        return Problem("warning", "generic", "MX-RFC", "a generic RFC names no particular taxpayer")
    if not _RFC_HOMOCLAVE.fullmatch(value[-3:]) or value[-1] != rfc_check_digit(value[:-1]):
        return Problem("warning", "check-digit", "MX-RFC", "the last character is not the RFC's check digit")
    return None


_MONTH_DAYS = pa.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int64())


def _real_dates(digits: pa.Array) -> pa.Array:
    """Where six digits YYMMDD (20YY) are a calendar date, as ``_date_ok`` says one by one."""
    year = pc.cast(pc.utf8_slice_codeunits(digits, 0, 2), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(digits, 2, 4), pa.int64())
    day = pc.cast(pc.utf8_slice_codeunits(digits, 4, 6), pa.int64())
    month_ok = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    days = pc.take(_MONTH_DAYS, pc.if_else(month_ok, month, 0))
    # 2000-2099: every fourth year is a leap year.
    leap = pc.equal(pc.subtract(year, pc.multiply(pc.divide(year, 4), 4)), 0)
    days = pc.add(days, pc.cast(pc.and_(pc.equal(month, 2), leap), pa.int64()))
    return pc.and_(month_ok, pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, days)))


def _rfc_certainly_fine(values: pa.Array) -> pa.Array:
    """The RFC checks of ``_check_rfc`` on a whole array: shape, date and check digit."""
    # Ñ is the only character of an RFC outside ASCII; as "#" every character
    # is one byte, so positions are byte offsets.
    ascii_values = pc.replace_substring(values, "Ñ", "#")
    company = pc.match_substring_regex(ascii_values, r"^[A-Z#&]{3}[0-9]{6}[1-9A-V][1-9A-Z][0-9A]$")
    person = pc.match_substring_regex(ascii_values, r"^[A-Z#&]{4}[0-9]{6}[1-9A-V][1-9A-Z][0-9A]$")
    shape = pc.fill_null(pc.or_(company, person), False)
    # Values of another shape are replaced by a harmless one before slicing.
    safe = pc.if_else(shape, ascii_values, "AAA000101AA0")
    twelve = pc.equal(pc.utf8_length(safe), 12)
    date = pc.if_else(twelve, pc.utf8_slice_codeunits(safe, 3, 9), pc.utf8_slice_codeunits(safe, 4, 10))
    real_date = _real_dates(date)
    padded = pc.utf8_lpad(pc.utf8_slice_codeunits(safe, 0, -1), 12, " ")
    total = None
    for position, weight in enumerate(_RFC_WEIGHTS):
        character = pc.utf8_slice_codeunits(padded, position, position + 1)
        term = pc.multiply(pc.index_in(character, value_set=_RFC_ALPHABET_ARRAY), weight)
        total = term if total is None else pc.add(total, term)
    remainder = pc.subtract(total, pc.multiply(pc.divide(total, 11), 11))
    digit = pc.subtract(11, remainder)
    digit = pc.if_else(pc.equal(digit, 11), 0, digit)
    expected = pc.take(_RFC_DIGITS_ARRAY, digit)
    good_digit = pc.equal(expected, pc.utf8_slice_codeunits(safe, -1, 2**31 - 1))
    generic = pc.is_in(values, value_set=pa.array(sorted(_RFC_GENERIC), pa.string()))
    fine = pc.and_kleene(pc.and_kleene(shape, real_date), good_digit)
    return pc.fill_null(pc.and_kleene(fine, pc.invert(generic)), False)


# Mexico: CURP ----------------------------------------------------------------

_CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9][0-9]")


def _check_curp(value: str) -> Problem | None:
    from stdnum.mx import curp

    if len(value) != 18:
        return Problem("error", "length", "MX-CURP", f"a CURP has 18 characters, not {len(value)}")
    if not _CURP.fullmatch(value):
        return Problem("error", "format", "MX-CURP", "a CURP is 4 letters, 6 digits, H/M/X, 5 letters and 2 more")
    if not _date_ok(value[4:10]):
        return Problem("error", "date", "MX-CURP", f"{value[4:10]} is not a date (YYMMDD)")
    if value[11:13] not in curp._valid_states:
        return Problem("error", "component", "MX-CURP", f"{value[11:13]} is not a Mexican state code")
    if value[-1] != curp.calc_check_digit(value):
        return Problem("warning", "check-digit", "MX-CURP", "the last digit is not the CURP's check digit")
    return None


# Open Contracting ---------------------------------------------------------

# The prefix in any case: Mexico City writes OCDS-87SD3T-…; ocids are
# compared in lower case (``canonical``), so that both spellings are one.
_OCID = re.compile(r"ocds-[a-z0-9]{6}-\S.*", re.IGNORECASE | re.DOTALL)


def _check_ocid(value: str) -> Problem | None:
    if not _OCID.fullmatch(value):
        return Problem("error", "prefix", "OCID",
                       "an OCID starts with ocds-, a 6-character publisher prefix and a hyphen")
    return None


def _ocid_certainly_fine(values: pa.Array) -> pa.Array:
    """Well-formed ocids already in lower case (``canonical`` changes nothing)."""
    shape = pc.match_substring_regex(values, r"^ocds-[a-z0-9]{6}-\S.*$")
    return pc.fill_null(pc.and_kleene(shape, pc.equal(values, pc.utf8_lower(values))), False)


# Mexico: budget units (ramo and unidad responsable) -------------------------

# SHCP's budget key: the ramo's 2 digits and the unidad responsable's 3
# letters or digits, written "09-210" (this portal's templates) or "06E00"
# (the federal OCDS records, scheme MX-CPA). Both join as "09-210".
_UR = re.compile(r"([0-9]{2})-?([0-9A-Z]{3})")
# CompraNet's buying-unit key (CLAVEUC): the ramo on 3 digits, the unidad
# responsable, then the unit's own 3 digits ("011C00999"). It names a unit
# inside a budget unit: usable, joined by its budget unit, but worth a look.
_CLAVEUC = re.compile(r"0([0-9]{2})([0-9A-Z]{3})[0-9]{3}")


def _check_ur(value: str) -> Problem | None:
    upper = value.upper()
    if _UR.fullmatch(upper):
        return None
    if _CLAVEUC.fullmatch(upper):
        return Problem("warning", "buying-unit", "MX-UR",
                       "a CompraNet buying-unit code (CLAVEUC), joined by its ramo and unidad responsable")
    return Problem("error", "format", "MX-UR",
                   "a budget unit code is the ramo's 2 digits and the unidad responsable's 3 letters or digits")


def _canonical_ur(value: str) -> str:
    upper = value.upper()
    found = _UR.fullmatch(upper) or _CLAVEUC.fullmatch(upper)
    return f"{found.group(1)}-{found.group(2)}" if found else value


BUILT_IN_SCHEMES: tuple[IdentifierScheme, ...] = (
    IdentifierScheme(
        "MX-RFC", {"en": "Mexican taxpayer number (RFC)", "es": "Registro Federal de Contribuyentes (RFC)"},
        _check_rfc, natural_person=lambda value: len(value) == 13, certainly_fine=_rfc_certainly_fine,
    ),
    IdentifierScheme(
        "MX-CURP", {"en": "Mexican population register key (CURP)", "es": "Clave Única de Registro de Población (CURP)"},
        _check_curp, natural_person=lambda value: True, personal=True,
    ),
    IdentifierScheme(
        "OCID", {"en": "Open Contracting process identifier (OCID)", "es": "Identificador de contrataciones abiertas (OCID)"},
        _check_ocid, canonical=str.lower, certainly_fine=_ocid_certainly_fine,
    ),
    IdentifierScheme(
        "MX-UR", {"en": "Mexican budget unit code (ramo and unidad responsable)",
                  "es": "Clave presupuestaria de ramo y unidad responsable"},
        _check_ur, canonical=_canonical_ur,
        certainly_fine=lambda values: pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{2}-[0-9A-Z]{3}$"), False),
    ),
)

# What a scheme this portal cannot check may still join on: a code, never
# free text (an e-mail address or a name from a misplaced column).
_PLAIN_CODE = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z._/-]{0,78}[0-9A-Za-z])?")

# org-id.guide codes: a country (or XI/XM) and a register, e.g. MX-RFC-…,
# GB-COH-01234567 (the UK's Companies House), a state's own supplier register.
_ORG_ID = re.compile(r"((?:[A-Z]{2})-[A-Z0-9]{2,})-(\S+)")
# org-id.guide's lists that belong to no country: international (XI) and multilateral (XM).
_NO_COUNTRY = {"XI": {"en": "international", "es": "internacional"},
               "XM": {"en": "multilateral", "es": "multilateral"}}


@functools.cache
def _countries(language: str) -> dict[str, str]:
    """ISO 3166 two-letter country codes and their names in ``language`` (from Babel's CLDR data)."""
    from babel import Locale

    names = {code: name for code, name in Locale(language).territories.items()
             if len(code) == 2 and code.isalpha() and code != "ZZ"}
    names.update({code: title[language] for code, title in _NO_COUNTRY.items()})
    return names


def org_id_register(code: str) -> dict[str, str] | None:
    """Titles (en, es) of an org-id.guide register code such as ``GB-COH``; None when its
    first two letters are no country (nor XI/XM) or the code is not shaped like one."""
    country, _, register = code.partition("-")
    if not re.fullmatch(r"[A-Z0-9]{2,}", register) or country not in _countries("en"):
        return None
    return {language: (f"Register {code} ({_countries('en')[country]}), as listed by org-id.guide"
                       if language == "en" else
                       f"Registro {code} ({_countries('es')[country]}), según org-id.guide")
            for language in ("en", "es")}


def stdnum_scheme(code: str, module: str, title: dict[str, str], *,
                  natural_person: Callable[[str], bool] | None = None) -> IdentifierScheme:
    """A scheme from a python-stdnum module (e.g. ``stdnum.co.nit``).

    stdnum's InvalidChecksum is a warning; every other exception is an error.
    """
    number = importlib.import_module(module)
    from stdnum.exceptions import InvalidChecksum, ValidationError

    def check(value: str) -> Problem | None:
        try:
            number.validate(value)
        except InvalidChecksum:
            return Problem("warning", "check-digit", code, "the check digit does not match")
        except ValidationError as error:
            return Problem("error", "format", code, str(error))
        return None

    return IdentifierScheme(code, title, check, natural_person=natural_person or (lambda value: False),
                            canonical=number.compact)


@dataclass
class Registry:
    """The schemes a portal knows, by code; checks values against a column's schemes."""

    schemes: dict[str, IdentifierScheme] = field(default_factory=dict)
    # Answers already given, by question and codes, shared by every scan of a run (bounded).
    _memo: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, schemes: Iterable[IdentifierScheme]) -> Registry:
        registry = cls()
        for scheme in (*BUILT_IN_SCHEMES, *schemes):
            registry.schemes[scheme.code] = scheme
        return registry

    def checkable(self, codes: Iterable[str]) -> list[str]:
        """The codes among ``codes`` that this registry can check (ORG-ID included)."""
        return [code for code in codes if code in self.schemes or code == "ORG-ID"]

    def _answers(self, kind: str, codes: Iterable[str]) -> dict[str, Any]:
        key = (kind, tuple(codes))
        answers = self._memo.get(key)
        if answers is None or len(answers) >= _MEMO_LIMIT:
            answers = self._memo[key] = {}
        return answers

    def certainly_fine(self, values: pa.Array, codes: Sequence[str]) -> list[pa.Array | None]:
        """Per code, where ``values`` are certainly good identifiers of it (None: cannot tell at once)."""
        masks: list[pa.Array | None] = []
        for code in codes:
            scheme = self.schemes.get(code)
            masks.append(scheme.certainly_fine(values) if scheme is not None and scheme.certainly_fine else None)
        return masks

    def check(self, value: str, codes: Sequence[str]) -> Problem | None:
        """None when ``value`` is good under one of ``codes``; else the nearest problem.

        A warning under one scheme beats an error under another (the value is
        an identifier, with a doubtful check digit).
        """
        answers = self._answers("check", codes)
        answer = answers.get(value, _UNKNOWN)
        if answer is _UNKNOWN:
            answer = answers[value] = self._check(value, codes)
        return answer

    def _check(self, value: str, codes: Sequence[str]) -> Problem | None:
        found: list[Problem] = []
        for code in codes:
            problem = self._check_one(value, code)
            if problem is None:
                return None
            found.append(problem)
        if not found:
            return None
        warnings = [problem for problem in found if problem.severity == "warning"]
        if warnings:
            return warnings[0]
        # A value written like an org-id identifier is told what is wrong with it as one.
        if "ORG-ID" in codes and _ORG_ID.fullmatch(value):
            return next(problem for code, problem in zip(codes, found) if code == "ORG-ID")
        return found[0]

    def resolve(self, value: str, codes: Sequence[str]) -> tuple[str, str] | None:
        """The (scheme, canonical value) to join on, or None for an unusable value.

        ``MX-RFC-CMO180304KX1`` in an ORG-ID column and ``CMO180304KX1`` in
        an MX-RFC column resolve to the same pair.
        """
        answers = self._answers("resolve", codes)
        answer = answers.get(value, _UNKNOWN)
        if answer is _UNKNOWN:
            answer = answers[value] = self._resolve(value, codes)
        return answer

    def _resolve(self, value: str, codes: Sequence[str]) -> tuple[str, str] | None:
        for code in codes:
            if code == "ORG-ID":
                found = _ORG_ID.fullmatch(value)
                if not found:
                    continue
                inner_code, inner = found.groups()
                scheme = self.schemes.get(inner_code)
                if scheme is None:
                    if org_id_register(inner_code) is None or not _PLAIN_CODE.fullmatch(inner):
                        continue
                    return inner_code, inner
                if scheme.check(inner) is None or scheme.check(inner).severity == "warning":
                    return inner_code, scheme.canonical(inner)
                continue
            scheme = self.schemes.get(code)
            if scheme is None:
                continue
            problem = self.check(value, (code,))
            if problem is None or problem.severity == "warning":
                return code, scheme.canonical(value)
        # A scheme with no checks here joins on the value as written, if it
        # is written like a code; LOCAL identifiers mean something only inside their file.
        unchecked = [code for code in codes if code not in self.schemes and code not in ("ORG-ID", LOCAL)]
        return (unchecked[0], value.strip()) if unchecked and _PLAIN_CODE.fullmatch(value.strip()) else None

    def title(self, code: str) -> dict[str, str] | None:
        """The titles (en, es) of a scheme this registry checks, or of an org-id.guide register."""
        scheme = self.schemes.get(code)
        return dict(scheme.title) if scheme is not None else org_id_register(code)

    def natural_person(self, code: str, value: str) -> bool:
        scheme = self.schemes.get(code)
        return bool(scheme and (scheme.personal or scheme.natural_person(value)))

    def _check_one(self, value: str, code: str) -> Problem | None:
        if code == "ORG-ID":
            found = _ORG_ID.fullmatch(value)
            if not found:
                return Problem("error", "prefix", "ORG-ID",
                               "an org-id identifier starts with a register code such as MX-RFC-")
            inner_code, inner = found.groups()
            scheme = self.schemes.get(inner_code)
            if scheme is None and org_id_register(inner_code) is None:
                return Problem("error", "country", "ORG-ID",
                               f"{inner_code[:2]} is not a country code (ISO 3166) nor XI/XM")
            if scheme is None and not _PLAIN_CODE.fullmatch(inner):
                return Problem("error", "format", "ORG-ID", "the number in the register is not written as a code")
            return scheme.check(inner) if scheme is not None else None
        scheme = self.schemes.get(code)
        return scheme.check(value) if scheme is not None else None


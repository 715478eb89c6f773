"""Values as publishers write them: dates, amounts and codes read before they are checked.

A Mexican file writes ``06/08/2014`` for 6 August 2014, ``$837,480.00`` for an
amount, ``Licitación Pública`` for the code ``licitación pública`` and ``mxn``
for ``MXN``. Each field of a type gets a *reading*: a small rule that turns
what the publisher wrote into the value the Table Schema describes (an ISO
date, a plain number, the code), and says which assumption it made. Both
engines read every cell through the same reading before their checks, so they
agree on the read values; an error still shows what the publisher wrote.

What may be read is data: the type's defaults (``publisherValues`` in its
Table Schema, from ``schemas/values.yaml``: date formats, month names,
currency marks, which fields hold codes to upper-case, value aliases) and
the field's own ``valueAliases`` (code → words publishers use for it). A field
that declares the Table Schema's own reading properties (``decimalChar``,
``groupChar``, ``bareNumber``, a date ``format``) is read by frictionless as
the standard says, without a reading. The number convention of a column
(``1,234.50`` or ``1.234,50`` or ``1 234,5``) is decided from its first
values (:func:`plan_readings`) and reported.

Empty cells written ``N/A``, ``n/d``, ``S/D``, ``-`` are the Table Schema's own
``missingValues`` (set by the type's defaults); they are only counted here.

Pure: descriptors and cell values in, values and counts out.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULTS_KEY",
    "READING_KEY",
    "Reading",
    "Tally",
    "fold",
    "plan_readings",
    "reading_for",
    "with_readings",
]

# Schema-level key holding the type's defaults (schemas/values.yaml).
DEFAULTS_KEY = "publisherValues"
# Field-level key holding the reading decided for one check (see plan_readings).
READING_KEY = "valueReading"
# Field-level key: code → the words publishers write for it.
ALIASES_KEY = "valueAliases"

# The Table Schema's own reading properties: a field that declares one is read
# by frictionless as the standard says.
_NUMBER_PROPERTIES = ("decimalChar", "groupChar", "bareNumber")


def fold(text: str) -> str:
    """``text`` compared without case, accents or repeated spaces: " Licitación  Pública" → "licitacion publica"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


# Readings -------------------------------------------------------------------

# (read value, (kind, params)) where kind is None when the value is kept as written.
Read = tuple[Any, tuple[str, tuple[tuple[str, str], ...]] | None]
_KEPT: tuple[str, tuple[tuple[str, str], ...]] | None = None


class Reading:
    """How one field's cells are read; :meth:`read` never raises.

    A value it cannot read is returned as written, so the check that follows
    reports it as the publisher wrote it.
    """

    kind = ""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.missing = frozenset(spec.get("missing") or ())
        self._known: dict[Any, Read] = {}

    def read(self, value: Any) -> Read:
        if type(value) is not str or value in self.missing:
            return value, _KEPT
        read, assumption = self._read(value)
        if assumption is None or read == value or read in self.missing:
            return value, _KEPT
        return read, assumption

    def value(self, value: Any) -> Any:
        return self.read_cached(value)[0]

    def read_cached(self, value: Any) -> Read:
        """:meth:`read`, remembered for the last few thousand distinct values."""
        found = self._known.get(value)
        if found is None:
            if len(self._known) >= 4096:
                self._known.clear()
            found = self._known[value] = self.read(value)
        return found

    def _read(self, value: str) -> Read:
        raise NotImplementedError


class NumberReading(Reading):
    """Amounts with a currency mark, thousands separators and a decimal point or comma."""

    kind = "number"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self.decimal = spec.get("decimal", ".")
        groups = "".join(sorted(set(spec.get("groups", ", .'\u00a0")) - {self.decimal}))
        marks = sorted(spec.get("currency") or (), key=len, reverse=True)
        mark = "|".join(re.escape(m) for m in marks)
        mark_part = rf"(?:(?P<c1>{mark})\s*)?" if mark else ""
        mark_tail = rf"(?:\s*(?P<c2>{mark}))?" if mark else ""
        self.pattern = re.compile(
            rf"(?P<s1>[-+]?)\s*{mark_part}(?P<s2>[-+]?)\s*"
            rf"(?P<int>[0-9]{{1,3}}(?:(?P<g>[{re.escape(groups)}])[0-9]{{3}})(?:(?P=g)[0-9]{{3}})*|[0-9]+)"
            rf"(?:{re.escape(self.decimal)}(?P<frac>[0-9]+))?{mark_tail}",
            re.IGNORECASE,
        )

    def _read(self, value: str) -> Read:
        found = self.pattern.fullmatch(value.strip())
        if not found or (found["s1"] and found["s2"]):
            return value, _KEPT
        digits = found["int"].replace(found["g"], "") if found["g"] else found["int"]
        read = (found["s1"] or found["s2"]) + digits + (f".{found['frac']}" if found["frac"] is not None else "")
        params = (
            ("currency", found["c1"] or found["c2"] or ""),
            ("decimal", self.decimal if found["frac"] is not None else ""),
            ("group", found["g"] or ""),
        )
        return read, ("number", params)


# A date written with numbers: 06/08/2014, 6-8-14, 2014/08/06.
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})")
_YEAR_FIRST = re.compile(r"([0-9]{4})([/.-])([0-9]{1,2})\2([0-9]{1,2})")
# 15 de marzo de 2019, 1o. de julio del 2020 (folded: no accents, lower case).
_LONG_DATE = re.compile(r"([0-9]{1,2})(?:o|º|°)?\.?\s+de\s+([a-z]+)\.?\s+(?:de|del)\s+([0-9]{4})")
# 15-mar-2019, 15 mar 19.
_SHORT_MONTH = re.compile(r"([0-9]{1,2})([-/ ])([a-z]+)\.?\2([0-9]{4}|[0-9]{2})")
# A time of day after a date, with or without seconds and a zone: a date
# field keeps the date as written (the zone is not applied), and the report
# says whether a time other than midnight was left out.
_TIME = re.compile(r"(.*?)\s*[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?\s*"
                   r"(?:Z|GMT|UTC|[+-][0-9]{2}:?[0-9]{2})?", re.IGNORECASE)


def _year(text: str) -> int:
    # Two-digit years as POSIX strptime reads %y: 69-99 are 19xx, 00-68 are 20xx.
    number = int(text)
    if len(text) == 4:
        return number
    return number + (1900 if number >= 69 else 2000)


class DateReading(Reading):
    """Day-first dates, Spanish long dates and dates written as date-times (the time of day left out)."""

    kind = "date"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self.month_first = spec.get("order") == "mdy"
        self.months = {fold(name): int(number) for name, number in (spec.get("months") or {}).items()}

    def _read(self, value: str) -> Read:
        text = value.strip()
        timed = _TIME.fullmatch(text)
        if timed:
            text = timed[1]
        parts = self._parts(text)
        if parts is None:
            return value, _KEPT
        (year, month, day), shape = parts
        if timed:
            midnight = not any(int(part or 0) for part in timed.groups()[1:])
            shape += " 00:00" if midnight else " hh:mm"
        return f"{year:04d}-{month:02d}-{day:02d}", ("date", (("format", shape),))

    def _parts(self, text: str) -> tuple[tuple[int, int, int], str] | None:
        if found := _YEAR_FIRST.fullmatch(text):
            separator = found[2]
            return (int(found[1]), int(found[3]), int(found[4])), f"yyyy{separator}mm{separator}dd"
        if found := _NUMERIC_DATE.fullmatch(text):
            first, separator, second, year = found.groups()
            years = "yyyy" if len(year) == 4 else "yy"
            if self.month_first:
                return (_year(year), int(first), int(second)), f"mm{separator}dd{separator}{years}"
            return (_year(year), int(second), int(first)), f"dd{separator}mm{separator}{years}"
        folded = fold(text)
        if (found := _LONG_DATE.fullmatch(folded)) and found[2] in self.months:
            return (int(found[3]), self.months[found[2]], int(found[1])), "long"
        if (found := _SHORT_MONTH.fullmatch(folded)) and found[3] in self.months:
            separator = found[2]
            years = "yyyy" if len(found[4]) == 4 else "yy"
            return (_year(found[4]), self.months[found[3]], int(found[1])), f"dd{separator}mmm{separator}{years}"
        return None


class TextReading(Reading):
    """Codes written in other words, case or accents; identifiers trimmed and upper-cased."""

    kind = "text"

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__(spec)
        self.codes = dict(spec.get("codes") or {})
        # The codes themselves, read as written; a value read as one of them
        # is reported value by value (there are only so many ways to write a code).
        self.exact = frozenset(self.codes.values())
        self.upper = bool(spec.get("upper"))
        # Codes (a currency) are reported value by value; identifiers (RFCs) as one count.
        self.by_value = bool(spec.get("by_value"))

    def _read(self, value: str) -> Read:
        if value in self.exact:
            return value, _KEPT
        if self.codes:
            code = self.codes.get(fold(value))
            if code is not None:
                return code, ("value", (("from", value), ("to", code)))
        if self.upper:
            read = value.strip().upper()
            if self.by_value and read in self.exact:
                return read, ("value", (("from", value), ("to", read)))
            # Counted together: a column of identifiers has as many as rows.
            return read, ("upper", ())
        return value, _KEPT


_READINGS = {"number": NumberReading, "date": DateReading, "text": TextReading}


@functools.lru_cache(maxsize=256)
def _reading(spec_json: str) -> Reading:
    spec = json.loads(spec_json)
    return _READINGS[spec["kind"]](spec)


def reading_for(spec: Mapping[str, Any]) -> Reading:
    """The reading a field's ``valueReading`` describes (built once per spec)."""
    return _reading(json.dumps(spec, sort_keys=True, ensure_ascii=False))


# Planning: which reading each field gets -------------------------------------


def _missing(table_schema: Mapping[str, Any], spec: Mapping[str, Any]) -> list[str]:
    values = spec.get("missingValues", table_schema.get("missingValues", [""]))
    return [value for value in values if isinstance(value, str)]


def _decimal_votes(values: Iterable[Any]) -> tuple[int, int]:
    """(values whose decimal separator is a point, values where it is a comma), as far as a value shows it."""
    point = comma = 0
    for value in values:
        if type(value) is not str:
            continue
        text = re.sub(r"[^0-9.,]", "", value)
        if not text or not text[0].isdigit():
            continue
        last = max(text.rfind("."), text.rfind(","))
        if last < 0:
            continue
        mark, after = text[last], text[last + 1:]
        other = "," if mark == "." else "."
        if other in text[:last] or text.count(mark) == 1 and (len(after) != 3 or text[:last].lstrip("0") == ""):
            # 1,234.50 / 1.234,50 / 12.5 / 0,125: the last mark is the decimal one.
            if mark == ".":
                point += 1
            else:
                comma += 1
        elif text.count(mark) > 1:
            # 1.234.567: the mark groups thousands, so the other one is decimal.
            if mark == ".":
                comma += 1
            else:
                point += 1
    return point, comma


def _month_first(values: Iterable[Any]) -> bool:
    """Are numeric dates of this column month-first (some second part over 12, no first part over 12)?"""
    day_first = month_first = False
    for value in values:
        if type(value) is not str:
            continue
        found = _NUMERIC_DATE.fullmatch(value.strip().split(" ")[0])
        if found:
            day_first |= int(found[1]) > 12
            month_first |= int(found[3]) > 12
    return month_first and not day_first


def plan_readings(table_schema: Mapping[str, Any], samples: Mapping[str, list[Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Field name → reading (a JSON-able ``valueReading``) for each field of ``table_schema``
    whose values may be written otherwise; none without the type's defaults.

    ``samples`` (field name → the first values of its column) decide each
    number column's decimal separator and whether a column writes dates
    month first.
    """
    defaults = table_schema.get(DEFAULTS_KEY)
    if not isinstance(defaults, Mapping):
        return {}
    samples = samples or {}
    upper = defaults.get("upperCase") or {}
    upper_schemes = set(upper.get("identifierSchemes") or ())
    upper_fields = set(upper.get("fields") or ())
    default_aliases = defaults.get("valueAliases") or {}
    plans: dict[str, dict[str, Any]] = {}
    for spec in table_schema.get("fields") or []:
        if not isinstance(spec, Mapping) or not spec.get("name"):
            continue
        name, type_ = spec["name"], spec.get("type", "string")
        missing = _missing(table_schema, spec)
        plan: dict[str, Any] | None = None
        if type_ in ("number", "integer") and not any(key in spec for key in _NUMBER_PROPERTIES):
            numbers = defaults.get("numbers") or {}
            point, comma = _decimal_votes(samples.get(name) or ())
            decimal = "," if comma > point else numbers.get("decimalChar", ".")
            plan = {"kind": "number", "decimal": decimal, "groups": numbers.get("groupChars", ", .'\u00a0"),
                    "currency": list(numbers.get("currencyMarks") or ())}
        elif type_ == "date" and spec.get("format", "default") == "default":
            dates = defaults.get("dates") or {}
            months = {word: number for number, words in enumerate(dates.get("monthNames") or [], start=1) for word in words}
            plan = {"kind": "date", "order": "mdy" if _month_first(samples.get(name) or ()) else "dmy", "months": months}
        elif type_ == "string" and spec.get("format", "default") == "default":
            plan = _text_plan(spec, default_aliases.get(name) or {}, upper_schemes, upper_fields)
        if plan is not None:
            plans[name] = {**plan, "missing": missing}
    return plans


def _text_plan(spec: Mapping[str, Any], default_aliases: Mapping[str, Any], upper_schemes: set[str],
               upper_fields: set[str]) -> dict[str, Any] | None:
    codes: dict[str, str] = {}
    enum = (spec.get("constraints") or {}).get("enum") or []
    for aliases in (default_aliases, spec.get(ALIASES_KEY) or {}):
        for code, words in aliases.items():
            for word in [code, *(words or [])]:
                codes[fold(str(word))] = str(code)
    for code in enum:
        codes[fold(str(code))] = str(code)
    schemes = set(((spec.get("identifier") or {}).get("schemes")) or ())
    by_value = spec["name"] in upper_fields
    upper = by_value or bool(schemes & upper_schemes)
    if spec.get("upperCase") is not None:
        upper = bool(spec["upperCase"])
    if not codes and not upper:
        return None
    return {"kind": "text", "codes": codes, "upper": upper, "by_value": by_value}


_FIELD_TYPES = {"number": ("number", "integer"), "date": ("date",), "text": ("string",)}
# Properties a reading replaces in the schema the checks see.
_READING_PROPERTIES = (ALIASES_KEY, "upperCase")


def with_readings(schema: dict[str, Any], plans: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``schema`` (as the engines check it) with each field's reading in ``valueReading``.

    Only a field of the type the reading is for gets it (a column the header
    does not fit is checked as ``any`` and read as written).
    """
    fields = []
    for spec in schema.get("fields") or []:
        spec = {key: value for key, value in spec.items() if key not in _READING_PROPERTIES}
        plan = plans.get(spec.get("name", ""))
        if plan is not None and spec.get("type", "string") in _FIELD_TYPES[plan["kind"]]:
            spec[READING_KEY] = dict(plan)
        fields.append(spec)
    return {**schema, "fields": fields}


# Counting the assumptions ------------------------------------------------------


@dataclass
class _Count:
    count: int
    example: tuple[str, str]


class Tally:
    """How many cells of each field were read with each assumption, with an example.

    The example is the smallest value as written (not the first), so both
    engines, which meet the cells in different orders, give the same one.
    """

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Count] = {}

    def add(self, field: str, kind: str, params: tuple[tuple[str, str], ...], written: Any, read: Any,
            count: int = 1) -> None:
        key = (field, kind, params)
        example = (str(written), str(read))
        found = self._counts.get(key)
        if found is None:
            self._counts[key] = _Count(count, example)
        else:
            found.count += count
            if example < found.example:
                found.example = example

    def cell(self, field: str, reading: Reading | None, missing: frozenset[str], written: Any) -> None:
        """Count what reading ``written`` assumed, if anything: an empty cell written
        as one of ``missing``, or a value ``reading`` read otherwise."""
        if type(written) is str and written in missing:
            if written:
                self.add(field, "missing", (("value", written),), written, "")
            return
        if reading is not None:
            self.value(field, reading, written)

    def value(self, field: str, reading: Reading, written: Any) -> None:
        """Count the assumption ``reading`` makes for ``written`` (not a missing value), if any."""
        read, assumption = reading.read_cached(written)
        if assumption is not None:
            self.add(field, assumption[0], assumption[1], written, read)

    def missing(self, field: str, written: str, count: int) -> None:
        self.add(field, "missing", (("value", written),), written, "", count)

    def items(self) -> list[dict[str, Any]]:
        """The assumptions, the most frequent first: {field, kind, count, params, example: {written, read}}."""
        found = [
            {"field": field, "kind": kind, "count": counted.count, "params": dict(params),
             "example": {"written": counted.example[0], "read": counted.example[1]}}
            for (field, kind, params), counted in self._counts.items()
        ]
        return sorted(found, key=lambda item: (-item["count"], item["field"], item["kind"], sorted(item["params"].items())))

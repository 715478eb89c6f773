"""Privacy scan: natural persons' identifiers in columns not declared public.

Pure module (no CKAN imports). :class:`PrivacyScan` follows the validation
engine's column-scan protocol (``feed`` batches of raw cell text, ``finish``
returns a JSON summary); the detectors and :func:`mask` are usable alone.

What is looked for, and how a candidate is confirmed:

* ``curp``: 18 characters; the birth date must exist, the state code must be
  a real one, the sex H, M or X. The check digit is not required: a mistyped
  CURP still identifies a person.
* ``rfc``: RFC of a natural person, 13 characters (4 letters, birth date,
  homoclave). Companies' RFCs have 12 characters and are not personal data.
  The check digit is not required either: SAT issued RFCs whose check digit
  does not verify.
* ``email``: any e-mail address.
* ``phone``: a Mexican 10-digit number, with optional +52 and separators.
  A bare 10-digit number is only a phone in a column whose name says so
  (tel, celular, phone…) or whose values are mostly bare 10-digit numbers
  in a field not typed as a number (amounts, contract numbers, postal codes
  and dates never have this shape consistently).
* ``birth_date``: a date 10 to 110 years ago in a column whose name says it
  is a birth date. A date column is not personal data by itself; the birth
  dates inside CURPs, RFCs and voter keys are found through those.
* ``voter_key``: clave de elector, 18 characters (6 letters, birth date,
  state 01-32, H or M, 3 more).

Every column is scanned. In a column declared ``personal_data: true`` with
``personal_data_public: true`` (the publisher's stated, lawful intent), only
identifiers of another kind than the field declares are findings: a CURP in
a public name column is not what the schema declares public. In a column
declared ``personal_data_public: false`` every identifier is a finding: the
Table Schema itself says what it holds may not be published. Findings carry
``declared``: ``undeclared``, ``not_public`` or ``public``.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ckanext.anticorruption.validation.scans import ColumnScan

__all__ = [
    "KINDS", "PrivacyScan", "find_identifiers", "is_curp", "is_natural_person_rfc",
    "is_voter_key", "mask", "mask_csv_lines", "mask_report", "mask_text", "scanned_fields",
]

KINDS = ("curp", "rfc", "email", "phone", "birth_date", "voter_key")
EXAMPLES = 3
ROWS = 5

_STATES = {
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT",
    "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
}

# Exact shapes, checked in Python on the few cells the vectorised filter lets through.
_B, _E = r"(?<![A-Z0-9Ñ&])", r"(?![A-Z0-9Ñ&])"
_CURP = re.compile(_B + r"([A-Z][AEIOUX][A-Z]{2})(\d{6})([HMX])([A-Z]{2})([B-DF-HJ-NP-TV-ZÑ]{3})([A-Z0-9])(\d)" + _E)
_RFC = re.compile(_B + r"([A-ZÑ&]{4})(\d{6})([A-Z0-9]{2}[0-9A])" + _E)
_VOTER = re.compile(_B + r"([A-Z]{6})(\d{6})(0[1-9]|[12]\d|3[0-2])([HM])([A-Z0-9]{3})" + _E)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w-])")
# +52, area code and number with separators, or a bare 10 digits.
_PHONE = re.compile(
    r"(?<![\w/+-])(?<!\d[.,])(?:\+?52[\s.-]?(?:1[\s.-]?)?)?(?:\(\s*[2-9]\d{1,2}\s*\)|[2-9]\d{1,2})[\s.-]?\d{3,4}[\s.-]?\d{4}(?![\w/-]|[.,]\d)"
)
_BARE_PHONE = re.compile(r"^[2-9]\d{9}$")
_DATE_FORMATS = ((re.compile(r"^(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
                 (re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$"), (3, 2, 1)))

# Vectorised pre-filters (RE2, no look-around): a cell can hold a finding of a
# kind only if it matches that kind's pattern. Bare 10-digit cells are
# counted apart, so amounts never reach Python.
_CANDIDATES = {
    "curp": r"[a-zñ&]{4}\d{6}[hmx]",
    "rfc": r"[a-zñ&]{4}\d{6}[a-z0-9]{2}[0-9a](?:$|[^a-z0-9ñ&])",
    "voter_key": r"[a-z]{6}\d{6}",
    "email": r"@",
    # a phone written with +52, parentheses or separators, not part of an amount
    "phone": (r"(?:^|[^\d.,])(?:\+52[\s.\-]?(?:1[\s.\-]?)?[2-9]\d{1,2}[\s.\-]?\d{3,4}[\s.\-]?\d{4}"
              r"|(?:52[\s.\-]?(?:1[\s.\-]?)?)?(?:\(\s*[2-9]\d{1,2}\s*\)[\s.\-]?\d{3,4}[\s.\-]?\d{4}"
              r"|[2-9]\d{1,2}[\s.\-]\d{3,4}[\s.\-]?\d{4}|[2-9]\d{1,2}[\s.\-]?\d{3,4}[\s.\-]\d{4}))(?:$|[^\d.,])"),
}
# In a column named for phones, a 10-digit run inside text is a phone too.
_HINTED_PHONE = r"(?:^|[^\d.,])[2-9]\d{9}(?:$|[^\d.,])"
_BARE_CELL = r"^\s*[2-9]\d{9}\s*$"


def _candidate_pattern(kinds: Iterable[str], phone_hint: bool) -> str | None:
    parts = [_CANDIDATES[kind] for kind in kinds if kind in _CANDIDATES]
    if phone_hint and "phone" in kinds:
        parts.append(_HINTED_PHONE)
    return "(?i)" + "|".join(parts) if parts else None


_PHONE_HINTS = ("tel", "phone", "celular", "movil", "móvil", "cel_", "whatsapp", "fax")
_BIRTH_HINTS = ("nacimiento", "birth", "dob", "fecha_nac", "f_nac", "fec_nac", "nacio", "nació", "natal")
_NUMERIC_TYPES = {"number", "integer", "year", "date", "datetime"}


def _valid_yymmdd(text: str) -> bool:
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    for century in (1900, 2000):
        try:
            datetime.date(century + yy, mm, dd)
            return True
        except ValueError:
            continue
    return False


def is_curp(value: str) -> bool:
    found = _CURP.fullmatch(value.strip().upper())
    return bool(found) and _valid_yymmdd(found.group(2)) and found.group(4) in _STATES


def is_natural_person_rfc(value: str) -> bool:
    found = _RFC.fullmatch(value.strip().upper())
    return bool(found) and _valid_yymmdd(found.group(2))


def is_voter_key(value: str) -> bool:
    found = _VOTER.fullmatch(value.strip().upper())
    return bool(found) and _valid_yymmdd(found.group(2))


def find_identifiers(text: str, *, bare_phone: bool = False) -> list[tuple[str, str]]:
    """Every (kind, value) in a cell: CURP, natural person's RFC, voter key, e-mail, phone.

    A bare 10-digit number counts as a phone only when ``bare_phone`` is set
    (the column looks like a phone column). Birth dates need the column's
    name and are found by :class:`PrivacyScan`.
    """
    found: list[tuple[str, str]] = []
    upper = text.upper()
    taken: list[tuple[int, int]] = []
    for kind, pattern, check in (("curp", _CURP, lambda m: _valid_yymmdd(m.group(2)) and m.group(4) in _STATES),
                                 ("voter_key", _VOTER, lambda m: _valid_yymmdd(m.group(2))),
                                 ("rfc", _RFC, lambda m: _valid_yymmdd(m.group(2)))):
        for m in pattern.finditer(upper):
            if check(m) and not any(s <= m.start() < e for s, e in taken):
                found.append((kind, text[m.start():m.end()]))
                taken.append(m.span())
    for m in _EMAIL.finditer(text):
        found.append(("email", m.group(0)))
        taken.append(m.span())
    for m in _PHONE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = m.group(0)
        digits = re.sub(r"\D", "", value)
        bare = value == digits
        if bare and not (bare_phone and _BARE_PHONE.match(value)):
            continue
        if not bare and len(digits) not in (10, 12, 13):
            continue
        found.append(("phone", value))
    return found


def _birth_date(text: str, today: datetime.date) -> bool:
    value = text.strip()
    for pattern, (y, m, d) in _DATE_FORMATS:
        found = pattern.match(value)
        if found:
            try:
                date = datetime.date(int(found.group(y)), int(found.group(m)), int(found.group(d)))
            except ValueError:
                return False
            age = (today - date).days / 365.25
            return 10 <= age <= 110
    return False


def mask(value: str, kind: str | None = None) -> str:
    """A recognisable but incomplete form of an identifier; never the full value.

    ``GOMC************09`` for codes, ``j***@example.mx`` for e-mails, digits
    but the last two hidden for phones, only the century for dates.
    """
    value = str(value)
    if kind == "email" or (kind is None and "@" in value):
        local, _, domain = value.rpartition("@")
        masked = f"{local[:1]}***@{domain}"
        return masked if masked != value else f"***@{domain}"
    if kind in ("phone", "birth_date"):
        keep = 2
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        shown = set(digits[-keep:]) if kind == "phone" else set(digits[:keep])
        masked = "".join(c if (not c.isdigit() or i in shown) else "*" for i, c in enumerate(value))
        return masked if masked != value else "*" * len(value)
    if len(value) >= 10:
        return value[:4] + "*" * (len(value) - 6) + value[-2:]
    return value[:1] + "*" * max(3, len(value) - 1)


def mask_text(text: Any) -> Any:
    """``text`` with every identifier in it masked (for error cells shown to the public)."""
    if not isinstance(text, str) or not text:
        return text
    for kind, value in find_identifiers(text, bare_phone=True):
        text = text.replace(value, mask(value, kind))
    return text


def mask_report(report: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Frictionless report whose cells, notes and messages have identifiers masked."""
    def error(descriptor: dict[str, Any]) -> dict[str, Any]:
        masked = dict(descriptor)
        for key in ("cell", "note", "message", "description"):
            if key in masked:
                masked[key] = mask_text(masked[key])
        if isinstance(masked.get("cells"), list):
            masked["cells"] = [mask_text(cell) for cell in masked["cells"]]
        return masked

    masked = dict(report)
    masked["errors"] = [error(e) for e in report.get("errors") or []]
    masked["tasks"] = [{**task, "errors": [error(e) for e in task.get("errors") or []]}
                       for task in report.get("tasks") or []]
    return masked


def mask_csv_lines(lines: Iterable[str]) -> Iterable[str]:
    """The lines of an errors CSV with identifiers masked in every cell."""
    import csv
    import io

    for record in csv.reader(lines):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([mask_text(cell) for cell in record])
        yield out.getvalue()


def _hinted(name: str, hints: Iterable[str]) -> bool:
    lowered = name.lower()
    return any(h in lowered for h in hints)


def scanned_fields(table_schema: dict[str, Any]) -> dict[str, tuple[str, frozenset[str]]]:
    """How each field of the schema is scanned: ``field -> (declared, kinds it may hold)``.

    ``declared`` is ``undeclared`` (no personal data declared: any identifier
    is a finding), ``not_public`` (declared personal but not public: any
    identifier is a finding) or ``public`` (declared public personal data:
    only identifiers of other kinds than the field declares are findings, e.g.
    a CURP in a public name or employee-number column; an RFC is expected
    where the field's identifier schemes name MX-RFC, an e-mail in a field of
    format email, a phone or birth date in a field named for it).
    """
    result: dict[str, tuple[str, frozenset[str]]] = {}
    for field in table_schema.get("fields") or []:
        name = field["name"]
        if not field.get("personal_data"):
            result[name] = ("undeclared", frozenset())
        elif not field.get("personal_data_public"):
            result[name] = ("not_public", frozenset())
        else:
            schemes = set((field.get("identifier") or {}).get("schemes") or [])
            allowed = {kind for kind, ok in (
                ("rfc", "MX-RFC" in schemes), ("curp", "MX-CURP" in schemes),
                ("email", field.get("format") == "email"),
                ("phone", _hinted(name, _PHONE_HINTS)), ("birth_date", _hinted(name, _BIRTH_HINTS)),
            ) if ok}
            result[name] = ("public", frozenset(allowed))
    return result


def _slot() -> dict[str, Any]:
    return {"count": 0, "examples": [], "rows": []}


class _Column:
    def __init__(self, name: str, declared: str, allowed: frozenset[str], field_type: str | None,
                 today: datetime.date) -> None:
        self.name, self.declared, self.allowed, self.field_type = name, declared, allowed, field_type
        self.phone_hint = _hinted(name, _PHONE_HINTS)
        self.birth_hint = _hinted(name, _BIRTH_HINTS)
        self.today = today
        self.non_empty = 0
        self.bare_phones = 0
        self.kinds: dict[str, dict[str, Any]] = {}
        # Bare 10-digit numbers: phones or not is decided in summary().
        self.pending: dict[str, Any] = _slot()
        self.pattern = _candidate_pattern([k for k in KINDS if k not in allowed], self.phone_hint)

    @staticmethod
    def _note(slot: dict[str, Any], kind: str, value: str, row: int) -> None:
        slot["count"] += 1
        if len(slot["examples"]) < EXAMPLES:
            masked = mask(value, kind)
            if masked not in slot["examples"]:
                slot["examples"].append(masked)
        if len(slot["rows"]) < ROWS and (not slot["rows"] or slot["rows"][-1] != row):
            slot["rows"].append(row)

    def add(self, kind: str, value: str, row: int) -> None:
        if kind in self.allowed:
            return
        self._note(self.kinds.setdefault(kind, _slot()), kind, value, row)

    def feed(self, values: pa.Array, numbers: pa.Array) -> None:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not len(values):
            return
        self.non_empty += len(values) - (pc.sum(pc.equal(values, "")).as_py() or 0)
        if self.birth_hint:
            self._feed_python(values, numbers, pc.not_equal(values, ""))
            return
        bare = pc.fill_null(pc.match_substring_regex(values, _BARE_CELL), False)
        bare_count = pc.sum(bare).as_py() or 0
        if bare_count and "phone" not in self.allowed and (self.phone_hint or self.field_type not in _NUMERIC_TYPES):
            # Bare 10-digit cells: phones in a phone column; elsewhere decided in summary().
            self.bare_phones += bare_count
            slot = self.kinds.setdefault("phone", _slot()) if self.phone_hint else self.pending
            first = pc.filter(values, bare).slice(0, ROWS).to_pylist()
            rows = pc.filter(numbers, bare).slice(0, ROWS).to_pylist()
            for text, row in zip(first, rows):
                self._note(slot, "phone", text.strip(), row)
            slot["count"] += bare_count - len(first)
        if self.pattern is None:
            return
        candidates = pc.and_(pc.fill_null(pc.match_substring_regex(values, self.pattern), False), pc.invert(bare))
        self._feed_python(values, numbers, candidates)

    def _feed_python(self, values: pa.Array, numbers: pa.Array, candidates: pa.Array) -> None:
        for text, row in zip(pc.filter(values, candidates).to_pylist(), pc.filter(numbers, candidates).to_pylist()):
            if not text:
                continue
            if self.birth_hint and _birth_date(text, self.today):
                self.add("birth_date", text, row)
                continue
            for kind, value in find_identifiers(text, bare_phone=self.phone_hint):
                self.add(kind, value, row)

    def summary(self) -> dict[str, Any] | None:
        pending = self.pending["count"]
        if pending and self.field_type not in _NUMERIC_TYPES and self.bare_phones >= 0.8 * max(1, self.non_empty):
            slot = self.kinds.setdefault("phone", _slot())
            slot["count"] += pending
            slot["examples"] = (slot["examples"] + self.pending["examples"])[:EXAMPLES]
            slot["rows"] = sorted(slot["rows"] + self.pending["rows"])[:ROWS]
        if not self.kinds:
            return None
        return {
            "field": self.name,
            "declared": self.declared,
            "count": sum(k["count"] for k in self.kinds.values()),
            "kinds": {kind: self.kinds[kind] for kind in KINDS if kind in self.kinds},
        }


class PrivacyScan(ColumnScan):
    """A column scan of the validation run: personal identifiers where the schema does not declare them.

    Its summary (``ValidationResult.scans["privacy"]``) lists, per column,
    the count of each kind of identifier, at most three masked examples and
    the numbers of the first rows: never a full value. It adds no row-level
    errors, so the report cannot carry the values either.
    """

    name = "privacy"

    def __init__(self, table_schema: dict[str, Any] | None, today: datetime.date | None = None) -> None:
        schema = table_schema or {}
        self.declared = scanned_fields(schema)
        self.types = {f["name"]: f.get("type") for f in schema.get("fields") or []}
        # None: every column the engine feeds.
        self.fields: list[str] | None = None
        self.today = today or datetime.date.today()
        self.columns: dict[str, _Column] = {}

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        for name, values in columns.items():
            column = self.columns.get(name)
            if column is None:
                declared, allowed = self.declared.get(name, ("undeclared", frozenset()))
                column = self.columns[name] = _Column(name, declared, allowed, self.types.get(name), self.today)
            column.feed(values, numbers)

    def finish(self, collector: Any = None) -> dict[str, Any]:
        found = [s for s in (c.summary() for c in self.columns.values()) if s]
        return {"findings": sum(c["count"] for c in found), "columns": found}

"""Column scans for identifiers: check them, and gather them for the linkage index.

* :class:`IdentifierCheck` checks every value of the columns whose Table
  Schema field declares ``identifier.schemes``: a malformed value is an
  ``identifier-error``, a wrong check digit an ``identifier-warning``.
  Values that already break the field's ``pattern`` are left to that
  constraint, so a cell is not reported twice.
* :class:`IdentifierLinks` gathers, per column that refers to organizations,
  each identifier with its number of rows and, for the red flags, the dates
  (a contract's signature) or periods (a sanction's start and end) of those
  rows.

Both keep their columns in Arrow memory until the file has been read, then
work on the distinct values: a million rows naming two hundred thousand
suppliers cost two hundred thousand checks, most of them done on the whole
column at once by the scheme's ``certainly_fine`` (see identifiers).
"""
from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ckanext.anticorruption.identifiers.schemes import LOCAL, ORGANIZATION_REFERENCES, Problem, Registry
from ckanext.anticorruption.validation.memory import paused_gc

from ckanext.anticorruption.validation.result import ErrorCollector
from ckanext.anticorruption.validation.scans import ColumnScan

__all__ = ["IdentifierCheck", "IdentifierLinks"]

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _identifier_fields(table_schema: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [
        (number, spec) for number, spec in enumerate(table_schema.get("fields", []), start=1)
        if isinstance(spec.get("identifier"), dict) and spec["identifier"].get("schemes")
    ]


class IdentifierCheck(ColumnScan):
    name = "identifiers"

    def __init__(self, table_schema: dict[str, Any], registry: Registry) -> None:
        self.registry = registry
        # field name → (field number, scheme codes, compiled pattern or None)
        self.columns: dict[str, tuple[int, tuple[str, ...], re.Pattern[str] | None]] = {}
        for number, spec in _identifier_fields(table_schema):
            codes = registry.checkable(spec["identifier"]["schemes"])
            if not codes:
                continue
            pattern = (spec.get("constraints") or {}).get("pattern")
            self.columns[spec["name"]] = (number, tuple(codes), re.compile(pattern) if pattern else None)
        self.fields = list(self.columns)
        # field → the batches of (values, row numbers), checked at the end.
        self._parts: dict[str, list[tuple[pa.Array, pa.Array]]] = {name: [] for name in self.columns}
        self.collector: ErrorCollector | None = None

    def start(self, collector: ErrorCollector) -> None:
        self.collector = collector

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        for name, array in columns.items():
            if len(array):
                self._parts[name].append((array, numbers))

    def finish(self, collector: ErrorCollector) -> None:
        """Check each distinct value of a column once, then find the rows of the bad ones."""
        for name, parts in self._parts.items():
            if not parts:
                continue
            number, codes, pattern = self.columns[name]
            values = pa.chunked_array([array for array, _ in parts], pa.string())
            numbers = pa.chunked_array([rows for _, rows in parts], pa.int64())
            self._parts[name] = []
            doubtful = pc.unique(values)
            masks = [mask for mask in self.registry.certainly_fine(doubtful, codes) if mask is not None]
            if masks:
                fine = masks[0]
                for mask in masks[1:]:
                    fine = pc.or_(fine, mask)
                doubtful = pc.filter(doubtful, pc.invert(fine))
            bad: dict[str, Problem] = {}
            for value in doubtful.to_pylist():
                if not value or (pattern is not None and not pattern.fullmatch(value)):
                    continue  # empty, or already reported by the pattern constraint
                problem = self.registry.check(value, codes)
                if problem is not None:
                    bad[value] = problem
            if bad:
                self._report(name, number, values, numbers, bad)
        # The errors and warnings are the summary: they are in the report and the log.
        return None

    def _report(self, name: str, number: int, array: pa.Array, numbers: pa.Array, bad: dict[str, Problem]) -> None:
        assert self.collector is not None
        hits = pc.indices_nonzero(pc.is_in(array, value_set=pa.array(list(bad), pa.string())))
        rows = pc.take(numbers, hits).to_pylist()
        values = pc.take(array, hits).to_pylist()
        for row, value in zip(rows, values):
            problem = bad[value]
            type_ = "identifier-error" if problem.severity == "error" else "identifier-warning"
            self.collector.add(
                type_,
                lambda row=row, value=value, problem=problem, type_=type_: _descriptor(
                    type_, row, number, name, value, problem),
                row=row, field=number, light=(name, value, problem.note),
            )



def _descriptor(type_: str, row: int, number: int, name: str, value: str, problem: Problem) -> dict[str, Any]:
    kind = "Identifier Error" if type_ == "identifier-error" else "Identifier Warning"
    return {
        "type": type_,
        "title": kind,
        "description": "A value is not a well-formed identifier of the scheme its column declares.",
        "message": f'The cell "{value}" in row at position "{row}" and field "{name}" at position "{number}" '
                   f"is not a good {problem.scheme} identifier: {problem.note}",
        "tags": ["#table", "#row", "#cell"],
        "note": problem.note,
        "cells": [],
        "rowNumber": row,
        "cell": value,
        "fieldName": name,
        "fieldNumber": number,
        "scheme": problem.scheme,
        "problem": problem.code,
    }


class IdentifierLinks(ColumnScan):
    """Organization identifiers of the file, for the linkage index and red flags.

    The summary lists, per identifier column, each (scheme, identifier) with
    its row count, whether it names a natural person, and the sorted
    distinct dates (``date`` columns) or periods (``period`` columns) of the
    rows naming it. ``red_flags`` is the type's declaration, e.g.
    ``{role: award, supplier: supplier_id, date: date_signed}``.
    """

    name = "links"

    def __init__(self, table_schema: dict[str, Any], registry: Registry, red_flags: dict[str, Any] | None = None) -> None:
        self.registry = registry
        self.red_flags = dict(red_flags or {})
        self.columns: dict[str, tuple[str, ...]] = {}
        for _, spec in _identifier_fields(table_schema):
            if spec["identifier"].get("refers_to") in ORGANIZATION_REFERENCES:
                codes = [code for code in spec["identifier"]["schemes"] if code != LOCAL
                         and not (code in registry.schemes and registry.schemes[code].personal)]
                if codes:
                    self.columns[spec["name"]] = tuple(codes)
        names = {spec.get("name") for spec in table_schema.get("fields", [])}
        supplier = self.red_flags.get("supplier")
        self.date_field = self.red_flags.get("date") if self.red_flags.get("date") in names else None
        period = self.red_flags.get("period") or []
        self.period_fields = tuple(period) if len(period) == 2 and set(period) <= names else None
        self.supplier = supplier if supplier in self.columns else None
        extra = [self.date_field] if self.date_field else list(self.period_fields or ())
        self.fields = list(self.columns) + (extra if self.supplier else [])
        # field → the batches of (identifier, date or "start|end") arrays, grouped at the end.
        self._parts: dict[str, list[tuple[pa.Array, pa.Array | None]]] = {name: [] for name in self.columns}

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        for name in self.columns:
            if name not in columns:
                continue
            moments: pa.Array | None = None
            if name == self.supplier and self.date_field and self.date_field in columns:
                moments = _day(columns[self.date_field])
            elif name == self.supplier and self.period_fields and set(self.period_fields) <= columns.keys():
                start, end = (_day(columns[field]) for field in self.period_fields)
                joined = pc.binary_join_element_wise(start, end, "|", null_handling="replace", null_replacement="")
                moments = pc.if_else(pc.equal(joined, "|"), pa.scalar(None, pa.string()), joined)
            self._parts[name].append((columns[name], moments))

    def finish(self, collector: ErrorCollector) -> dict[str, Any]:
        links = []
        with paused_gc():
            for name, codes in self.columns.items():
                links.extend(self._links_of(name, codes))
                self._parts[name] = []
        return {"role": self.red_flags.get("role") if self.supplier else None,
                "supplier": self.supplier, "links": links}

    def _links_of(self, name: str, codes: tuple[str, ...]) -> list[dict[str, Any]]:
        """One Arrow group-by over the whole column: a call per distinct identifier, not per row."""
        parts = self._parts[name]
        if not parts:
            return []
        with_moments = parts[0][1] is not None
        table = pa.table({
            "k": pa.chunked_array([identifiers for identifiers, _ in parts], pa.string()),
            **({"m": pa.chunked_array([moments for _, moments in parts], pa.string())} if with_moments else {}),
        })
        table = table.filter(pc.not_equal(table["k"], ""))
        aggregations: list[Any] = [([], "count_all")] + ([("m", "distinct")] if with_moments else [])
        grouped = table.group_by("k", use_threads=False).aggregate(aggregations)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        keys = grouped.column("k").combine_chunks()
        values = keys.to_pylist()
        counts = grouped.column("count_all").to_pylist()
        moments_of = grouped.column("m_distinct").to_pylist() if with_moments else [None] * len(values)
        # Which code each value certainly is, computed for the whole column at once.
        fine_code: list[str | None] = [None] * len(values)
        for code, mask in reversed(list(zip(codes, self.registry.certainly_fine(keys, codes)))):
            if mask is not None:
                for position in pc.indices_nonzero(mask).to_pylist():
                    fine_code[position] = code
        for value, count, moments, code in zip(values, counts, moments_of, fine_code):
            resolved = (code, value) if code is not None else self.registry.resolve(value, codes)
            if resolved is None:
                continue
            link = found.get(resolved)
            if link is None:
                scheme, identifier = resolved
                found[resolved] = {"field": name, "scheme": scheme, "identifier": identifier, "rows": count,
                                   "person": self.registry.natural_person(scheme, identifier), "_m": moments or []}
            else:  # two spellings of one identifier (MX-RFC-… and the bare RFC)
                link["rows"] += count
                link["_m"] = list(set(link["_m"]) | set(moments or []))
        for link in found.values():
            moments = link.pop("_m")
            if with_moments and self.date_field:
                link["dates"] = sorted(moments)
            elif with_moments:
                link["periods"] = sorted(moment.split("|", 1) for moment in moments)
        return list(found.values())


def _day(array: pa.Array) -> pa.Array:
    """The YYYY-MM-DD part of date or datetime text; null when there is none."""
    head = pc.utf8_slice_codeunits(array, 0, 10)
    return pc.if_else(pc.match_substring_regex(head, _DATE), head, pa.scalar(None, pa.string()))

"""Column scans for identifiers: check them, and gather them for the linkage index.

* :class:`IdentifierCheck` checks every value of the columns whose Table
  Schema field declares ``identifier.schemes``: a malformed value is an
  ``identifier-error``, a wrong check digit an ``identifier-warning``.
  Values that already break the field's ``pattern`` are left to that
  constraint, so a cell is not reported twice.
* :class:`IdentifierLinks` gathers, per column that refers to organizations,
  each identifier with its number of rows and, for the red flags, the dates
  (a contract's signature) or periods (a sanction's start and end) of those
  rows; and the supplier's legal names, normalised (identifiers.names), as
  the second tier of the red flags.

Both keep their columns in Arrow memory until the file has been read, then
work on the distinct values: a million rows naming two hundred thousand
suppliers cost two hundred thousand checks, most of them done on the whole
column at once by the scheme's ``certainly_fine`` (see identifiers).
"""
from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ckanext.anticorruption.identifiers.names import NAME_SCHEME, NameRules
from ckanext.anticorruption.identifiers.schemes import LOCAL, ORGANIZATION_REFERENCES, Problem, Registry
from ckanext.anticorruption.validation.memory import paused_gc

from ckanext.anticorruption.validation.result import ErrorCollector
from ckanext.anticorruption.validation.scans import ColumnScan

__all__ = ["IdentifierCheck", "IdentifierLinks"]

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Names as written are kept for pages, not for whole paragraphs put in the wrong column.
_LABEL_LENGTH = 500


# A column's groups: values, row counts, moments, flags, keys (Arrow), first names written beside them,
# and whether its rows carry moments.
_Groups = tuple[list[Any], list[int], list[Any], list["bool | None"], pa.Array, list["str | None"], bool]


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
    """Organization identifiers and supplier names of the file, for the linkage index and red flags.

    The summary lists, per identifier column, each (scheme, identifier) with
    its row count, whether it names a natural person, and the sorted
    distinct dates (``date`` columns) or periods (``period`` columns) of the
    rows naming it. ``red_flags`` is the type's declaration, e.g.
    ``{role: award, supplier: supplier_id, supplier_name: supplier_name,
    date: date_signed}``; a register may also say which of its rows raise
    flags (``rows: {compliance_status: [definitivo]}``) and leave a
    period's end open (``period: [definitive_date, null]``).

    The names of the ``supplier_name`` column are the second tier: one link
    per normalised name (scheme ``NAME``, see identifiers.names), with the
    name as most often written (``label``) and its legal form (``form``).
    Links of the supplier column carry the first name written beside each
    identifier as their ``label`` too (one more aggregate of the same
    group-by, rather than a group-by of every (identifier, name) pair). A link whose rows all fail the
    register's row filter has ``flags: False``: it names the supplier but
    raises no flag.
    """

    name = "links"

    def __init__(self, table_schema: dict[str, Any], registry: Registry, red_flags: dict[str, Any] | None = None,
                 names: NameRules | None = None) -> None:
        self.registry = registry
        self.red_flags = dict(red_flags or {})
        self.names = names or NameRules.load()
        self.columns: dict[str, tuple[str, ...]] = {}
        for _, spec in _identifier_fields(table_schema):
            if spec["identifier"].get("refers_to") in ORGANIZATION_REFERENCES:
                codes = [code for code in spec["identifier"]["schemes"] if code != LOCAL
                         and not (code in registry.schemes and registry.schemes[code].personal)]
                if codes:
                    self.columns[spec["name"]] = tuple(codes)
        names_of_fields = {spec.get("name") for spec in table_schema.get("fields", [])}
        role = self.red_flags.get("role")
        supplier = self.red_flags.get("supplier")
        self.supplier = supplier if role and supplier in self.columns else None
        name_field = self.red_flags.get("supplier_name")
        self.name_field = name_field if role and name_field in names_of_fields else None
        self.date_field = self.red_flags.get("date") if self.red_flags.get("date") in names_of_fields else None
        period = list(self.red_flags.get("period") or [])
        # [start, end]; a null end is open: the listing lasts until the register says otherwise.
        self.period_fields: tuple[str, str | None] | None = None
        if len(period) == 2 and period[0] in names_of_fields and (period[1] is None or period[1] in names_of_fields):
            self.period_fields = (period[0], period[1])
        # Field → the values (compared without case) of the rows that raise flags.
        self.row_filter = {field: {str(value).casefold() for value in values}
                           for field, values in (self.red_flags.get("rows") or {}).items()}
        flagged = self.supplier or self.name_field
        extra = [self.date_field] if self.date_field else [f for f in self.period_fields or () if f]
        extra += list(self.row_filter)
        self.fields = list(dict.fromkeys(
            list(self.columns) + ([self.name_field] if self.name_field else []) + (extra if flagged else [])))
        # field → the batches of {"k": identifiers or names, "m": moments, "f": flags, "n": names}.
        self._parts: dict[str, list[dict[str, pa.Array]]] = {name: [] for name in self.columns}
        if self.name_field:
            self._parts.setdefault(self.name_field, [])
        # The thread grouping the columns once the file is read, and each column's group-by (prepare_finish).
        self._grouping: tuple[ThreadPoolExecutor, dict[str, Future[tuple[pa.Table, bool] | None]]] | None = None

    def feed(self, columns: dict[str, pa.Array], numbers: pa.Array) -> None:
        moments = self._moments(columns)
        flags = self._flags(columns, len(numbers)) if self.row_filter else None
        for name in self._parts:
            if name not in columns:
                continue
            part = {"k": columns[name]}
            if name in (self.supplier, self.name_field):
                if moments is not None:
                    part["m"] = moments if flags is None else pc.if_else(flags, moments, pa.scalar(None, pa.string()))
                if flags is not None:
                    part["f"] = flags
            if name == self.supplier and self.name_field and self.name_field in columns:
                written = columns[self.name_field]
                part["n"] = pc.if_else(pc.equal(pc.utf8_trim_whitespace(written), ""), pa.scalar(None, pa.string()),
                                       written)
            self._parts[name].append(part)

    def _moments(self, columns: dict[str, pa.Array]) -> pa.Array | None:
        if self.date_field:
            return _day(columns[self.date_field]) if self.date_field in columns else None
        if self.period_fields and self.period_fields[0] in columns:
            start = _day(columns[self.period_fields[0]])
            end_field = self.period_fields[1]
            if end_field is None:
                end = pa.nulls(len(start), pa.string())
            elif end_field in columns:
                end = _day(columns[end_field])
            else:
                return None
            joined = pc.binary_join_element_wise(start, end, "|", null_handling="replace", null_replacement="")
            return pc.if_else(pc.equal(joined, "|"), pa.scalar(None, pa.string()), joined)
        return None

    def _flags(self, columns: dict[str, pa.Array], length: int) -> pa.Array:
        """Which rows raise flags: all the row filter's fields hold one of its values."""
        flags = pa.array([True] * length, pa.bool_())
        for field, values in self.row_filter.items():
            if field not in columns:
                return pa.array([False] * length, pa.bool_())  # nothing says which rows count
            found = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(columns[field])),
                             value_set=pa.array(sorted(values), pa.string()))
            flags = pc.and_(flags, pc.fill_null(found, False))
        return flags

    def prepare_finish(self) -> None:
        """Start the columns' group-bys in a thread.

        Arrow's group-bys run without the GIL: the thread groups while the
        scans before this one finish, then the next column while ``finish``
        turns the previous column's groups into links. The names go first:
        theirs is the longest Python work, done while the identifiers are grouped.
        """
        names = [*([self.name_field] if self.name_field and self.name_field not in self.columns else []),
                 *self.columns]
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="links-group-by")
        self._grouping = (pool, {name: pool.submit(self._group_table, name) for name in names})

    def finish(self, collector: ErrorCollector) -> dict[str, Any]:
        links: list[dict[str, Any]] = []
        name_links: list[dict[str, Any]] = []
        if self._grouping is None:
            self.prepare_finish()
        assert self._grouping is not None
        pool, grouped = self._grouping
        try:
            with paused_gc():
                if self.name_field:
                    name_links = self._names_of(self.name_field, _as_lists(grouped[self.name_field].result()))
                for name, codes in self.columns.items():
                    links.extend(self._links_of(name, codes, _as_lists(grouped[name].result())))
                links.extend(name_links)
        finally:
            pool.shutdown()
            self._grouping = None
            for name in grouped:
                self._parts[name] = []
        flagged = self.supplier or self.name_field
        return {"role": self.red_flags.get("role") if flagged else None,
                "supplier": self.supplier, "supplier_name": self.name_field, "links": links}

    def _group_table(self, name: str) -> tuple[pa.Table, bool] | None:
        """The column's group-by as an Arrow table, and whether its rows carry moments.

        Arrow only, without the GIL: run in a thread (see finish), while the
        Python lists of the previous column are turned into links.
        """
        parts = self._parts[name]
        if not parts:
            return None
        columns = [key for key in ("k", "m", "f", "n") if all(key in part for part in parts)]
        table = pa.table({
            key: pa.chunked_array([part[key] for part in parts], pa.bool_() if key == "f" else pa.string())
            for key in columns})
        table = table.filter(pc.not_equal(pc.utf8_trim_whitespace(table["k"]), ""))
        aggregations: list[Any] = [([], "count_all")]
        if "m" in columns:
            aggregations.append(("m", "distinct"))
        if "f" in columns:
            aggregations.append(("f", "any"))
        if "n" in columns:
            aggregations.append(("n", "first"))  # in file order: the group-by runs on one thread
        # In the index's order: the links are written to the linkage index as they come,
        # and PostgreSQL adds each next to the last one instead of at a random page of
        # its key index (a third less work for the server).
        grouped = table.group_by("k", use_threads=False).aggregate(aggregations).sort_by("k")
        return grouped, parts[0].get("m") is not None

    def _finish_link(self, link: dict[str, Any], moments: list[str], flags: bool | None) -> None:
        if self.date_field:
            link["dates"] = sorted(moments)
        elif self.period_fields:
            link["periods"] = sorted(moment.split("|", 1) for moment in moments)
        if flags is not None and not flags:
            link["flags"] = False

    def _links_of(self, name: str, codes: tuple[str, ...], grouped: _Groups | None) -> list[dict[str, Any]]:
        """A call per distinct identifier, not per row."""
        if grouped is None:
            return []
        values, counts, moments_of, flags_of, keys, names_of, with_moments = grouped
        with_moments = with_moments and name == self.supplier
        found: dict[tuple[str, str], dict[str, Any]] = {}
        # Which code each value certainly is, computed for the whole column at once.
        fine_code: list[str | None] = [None] * len(values)
        for code, mask in reversed(list(zip(codes, self.registry.certainly_fine(keys, codes)))):
            if mask is not None:
                for position in pc.indices_nonzero(mask).to_pylist():
                    fine_code[position] = code
        for value, count, moments, flags, code, written in zip(values, counts, moments_of, flags_of, fine_code, names_of):
            resolved = (code, value) if code is not None else self.registry.resolve(value, codes)
            if resolved is None:
                continue
            link = found.get(resolved)
            if link is None:
                scheme, identifier = resolved
                found[resolved] = {"field": name, "scheme": scheme, "identifier": identifier, "rows": count,
                                   "person": self.registry.natural_person(scheme, identifier), "_m": moments or [],
                                   "_f": flags, "_label": written}
            else:  # two spellings of one identifier (MX-RFC-… and the bare RFC)
                link["rows"] += count
                link["_m"] = list(set(link["_m"]) | set(moments or []))
                link["_f"] = None if flags is None and link["_f"] is None else bool(link["_f"] or flags)
                link["_label"] = link["_label"] or written
        for link in found.values():
            moments, flags, written = link.pop("_m"), link.pop("_f"), link.pop("_label")
            if written:
                link["label"] = " ".join(written.split())[:_LABEL_LENGTH]
            if with_moments:
                self._finish_link(link, moments, flags)
            elif flags is not None and not flags:
                link["flags"] = False
        return list(found.values())

    def _names_of(self, name: str, grouped: _Groups | None) -> list[dict[str, Any]]:
        """The second tier: one link per normalised name, each distinct spelling parsed once."""
        if grouped is None:
            return []
        values, counts, moments_of, flags_of, _, _, with_moments = grouped
        usable = self.names.usable
        # key → [rows, moments, flags, first spelling, its form, tallies]; the tallies
        # ({spelling: rows}, {form: rows}, moments as a set) only once a second spelling
        # of the key turns up: most names are written one way in a file.
        found: dict[str, list[Any]] = {}
        for value, count, moments, flags in zip(values, counts, moments_of, flags_of):
            parsed = usable(value)
            if parsed is None:
                continue
            key, form = parsed
            entry = found.get(key)
            if entry is None:
                found[key] = [count, moments, flags, value, form or None, None]
                continue
            tallies = entry[5]
            if tallies is None:
                tallies = entry[5] = ({entry[3]: entry[0]}, {entry[4]: entry[0]} if entry[4] else {},
                                      set(entry[1] or ()))
            entry[0] += count
            if moments:
                tallies[2].update(moments)
            if flags is not None or entry[2] is not None:
                entry[2] = bool(entry[2] or flags)
            tallies[0][value] = tallies[0].get(value, 0) + count
            if form:
                tallies[1][form] = tallies[1].get(form, 0) + count
        links = []
        dates = with_moments and bool(self.date_field)
        for key in sorted(found):  # in the index's order, as the identifiers (see _grouped)
            rows, moments, flags, written, form, tallies = found[key]
            if tallies is not None:
                written = _most_written(tallies[0])
                form = _most_written(tallies[1]) if tallies[1] else None
                moments = tallies[2]
            link: dict[str, Any] = {"field": name, "scheme": NAME_SCHEME, "identifier": key, "rows": rows,
                                    "label": " ".join(written.split())[:_LABEL_LENGTH], "form": form,
                                    # A name without a legal form may be a person's: withheld as a person's RFC is.
                                    "person": form is None}
            if dates:  # the common case of _finish_link, inline: a contracts file names 200,000 suppliers
                link["dates"] = sorted(moments or ())
                if flags is not None and not flags:
                    link["flags"] = False
            elif with_moments:
                self._finish_link(link, list(moments or ()), flags)
            elif flags is not None and not flags:
                link["flags"] = False
            links.append(link)
        return links


def _as_lists(found: tuple[pa.Table, bool] | None) -> _Groups | None:
    """A column's groups (see IdentifierLinks._group_table) as Python lists."""
    if found is None:
        return None
    grouped, with_moments = found
    names = set(grouped.column_names)
    keys = grouped.column("k").combine_chunks()
    values = keys.to_pylist()
    counts = grouped.column("count_all").to_pylist()
    moments_of = grouped.column("m_distinct").to_pylist() if "m_distinct" in names else [None] * len(values)
    flags_of = grouped.column("f_any").to_pylist() if "f_any" in names else [None] * len(values)
    names_of = grouped.column("n_first").to_pylist() if "n_first" in names else [None] * len(values)
    return values, counts, moments_of, flags_of, keys, names_of, with_moments


def _most_written(spellings: dict[str, int]) -> str:
    """The spelling with most rows (the first in alphabetical order on a tie)."""
    if len(spellings) == 1:
        return next(iter(spellings))
    return min(spellings, key=lambda written: (-spellings[written], written))


def _day(array: pa.Array) -> pa.Array:
    """The YYYY-MM-DD part of date or datetime text; null when there is none."""
    head = pc.utf8_slice_codeunits(array, 0, 10)
    return pc.if_else(pc.match_substring_regex(head, _DATE), head, pa.scalar(None, pa.string()))

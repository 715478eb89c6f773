"""Which Table Schema field each column of a file holds, found from the header.

Publishers name their columns as they always have (``PROVEEDOR O CONTRATISTA``,
``IMPORTE_CONTRATO``, ``RFC del proveedor``), in their own order. A column
names a field when its label, compared without case, accents, spaces or
punctuation, is the field's name, one of its titles or one of the
``aliases`` the type's schema lists for it (data, in ``schemas/types``).

Pure: labels and a Table Schema descriptor in, a :class:`HeaderMapping` out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ColumnMatch",
    "HeaderMapping",
    "field_names_for_label",
    "map_columns",
    "normalize_label",
]

# How sure a match is, by what the label equals. An explicit mapping (the
# publisher's own) is certain; the field's name is nearly so; titles and
# aliases are what people write, a little less so.
CONFIDENCE = {"explicit": 1.0, "name": 0.95, "title": 0.9, "alias": 0.85}


def normalize_label(text: Any) -> str:
    """``text`` without case, accents, spaces or punctuation: "Fecha de Notificación " → "fechadenotificacion"."""
    decomposed = unicodedata.normalize("NFKD", str(text if text is not None else ""))
    return "".join(char for char in decomposed.casefold() if char.isalnum() and not unicodedata.combining(char))


def _keys(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(normalised key, how) for every way a field may be written, surest first."""
    found = [(spec.get("name"), "name"), (spec.get("title"), "title"), (spec.get("title_es"), "title")]
    found += [(alias, "alias") for alias in spec.get("aliases") or [] if isinstance(alias, str)]
    return [(normalize_label(value), how) for value, how in found if value and normalize_label(value)]


def field_names_for_label(table_schema: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Normalised label → (field name, how it matched); the first field to claim a key keeps it."""
    index: dict[str, tuple[str, str]] = {}
    fields = [spec for spec in table_schema.get("fields") or [] if isinstance(spec, Mapping) and spec.get("name")]
    # Names first, then titles, then aliases: a field's own name is never
    # taken by another field's alias.
    for rank in ("name", "title", "alias"):
        for spec in fields:
            for key, how in _keys(spec):
                if how == rank:
                    index.setdefault(key, (spec["name"], how))
    return index


@dataclass(frozen=True)
class ColumnMatch:
    """One column of the file: its 1-based position, its label and the field it holds (None: no field)."""

    number: int
    label: str
    field: str | None
    confidence: float
    how: str  # "explicit" | "name" | "title" | "alias" | "ignored" (set aside by an explicit mapping) | "" (no field)
    duplicate_of: int | None = None  # an earlier column with the same field

    def as_dict(self) -> dict[str, Any]:
        return {"column": self.label, "number": self.number, "field": self.field, "confidence": self.confidence,
                "how": self.how}


@dataclass(frozen=True)
class HeaderMapping:
    """The columns of a file matched to the fields of a Table Schema."""

    columns: tuple[ColumnMatch, ...]
    fields: tuple[str, ...]
    required: tuple[str, ...]

    @property
    def exact(self) -> bool:
        """The header is the schema's names, in its order: nothing to map."""
        return tuple(column.label for column in self.columns) == self.fields and all(
            column.field == column.label for column in self.columns)

    @property
    def matched(self) -> tuple[str, ...]:
        return tuple(column.field for column in self.columns if column.field)

    @property
    def missing(self) -> tuple[str, ...]:
        present = set(self.matched)
        return tuple(name for name in self.fields if name not in present)

    @property
    def missing_required(self) -> tuple[str, ...]:
        present = set(self.matched)
        return tuple(name for name in self.required if name not in present)

    @property
    def extra(self) -> tuple[ColumnMatch, ...]:
        return tuple(column for column in self.columns if not column.field)

    @property
    def in_place(self) -> bool:
        """Every column that holds a field stands where the schema puts that field, and none was set aside by the publisher."""
        return all(
            (column.field is None and column.how != "ignored")
            or (column.field is not None and column.number <= len(self.fields) and self.fields[column.number - 1] == column.field)
            for column in self.columns
        )

    @property
    def fits(self) -> bool:
        """Whether the header fits the type well enough to check rows against it.

        It does when it holds at least half of the required fields (of all
        fields, for a schema without required ones). Below that, every row
        would show knock-on errors of a header that is not this type's.
        """
        wanted = self.required or self.fields
        if not wanted:
            return True
        present = set(self.matched)
        return 2 * sum(1 for name in wanted if name in present) >= len(wanted)

    def summary(self, limit: int = 100) -> dict[str, Any]:
        """JSON for the report: the counts, the matched columns, what is missing and what is extra.

        At most ``limit`` extra columns are listed (a header can be thousands
        wide); ``extra_count`` is exact.
        """
        present = set(self.matched)
        return {
            "matched": len(present),
            "fields": len(self.fields),
            "required_matched": sum(1 for name in self.required if name in present),
            "required": len(self.required),
            "mapping": [column.as_dict() for column in self.columns if column.field],
            "missing_required": list(self.missing_required),
            "missing": list(self.missing),
            "extra": [column.label for column in self.extra[:limit]],
            "extra_count": len(self.extra),
        }


def _required(spec: Mapping[str, Any], primary_key: set[str]) -> bool:
    return bool((spec.get("constraints") or {}).get("required")) or spec.get("name") in primary_key


def map_columns(
    labels: list[str], table_schema: Mapping[str, Any], mapping: Mapping[str, str | None] | None = None
) -> HeaderMapping:
    """Match each label to a field of ``table_schema``.

    ``mapping`` (file column label → field name, or None for "ignore") is the
    publisher's own choice and wins over the automatic match; a field it
    names that the schema does not have is ignored. Each field is held by
    one column at most: a later column naming a field already held is extra
    and knows which column held it.
    """
    fields = [spec for spec in table_schema.get("fields") or [] if isinstance(spec, Mapping) and spec.get("name")]
    names = tuple(spec["name"] for spec in fields)
    primary_key = table_schema.get("primaryKey") or []
    keyed = {primary_key} if isinstance(primary_key, str) else set(primary_key)
    required = tuple(spec["name"] for spec in fields if _required(spec, keyed))
    index = field_names_for_label(table_schema)
    explicit = dict(mapping or {})
    held: dict[str, int] = {}
    columns: list[ColumnMatch] = []
    for number, raw in enumerate(labels, start=1):
        label = "" if raw is None else str(raw)
        field: str | None
        if label in explicit:
            field, how = explicit[label], "explicit"
            if field not in names:
                field, how = None, "ignored"
        elif label in names:
            field, how = label, "name"
        else:
            field, how = index.get(normalize_label(label), (None, ""))
        if field is not None and field in held:
            columns.append(ColumnMatch(number, label, None, 0.0, "", duplicate_of=held[field]))
            continue
        if field is not None:
            held[field] = number
        columns.append(ColumnMatch(number, label, field, CONFIDENCE.get(how, 0.0), how))
    return HeaderMapping(tuple(columns), names, required)

"""Which field each column of a file holds, suggested from its header before it is uploaded.

The upload form sends the beginning of the file the publisher chose; this
reads its header the way the check will (encoding, separator, header row
past title lines, a file without a header row) from the first rows only,
and matches each column to a field of the type (see :mod:`.mapping`). The
publisher confirms or changes the suggestion, which is stored as the
resource's ``column_mapping``.

Pure: a path and a Table Schema descriptor in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .mapping import map_columns
from .source import Source, SourceProblem, first_rows, open_source

__all__ = ["CSV_SAMPLE_BYTES", "POSITION_CONFIDENCE", "SAMPLE_CHARS", "suggest_columns"]

# The beginning of a text file that is enough to find its header, encoding
# and separator (the reader looks at no more: see source.first_rows).
CSV_SAMPLE_BYTES = 256 * 1024

# A column of a file without a header row holds the field at its place in
# the Table Schema (that is how the check reads it): a guess to look at.
POSITION_CONFIDENCE = 0.5
# A sample value is shown to recognise a column, not to read it whole.
SAMPLE_CHARS = 60


def _fields(table_schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [spec for spec in table_schema.get("fields") or [] if isinstance(spec, Mapping) and spec.get("name")]


def _hints(table_schema: Mapping[str, Any]) -> list[str]:
    # As the check gives them (engine._field_hints): names and titles find the header row.
    return [str(spec[key]) for spec in _fields(table_schema) for key in ("name", "title", "title_es") if spec.get(key)]


def _text(cell: Any) -> str:
    """A cell as text: whole numbers without ".0", an empty cell as ""."""
    return "" if cell is None else str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


def _sample(rows: list[list[Any]], index: int) -> str:
    """The first value of column ``index`` in ``rows``, shortened."""
    for row in rows:
        if index < len(row) and row[index] not in (None, "") and str(row[index]).strip():
            text = " ".join(_text(row[index]).split())
            return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"
    return ""


def suggest_columns(
    path: str,
    table_schema: Mapping[str, Any],
    *,
    format: str | None = None,
    sheet: str | int | None = None,
    mapping: Mapping[str, str | None] | None = None,
    max_columns: int | None = None,
) -> dict[str, Any] | SourceProblem:
    """The columns of the file at ``path`` with the field each seems to hold.

    ``mapping`` (file column → field, "" or None to leave it out) is a
    mapping the publisher gave before (for the dataset's previous file):
    it wins for the columns it names. A file with more than
    ``max_columns`` columns is a :class:`SourceProblem` ("too-many-columns").

    The answer: ``columns`` (each with ``number``, ``label``, ``key`` (the
    label; the position, "1", "2", …, for a file without a header row),
    ``sample`` (its first value), ``field`` (or None), ``how`` ("explicit",
    "name", "title", "alias", "position", "ignored" or "" for none),
    ``confidence`` (0 to 1) and ``duplicate_of``); ``fields`` (the type's,
    with titles and whether required); ``missing_required``; ``complete``
    (every column is a field by its own name and no required field is
    missing: nothing to map); ``header_rows`` (1-based; empty without a
    header row); ``no_header``; and ``detected`` (format, encoding,
    separator, sheet, warnings as the report gives them).
    """
    source = open_source(path, format=format, sheet=sheet, hints=_hints(table_schema))
    if isinstance(source, SourceProblem):
        return source
    try:
        rows = first_rows(source)
    except UnicodeDecodeError as error:
        return SourceProblem("error", "encoding", {"encoding": source.encoding, "detail": str(error)[:300]})
    except Exception as error:  # calamine and the XML parser raise their own classes: the file is unreadable
        return SourceProblem("error", "unreadable", {"detail": f"{type(error).__name__}: {error}"[:300]})
    header_rows = list(source.header_rows)
    width = max((len(row) for row in rows), default=0)
    if max_columns and width > max_columns:
        return SourceProblem("error", "too-many-columns", {"columns": width, "max_columns": max_columns})
    if not rows or width == 0:
        return SourceProblem("error", "empty-file")
    fields = _fields(table_schema)
    required = map_columns([], table_schema).required
    if header_rows:
        header = rows[header_rows[-1] - 1] if len(rows) >= header_rows[-1] else []
        data = rows[header_rows[-1]:]
        # The key is the label as the check reads it (trailing spaces and all); the label is shown trimmed.
        found = map_columns([_text(cell) for cell in header], table_schema, mapping)
        columns = [{
            "number": match.number, "label": " ".join(match.label.split()), "key": match.label,
            "sample": _sample(data, match.number - 1), "field": match.field, "how": match.how,
            "confidence": match.confidence, "duplicate_of": match.duplicate_of,
        } for match in found.columns]
        missing_required = list(found.missing_required)
        complete = not missing_required and all(
            column["field"] is not None and column["field"] == column["key"] for column in columns)
    else:
        names = [spec["name"] for spec in fields]
        chosen = {str(k): v for k, v in (mapping or {}).items()}
        columns = []
        for index in range(width):
            key = str(index + 1)
            field, how, confidence = (names[index], "position", POSITION_CONFIDENCE) if index < len(names) else (None, "", 0.0)
            if key in chosen:
                field, how, confidence = (chosen[key], "explicit", 1.0) if chosen[key] in names else (None, "ignored", 0.0)
            columns.append({"number": index + 1, "label": "", "key": key, "sample": _sample(rows, index),
                            "field": field, "how": how, "confidence": confidence, "duplicate_of": None})
        held = {column["field"] for column in columns if column["field"]}
        missing_required = [name for name in required if name not in held]
        complete = False
    return {
        "columns": columns,
        "fields": [{"name": spec["name"], "title": spec.get("title") or spec["name"],
                    "title_es": spec.get("title_es") or spec.get("title") or spec["name"],
                    "required": spec["name"] in required} for spec in fields],
        "matched": len({column["field"] for column in columns if column["field"]}),
        "missing_required": missing_required,
        "complete": complete,
        "header_rows": header_rows,
        "no_header": not header_rows,
        "detected": _detected(source),
    }


def _detected(source: Source) -> dict[str, Any]:
    found = dict(source.detected)
    found.pop("width", None)
    return found

"""Validation with frictionless itself: the reference and the fallback.

This mirrors ``frictionless.Resource.validate`` (baseline checks only) but
counts every error while keeping only the first N per type, so a broken
million-row file does not hold a million error objects, and it reports
progress and honours cancellation between rows.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from .errorlog import ErrorLog
from .result import CheckOptions, ErrorCollector, TooManyColumns, ValidationCancelled, build_report
from .scans import Scans
from .source import Source, iter_rows
from .values import READING_KEY, Tally, reading_for

__all__ = ["CHECK_EVERY", "frictionless_resource", "prepare_schema", "table_schema_problems", "validate_with_frictionless"]

# How often (rows) the cancel callback is polled: often enough to stop
# within a fraction of a second, rarely enough to cost nothing.
CHECK_EVERY = 1000

# Documentation keys our dataset schemas add to Table Schema fields.
_CUSTOM_FIELD_KEYS = {
    "title_es",
    "description_es",
    "identifier",
    "personal_data",
    "personal_data_public",
    "example",
    "aliases",
    "valueAliases",
    "upperCase",
}
_SCHEMA_KEYS = {"fields", "primaryKey", "missingValues", "fieldsMatch"}


def prepare_schema(table_schema: dict[str, Any]) -> dict[str, Any]:
    """The part of ``table_schema`` a single file can be checked against.

    ``foreignKeys`` point at other resources, which a lone file does not
    have (frictionless would fail with "package is required"); custom keys
    are documentation.
    """
    prepared = {key: value for key, value in table_schema.items() if key in _SCHEMA_KEYS}
    prepared["fields"] = [
        {key: value for key, value in field.items() if key not in _CUSTOM_FIELD_KEYS}
        for field in table_schema.get("fields", [])
    ]
    return prepared


def table_schema_problems(descriptor: Any) -> list[str]:
    """What makes ``descriptor`` not a usable Frictionless Table Schema (empty when it is one)."""
    import frictionless

    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list) or not descriptor["fields"]:
        return ["a Table Schema is a JSON object with a list of fields"]
    report = frictionless.Schema.validate_descriptor(descriptor)
    return [error.message for error in report.errors][:5]


def _reading_field_class(base: Any) -> Any:
    """``base`` (a frictionless field class) reading each cell through the field's ``valueReading`` first.

    The cell an error shows stays the one the publisher wrote: frictionless's
    Row reports the cell it handed to the reader.
    """

    class ReadingField(base):  # type: ignore[misc, valid-type]
        def create_cell_reader(self) -> Any:
            reader = super().create_cell_reader()
            spec = (self.custom or {}).get(READING_KEY)
            if not spec:
                return reader
            value = reading_for(spec).value

            def cell_reader(cell: Any) -> Any:
                return reader(value(cell))

            return cell_reader

    ReadingField.__name__ = ReadingField.__qualname__ = base.__name__
    return ReadingField


def register_readings() -> None:
    """Make frictionless read fields that carry a ``valueReading`` through it (see values).

    A frictionless plugin, so every field frictionless builds (the header's
    copies too) is one of these; a field without a reading reads as before.
    Registered once per process.
    """
    import frictionless

    if "anticorruption-values" in frictionless.system.plugins:
        return
    classes = {name: _reading_field_class(frictionless.system.select_field_class(name))
               for name in ("string", "number", "integer", "date")}

    class ValuesPlugin(frictionless.Plugin):
        def select_field_class(self, type: str | None = None) -> Any:
            return classes.get(type or "")

    frictionless.system.register("anticorruption-values", ValuesPlugin())


def _as_written(cell: Any) -> Any:
    return cell


def frictionless_resource(source: Source, schema: dict[str, Any]) -> Any:
    import frictionless
    from frictionless import formats

    register_readings()

    if not source.plain:
        # The rows as read with the source's plan (padding off, header
        # joined, empty columns left out); every physical row stays, so row
        # numbers are the file's own.
        if source.header_rows:
            dialect = frictionless.Dialect(header_rows=[source.header_rows[-1]])
        else:
            dialect = frictionless.Dialect(header=False)
        return frictionless.Resource(
            data=lambda: iter_rows(source),
            format="inline",
            schema=frictionless.Schema.from_descriptor(schema),
            dialect=dialect,
        )
    if source.format == "csv":
        # Everything the csv.Sniffer could guess is pinned, so frictionless
        # reads exactly the dialect we detected and report.
        control: Any = formats.CsvControl(
            delimiter=source.delimiter or ",", quote_char='"', skip_initial_space=False, double_quote=True
        )
        options: dict[str, Any] = {"format": "csv", "encoding": source.encoding}
    else:
        control = formats.ExcelControl(sheet=source.sheet)
        options = {"format": "xlsx"}
    return frictionless.Resource(
        source.path,
        schema=frictionless.Schema.from_descriptor(schema),
        dialect=frictionless.Dialect(controls=[control]),
        **options,
    )


def validate_with_frictionless(source: Source, schema: dict[str, Any],
                               options: CheckOptions) -> tuple[dict[str, Any], int, ErrorCollector]:
    """Run frictionless; return (report descriptor, rows read, collector).

    With ``log_path``, every error is also written there (see errorlog).
    The caller has checked the header against ``max_columns`` (frictionless's
    header check costs the square of its width); a row wider than it raises
    :class:`TooManyColumns`.
    """
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(ErrorLog(options.log_path)) if options.log_path else None
        return _validate(source, schema, ErrorCollector(options.max_errors_per_type, log), options)


def _validate(source: Source, schema: dict[str, Any], collector: ErrorCollector,
              options: CheckOptions) -> tuple[dict[str, Any], int, ErrorCollector]:
    from frictionless import FrictionlessException, checks

    started = time.perf_counter()
    resource = frictionless_resource(source, schema)
    feeder = Scans(options.scans() if options.scans else [], [spec.get("name", "") for spec in schema.get("fields", [])], collector)

    fields = schema.get("fields", [])
    read_numbers = {number for number, spec in enumerate(fields, start=1) if spec.get(READING_KEY)}

    def keep(error: Any) -> None:
        row = getattr(error, "row_number", None) or 0
        field = getattr(error, "field_number", None) or 0
        build = error.to_descriptor
        if error.type == "unique-error" and field in read_numbers:
            # frictionless shows the value as read; the report shows the cell
            # as written, like every other error.
            def build(error: Any = error, field: int = field) -> dict[str, Any]:
                descriptor = error.to_descriptor()
                cells = descriptor.get("cells") or []
                if field <= len(cells):
                    descriptor["cell"] = cells[field - 1]
                return descriptor
        collector.add(error.type, build, row=row, field=field)

    schema_missing = schema.get("missingValues", [""])
    # (position, field name, reading, missing values) of each of the type's
    # fields, for counting what was read with an assumption.
    read = [(number, spec["name"], reading_for(spec[READING_KEY]) if spec.get(READING_KEY) else None,
             frozenset(spec.get("missingValues", schema_missing)))
            for number, spec in enumerate(schema.get("fields", [])) if spec.get("type", "string") != "any"]
    read = [item for item in read if item[2] is not None or item[3] - {""}]
    tally = Tally()
    # The column scans (identifier checks, red flags) see the cells as read.
    values = [reading_for(spec[READING_KEY]).value if spec.get(READING_KEY) else _as_written
              for spec in schema.get("fields", [])]
    readers = any(spec.get(READING_KEY) for spec in schema.get("fields", []))
    labels: list[str] = []
    rows = 0
    try:
        resource.open()
    except FrictionlessException as exception:
        for error in exception.to_errors():
            keep(error)
    else:
        with resource:
            baseline = checks.baseline()
            baseline.connect(resource)
            for error in baseline.validate_start():
                if options.header is None or options.header.keeps(error.type, getattr(error, "field_number", None) or 0):
                    keep(error)
            if options.header is not None:
                for type_, field_number, build, _ in options.header.errors:
                    collector.add(type_, build, row=0, field=field_number)
            labels = list(resource.labels or [])
            if options.max_columns and len(labels) > options.max_columns:
                raise TooManyColumns(len(labels))
            stream = resource.row_stream
            while True:
                try:
                    row = next(stream)
                except FrictionlessException as exception:
                    keep(exception.error)
                    # A broken stream (e.g. a decoding error) cannot resume.
                    break
                except StopIteration:
                    break
                rows += 1
                if options.max_columns and len(row.cells) > options.max_columns:
                    raise TooManyColumns(len(row.cells))
                for error in row.errors:
                    keep(error)
                if read:
                    cells = row.cells
                    for number, name, reading, missing in read:
                        if number < len(cells):
                            tally.cell(name, reading, missing, cells[number])
                feeder.add_row(row.row_number, ([value(cell) for value, cell in zip(values, row.cells)]
                                                + row.cells[len(values):]) if readers else row.cells)
                if rows % CHECK_EVERY == 0:
                    if options.budget is not None:
                        options.budget.rows = rows
                        options.budget.check()
                    if options.cancelled and options.cancelled():
                        raise ValidationCancelled()
                if options.progress and rows % options.progress_every == 0:
                    options.progress(rows)

    if labels:
        collector.summaries = feeder.finish(collector)
    collector.assumptions = tally.items()
    report = build_report(
        name=resource.name or "table",
        place=source.path,
        labels=labels,
        collector=collector,
        rows=rows,
        fields=len(schema.get("fields", [])),
        byte_count=os.path.getsize(source.path),
        seconds=time.perf_counter() - started,
        warnings=source.notes,
    )
    return report, rows, collector

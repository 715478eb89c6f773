"""Field validators referenced by name from the schema files (``schemas/``)."""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Validator

from ckanext.scheming.validation import scheming_validator

from ckanext.anticorruption.dataset_types.types import dataset_type, localized
from ckanext.anticorruption.helpers import current_lang

__all__ = [
    "anticorruption_choice",
    "anticorruption_column_mapping",
    "anticorruption_default_from_type",
    "anticorruption_from_type",
    "anticorruption_not_before",
    "anticorruption_required_if",
    "anticorruption_required_unless",
    "anticorruption_year",
]

_missing = tk.missing


def _sibling(key: FlattenKey, name: str) -> FlattenKey:
    """The key of another field of the same dataset or resource."""
    return key[:-1] + (name,)


def _empty(value: Any) -> bool:
    return value is _missing or value is None or value == "" or value == []


def _type_of(data: FlattenDataDict):
    return dataset_type(data.get(("type",)))


def anticorruption_from_type(attribute: str) -> Validator:
    """Set the field from the dataset's type (e.g. its Guide category); input is ignored."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        typ = _type_of(data)
        if typ is None:
            data.pop(key, None)
        else:
            data[key] = getattr(typ, attribute)

    return validator


def anticorruption_default_from_type(attribute: str) -> Validator:
    """When the field is left empty, fill it with the type's usual values."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        typ = _type_of(data)
        if typ is not None and _empty(data.get(key, _missing)):
            data[key] = list(getattr(typ, attribute))

    return validator


def anticorruption_required_if(other: str, value: str) -> Validator:
    """Required when another field of the same record has the given value."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        if data.get(_sibling(key, other)) == value and _empty(data.get(key, _missing)):
            errors[key].append(tk._("Missing value"))
            raise tk.StopOnError

    return validator


def anticorruption_required_unless(other: str, value: str) -> Validator:
    """Required unless another field of the same record has the given value."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        current = data.get(_sibling(key, other))
        if current not in (None, _missing, "", value) and _empty(data.get(key, _missing)):
            errors[key].append(tk._("Missing value"))
            raise tk.StopOnError

    return validator


def anticorruption_not_before(other: str) -> Validator:
    """A date that must not come before another date field of the same record."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        start, end = data.get(_sibling(key, other)), data.get(key)
        if isinstance(start, str):
            try:
                start = datetime.date.fromisoformat(start[:10])
            except ValueError:
                return
        if isinstance(start, datetime.date) and isinstance(end, datetime.date):
            if _as_date(end) < _as_date(start):
                errors[key].append(tk._("The end date comes before the start date"))

    return validator


@scheming_validator
def anticorruption_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One of the field's choices; otherwise the message lists them with their labels."""
    choices = field["choices"]

    def validator(value: Any, context: Context) -> Any:
        if value is _missing or value in (None, ""):
            return value
        if any(value == c["value"] for c in choices):
            return value
        lang = current_lang()
        options = "; ".join(f"{c['value']} ({localized(c['label'], lang)})" for c in choices)
        raise tk.Invalid(tk._('"{value}" is not one of the options. Use one of: {options}').format(
            value=value, options=options))

    return validator


# A mapping names each column of one file: no more than a file may have.
MAX_MAPPED_COLUMNS = 1000


def anticorruption_column_mapping(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                                  context: Context) -> None:
    """``column_mapping``: a JSON object, column of the file → column of the dataset's type ("" leaves it out).

    Given as an object or as its JSON text (forms, ``ckanapi``); stored as
    JSON text. Every target must be a column of the type's Table Schema.
    """
    value = data.get(key)
    if _empty(value) or value == {} or (isinstance(value, str) and not value.strip()):
        # No mapping (an empty form field): nothing is stored.
        data.pop(key, None)
        raise tk.StopOnError
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict) or len(value) > MAX_MAPPED_COLUMNS or not all(
            isinstance(k, str) and 0 < len(k) <= 500 and "\x00" not in k for k in value):
        errors[key].append(tk._(
            'The columns of the file must be written as {"column of the file": "column of the type", ...}'))
        return
    typ = _type_of(data)
    fields = [f["name"] for f in typ.table_schema.get("fields", [])] if typ is not None else []
    targets = [v for v in value.values() if v not in (None, "")]
    twice = sorted({str(v) for v in targets if targets.count(v) > 1})
    if twice:
        errors[key].append(tk._("{names}: given to more than one column of the file").format(
            names=", ".join(f"«{name[:100]}»" for name in twice[:5])))
        return
    unknown = sorted({str(v) for v in targets if v not in fields})
    if unknown:
        errors[key].append(tk._("{names}: not a column of this dataset type. Use one of: {fields}").format(
            names=", ".join(f"«{name[:100]}»" for name in unknown[:5]), fields=", ".join(fields)))
        return
    data[key] = json.dumps({k: (v or "") for k, v in value.items()}, ensure_ascii=False)


def _as_date(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def anticorruption_year(value: Any, context: Context) -> int:
    """A year written with four digits, e.g. 2026."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Write the year with four digits, e.g. 2026"))
    if not 1900 <= year <= 2100:
        raise tk.Invalid(tk._("Write the year with four digits, e.g. 2026"))
    return year

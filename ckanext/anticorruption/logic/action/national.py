"""Actions of the national files: one table per dataset type with the valid public files of every agency.

The table of a type is the DataStore table of the CSV resource of its
national dataset, a dataset of the portal (no agency's: it has no
organization and is not of one of the Guide's types, so coverage, agency
pages and red flags never count it), created by the site user the first time
a file of the type enters. ``national/`` keeps the rows in step with the files.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.logic.schema import default_create_package_schema
from ckan.types import Context, DataDict

from ckanext.anticorruption.dataset_types import types as dataset_types
from ckanext.anticorruption.dcat.mapping import NATIONAL_EXTRA
from ckanext.anticorruption.logic import schema
from ckanext.anticorruption.national import files, refresh, store

__all__ = [
    "anticorruption_national_file_show",
    "anticorruption_national_publish",
    "anticorruption_national_rebuild",
    "anticorruption_national_show",
]

# The resource field that says which national file a resource of a national dataset is.
ROLE = "anticorruption_national"
FORMATS = {
    "csv": {"format": "CSV", "mimetype": "text/csv"},
    "parquet": {"format": "Parquet", "mimetype": "application/vnd.apache.parquet"},
}


def national_dataset_name(type_id: str) -> str:
    return f"national-{type_id.replace('_', '-')}"


def _type_or_404(type_id: str) -> dataset_types.DatasetType:
    typ = dataset_types.dataset_type(type_id)
    if typ is None:
        raise tk.ObjectNotFound(tk._("There is no national file of this type: {id} is not a dataset type "
                                     "of the portal").format(id=type_id))
    return typ


def _url(type_id: str, fmt: str) -> str:
    return tk.url_for("anticorruption.national_file", type_id=type_id, file_format=fmt, _external=True)


def _national_dataset(type_id: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("package_show")({"ignore_auth": True}, {"id": national_dataset_name(type_id)})
    except tk.ObjectNotFound:
        return None


def _resource(dataset: dict[str, Any] | None, fmt: str) -> dict[str, Any] | None:
    return next((r for r in (dataset or {}).get("resources", []) if r.get(ROLE) == fmt), None)


@tk.side_effect_free
@validate(schema.id_schema)
def anticorruption_national_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The national file of a dataset type: every valid public file of every agency in one table.

    :param id: the type's id, e.g. ``contracts_register``
    :returns: ``type``, ``title`` (both languages), ``csv_url`` and
        ``parquet_url`` (the downloads), ``rows``, ``files`` (how many files
        are in it), ``changed`` (when its rows last changed, ISO, or None when
        no file ever entered), ``dataset`` (the national dataset's ``id``,
        ``name`` and ``url``, or None before its first file), ``datastore_resource_id``
        (query it with ``datastore_search``) and ``columns``
    """
    tk.check_access("anticorruption_national_show", context, data_dict)
    typ = _type_or_404(data_dict["id"])
    state = store.state_of(typ.id)
    dataset = _national_dataset(typ.id)
    csv_resource = _resource(dataset, "csv")
    return {
        "type": typ.id,
        "title": dict(typ.title),
        "csv_url": _url(typ.id, "csv"),
        "parquet_url": _url(typ.id, "parquet"),
        "rows": state["row_count"] if state else 0,
        "files": store.file_count(typ.id),
        "changed": state["changed"].isoformat() if state else None,
        "dataset": {"id": dataset["id"], "name": dataset["name"],
                    "url": tk.url_for("dataset.read", id=dataset["name"], _external=True)} if dataset else None,
        "datastore_resource_id": csv_resource["id"] if csv_resource else None,
        "columns": [{k: c[k] for k in ("id", "type", "title", "description")} for c in files.columns_of(typ.id)],
    }


def _file_blocks(path: Any) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            yield block


@tk.side_effect_free
@validate(schema.national_file_show_schema)
def anticorruption_national_file_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A national file to download: the CSV (streamed from the table as it is now) or the Parquet file
    (written again first if the rows changed since the last one).

    :param id: the type's id
    :param format: ``csv`` or ``parquet``
    :returns: ``filename``, ``url``, ``mimetype``, ``changed`` (when the rows
        last changed, ISO, or None) and, except through the API (the file can
        be far larger than an API answer should be: download it from ``url``),
        ``chunks``: the file, a block at a time
    """
    tk.check_access("anticorruption_national_file_show", context, data_dict)
    typ = _type_or_404(data_dict["id"])
    fmt = data_dict["format"]
    result: dict[str, Any] = {"filename": f"{typ.id}.{fmt}", "url": _url(typ.id, fmt),
                              "mimetype": FORMATS[fmt]["mimetype"]}
    if fmt == "parquet":
        path, changed = files.parquet_file(typ.id)
        result["changed"] = changed.isoformat() if changed else None
        if not context.get("api_version"):
            result["chunks"] = _file_blocks(path)
    else:
        state = store.state_of(typ.id)
        result["changed"] = state["changed"].isoformat() if state else None
        if not context.get("api_version"):
            result["chunks"] = files.csv_chunks(typ.id)
    return result


def _create_dataset(context: Context, typ: dataset_types.DatasetType) -> dict[str, Any]:
    lang = tk.config.get("ckan.locale_default") or "es"
    title = {"es": "Archivo nacional: {title}", "en": "National file: {title}"}
    notes = (
        "Todos los archivos válidos y públicos de este tipo de todas las instituciones, en una tabla, "
        "con la institución, el conjunto de datos, el archivo y su fecha en cada renglón.\n\n"
        "Every valid public file of this type from every agency, in one table, with the agency, "
        "the dataset, the file and its date on each row."
    )
    # The portal's own dataset, of no agency: it must not count as an agency's publication.
    create_schema = default_create_package_schema()
    create_schema["owner_org"] = [tk.get_validator("ignore_missing")]
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("package_create")(
        {"user": site_user, "ignore_auth": True, "schema": create_schema},
        {
            "name": national_dataset_name(typ.id),
            "title": title.get(lang, title["en"]).format(title=dataset_types.localized(typ.title, lang)),
            "notes": notes,
            "type": "dataset",
            "private": False,
            "license_id": "cc-by",
            "extras": [{"key": NATIONAL_EXTRA, "value": typ.id}],
            "resources": [
                {"name": f"{typ.id}.{fmt}", "url": _url(typ.id, fmt), ROLE: fmt, **meta}
                for fmt, meta in FORMATS.items()
            ],
        },
    )


@validate(schema.id_schema)
def anticorruption_national_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make sure a type's national dataset and its DataStore table exist (the site's job, done
    the first time a file of the type enters; sysadmins only).

    :param id: the type's id
    :returns: ``table`` (the national table: the id of the CSV resource) and ``dataset`` (its name)
    """
    tk.check_access("anticorruption_national_publish", context, data_dict)
    typ = _type_or_404(data_dict["id"])
    try:
        return {"table": refresh.existing_table(typ.id), "dataset": national_dataset_name(typ.id)}
    except refresh.NoTableYet:
        pass
    dataset = _national_dataset(typ.id)
    if dataset is not None and (dataset["state"] != "active" or _resource(dataset, "csv") is None):
        # Deleted, or its CSV resource removed: the national file is published again, whole.
        tk.get_action("dataset_purge")({"ignore_auth": True, "user": context.get("user")}, {"id": dataset["id"]})
        dataset = None
    dataset = dataset or _create_dataset(context, typ)
    csv_resource = _resource(dataset, "csv")
    lang = tk.config.get("ckan.locale_default") or "es"
    tk.get_action("datastore_create")({"ignore_auth": True, "user": context.get("user")}, {
        "resource_id": csv_resource["id"],
        "force": True,
        "fields": [{"id": c["id"], "type": c["type"],
                    "info": {"label": dataset_types.localized(c["title"], lang),
                             "notes": dataset_types.localized(c["description"], lang)}}
                   for c in files.columns_of(typ.id)],
    })
    store.record_table(typ.id, csv_resource["id"])
    # Files loaded before the table existed (the type's first file, or a table published again) enter now.
    refresh.rebuild_type(typ.id, lambda _type_id: csv_resource["id"])
    return {"table": csv_resource["id"], "dataset": dataset["name"]}


@validate(schema.id_schema)
def anticorruption_national_rebuild(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Build a type's national table again from scratch, from every eligible file's DataStore table
    (sysadmins only; the tables are kept up to date file by file without it).

    :param id: the type's id
    :returns: ``rows``: the rows copied
    """
    tk.check_access("anticorruption_national_rebuild", context, data_dict)
    typ = _type_or_404(data_dict["id"])
    table = tk.get_action("anticorruption_national_publish")(context, {"id": typ.id})["table"]
    return {"rows": refresh.rebuild_type(typ.id, lambda _type_id: table)}

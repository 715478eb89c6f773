"""The columns of a type's national table: provenance first, then the Table Schema's fields.

Pure module: plain data in, plain data out, no CKAN imports. The national
table's columns have the PostgreSQL types of the resource tables
(datastore.columns), so a file's rows are copied into it as they are.
"""
from __future__ import annotations

from typing import Any

from ckanext.anticorruption.datastore.columns import column_type

__all__ = ["PROVENANCE", "Column", "national_columns", "pg_type"]

Column = dict[str, Any]

# Where each row comes from: the agency (organization), its dataset, the file
# (resource) and the file's date. The names are not fields of any type (a test checks).
PROVENANCE: tuple[Column, ...] = (
    {"id": "agency", "type": "text",
     "title": {"en": "Agency", "es": "Institución"},
     "description": {"en": "The agency (organization) that published the file.",
                     "es": "La institución (organización) que publicó el archivo."}},
    {"id": "agency_title", "type": "text",
     "title": {"en": "Agency name", "es": "Nombre de la institución"},
     "description": {"en": "The agency's name on the portal.", "es": "El nombre de la institución en el portal."}},
    {"id": "dataset", "type": "text",
     "title": {"en": "Dataset", "es": "Conjunto de datos"},
     "description": {"en": "The name of the agency's dataset that holds the file.",
                     "es": "El nombre del conjunto de datos de la institución que contiene el archivo."}},
    {"id": "resource", "type": "text",
     "title": {"en": "File", "es": "Archivo"},
     "description": {"en": "The id of the file (resource) the row comes from.",
                     "es": "El identificador del archivo (recurso) del que viene el renglón."}},
    {"id": "file_date", "type": "timestamp",
     "title": {"en": "File date", "es": "Fecha del archivo"},
     "description": {"en": "When the file was last uploaded or changed.",
                     "es": "Cuándo se subió o cambió el archivo por última vez."}},
)


def pg_type(table_schema_type: str | None) -> str:
    """The PostgreSQL type of a Table Schema type: the resource tables' own (datastore.columns),
    so that a file's rows enter the national table as they are."""
    return column_type({"type": table_schema_type})


def national_columns(table_schema: dict[str, Any]) -> list[Column]:
    """Every column of the national table of a type: provenance, then one per field, in order.

    Each column: ``id``, ``type`` (PostgreSQL), ``title`` and ``description``
    (bilingual, as the Table Schema has them) and ``field`` (True for a field
    of the type, False for provenance).
    """
    columns = [{**c, "field": False} for c in PROVENANCE]
    for f in table_schema.get("fields", []):
        columns.append({
            "id": f["name"], "type": pg_type(f.get("type")), "field": True,
            "title": {"en": f.get("title") or f["name"], "es": f.get("title_es") or f.get("title") or f["name"]},
            "description": {"en": f.get("description") or "", "es": f.get("description_es") or f.get("description") or ""},
        })
    return columns

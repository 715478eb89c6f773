"""A fully described dataset of each Guide type, for the DCAT tests."""
from __future__ import annotations

from typing import Any

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dataset_types.types import dataset_type

from tests.guide import minimal_dataset

ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"


def populated_dataset(type_id: str, owner_org: str, name: str | None = None) -> dict[str, Any]:
    """Every common field filled in, and three files: one following the type's
    Table Schema, one following another documented schema, one with none."""
    data = minimal_dataset(type_id, owner_org, name)
    typ = dataset_type(type_id)
    data.update({
        "title": f"{typ.title['es']} 2025",
        "notes": f"{typ.description['es']}",
        "frequency": ANNUAL,
        "temporal_start": "2025-01-01",
        "temporal_end": "2025-12-31",
        "spatial_level": "state",
        "spatial_text": "Jalisco",
        "legal_basis": "Ley General de Transparencia, artículo 70",
        "language": ["es", "en"],
        "tag_string": "transparencia,anticorrupción",
        "resources": [
            {"url": f"https://datos.example.gob.mx/{type_id}.csv", "name": "Datos 2025",
             "description": "Un renglón por registro.", "format": "CSV"},
            {"url": f"https://datos.example.gob.mx/{type_id}-ocds.json", "name": "OCDS",
             "format": "JSON", "schema_mode": "other",
             "schema_url": "https://standard.open-contracting.org/schema/1__1__5/release-schema.json",
             "schema_reason": "Publicado también en el estándar OCDS."},
            {"url": f"https://datos.example.gob.mx/{type_id}-notas.pdf", "name": "Notas metodológicas",
             "format": "PDF", "schema_mode": "none", "schema_reason": "Es un documento, no una tabla."},
        ],
    })
    return data


def set_validation_state(resource_id: str, package_id: str, state: str) -> None:
    from ckanext.anticorruption.model import Validation

    row = model.Session.get(Validation, resource_id)
    if row is None:
        row = Validation(resource_id=resource_id, package_id=package_id, run_id="test", state=state)
        model.Session.add(row)
    row.state = state
    model.Session.commit()


@pytest.fixture
def agency() -> dict[str, Any]:
    return factories.Organization(name="sfp", title="Secretaría de la Función Pública",
                                  description="Dependencia del Poder Ejecutivo Federal.")


def create_populated(type_id: str, org_id: str, name: str | None = None,
                     states: tuple[str, ...] = ("valid", "invalid")) -> dict[str, Any]:
    dataset = call_action("package_create", **populated_dataset(type_id, org_id, name))
    for resource, state in zip(dataset["resources"], states):
        set_validation_state(resource["id"], dataset["id"], state)
    return call_action("package_show", id=dataset["id"])

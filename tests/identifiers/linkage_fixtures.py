"""A contracts register and a sanctions register sharing suppliers, uploaded for real."""
from __future__ import annotations

import io

import pytest
from stdnum.mx import rfc

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.anticorruption.dataset_types import types as dataset_types

from tests.guide import minimal_dataset


def _rfc(body: str) -> str:
    return body + rfc.calc_check_digit(body)


BARRED = _rfc("CMO180304KX")  # sanctioned from 2025-02-01 to 2027-02-01
LATER = _rfc("IPB201120RT")  # sanctioned from 2028-01-01
CLEAN = _rfc("APS101010A1")  # never sanctioned
PERSON = _rfc("GODE561231GR")  # a natural person, sanctioned with no end

# The columns the rows below fill: each type's first 13 (the later ones are optional).
CONTRACT_FIELDS = [f["name"] for f in dataset_types.dataset_type("contracts_register").table_schema["fields"]][:13]
SANCTION_FIELDS = [f["name"] for f in dataset_types.dataset_type("debarred_contractors").table_schema["fields"]][:13]


# Each supplier's name as the buyer writes it and as the register writes it.
NAMES = {
    BARRED: ("Constructora del Mayab S.A. de C.V.", "CONSTRUCTORA DEL MAYAB SA DE CV"),
    LATER: ("Ingeniería Peninsular del Bajío, S.A. de C.V.", "INGENIERIA PENINSULAR DEL BAJIO SA DE CV"),
    CLEAN: ("Aceros y Perfiles del Sur, S.A. de C.V.", "ACEROS Y PERFILES DEL SUR SA DE CV"),
    PERSON: ("Eduardo Gómez Díaz", "EDUARDO GOMEZ DIAZ"),
}


def _contracts(*rows: tuple[str, ...]) -> bytes:
    """Rows of (supplier RFC or "", date signed[, supplier name]); the name defaults to the buyer's spelling."""
    lines = [",".join(CONTRACT_FIELDS)]
    for number, (supplier, signed, *named) in enumerate(rows, start=1):
        name = named[0] if named else NAMES[supplier][0]
        lines.append(f'C-{number},ocds-abc123-{number},09-210,{supplier},"{name}",Obra,100.50,MXN,'
                     f"{signed},,,licitación pública,")
    return ("\n".join(lines) + "\n").encode()


def _sanctions(*rows: tuple[str, ...]) -> bytes:
    """Rows of (supplier RFC or "", start, end[, supplier name]); the name defaults to the register's spelling."""
    lines = [",".join(SANCTION_FIELDS)]
    for number, (supplier, start, end, *named) in enumerate(rows, start=1):
        name = named[0] if named else NAMES[supplier][1]
        kind = "persona física" if len(supplier) == 13 else "persona moral"
        lines.append(f'S-{number},{supplier},"{name}",{kind},27-SFP,SFP,inhabilitación,Motivo,{start},{start},{end},'
                     "1000.00,MXN")
    return ("\n".join(lines) + "\n").encode()


CONTRACTS = _contracts((BARRED, "2025-03-10"), (BARRED, "2025-04-01"), (LATER, "2025-08-05"), (CLEAN, "2025-08-05"),
                       (PERSON, "2025-09-01"))
SANCTIONS = _sanctions((BARRED, "2025-02-01", "2027-02-01"), (LATER, "2028-01-01", ""), (PERSON, "2024-01-01", ""))


@pytest.fixture
def people():
    return {"buyer": factories.User(), "auditor": factories.User(), "outsider": factories.User()}


@pytest.fixture
def agencies(people):
    buyer = factories.Organization(name="sict", title="Secretaría de Infraestructura",
                                   users=[{"name": people["buyer"]["name"], "capacity": "editor"}])
    auditor = factories.Organization(name="sfp", title="Secretaría de la Función Pública",
                                     users=[{"name": people["auditor"]["name"], "capacity": "editor"}])
    return {"buyer": buyer, "auditor": auditor}


def _dataset(type_id: str, org: dict, user: dict, **extra) -> dict:
    return call_action("package_create", {"user": user["name"]}, **minimal_dataset(type_id, org["id"]), **extra)


def _upload(create_with_upload, dataset: dict, user: dict, data: bytes, name: str) -> dict:
    return create_with_upload(data, name, package_id=dataset["id"], format="CSV", context={"user": user["name"]})


@pytest.fixture
def published(create_with_upload, agencies, people):
    contracts = _dataset("contracts_register", agencies["buyer"], people["buyer"])
    sanctions = _dataset("debarred_contractors", agencies["auditor"], people["auditor"])
    contracts_file = _upload(create_with_upload, contracts, people["buyer"], CONTRACTS, "contratos.csv")
    sanctions_file = _upload(create_with_upload, sanctions, people["auditor"], SANCTIONS, "sanciones.csv")
    return {"contracts": contracts, "sanctions": sanctions,
            "contracts_file": contracts_file, "sanctions_file": sanctions_file}


def _run_jobs_here() -> None:
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


def _file(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name)

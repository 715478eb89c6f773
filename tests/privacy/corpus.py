"""A deterministic corpus for the privacy scan: realistic files of several
Guide types with personal data seeded where the schema does not declare it,
and clean files full of look-alikes (company RFCs, contract numbers, OCIDs,
amounts, postal codes, budget codes, ordinary dates, institutional e-mails).

Generated, not committed: the same seed gives the same bytes. Each seeded
file knows exactly which (column, kind) cells it seeded, so a test can demand
that every one is found. Used by tests/privacy/test_corpus.py and bench/privacy.py.
"""
from __future__ import annotations

import csv
import datetime
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from stdnum.mx.curp import calc_check_digit as curp_check_digit

from ckanext.anticorruption.identifiers.schemes import rfc_check_digit

__all__ = ["CorpusFile", "clean_files", "contracts_rows", "seeded_files", "to_csv"]

VOWELS = "AEIOU"
CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
STATES = ["DF", "JC", "NL", "MC", "PL", "VZ", "YN", "OC", "GT", "CS"]
GIVEN = ["María", "José", "Juan", "Guadalupe", "Fernanda", "Luis", "Ana", "Carlos", "Rosa", "Miguel"]
SURNAMES = ["López", "García", "Hernández", "Martínez", "Pérez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez"]
COMPANIES = ["Constructora del Mayab SA de CV", "Servicios Integrales del Norte SA de CV",
             "Cooperativa Rural del Sur SC de RL", "Tecnología Pública SAPI de CV", "Grupo Editorial Lerma SC"]


@dataclass
class CorpusFile:
    name: str
    type_id: str
    header: list[str]
    rows: list[list[str]]
    # (column, kind) -> number of cells seeded with that kind
    seeded: Counter = field(default_factory=Counter)
    # a Table Schema for files that follow another schema than their type's
    table_schema: dict[str, Any] | None = None

    def csv(self) -> bytes:
        return to_csv(self.header, self.rows)


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _date(rng: random.Random, start: int, end: int) -> datetime.date:
    return datetime.date(start, 1, 1) + datetime.timedelta(days=rng.randrange((datetime.date(end, 12, 31) - datetime.date(start, 1, 1)).days))


def curp(rng: random.Random) -> str:
    born = _date(rng, 1950, 2004)
    base = (rng.choice(CONSONANTS) + rng.choice(VOWELS) + rng.choice(CONSONANTS) + rng.choice(CONSONANTS)
            + born.strftime("%y%m%d") + rng.choice("HM") + rng.choice(STATES)
            + "".join(rng.choice(CONSONANTS) for _ in range(3)) + ("0" if born.year < 2000 else "A"))
    return base + curp_check_digit(base)


def person_rfc(rng: random.Random) -> str:
    born = _date(rng, 1950, 2004)
    base = ("".join(rng.choice(CONSONANTS + VOWELS) for _ in range(4)) + born.strftime("%y%m%d")
            + rng.choice(CONSONANTS) + rng.choice("0123456789"))
    return base + rfc_check_digit(base)


def company_rfc(rng: random.Random) -> str:
    founded = _date(rng, 1980, 2022)
    base = "".join(rng.choice(CONSONANTS) for _ in range(3)) + founded.strftime("%y%m%d") + rng.choice(CONSONANTS) + rng.choice("0123456789")
    return base + rfc_check_digit(base)


def voter_key(rng: random.Random) -> str:
    born = _date(rng, 1950, 2004)
    return ("".join(rng.choice(CONSONANTS) for _ in range(6)) + born.strftime("%y%m%d")
            + f"{rng.randint(1, 32):02d}" + rng.choice("HM") + f"{rng.randint(0, 999):03d}")


def email(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN).lower().replace('í', 'i').replace('é', 'e').replace('á', 'a')}.{rng.randint(1, 999)}@{rng.choice(['gmail.com', 'hotmail.com', 'yahoo.com.mx', 'outlook.com'])}"


def phone(rng: random.Random) -> str:
    area, a, b = rng.choice(["55", "33", "81", "999", "222"]), rng.randint(1000, 9999), rng.randint(1000, 9999)
    number = f"{area}{a}{b}"[:10]
    return rng.choice([
        f"{number[:2]} {number[2:6]} {number[6:]}", f"({number[:2]}) {number[2:6]}-{number[6:]}",
        f"+52 {number[:2]} {number[2:6]} {number[6:]}", f"{number[:3]}-{number[3:6]}-{number[6:]}",
    ])


def _name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"


CONTRACTS_HEADER = ["contract_id", "ocid", "buyer_id", "supplier_id", "supplier_name", "contract_title",
                    "contract_value", "currency", "date_signed", "start_date", "end_date", "procurement_method",
                    "project_id"]
METHODS = ["licitación pública", "invitación a cuando menos tres personas", "adjudicación directa"]


def contracts_rows(rng: random.Random, count: int) -> list[list[str]]:
    """Clean contracts: company and (declared, public) natural-person suppliers, look-alike codes and amounts."""
    rows = []
    for i in range(count):
        signed = _date(rng, 2019, 2025)
        natural = rng.random() < 0.2
        rows.append([
            f"LA-{rng.randint(10, 99):03d}{rng.choice('ABCDEFGH')}{rng.randint(100, 999)}-E{rng.randint(1, 99)}-{signed.year}",
            f"ocds-b5fd17-{signed.year}-{i:06d}",
            f"{rng.randint(1, 50):02d}-{rng.randint(100, 999)}",
            person_rfc(rng) if natural else company_rfc(rng),
            _name(rng) if natural else rng.choice(COMPANIES),
            rng.choice([
                "Obra pública en CP 06700, Ciudad de México",
                f"Suministro de {rng.randint(100, 5000)} piezas, partida 33901",
                f"Servicios de consultoría, expediente {rng.randint(1000000, 9999999)}",
                f"Contrato marco {company_rfc(rng)} 2024",
                f"Clave presupuestaria {signed.year} 09 210 3 5 01 00 001 33901 1 1 09 00",
                f"Pago de {rng.randint(1000000000, 9999999999)} en {rng.randint(1, 12)} ministraciones",
            ]),
            rng.choice([f"{rng.randint(1, 99999999)}.{rng.randint(0, 99):02d}", f"{rng.randint(1000000000, 9999999999)}", str(rng.randint(1000, 999999))]),
            "MXN",
            signed.isoformat(),
            (signed + datetime.timedelta(days=10)).isoformat(),
            (signed + datetime.timedelta(days=200)).isoformat(),
            rng.choice(METHODS),
            rng.choice(["", f"PPI-{rng.randint(10000000, 99999999)}", f"{rng.randint(10, 99)}{rng.randint(100, 999)}{rng.randint(1000, 9999)}"]),
        ])
    return rows


OFFICIALS_HEADER = ["official_id", "full_name", "public_body_id", "public_body_name", "position_title", "grade_level",
                    "employment_type", "start_date", "end_date", "gross_monthly_salary", "currency",
                    "institutional_email"]


def officials_rows(rng: random.Random, count: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        name = _name(rng)
        start = _date(rng, 1995, 2025)
        rows.append([
            f"SP-{i:06d}", name, f"{rng.randint(1, 50):02d}-{rng.randint(100, 999)}",
            "Secretaría de la Función Pública", rng.choice(["Director de Adquisiciones", "Jefe de Departamento", "Analista"]),
            rng.choice(["M33", "N11", "O21", "P13"]), rng.choice(["confianza", "base", "eventual"]),
            start.isoformat(), "", f"{rng.randint(15000, 180000)}.{rng.randint(0, 99):02d}", "MXN",
            f"{name.split()[0].lower()}.{i}@funcionpublica.gob.mx".replace("í", "i").replace("é", "e").replace("á", "a"),
        ])
    return rows


GRANTS_HEADER = ["grant_id", "funder_id", "funder_name", "programme_name", "recipient_type", "recipient_id",
                 "recipient_name", "amount", "currency", "award_date", "purpose", "location", "budget_line_id"]


def grants_rows(rng: random.Random, count: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        natural = rng.random() < 0.5
        rows.append([
            f"G-{2025}-{i:05d}", "08-100", "Secretaría de Agricultura", "Producción para el Bienestar",
            "persona física" if natural else "persona moral",
            "" if natural else company_rfc(rng),  # persons' RFC/CURP left empty, as the schema says
            _name(rng) if natural else rng.choice(COMPANIES),
            f"{rng.randint(1000, 250000)}.00", "MXN", _date(rng, 2024, 2025).isoformat(),
            "Apoyo a pequeños productores", rng.choice(["Oaxaca, CP 68000", "Chiapas", "Yucatán, CP 97000"]),
            f"2025-08-100-{rng.randint(1000, 9999)}-43101",
        ])
    return rows


OTHER_SCHEMA = {
    "fields": [
        {"name": "folio", "type": "string"},
        {"name": "beneficiario", "type": "string", "personal_data": True, "personal_data_public": True},
        {"name": "fecha_nacimiento", "type": "string"},
        {"name": "telefono_contacto", "type": "string"},
        {"name": "clave_elector", "type": "string"},
        {"name": "monto", "type": "number"},
        {"name": "fecha_pago", "type": "date"},
    ],
}


def _seed(file: CorpusFile, rng: random.Random, column: str, kind: str, make, every: int,
          template: str = "{}") -> None:
    index = file.header.index(column)
    for number, row in enumerate(file.rows):
        if number % every == every // 2:
            row[index] = template.format(make(rng))
            file.seeded[(column, kind)] += 1


def seeded_files(rows: int = 200, seed: int = 8) -> list[CorpusFile]:
    """Files with personal data where the schema does not declare it (each (column, kind) seeded exactly)."""
    rng = random.Random(seed)
    contracts = CorpusFile("contratos-con-datos-personales.csv", "contracts_register", CONTRACTS_HEADER,
                           contracts_rows(rng, rows))
    _seed(contracts, rng, "contract_title", "email", email, 7, "Servicio de limpieza; contacto {}")
    _seed(contracts, rng, "project_id", "curp", curp, 11)
    _seed(contracts, rng, "buyer_id", "rfc", person_rfc, 13)
    _seed(contracts, rng, "supplier_name", "curp", curp, 17, "Juan Pérez López (CURP {})")
    _seed(contracts, rng, "procurement_method", "phone", phone, 19, "adjudicación directa, tel. {}")

    officials = CorpusFile("servidores-publicos-con-datos-personales.csv", "public_officials_register",
                           OFFICIALS_HEADER, officials_rows(rng, rows))
    _seed(officials, rng, "official_id", "curp", curp, 9)
    _seed(officials, rng, "position_title", "rfc", person_rfc, 23, "Director (RFC {})")
    _seed(officials, rng, "public_body_name", "email", email, 29, "Secretaría; escribir a {}")
    _seed(officials, rng, "grade_level", "voter_key", voter_key, 31)

    grants = CorpusFile("apoyos-con-datos-personales.csv", "government_grants", GRANTS_HEADER, grants_rows(rng, rows))
    kinds = grants.header.index("recipient_type")
    for number, row in enumerate(grants.rows):
        if row[kinds] == "persona física" and number % 5 == 0:
            row[grants.header.index("recipient_id")] = curp(rng) if number % 2 else person_rfc(rng)
            grants.seeded[("recipient_id", "curp" if number % 2 else "rfc")] += 1
    _seed(grants, rng, "location", "phone", phone, 37, "Domicilio conocido, cel {}")

    other = CorpusFile("padron-beneficiarios-otro-esquema.csv", "government_grants",
                       [f["name"] for f in OTHER_SCHEMA["fields"]], [], table_schema=OTHER_SCHEMA)
    for i in range(rows):
        other.rows.append([f"F-{i:05d}", _name(rng), _date(rng, 1940, 2005).isoformat(),
                           phone(rng).replace(" ", "") if i % 2 else f"{rng.choice(['55', '33'])}{rng.randint(10000000, 99999999)}",
                           voter_key(rng), f"{rng.randint(1000, 9000)}.00", _date(rng, 2024, 2025).isoformat()])
    other.seeded.update({("fecha_nacimiento", "birth_date"): rows, ("telefono_contacto", "phone"): rows,
                         ("clave_elector", "voter_key"): rows})
    return [contracts, officials, grants, other]


def clean_files(rows: int = 2000, seed: int = 80) -> list[CorpusFile]:
    """Files with no undeclared personal data, full of look-alikes."""
    rng = random.Random(seed)
    return [
        CorpusFile("contratos-limpios.csv", "contracts_register", CONTRACTS_HEADER, contracts_rows(rng, rows)),
        CorpusFile("servidores-publicos-limpios.csv", "public_officials_register", OFFICIALS_HEADER,
                   officials_rows(rng, rows)),
        CorpusFile("apoyos-limpios.csv", "government_grants", GRANTS_HEADER, grants_rows(rng, rows)),
    ]

"""Write the demo's CSV files (ckanext/anticorruption/demo/files/): run by hand, the output is committed.

    .venv/bin/python scripts/demo_files.py [--real-data ../shared/real-data]

Two kinds of file:
- excerpts of real publications (../shared/real-data, see its README): the
  first few hundred rows of each file as its publisher wrote it (encoding,
  separator and title lines kept), plus, for the SFP's directory, the two
  entries that the contracts excerpts name (judged the same firm by hand in
  tests/real/name_matches.yaml), so the demo shows probable red flags;
- invented rows for every type (``tipos/<type>.csv``: invented names and
  amounts that follow the type's Table Schema, seeded so the output is
  stable), and a copy with typing mistakes (``tipos/<type>_con_errores.csv``)
  for the cells the demo shows as invalid.

Each invented file is checked with the portal's own engine and privacy
scan before it is written: a file meant to be valid must be valid and hold
no personal data.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ckanext" / "anticorruption" / "demo" / "files"
ROWS = 25

PERSONS = [
    "María Fernanda López Ruiz", "José Luis Hernández Cruz", "Ana Karen Martínez Soto", "Jorge Alberto Ramírez Vega",
    "Guadalupe Torres Mendoza", "Ricardo Sánchez Flores", "Laura Patricia Gómez Díaz", "Miguel Ángel Castillo Ortiz",
    "Claudia Ivonne Morales Reyes", "Francisco Javier Aguilar Luna", "Sofía Elena Navarro Ríos", "Luis Enrique Vargas Peña",
]
COMPANIES = [
    "Constructora Río Bravo SA de CV", "Servicios Integrales del Pacífico SA de CV", "Tecnología Aplicada MX SAPI de CV",
    "Suministros Hospitalarios del Centro SA de CV", "Consultores Asociados en Infraestructura SC",
    "Distribuidora Farmacéutica del Golfo SA de CV", "Grupo Logístico Anáhuac SA de CV", "Ingeniería Civil Tlaloc SA de CV",
    "Limpieza y Mantenimiento Industrial del Norte SA de CV", "Papelería y Equipos de Oficina Tenochtitlan SA de CV",
]
BODIES = [
    "Secretaría de Hacienda y Crédito Público", "Instituto Mexicano del Seguro Social", "Secretaría de Salud",
    "Comisión Federal de Electricidad", "Secretaría de Educación Pública", "Comisión Nacional del Agua",
    "Secretaría de Infraestructura, Comunicaciones y Transportes", "Secretaría de Bienestar",
]
PARTIES = ["Partido A", "Partido B", "Partido C"]
PHRASES = [
    "Adquisición de medicamentos del cuadro básico", "Mantenimiento de inmuebles federales",
    "Servicio de limpieza de oficinas centrales", "Arrendamiento de equipo de cómputo",
    "Construcción de un centro de salud en Oaxaca", "Rehabilitación de la carretera Mérida–Campeche",
    "Capacitación de servidores públicos en integridad", "Supervisión de obra pública en Tabasco",
    "Programa de becas para estudiantes de educación media", "Apoyo a productores agrícolas de temporal",
    "Reforma al reglamento interior", "Revisión del ejercicio del gasto federalizado",
]
PLACES = ["Ciudad de México", "Oaxaca de Juárez", "Mérida, Yucatán", "Monterrey, Nuevo León", "Guadalajara, Jalisco",
          "Villahermosa, Tabasco", "Hermosillo, Sonora", "Puebla, Puebla"]
LETTERS = "ABCDEFGHIJKLMNOPRSTUVZ"


def company_rfc(rng: random.Random) -> str:
    """A company's RFC: 3 letters, a real date, a 3-character homoclave (12 characters: not personal data)."""
    day = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randint(0, 11000))
    return "".join(rng.choice(LETTERS) for _ in range(3)) + day.strftime("%y%m%d") + "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ123456789") for _ in range(3))


def _text_for(name: str, rng: random.Random, row: int) -> str:
    if name in {"party_name"}:
        return rng.choice(PARTIES)
    person = ("official", "declarant", "member", "legislator", "person", "candidate", "full_name", "attendee",
              "representative", "officer", "beneficial_owner", "supervisor", "lobbyist_name", "related_person")
    company = ("supplier", "company", "holder", "payee", "recipient", "client", "complainant", "tenderer", "charity",
               "private_partner", "taxpayer", "counterparty", "owner", "employer", "organization", "donor")
    body = ("body", "authority", "institution", "funder", "buyer", "issuing", "court", "board_name", "agency",
            "ministry", "legislative")
    if name.endswith("_name") or name == "full_name":
        if any(p in name for p in person):
            return rng.choice(PERSONS)
        if any(p in name for p in body):
            return rng.choice(BODIES)
        if any(p in name for p in company):
            return rng.choice(COMPANIES)
        return rng.choice(PHRASES)
    if "address" in name or "location" in name or "place" in name:
        return rng.choice(PLACES)
    return rng.choice(PHRASES)


def value_for(field: dict[str, Any], rng: random.Random, row: int) -> str:
    """A value of the field's type and constraints that reads like what a Mexican agency publishes."""
    name, type_ = field["name"], field.get("type", "string")
    constraints = field.get("constraints") or {}
    pattern = constraints.get("pattern", "")
    identifier = field.get("identifier") or {}
    if "enum" in constraints:
        return rng.choice(constraints["enum"])
    if type_ == "number":
        if "maximum" in constraints:
            return f"{rng.uniform(float(constraints.get('minimum', 0)), float(constraints['maximum'])):.2f}"
        return f"{rng.randint(1, 5000) * 1000 + rng.randint(0, 99) / 100:.2f}"
    if type_ == "integer":
        low, high = int(constraints.get("minimum", 1)), int(constraints.get("maximum", 500))
        return str(rng.randint(low, min(high, low + 500)))
    if type_ == "year":
        return str(rng.choice((2024, 2025)))
    if type_ == "date":
        return (datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))).isoformat()
    if type_ == "datetime":
        return (datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))).isoformat() + "T10:00:00Z"
    if type_ == "boolean":
        return rng.choice((field.get("trueValues") or ["true"]) + (field.get("falseValues") or ["false"]))
    if field.get("format") == "uri":
        return f"https://www.gob.mx/documentos/{name.replace('_', '-')}-{row + 1}.pdf"
    if field.get("format") == "email":
        return "transparencia@example.gob.mx"
    if pattern.startswith("ocds-") or "OCID" in identifier.get("schemes", []):
        return f"ocds-07smqs-demo-{row + 1:04d}"
    if pattern == "[A-Z]{3}":
        return "MXN"
    if pattern == "[A-Z]{2}":
        return "MX"
    if pattern.startswith("[0-9]{4"):
        return str(rng.choice((21101, 33104, 62201, 25301)))
    schemes = identifier.get("schemes", [])
    if "MX-RFC" in schemes or "A-ZÑ&" in pattern:
        return company_rfc(rng)
    if "MX-UR" in schemes:
        return f"{rng.randint(1, 50):02d}-{rng.randint(100, 999)}"
    if "MX-CLUNI" in schemes:
        return f"CLU{rng.randint(10**9, 10**10 - 1)}"
    if "ORG-ID" in schemes:
        return f"XM-DAC-{rng.randint(1, 99)}"
    if identifier or constraints.get("unique") or name.endswith("_id"):
        return f"{name.split('_')[0][:3].upper()}-2025-{row + 1:04d}"
    return _text_for(name, rng, row)


def invented_rows(table_schema: dict[str, Any], rows: int, seed: int) -> tuple[list[str], list[list[str]]]:
    """Required columns always filled, the others most of the time; person identifiers left out."""
    rng = random.Random(seed)
    fields = table_schema["fields"]
    header = [f["name"] for f in fields]
    body = []
    for row in range(rows):
        cells = []
        for field in fields:
            required = (field.get("constraints") or {}).get("required")
            person = (field.get("identifier") or {}).get("refers_to", "").startswith("person") and "id" in field["name"]
            if not required and (person or field.get("personal_data") or rng.random() < 0.2):
                cells.append("")
            else:
                cells.append(value_for(field, rng, row))
        body.append(cells)
    return header, body


def with_mistakes(table_schema: dict[str, Any], header: list[str], rows: list[list[str]], seed: int) -> list[list[str]]:
    """The same rows as an agency's first export often has them: dates written dd/mm/yyyy with an impossible day,
    amounts in words, a required cell left empty."""
    rng = random.Random(seed)
    fields = {f["name"]: f for f in table_schema["fields"]}
    broken = [list(r) for r in rows]
    for row in rng.sample(range(len(broken)), k=max(3, len(broken) // 5)):
        for index, name in enumerate(header):
            field = fields[name]
            if field.get("type") == "date" and broken[row][index]:
                broken[row][index] = "31/02/2025"
                break
            if field.get("type") in ("number", "integer") and broken[row][index]:
                broken[row][index] = "ciento veinte mil"
                break
        else:
            required = [i for i, n in enumerate(header) if (fields[n].get("constraints") or {}).get("required")]
            broken[row][required[0]] = ""
    return broken


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def check(path: Path, type_id: str, expect: str) -> None:
    from ckanext.anticorruption.dataset_types.types import dataset_type
    from ckanext.anticorruption.privacy.scan import PrivacyScan
    from ckanext.anticorruption.validation import validate_file

    descriptor = dict(dataset_type(type_id).table_schema)
    descriptor.pop("foreignKeys", None)
    result = validate_file(str(path), descriptor, scans=lambda: [PrivacyScan(descriptor)])
    findings = (result.scans or {}).get(PrivacyScan.name) or {}
    if result.state != expect:
        sys.exit(f"{path.name}: {result.state}, expected {expect}: {result.error_counts}")
    if expect == "valid" and findings.get("columns"):
        sys.exit(f"{path.name}: personal data found: {findings}")


def invented(type_ids: list[str]) -> None:
    from ckanext.anticorruption.dataset_types.types import dataset_type

    folder = OUT / "tipos"
    folder.mkdir(parents=True, exist_ok=True)
    for number, type_id in enumerate(type_ids):
        schema = dataset_type(type_id).table_schema
        header, rows = invented_rows(schema, ROWS, seed=1000 + number)
        path = folder / f"{type_id}.csv"
        path.write_bytes(csv_bytes(header, rows))
        check(path, type_id, "valid")
        bad = folder / f"{type_id}_con_errores.csv"
        bad.write_bytes(csv_bytes(header, with_mistakes(schema, header, rows, seed=2000 + number)))
        check(bad, type_id, "invalid")


def personal_data_in_purpose() -> None:
    """Grants whose "purpose" column names beneficiaries by CURP and personal e-mail (invented persons): the
    privacy guard's finding. The column is not one the Table Schema declares to hold personal data."""
    from ckanext.anticorruption.dataset_types.types import dataset_type

    schema = dataset_type("government_grants").table_schema
    header, rows = invented_rows(schema, ROWS, seed=77)
    purpose = header.index("purpose")
    for row, (curp, email) in zip((2, 9, 17), (("LORM850312MDFPZR07", "maria.lopez85@gmail.com"),
                                              ("HECJ790621HOCRRS02", "jl.hernandez@hotmail.com"),
                                              ("MASA910205MYNRTN05", "anakaren.soto@yahoo.com.mx"))):
        rows[row][purpose] = f"Apoyo otorgado a la beneficiaria con CURP {curp}, contacto {email}"
    path = OUT / "privacidad" / "subsidios_bienestar_2025.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(header, rows))


def excerpts(real: Path) -> None:
    """The first rows of real files, bytes as published (their encodings, separators and title lines)."""
    folder = OUT / "reales"
    folder.mkdir(parents=True, exist_ok=True)
    sfp = (real / "jmtoral__sancionados_marzo19/proveedores_sancionados.csv").read_bytes().split(b"\n")
    # Entries 1542 and 1713 are named in the contracts excerpts (tests/real/name_matches.yaml: same firm).
    (folder / "sfp_directorio_sancionados_2019.csv").write_bytes(b"\n".join(sfp[:301] + [sfp[1542], sfp[1713]]) + b"\n")
    sat = (real / "Cihua01__Python230221/Listado_Completo_69-B.csv").read_bytes().split(b"\r\n")
    (folder / "sat_listado_69b.csv").write_bytes(b"\r\n".join(sat[:303]) + b"\r\n")
    budget = (real / "lapanquecita__cuenta-publica/csv/2023.csv").read_bytes().split(b"\n")
    (folder / "shcp_cuenta_publica_2023.csv").write_bytes(b"\n".join(budget[:301]) + b"\n")
    # CompraNet's samples, each agency's rows to its own file: the education authority's and the port authorities'.
    compranet = real / "procurement-analytics__compranet-data/data/sample"
    by_buyer: dict[str, list[dict[str, str]]] = {"aefcm": [], "puertos": []}
    header: list[str] = []
    for path in sorted(compranet.glob("sample_Contratos201*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            for row in reader:
                by_buyer["puertos" if row["SIGLAS"].startswith("API") else "aefcm"].append(row)
    for key, rows in by_buyer.items():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (folder / f"compranet_contratos_{key}_2013_2014.csv").write_bytes(out.getvalue().encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-data", type=Path, default=ROOT.parent / "shared" / "real-data")
    args = parser.parse_args()
    from tests.guide import GUIDE_TYPE_IDS

    excerpts(args.real_data)
    invented(GUIDE_TYPE_IDS)
    personal_data_in_purpose()
    print(f"written under {OUT}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

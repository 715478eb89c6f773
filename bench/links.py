"""Benchmark: red flags for 1,000,000 contract rows against 50,000 register entries, by identifier and by name.

    .venv/bin/python bench/links.py [--rows 1000000] [--sanctioned 50000] [--no-db] [--ini test.ini]

Generates a contracts register (every column of the type; suppliers drawn
from a pool four times the size of the register, each with its own name,
some without RFC; dates over five years) and a sanctions register (half the
entries without RFC, every name written otherwise than in the contracts),
then prints, in one run, for the identifier tier alone and for identifiers
and names side by side: the scans' own time, the in-memory match, writing
the links to the index and the matches query (the test database: set
CKAN_SQLALCHEMY_URL etc. as scripts/test.sh does), the total against the
issue's 10 s target and naive csv row loops; then the precision and recall
of the name tier on the hand-checked pairs of tests/real/name_matches.yaml.
It asserts that the database answers what the memory answers, and that both
tiers flag the suppliers the naive loops flag.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Supplier names: a line of business, one or two distinctive words, sometimes a place or a surname.
_KINDS = ["CONSTRUCTORA", "SERVICIOS", "COMERCIALIZADORA", "GRUPO", "INGENIERÍA", "DISTRIBUIDORA", "CONSULTORES",
          "PROYECTOS", "SUMINISTROS", "TRANSPORTES", "INMOBILIARIA", "DESARROLLOS", "FARMACÉUTICA", "TECNOLOGÍAS",
          "EDIFICACIONES", "ALIMENTOS", "LABORATORIOS", "PAVIMENTOS", "MATERIALES", "ASESORÍA", "SEGURIDAD PRIVADA",
          "LIMPIEZA", "EQUIPOS MÉDICOS", "PAPELERÍA", "COMBUSTIBLES", "MAQUINARIA", "OBRAS", "TELECOMUNICACIONES"]
_SYLLABLES = ["TE", "CON", "AL", "ZA", "MI", "RO", "CA", "NA", "LO", "PE", "DRA", "GO", "VI", "TA", "SO", "MEX", "KA",
              "LI", "NU", "BA", "TLA", "CHI", "XO", "HUA", "YU", "ÑA", "RÍ", "MÁ", "DE", "OR"]
_PLACES = ["DEL MAYAB", "DEL BAJÍO", "DEL NORTE", "DEL SURESTE", "PENINSULAR", "DEL GOLFO", "DEL PACÍFICO", "AZTECA",
           "DE QUERÉTARO", "DE YUCATÁN", "DE MICHOACÁN", "DE SONORA", "DE JALISCO", "DE MÉXICO", "DEL CENTRO",
           "Y ASOCIADOS", "INTERNACIONAL", "INTEGRALES", "HERMANOS", "DE OCCIDENTE"]
_SURNAMES = ["PEÑA", "GARCÍA", "HERNÁNDEZ", "LÓPEZ", "MARTÍNEZ", "GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "SÁNCHEZ",
             "RAMÍREZ", "TORRES", "FLORES", "RIVERA", "GÓMEZ", "DÍAZ", "CRUZ", "MORALES", "REYES", "GUTIÉRREZ",
             "ORTIZ", "CHÁVEZ", "RUIZ", "JIMÉNEZ", "MENDOZA", "ÁLVAREZ", "CASTILLO", "ROMERO", "HERRERA", "MEDINA",
             "AGUILAR", "VARGAS", "GUZMÁN", "MUÑOZ", "ROJAS", "CASTRO", "ORTEGA", "RAMOS", "DELGADO", "VEGA", "NÚÑEZ"]
_GIVEN = ["JUAN", "MARÍA", "JOSÉ", "GUADALUPE", "FRANCISCO", "VERÓNICA", "JESÚS", "ANA", "RAÚL", "SOFÍA", "IVÁN",
          "MÓNICA", "ÁNGEL", "INÉS", "MARTÍN", "LUCÍA"]
# Legal forms as the contracts write them, and (differently) as the register does.
_FORMS = [
    (["S.A. DE C.V.", "SA DE CV", "S.A. de C.V.", "SA. DE CV."],
     [", S.A. DE C.V.", ", S. A. DE C. V.", " SOCIEDAD ANÓNIMA DE CAPITAL VARIABLE", ", s.a. de c.v."]),
    (["S. DE R.L. DE C.V.", "S DE RL DE CV"], [", S. de R.L. de C.V.", ", SOCIEDAD DE RESPONSABILIDAD LIMITADA DE CAPITAL VARIABLE"]),
    (["S.A.P.I. DE C.V.", "SAPI DE CV"], [", S.A.P.I. de C.V.", ", S. A. P. I. DE C. V."]),
    (["S.C.", "SC"], [", S. C.", ", SOCIEDAD CIVIL"]),
    (["A.C.", "AC"], [", A. C.", ", ASOCIACIÓN CIVIL"]),
    (["S.A.", "SA"], [", S. A.", ", SOCIEDAD ANÓNIMA"]),
]
_PLAIN = str.maketrans("ÁÉÍÓÚÑÜáéíóúñü", "AEIOUNUaeiounu")


def _rfc(rng: random.Random, person: bool = False) -> str:
    from stdnum.mx import rfc

    body = ("".join(rng.choice(_LETTERS) for _ in range(4 if person else 3)) + f"{rng.randrange(0, 100):02d}"
            f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" + rng.choice("ABCDEFGH") + rng.choice("123456789"))
    return body + rfc.calc_check_digit(body)


def _day(rng: random.Random, start: datetime.date, span: int) -> str:
    return (start + datetime.timedelta(days=rng.randrange(span))).isoformat()


def _written(words: str, style: int) -> str:
    """One way of writing a name's words: 0 capitals with accents, 1 capitals without, 2 title case, 3 spaced out."""
    if style == 1:
        return words.translate(_PLAIN)
    if style == 2:
        return words.title()
    if style == 3:
        return "  ".join(words.split(" "))
    return words


class Supplier:
    __slots__ = ("rfc", "words", "form", "person", "contract_names", "register_name", "rfc_in_contracts")


def suppliers(rng: random.Random, count: int) -> list[Supplier]:
    """``count`` suppliers with distinct RFCs and distinct names (once normalised), each written one or two ways
    in the contracts and another way in the register."""
    pool: list[Supplier] = []
    rfcs: set[str] = set()
    keys: set[str] = set()
    while len(pool) < count:
        supplier = Supplier()
        supplier.person = rng.random() < 0.05
        if supplier.person:
            words = f"{rng.choice(_GIVEN)} {rng.choice(_SURNAMES)} {rng.choice(_SURNAMES)}"
            words += " " + "".join(rng.choice(_SYLLABLES) for _ in range(rng.randrange(2, 4)))
        else:
            words = " ".join(filter(None, [
                rng.choice(_KINDS), "".join(rng.choice(_SYLLABLES) for _ in range(rng.randrange(2, 5))),
                rng.choice(_SURNAMES) if rng.random() < 0.3 else "", rng.choice(_PLACES) if rng.random() < 0.4 else ""]))
        key = words.translate(_PLAIN)
        identifier = _rfc(rng, supplier.person)
        if key in keys or identifier in rfcs:
            continue
        keys.add(key)
        rfcs.add(identifier)
        supplier.rfc, supplier.words = identifier, words
        supplier.rfc_in_contracts = rng.random() >= 0.1  # CompraNet 2010-2016 leave it out
        contract_style = rng.choice((0, 0, 1, 1, 2))
        register_style = rng.choice([style for style in (0, 1, 2, 3) if style != contract_style])
        if supplier.person:
            supplier.form = None
            supplier.contract_names = [_written(words, contract_style)]
            supplier.register_name = _written(words, register_style)
        else:
            contract_forms, register_forms = rng.choice(_FORMS)
            supplier.form = rng.choice(contract_forms)
            supplier.contract_names = [f"{_written(words, contract_style)} {supplier.form}"]
            if rng.random() < 0.1:  # some suppliers are written two ways in the contracts
                supplier.contract_names.append(f"{_written(words, 1)}, {rng.choice(contract_forms)}")
            supplier.register_name = _written(words, register_style) + rng.choice(register_forms)
        pool.append(supplier)
    return pool


def generate(directory: Path, rows: int, sanctioned: int) -> tuple[Path, Path]:
    """Contracts naming suppliers of a pool four times the register; half the register without RFC."""
    from ckanext.anticorruption.dataset_types import types as dataset_types

    rng = random.Random(7)
    pool = suppliers(rng, sanctioned * 4)
    rng.shuffle(pool)
    barred = pool[:sanctioned]
    start = datetime.date(2021, 1, 1)
    sanctions = directory / "sanciones.csv"
    header = [f["name"] for f in dataset_types.dataset_type("debarred_contractors").table_schema["fields"]]
    with open(sanctions, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header, restval="")
        writer.writeheader()
        for number, supplier in enumerate(barred, start=1):
            begin = _day(rng, start, 1500)
            end = "" if number % 5 == 0 else (datetime.date.fromisoformat(begin) + datetime.timedelta(days=730)).isoformat()
            writer.writerow({
                "sanction_id": f"S-{number}", "supplier_id": supplier.rfc if number % 2 else "",
                "supplier_name": supplier.register_name,
                "supplier_type": "persona física" if supplier.person else "persona moral",
                "sanctioning_authority_id": "27-SFP", "sanctioning_authority_name": "SFP",
                "sanction_type": "inhabilitación", "grounds": "Motivo", "resolution_date": begin,
                "sanction_start": begin, "sanction_end": end, "fine_amount": "1000.00", "currency": "MXN"})
    contracts = directory / "contratos.csv"
    header = [f["name"] for f in dataset_types.dataset_type("contracts_register").table_schema["fields"]]
    with open(contracts, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header, restval="")
        writer.writeheader()
        for number in range(1, rows + 1):
            supplier = rng.choice(pool)
            writer.writerow({
                "contract_id": f"C-{number}", "ocid": f"ocds-abc123-{number}", "buyer_id": "09-210",
                "supplier_id": supplier.rfc if supplier.rfc_in_contracts else "",
                "supplier_name": rng.choice(supplier.contract_names), "contract_title": "Obra",
                "contract_value": "48250000.00", "currency": "MXN", "date_signed": _day(rng, start, 1826),
                "procurement_method": "licitación pública"})
    return contracts, sanctions


class _Timed:
    """A scan whose own time (feed and finish) is added up: what gathering costs, apart from reading the file."""

    def __init__(self, scan: Any, clock: list[float]) -> None:
        self.scan, self.clock = scan, clock
        self.name, self.fields = scan.name, scan.fields

    def start(self, collector: Any) -> None:
        self.scan.start(collector)

    def feed(self, columns: Any, numbers: Any) -> None:
        started = time.perf_counter()
        self.scan.feed(columns, numbers)
        self.clock[0] += time.perf_counter() - started

    def prepare_finish(self) -> None:
        started = time.perf_counter()
        self.scan.prepare_finish()
        self.clock[0] += time.perf_counter() - started

    def finish(self, collector: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.scan.finish(collector)
        finally:
            self.clock[0] += time.perf_counter() - started


def validate(path: Path, type_id: str, scans: bool, names: bool = True) -> tuple[float, float, Any]:
    """Seconds of the whole validation, seconds of the identifier scans, and the result.

    ``names`` False drops the type's ``supplier_name``: the identifier tier alone.
    """
    from ckanext.anticorruption.dataset_types import types as dataset_types
    from ckanext.anticorruption.identifiers.schemes import Registry
    from ckanext.anticorruption.validation import validate_file
    from ckanext.anticorruption.identifiers.scan import IdentifierCheck, IdentifierLinks

    typ = dataset_types.dataset_type(type_id)
    registry = Registry.of([])
    red_flags = dict(typ.red_flags or {})
    if not names:
        red_flags.pop("supplier_name", None)
    clock = [0.0]
    factory = (lambda: [_Timed(IdentifierCheck(typ.table_schema, registry), clock),
                        _Timed(IdentifierLinks(typ.table_schema, registry, red_flags), clock)]) if scans else None
    started = time.perf_counter()
    result = validate_file(str(path), typ.table_schema, scans=factory)
    return time.perf_counter() - started, clock[0], result


def _periods(path: Path, column: str, key: Any) -> dict[str, list[tuple[str, str]]]:
    periods: dict[str, list[tuple[str, str]]] = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found = key(row[column]) if row[column] else None
            if found:
                periods.setdefault(found, []).append((row["sanction_start"], row["sanction_end"] or "9999"))
    return periods


def naive(contracts: Path, sanctions: Path, names: bool = False) -> tuple[float, set[str]]:
    """Row by row: a dict of sanction periods, then every contract row looked up.

    By RFC; or (``names``) by the normalised name, each distinct name normalised once.
    """
    from ckanext.anticorruption.identifiers.names import NameRules

    started = time.perf_counter()
    column = "supplier_name" if names else "supplier_id"
    if names:
        rules, cache = NameRules.load(), {}

        def key(written: str) -> str | None:
            if written not in cache:
                cache[written] = rules.key(written)
            return cache[written]
    else:
        def key(written: str) -> str | None:
            return written
    periods = _periods(sanctions, column, key)
    flagged = set()
    with open(contracts, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found = key(row[column]) if row[column] else None
            for begin, end in periods.get(found, ()) if found else ():
                if begin <= row["date_signed"] <= end:
                    flagged.add(found)
    return time.perf_counter() - started, flagged


def _links(summary: dict[str, Any], resource_id: str, package_id: str) -> list[dict[str, Any]]:
    """The links that take the type's role, as the index stores them (see linkage._table)."""
    from ckanext.anticorruption.identifiers.names import NAME_SCHEME

    return [{**link, "resource_id": resource_id, "package_id": package_id,
             "moments": link.get("dates", link.get("periods")), "role": summary["role"]}
            for link in summary["links"]
            if (link["field"] == summary["supplier"] or link["scheme"] == NAME_SCHEME) and link.get("flags", True)]


def _answer(matches: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a match says, comparable between the database and the memory."""
    def moments(value: Any) -> list[Any]:
        return [list(moment) if isinstance(moment, (list, tuple)) else moment for moment in value or []]

    return sorted((m["tier"], m["award"]["scheme"], m["award"]["identifier"], m["sanction"]["identifier"],
                   m["in_force"], tuple(m["dates_in_force"]), m["since"], m["until"], m["award"]["rows"],
                   m["award"].get("label"), m["sanction"].get("label"), str(moments(m["award"]["moments"])),
                   str(moments(m["sanction"]["moments"]))) for m in matches)


def with_database(ini: str, contracts_summary: dict[str, Any],
                  sanctions_summary: dict[str, Any]) -> tuple[float, float, float, list[dict[str, Any]]]:
    """Seconds to write both files' links into an empty index, to query the contracts' matches,
    and to write the contracts' links again into the index holding them; and the matches."""
    import sqlalchemy as sa
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.model as model

        from ckanext.anticorruption.identifiers import linkage

        packages, resources = [], []
        for type_id in ("contracts_register", "debarred_contractors"):
            package = model.Package(id=str(uuid.uuid4()), name=f"bench-links-{uuid.uuid4().hex[:8]}", type=type_id,
                                    state="active", private=False)
            resource = model.Resource(package_id=package.id, url="file.csv")
            resource.id, resource.state = str(uuid.uuid4()), "active"
            model.Session.add_all([package, resource])
            packages.append(package)
            resources.append(resource)
        model.Session.commit()
        try:
            started = time.perf_counter()
            linkage.replace(resources[0].id, packages[0].id, "contracts_register", contracts_summary)
            linkage.replace(resources[1].id, packages[1].id, "debarred_contractors", sanctions_summary)
            stored = time.perf_counter() - started
            queried, found = _query_elsewhere(ini, packages[0].id)
            # A portal's index already holds other files: the same links again, under another
            # resource, land among the first file's in the index (not counted in the total).
            resource = model.Resource(package_id=packages[0].id, url="again.csv")
            resource.id, resource.state = str(uuid.uuid4()), "active"
            model.Session.add(resource)
            resources.append(resource)
            model.Session.commit()
            started = time.perf_counter()
            linkage.replace(resource.id, packages[0].id, "contracts_register", contracts_summary)
            again = time.perf_counter() - started
        finally:
            from ckanext.anticorruption.model import IdentifierLink

            for resource in resources:
                model.Session.query(IdentifierLink).filter_by(resource_id=resource.id).delete()
                model.Session.delete(resource)
            for package in packages:
                model.Session.delete(package)
            model.Session.commit()
            # The next configuration starts from the index this one found, not from its dead rows.
            with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text(f"VACUUM ANALYZE {IdentifierLink.__tablename__}"))
    return stored, queried, again, found["awards"]


def _query_elsewhere(ini: str, package_id: str) -> tuple[float, dict[str, Any]]:
    """Seconds of the matches query and its answer, in a process of its own.

    The portal asks in a web process, not in the worker that gathered the
    links: this process still holds the files' links, hundreds of thousands
    of small objects whose cyclic collection would be counted as the query's.
    """
    answer = subprocess.run([sys.executable, __file__, "--ini", ini, "--query", package_id],
                            check=True, capture_output=True, text=True).stdout
    found = json.loads(answer.strip().splitlines()[-1])
    return found["seconds"], found["matches"]


def query_only(ini: str, package_id: str) -> None:
    """Time the matches query of a dataset (the first, warm-up call not counted) and print it as JSON."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        from ckanext.anticorruption.identifiers import linkage

        linkage.matches_for_package(str(uuid.uuid4()), None)  # imports, connection
        started = time.perf_counter()
        found = linkage.matches_for_package(package_id, None)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "matches": found}, default=str))


def name_tier_on_judged_pairs() -> tuple[int, int, int, int]:
    """(pairs matched, of which judged the same firm, same-firm pairs, of which matched) on tests/real/name_matches.yaml."""
    from ckanext.anticorruption.identifiers.names import NameRules

    # By path: once CKAN is loaded, "tests" may be another package's.
    spec = importlib.util.spec_from_file_location("_real_files", ROOT / "tests" / "real" / "__init__.py")
    assert spec is not None and spec.loader is not None
    real = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    rules, pairs = NameRules.load(), real.name_matches()

    def matched(pair: dict[str, str]) -> bool:
        key = rules.key(pair["contract"])
        return key is not None and key == rules.key(pair["register"])

    same = [matched(pair) for pair in pairs["same"]]
    different = [matched(pair) for pair in pairs["different"]]
    return sum(same) + sum(different), sum(same), len(same), sum(same)


def tier_run(contracts: Path, sanctions: Path, names: bool, db: bool, ini: str) -> dict[str, Any]:
    """Every stage of one configuration (identifiers alone, or identifiers and names), in seconds."""
    from ckanext.anticorruption.identifiers import redflags

    _, contracts_scans, contracts_result = validate(contracts, "contracts_register", scans=True, names=names)
    _, sanctions_scans, sanctions_result = validate(sanctions, "debarred_contractors", scans=True, names=names)
    assert contracts_result.state == "valid", (contracts_result.state, contracts_result.problem, contracts_result.problem_params)
    assert sanctions_result.state == "valid", (sanctions_result.state, sanctions_result.problem)
    contracts_links, sanctions_links = contracts_result.scans["links"], sanctions_result.scans["links"]
    awards = _links(contracts_links, "contracts", "p1")
    barred = _links(sanctions_links, "sanctions", "p2")
    started = time.perf_counter()
    matches = redflags.match(awards, barred)
    matched = time.perf_counter() - started
    run: dict[str, Any] = {"gather": contracts_scans + sanctions_scans, "match": matched, "matches": matches,
                           "links": len(contracts_links["links"]) + len(sanctions_links["links"])}
    if db:
        stored, queried, again, found = with_database(ini, contracts_links, sanctions_links)
        run.update(store=stored, query=queried, again=again)
        # The database's answer is the memory's.
        database, memory = _answer(found), _answer(matches)
        assert database == memory, ("the database and the memory disagree", len(database), len(memory),
                                    sorted(set(database) ^ set(memory))[:4])
    # What the portal does: gather while checking, write, query (which matches: see
    # linkage.matches_for_package). The in-memory match above only checks the query's answer;
    # without a database it stands in for the query.
    run["total"] = run["gather"] + run.get("store", 0.0) + (run["query"] if db else run["match"])
    return run


def in_force(matches: list[dict[str, Any]], tier: str) -> set[str]:
    return {m["award"]["identifier"] for m in matches if m["in_force"] and m["tier"] == tier}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sanctioned", type=int, default=50_000)
    parser.add_argument("--no-db", action="store_true", help="Skip the database stages.")
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--query", metavar="DATASET_ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query:
        query_only(args.ini, args.query)
        return

    from ckanext.anticorruption.identifiers.redflags import CERTAIN, PROBABLE

    with tempfile.TemporaryDirectory() as tmp:
        print(f"Generating {args.rows:,} contract rows and {args.sanctioned:,} register entries "
              f"(suppliers from a pool of {args.sanctioned * 4:,}; half the register without RFC)…", flush=True)
        contracts, sanctions = generate(Path(tmp), args.rows, args.sanctioned)
        validate(sanctions, "debarred_contractors", scans=False)  # imports and warm-up
        plain, _, _ = validate(contracts, "contracts_register", scans=False)
        runs = {names: tier_run(contracts, sanctions, names, not args.no_db, args.ini) for names in (False, True)}
        naive_seconds, naive_flagged = naive(contracts, sanctions)
        naive_names_seconds, naive_names_flagged = naive(contracts, sanctions, names=True)

        stages = [("gather (the scans' own time, both files)", "gather"),
                  ("match in memory (checks the query; not counted)" if not args.no_db
                   else "match in memory (dates vs periods)", "match")]
        if not args.no_db:
            stages += [("write both files' links to the index", "store"),
                       ("matches query for the contracts dataset", "query")]
        print()
        print(f"contracts validation without scans: {plain:.2f} s (reading and Table Schema checks, not counted)")
        print()
        print(f"{'stage':48} {'identifiers':>12} {'+ names':>12}")
        for label, key in stages:
            print(f"{label:48} {runs[False][key]:12.2f} {runs[True][key]:12.2f}")
        print(f"{'total':48} {runs[False]['total']:12.2f} {runs[True]['total']:12.2f}   target < {TARGET_SECONDS:.0f} s")
        if not args.no_db:
            print(f"{'(contracts links again, into a full index)':48} {runs[False]['again']:12.2f} "
                  f"{runs[True]['again']:12.2f}   not counted")
        print(f"{'naive csv row loop (matching only)':48} {naive_seconds:12.2f} {naive_seconds + naive_names_seconds:12.2f}")
        print(f"{'links (both files)':48} {runs[False]['links']:12,} {runs[True]['links']:12,}")
        print()
        matches = runs[True]["matches"]
        by_rfc, by_name = in_force(matches, CERTAIN), in_force(matches, PROBABLE)
        print(f"sanctioned at signature, by RFC: {len(by_rfc):,} (naive loop: {len(naive_flagged):,}); "
              f"by name: {len(by_name):,} (naive loop: {len(naive_names_flagged):,})")
        assert by_rfc == naive_flagged == in_force(runs[False]["matches"], CERTAIN)
        assert by_name == naive_names_flagged
        matched, right, same, found = name_tier_on_judged_pairs()
        print(f"name tier on the hand-checked pairs (tests/real/name_matches.yaml): precision "
              f"{right}/{matched} = {right / matched if matched else 1:.2f}, recall {found}/{same} = {found / same:.2f}")


if __name__ == "__main__":
    main()

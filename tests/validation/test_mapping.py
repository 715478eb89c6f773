"""Columns matched by name: the headers publishers really write."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ckanext.anticorruption.validation import validate_file
from ckanext.anticorruption.validation.mapping import map_columns, normalize_label

from tests.validation.corpus import build_table, table_schema, write_csv

# SFP's directory of sanctioned suppliers (2019), its header as published:
# the separator is a comma and a TAB, so every label but the first starts
# with a space and a TAB.
SFP_HEADER = ["PROVEEDOR O CONTRATISTA"] + [" \t" + label for label in [
    "DEPENDENCIA", "NUMERO DE EXPEDIENTE", "HECHOS DE LA IRREGULARIDAD", "OBJETO SOCIAL", "SENTIDO DE RESOLUCION",
    "FECHA DE NOTIFICACION", "FECHA DE RESOLUCION", "PLAZO", "MONTO", "NOMBRE DEL RESPONSABLE DE LA INFORMACION",
    "FECHA DE ACTUALIZACION "]]
COMPRANET_HEADER = [
    "GOBIERNO", "SIGLAS", "DEPENDENCIA", "CLAVEUC", "NOMBRE_DE_LA_UC", "RESPONSABLE", "NUMERO_EXPEDIENTE",
    "CODIGO_CONTRATO", "TITULO_CONTRATO", "FECHA_INICIO", "FECHA_FIN", "IMPORTE_CONTRATO", "MONEDA",
    "FECHA_CELEBRACION", "TIPO_PROCEDIMIENTO", "PROVEEDOR_CONTRATISTA"]


def test_labels_are_compared_without_case_accents_spaces_or_punctuation() -> None:
    assert normalize_label(" Fecha de Notificación\t") == normalize_label("FECHA_DE_NOTIFICACION") == "fechadenotificacion"
    assert normalize_label("Número de Expediente         ") == normalize_label("NUMERO DE EXPEDIENTE")
    assert normalize_label(None) == ""


def test_sfp_header_finds_the_fields_it_holds_and_only_those() -> None:
    header = map_columns(SFP_HEADER, table_schema("debarred_contractors"))

    held = {column.label.strip(): column.field for column in header.columns}
    assert held == {
        "PROVEEDOR O CONTRATISTA": "supplier_name", "DEPENDENCIA": "sanctioning_authority_name",
        "NUMERO DE EXPEDIENTE": "sanction_id", "HECHOS DE LA IRREGULARIDAD": "grounds",
        "OBJETO SOCIAL": None, "SENTIDO DE RESOLUCION": "resolution_outcome",
        "FECHA DE NOTIFICACION": "notification_date",
        "FECHA DE RESOLUCION": "resolution_date", "PLAZO": "sanction_term", "MONTO": "fine_amount",
        "NOMBRE DEL RESPONSABLE DE LA INFORMACION": None, "FECHA DE ACTUALIZACION": None,
    }
    # The directory gives the notification date and the term, not the day the sanction starts.
    assert header.missing_required == ("sanction_start",)
    summary = header.summary()
    assert (summary["matched"], summary["fields"], summary["required_matched"], summary["required"]) == (9, 17, 2, 3)
    assert all(0 < entry["confidence"] <= 1 for entry in summary["mapping"])


def test_compranet_header_finds_its_contract_fields() -> None:
    header = map_columns(COMPRANET_HEADER, table_schema("contracts_register"))

    assert set(header.matched) == {
        "buyer_id", "buyer_name", "contract_id", "contract_title", "start_date", "end_date", "contract_value",
        "currency", "date_signed", "procurement_method", "supplier_name"}
    # No supplier RFC in CompraNet's files, and none is required: its contracts are matched by name.
    assert header.missing_required == ()


def test_debarment_lists_of_development_banks_find_their_period_and_grounds() -> None:
    schema = table_schema("debarred_contractors")
    ebrd = map_columns(["Firm Name", "Address", "Nationality", "Ineligible From", " Ineligible Until",
                        "Notice Effective At EBRD", "Originating Institution", "Prohibited Practice"], schema)
    # The World Bank's two header rows, joined.
    world_bank = map_columns(["Firm Name", "Additional Firm Info", "Address", "Country",
                              "Ineligibility Period From Date", "Ineligibility Period To Date", "Grounds"], schema)

    assert [column.field for column in ebrd.columns] == [
        "supplier_name", None, "supplier_country", "sanction_start", "sanction_end", None,
        "sanctioning_authority_name", "grounds"]
    assert set(world_bank.matched) == {"supplier_name", "supplier_country", "sanction_start", "sanction_end", "grounds"}
    # Foreign firms have no case number, RFC, kind of person or resolution
    # date, and none of those is required: both lists hold every required field.
    assert ebrd.fits and world_bank.fits
    assert ebrd.missing_required == world_bank.missing_required == ()


def test_an_explicit_mapping_wins_and_can_ignore_a_column() -> None:
    header = map_columns(SFP_HEADER, table_schema("debarred_contractors"),
                         {" \tFECHA DE NOTIFICACION": "sanction_start", " \tMONTO": None, " \tPLAZO": "no_such_field"})

    fields = {column.label.strip(): (column.field, column.confidence) for column in header.columns}
    assert fields["FECHA DE NOTIFICACION"] == ("sanction_start", 1.0)
    assert fields["MONTO"] == (None, 0.0)
    assert fields["PLAZO"] == (None, 0.0)


def test_a_field_is_held_by_one_column_only() -> None:
    header = map_columns(["RFC", "supplier_id", "Nombre"], table_schema("debarred_contractors"))

    assert [column.field for column in header.columns] == ["supplier_id", None, None]
    assert header.columns[1].duplicate_of == 1


# The engine -------------------------------------------------------------


def _file(tmp_path: Path, header: list[str], rows: list[list[str]]) -> str:
    return str(write_csv(tmp_path / "archivo.csv", header, rows))


def _columns(header: list[str], rows: list[list[str]], order: list[int]) -> tuple[list[str], list[list[str]]]:
    return [header[i] for i in order], [[row[i] for i in order] for row in rows]


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_a_clean_file_with_the_schemas_header_is_checked_as_before(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)

    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), engine=engine)

    assert (result.state, result.rows, result.error_counts) == ("valid", 40, {})
    assert "columns" not in result.detected


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_reordered_spanish_titled_columns_without_optional_ones_are_valid(tmp_path: Path, engine: str) -> None:
    schema = table_schema("debarred_contractors")
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)
    titles = [spec["title_es"].upper() for spec in schema["fields"]]
    optional = [i for i, spec in enumerate(schema["fields"]) if not spec.get("constraints", {}).get("required")]
    order = [i for i in reversed(range(len(header))) if i not in optional]
    header, rows = _columns(titles, rows, order)

    result = validate_file(_file(tmp_path, header, rows), schema, engine=engine)

    assert (result.state, result.rows, result.error_count) == ("valid", 40, 0)
    assert result.detected["columns"]["matched"] == len(order)
    assert result.detected["columns"]["missing_required"] == []


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_an_extra_column_is_kept_and_only_a_warning(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)
    header, rows = ["Observaciones", *header], [["ver oficio", *row] for row in rows]

    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), engine=engine)

    assert (result.state, result.error_count, result.error_counts) == ("valid", 0, {"extra-label": 1})
    assert result.report["stats"]["warnings"] == 1
    assert result.detected["columns"]["extra"] == ["Observaciones"]


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_an_absent_required_column_is_one_error_not_one_per_row(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)
    header, rows = _columns(header, rows, [i for i, name in enumerate(header) if name != "supplier_name"][::-1])

    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), engine=engine)

    assert (result.state, result.rows, result.error_counts) == ("invalid", 40, {"missing-label": 1})
    error = result.report["tasks"][0]["errors"][0]
    assert (error["type"], error["fieldName"]) == ("missing-label", "supplier_name")


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_a_header_of_another_type_is_not_checked_row_by_row(tmp_path: Path, engine: str) -> None:
    header, rows = build_table("budgets", "clean", rows=500, error_rate=0)

    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), engine=engine)

    # The rows are counted, not held to the type's columns.
    assert (result.state, result.problem, result.rows) == ("invalid", "header-mismatch", 500)
    params = result.problem_params
    assert (params["matched"], params["fields"], params["required_matched"], params["required"]) == (1, 17, 0, 3)
    assert params["rows"] == 500
    # One error per absent required field, one warning per column kept: no knock-on row errors.
    assert result.error_counts == {"missing-label": 3, "extra-label": len(header) - 1}
    assert result.error_count == 3
    errors = result.report["tasks"][0]["errors"]
    assert {error["type"] for error in errors} == {"missing-label", "extra-label"}
    assert [error["fieldName"] for error in errors if error["type"] == "missing-label"] == list(params["missing_required"])


def test_a_header_of_another_type_is_still_scanned_for_personal_data(tmp_path: Path) -> None:
    from ckanext.anticorruption.validation.scans import ColumnScan

    class Everything(ColumnScan):
        name = "everything"

        def start(self, collector) -> None:
            self.seen: dict[str, int] = {}

        def feed(self, columns, numbers) -> None:
            for name, values in columns.items():
                self.seen[name] = self.seen.get(name, 0) + len(values)

        def finish(self, collector):
            return self.seen

    header, rows = build_table("budgets", "clean", rows=30, error_rate=0)
    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), scans=lambda: [Everything()])

    assert result.problem == "header-mismatch"
    # Every column is read, under the file's own labels.
    assert result.scans["everything"] == {label: 30 for label in header}


def test_an_explicit_mapping_is_applied_to_the_rows(tmp_path: Path) -> None:
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)
    header = ["clave", *header[1:]]

    guessed = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"))
    mapped = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), mapping={"clave": "sanction_id"})

    assert guessed.state == "invalid"
    assert (mapped.state, mapped.error_count) == ("valid", 0)


def test_an_explicit_mapping_applies_to_the_schemas_own_header(tmp_path: Path) -> None:
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)

    result = validate_file(_file(tmp_path, header, rows), table_schema("debarred_contractors"), mapping={"supplier_name": None})

    assert (result.state, result.error_counts) == ("invalid", {"extra-label": 1, "missing-label": 1})
    assert result.detected["columns"]["missing_required"] == ["supplier_name"]


def test_a_file_without_a_header_row_is_mapped_by_the_places_of_its_columns(tmp_path: Path) -> None:
    # The upload form names such a file's columns by place: "1", "2", ...
    header, rows = build_table("debarred_contractors", "clean", error_rate=0)
    order = list(reversed(range(len(header))))
    path = tmp_path / "sin_encabezado.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[row[index] for index in order] for row in rows])
    schema = table_schema("debarred_contractors")

    by_place = validate_file(str(path), schema)
    mapped = validate_file(str(path), schema, mapping={str(place): header[index] for place, index in enumerate(order, 1)})

    assert "no-header-row" in by_place.detected["warnings"] and by_place.state == "invalid"
    assert (mapped.state, mapped.error_count) == ("valid", 0)

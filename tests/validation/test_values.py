"""Values as publishers write them, read before the checks (validation/values)."""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.anticorruption.dataset_types.types import dataset_type
from ckanext.anticorruption.validation.values import Tally, plan_readings, reading_for


def _reading(type_name: str, field: str, sample: list[str] | None = None) -> Any:
    schema = dataset_type(type_name).table_schema
    plans = plan_readings(schema, {field: sample or []})
    return reading_for(plans[field])


@pytest.mark.parametrize(("written", "read", "shape"), [
    ("06/08/2014", "2014-08-06", "dd/mm/yyyy"),
    ("6/8/14", "2014-08-06", "dd/mm/yy"),
    ("06-08-2014", "2014-08-06", "dd-mm-yyyy"),
    ("15 de marzo de 2019", "2019-03-15", "long"),
    ("1o. de Julio del 2020", "2020-07-01", "long"),
    ("15-mar-2019", "2019-03-15", "dd-mmm-yyyy"),
    ("2013-12-30 00:00:00 GMT", "2013-12-30", "yyyy-mm-dd 00:00"),
    ("2013-12-30T00:00:00Z", "2013-12-30", "yyyy-mm-dd 00:00"),
    ("30/12/2013 00:00", "2013-12-30", "dd/mm/yyyy 00:00"),
    # A time of day is left out (and said so): EBRD's list writes its dates as date-times.
    ("2024-07-01T12:00:59Z", "2024-07-01", "yyyy-mm-dd hh:mm"),
    ("2013-12-30 10:15:00", "2013-12-30", "yyyy-mm-dd hh:mm"),
    ("2019/03/15", "2019-03-15", "yyyy/mm/dd"),
    ("1/1/70", "1970-01-01", "dd/mm/yy"),
])
def test_dates_as_publishers_write_them(written: str, read: str, shape: str) -> None:
    assert _reading("debarred_contractors", "resolution_date").read(written) == (read, ("date", (("format", shape),)))


@pytest.mark.parametrize("written", ["2019-03-15", "ayer", "2013-12-30 25:15:00x", "15 de brumario de 2019", "N/A", ""])
def test_dates_read_as_written(written: str) -> None:
    # ISO dates need no reading; what cannot be read is left for the check to report.
    assert _reading("debarred_contractors", "resolution_date").read(written) == (written, None)


def test_a_column_whose_dates_are_month_first_is_read_so() -> None:
    reading = _reading("debarred_contractors", "resolution_date", ["03/15/2019", "12/31/2019"])
    assert reading.read("03/15/2019") == ("2019-03-15", ("date", (("format", "mm/dd/yyyy"),)))


@pytest.mark.parametrize(("written", "read", "currency", "group"), [
    ("$837,480.00", "837480.00", "$", ","),
    ("$ 1,234", "1234", "$", ","),
    ("-$5.50", "-5.50", "$", ""),
    ("1,000 MXN", "1000", "MXN", ","),
    (" 72540.00 ", "72540.00", "", ""),
])
def test_amounts_as_publishers_write_them(written: str, read: str, currency: str, group: str) -> None:
    value, (kind, params) = _reading("debarred_contractors", "fine_amount").read(written)
    assert (value, kind, dict(params)["currency"], dict(params)["group"]) == (read, "number", currency, group)


@pytest.mark.parametrize("written", ["72540.00", "1.5", "1,5", "1,23", "12 345 678,1", "$", "3 MESES", "-"])
def test_amounts_read_as_written_in_a_decimal_point_column(written: str) -> None:
    assert _reading("debarred_contractors", "fine_amount").read(written) == (written, None)


@pytest.mark.parametrize(("sample", "written", "read"), [
    (["1 234,5", "12,75"], "1 234,5", "1234.5"),
    (["1.234,50", "837.480,00"], "1.234.567,89", "1234567.89"),
    (["1.234,50"], "1.234", "1234"),
    (["1,234.50"], "1,234", "1234"),
    (["1,234"], "1,234", "1234"),  # a sample that does not show the decimal: the default point
])
def test_each_column_decides_its_decimal_separator(sample: list[str], written: str, read: str) -> None:
    assert _reading("debarred_contractors", "fine_amount", sample).value(written) == read


@pytest.mark.parametrize(("type_name", "field", "written", "read"), [
    ("contracts_register", "procurement_method", "Licitación Pública", "licitación pública"),
    ("contracts_register", "procurement_method", "LICITACION PUBLICA", "licitación pública"),
    ("contracts_register", "procurement_method", "Adjudicación Directa Federal", "adjudicación directa"),
    ("contracts_register", "procurement_method", "Invitación a Cuando Menos 3 Personas",
     "invitación a cuando menos tres personas"),
    ("debarred_contractors", "sanction_type", "SANCIONATORIA CON MULTA", "multa"),
    ("debarred_contractors", "supplier_type", "Persona Moral", "persona moral"),
    ("tax_records", "compliance_status", "Sentencia Favorable", "sentencia favorable"),
    ("contracts_register", "currency", "mxn", "MXN"),
    ("contracts_register", "currency", "Moneda Nacional", "MXN"),
    ("contracts_register", "currency", " usd ", "USD"),
])
def test_codes_as_publishers_write_them(type_name: str, field: str, written: str, read: str) -> None:
    assert _reading(type_name, field).read(written) == (read, ("value", (("from", written), ("to", read))))


def test_rfcs_are_trimmed_and_upper_cased() -> None:
    reading = _reading("debarred_contractors", "supplier_id")
    assert reading.read(" abc010101ab1 ") == ("ABC010101AB1", ("upper", ()))
    assert reading.read("ABC010101AB1") == ("ABC010101AB1", None)
    assert reading.read("n/a") == ("n/a", None)  # an empty cell stays one


def test_free_text_is_read_as_written() -> None:
    assert "grounds" not in plan_readings(dataset_type("debarred_contractors").table_schema)


def test_fields_with_the_table_schemas_own_properties_are_not_read_otherwise() -> None:
    schema = dict(dataset_type("debarred_contractors").table_schema)
    schema["fields"] = [{**spec, "format": "%m/%d/%Y"} if spec["name"] == "resolution_date" else
                        {**spec, "decimalChar": ","} if spec["name"] == "fine_amount" else spec
                        for spec in schema["fields"]]
    plans = plan_readings(schema)
    assert "resolution_date" not in plans and "fine_amount" not in plans and "sanction_end" in plans


def test_a_schema_without_the_types_defaults_reads_values_as_written() -> None:
    schema = {key: value for key, value in dataset_type("debarred_contractors").table_schema.items()
              if key != "publisherValues"}
    assert plan_readings(schema) == {}


def test_empty_cells_as_publishers_write_them_are_missing_values() -> None:
    missing = dataset_type("contracts_register").table_schema["missingValues"]
    assert missing[0] == ""
    assert {"N/A", "n/a", "n/d", "N/D", "S/D", "s/d", "-"} <= set(missing)


def test_the_tally_counts_each_assumption_with_the_smallest_example() -> None:
    reading = _reading("debarred_contractors", "resolution_date")
    tally = Tally()
    for written in ["06/08/2014", "01/02/2019", "2019-01-01", "N/A", "n/d", "N/A"]:
        tally.cell("resolution_date", reading, reading.missing, written)
    assert tally.items() == [
        {"field": "resolution_date", "kind": "date", "count": 2, "params": {"format": "dd/mm/yyyy"},
         "example": {"written": "01/02/2019", "read": "2019-02-01"}},
        {"field": "resolution_date", "kind": "missing", "count": 2, "params": {"value": "N/A"},
         "example": {"written": "N/A", "read": ""}},
        {"field": "resolution_date", "kind": "missing", "count": 1, "params": {"value": "n/d"},
         "example": {"written": "n/d", "read": ""}},
    ]

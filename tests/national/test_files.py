"""The national downloads: CSV streamed, Parquet written from the table, empty and unknown types."""
from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from ckan.tests.helpers import call_action

from ckanext.anticorruption.national import files
from tests.national.conftest import TYPE, csv_rows, load_table

pytestmark = pytest.mark.usefixtures("with_plugins")


def _parquet(app, type_id: str = TYPE):
    response = app.get(f"/anticorruption/national/{type_id}.parquet")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{type_id}.parquet"'
    return pq.read_table(io.BytesIO(response.data)), response


def test_both_files_hold_every_agencys_rows_typed_with_their_provenance(app, agencies) -> None:
    sfp, shcp = agencies.agency("sfp", "SFP"), agencies.agency("shcp", "Hacienda")
    one = agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1", "contract_value": "10.5"}])
    two = agencies.upload(agencies.dataset(shcp, "contratos-shcp"), [{"contract_id": "H-1"}])

    table, response = _parquet(app)

    assert response.headers["Last-Modified"].endswith("GMT")
    rows = sorted(table.to_pylist(), key=lambda r: r["contract_id"])
    assert [(r["agency"], r["agency_title"], r["dataset"], r["resource"], r["contract_id"]) for r in rows] == [
        ("shcp", "Hacienda", "contratos-shcp", two["id"], "H-1"),
        ("sfp", "SFP", "contratos-sfp", one["id"], "S-1"),
    ]
    assert rows[1]["contract_value"] == 10.5 and str(rows[1]["date_signed"]) == "2025-03-10"
    assert rows[1]["file_date"].year >= 2026
    assert table.schema.names == [c["id"] for c in files.columns_of(TYPE)]
    assert {r["contract_id"] for r in csv_rows(app)} == {"S-1", "H-1"}


def test_the_parquet_file_is_written_again_after_a_change(app, agencies) -> None:
    sfp = agencies.agency("sfp", "SFP")
    resource = agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": "S-1"}])
    before, _ = _parquet(app)

    load_table(resource["id"], [{"contract_id": "S-2"}, {"contract_id": "S-3"}])

    after, _ = _parquet(app)
    assert before.column("contract_id").to_pylist() == ["S-1"]
    assert sorted(after.column("contract_id").to_pylist()) == ["S-2", "S-3"]
    assert len(list(files.cache_dir().glob(f"{TYPE}.*.parquet"))) == 1  # the old one is gone


def test_a_type_without_files_has_files_with_just_the_header(app, agencies) -> None:
    response = app.get("/anticorruption/national/debarred_contractors.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = [c["id"] for c in files.columns_of("debarred_contractors")]
    assert response.get_data(as_text=True) == ",".join(header) + "\n"
    table, _ = _parquet(app, "debarred_contractors")
    assert table.num_rows == 0 and table.schema.names == header
    shown = call_action("anticorruption_national_show", id="debarred_contractors")
    assert shown["rows"] == 0 and shown["changed"] is None and shown["dataset"] is None


@pytest.mark.parametrize(("lang", "message"), [
    ("/es", "no es un tipo de conjunto de datos del portal"),
    ("", "is not a dataset type of the portal"),
])
def test_an_unknown_type_is_not_found_with_a_clear_message(app, clean_db, lang: str, message: str) -> None:
    for fmt in ("csv", "parquet"):
        response = app.get(f"{lang}/anticorruption/national/contratos.{fmt}")
        assert response.status_code == 404
        assert message in response.get_data(as_text=True)
        assert "contratos" in response.get_data(as_text=True)


def test_a_download_stopped_halfway_leaves_the_database_usable(app, agencies) -> None:
    from ckanext.anticorruption.national import store

    sfp = agencies.agency("sfp", "SFP")
    agencies.upload(agencies.dataset(sfp, "contratos-sfp"), [{"contract_id": f"S-{i}", "contract_title": "x" * 2000}
                                                             for i in range(400)])
    table = store.state_of(TYPE)["table_name"]

    for _ in range(3):
        chunks = store.copy_csv(table, ["contract_id", "contract_title"])
        assert next(chunks)
        chunks.close()  # the client went away

    assert len(csv_rows(app)) == 400

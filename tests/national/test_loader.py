"""The real loader feeds the national files: an upload checked valid is in them, typed, with
nothing done by hand; a newer file replaces its rows; a private dataset's file never enters."""
from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from ckan.tests.helpers import call_action

from tests.national.conftest import contracts_csv, csv_rows

pytestmark = pytest.mark.usefixtures("with_plugins")


def _upload(agencies, dataset: dict, rows: list[dict[str, str]]) -> dict:
    editor = agencies.editors[dataset["owner_org"]]
    resource = agencies.create_with_upload(contracts_csv(rows), "contratos.csv", package_id=dataset["id"],
                                           format="CSV", context={"user": editor["name"]})
    assert call_action("anticorruption_validation_show", id=resource["id"])["state"] == "valid"
    return resource


def test_an_upload_checked_valid_reaches_the_national_file_and_its_replacement_replaces_it(app, agencies) -> None:
    sfp = agencies.agency("sfp", "Secretaría de la Función Pública")
    dataset = agencies.dataset(sfp, "contratos-sfp")
    hidden = agencies.dataset(sfp, "contratos-reservados", private=True)
    resource = _upload(agencies, dataset, [{"contract_id": "S-1", "contract_value": "$837,480.00"},
                                           {"contract_id": "S-2", "date_signed": "15/03/2025"}])
    _upload(agencies, hidden, [{"contract_id": "R-1"}])

    rows = csv_rows(app)
    assert sorted(row["contract_id"] for row in rows) == ["S-1", "S-2"]
    first = next(row for row in rows if row["contract_id"] == "S-1")
    # As the validation read it: an amount as a number, a dd/mm/yyyy date as a date.
    assert float(first["contract_value"]) == 837480.0
    assert next(row for row in rows if row["contract_id"] == "S-2")["date_signed"] == "2025-03-15"
    assert first["agency"] == "sfp" and first["resource"] == resource["id"]

    editor = agencies.editors[sfp["id"]]
    call_action("resource_patch", {"user": editor["name"]}, id=resource["id"], url="contratos.csv",
                upload=FileStorage(io.BytesIO(contracts_csv([{"contract_id": "S-9"}])), "contratos.csv"))

    assert [row["contract_id"] for row in csv_rows(app)] == ["S-9"]

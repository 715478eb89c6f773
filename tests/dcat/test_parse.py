"""The parse side of the profile: a feed of another portal becomes datasets of the right type."""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.dcat.processors import RDFParser, RDFSerializer

from ckanext.anticorruption.dcat.mapping import own_fields

from tests.guide import GUIDE_TYPE_IDS
from tests.dcat.conftest import create_populated

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _as_from_another_site(turtle: str) -> str:
    # The source portal has its own address: concepts are recognised anyway.
    return turtle.replace("http://test.ckan.net", "https://datos.otro-portal.gob.mx")


@pytest.mark.parametrize("type_id", GUIDE_TYPE_IDS)
def test_feed_parses_back_into_the_same_type_and_fields(agency, type_id: str) -> None:
    source = create_populated(type_id, agency["id"])
    turtle = _as_from_another_site(RDFSerializer().serialize_dataset(source, _format="ttl"))
    parser = RDFParser()
    parser.parse(turtle, _format="ttl")
    [parsed] = list(parser.datasets())

    assert parsed["type"] == type_id
    for field in ("title", "notes", "frequency", "temporal_start", "temporal_end", "spatial_level",
                  "spatial_text", "contact_name", "contact_email", "license_id"):
        assert parsed[field] == source[field], field
    # RDF has no order: lists come back as sets.
    for field in ("language", "data_standards"):
        assert sorted(parsed.get(field, [])) == sorted(source.get(field) or []), field
    for field in own_fields(type_id):
        value = source.get(field)
        if isinstance(value, list):
            assert sorted(parsed.get(field, [])) == sorted(value), field
        else:
            assert (parsed.get(field) or None) == (value or None), field

    def files(dataset: dict) -> list[tuple]:
        return sorted((r["name"], r["url"], r["format"], r["schema_mode"], r.get("schema_url") or "")
                      for r in dataset["resources"])

    assert files(parsed) == files(source)
    assert "dct:conformsTo" in next(r["schema_reason"] for r in parsed["resources"] if r["schema_mode"] == "other")
    keys = {e["key"] for e in parsed["extras"]}
    assert not keys & {"dcat_type", "theme", "conforms_to", "language", "frequency"}

    # …and it is a valid dataset of its type for this portal.
    other = factories.Organization()
    parsed.update(owner_org=other["id"], name=f"{source['name']}-cosechado")
    created = call_action("package_create", **parsed)
    assert created["type"] == type_id
    assert created["guide_category"] == source["guide_category"]


def test_a_feed_without_our_types_is_left_to_the_base_profile() -> None:
    turtle = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <https://example.org/d/1> a dcat:Dataset ; dct:title "Otro" ;
        dct:type <https://example.org/vocabulary/types/contracts_register> .
    """
    parser = RDFParser()
    parser.parse(turtle, _format="ttl")
    [parsed] = list(parser.datasets())
    assert "type" not in parsed
    assert parsed["title"] == "Otro"

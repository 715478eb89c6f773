"""Facts of the Open Up Guide that the tests check the schemas against, and
the smallest valid dataset of each type."""
from __future__ import annotations

from typing import Any

from ckanext.anticorruption.dataset_types.types import dataset_type

# The 30 priority datasets of the Open Up Guide, in the Guide's order.
GUIDE_TYPE_IDS = [
    "interest_declarations", "lobbying_register", "company_register", "charity_register",
    "pep_list", "public_officials_register", "government_contractors",
    "corruption_sensitive_postings", "advisory_board_members", "contracts_register",
    "political_party_finances", "budgets", "tenders_awards", "licenses_concessions_permits",
    "ppps", "spending", "government_grants", "international_aid", "audit_data",
    "voting_records", "court_data", "government_projects_register", "meeting_records",
    "regulation_change_records", "campaign_promises", "debarred_contractors",
    "procurement_complaints", "land_property_register", "tax_records", "asset_declarations",
]

COMMON_PRESETS = [
    "anticorruption_title", "anticorruption_name", "anticorruption_notes",
    "anticorruption_organization", "anticorruption_license", "anticorruption_frequency",
    "anticorruption_temporal_start", "anticorruption_temporal_end",
    "anticorruption_spatial_level", "anticorruption_spatial_text",
    "anticorruption_legal_basis", "anticorruption_contact_name",
    "anticorruption_contact_email", "anticorruption_language",
    "anticorruption_contains_personal_data", "anticorruption_personal_data_justification",
    "anticorruption_data_standards", "anticorruption_identifier_schemes",
    "anticorruption_guide_category", "anticorruption_guide_kind", "anticorruption_tags",
]

MONTHLY = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"


def minimal_dataset(type_id: str, owner_org: str, name: str | None = None) -> dict[str, Any]:
    """The fields a publisher must fill in for a dataset of this type."""
    data: dict[str, Any] = {
        "type": type_id,
        "name": name or type_id.replace("_", "-"),
        "title": f"Prueba {type_id}",
        "notes": "Datos de prueba.",
        "owner_org": owner_org,
        "frequency": MONTHLY,
        "contact_name": "Unidad de Transparencia",
        "contact_email": "transparencia@example.gob.mx",
    }
    presets = dataset_type(type_id).dataset_fields
    if "anticorruption_fiscal_year" in presets:
        data["fiscal_year"] = "2025"
    if "anticorruption_declaration_period" in presets:
        data["declaration_period"] = "modification"
    return data

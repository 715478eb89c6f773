"""Only checked data feeds the linkage index: drop the links that would no longer be written.

Links of files held back by the privacy guard (they come back with the run
that releases the file), of files whose header did not fit their type, and
budget unit codes (MX-UR) that are not codes; the unit codes written as the
federal OCDS records write them ("06E00") are joined as "06-E00".

Revision ID: 08d2f4b6c713
Revises: a7c9e1f3b612
Create Date: 2026-11-29
"""
from alembic import op

revision = "08d2f4b6c713"
down_revision = "a7c9e1f3b612"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        DELETE FROM anticorruption_identifier_link WHERE resource_id IN (
            SELECT resource_id FROM anticorruption_privacy_state WHERE state IN ('scanning', 'quarantined')
            UNION SELECT resource_id FROM anticorruption_validation WHERE problem = 'header-mismatch')
    """)
    op.execute("""
        UPDATE anticorruption_identifier_link
        SET identifier = upper(substr(identifier, 1, 2) || '-' || substr(identifier, 3))
        WHERE scheme = 'MX-UR' AND identifier ~* '^[0-9]{2}[0-9A-Z]{3}$'
    """)
    op.execute("""
        DELETE FROM anticorruption_identifier_link
        WHERE scheme = 'MX-UR' AND upper(identifier) !~ '^[0-9]{2}-[0-9A-Z]{3}$'
    """)
    op.execute("""
        UPDATE anticorruption_identifier_link SET identifier = upper(identifier)
        WHERE scheme = 'MX-UR' AND identifier <> upper(identifier)
    """)


def downgrade():
    # The links dropped were never meant to be there; a new check of a file writes its links again.
    pass

"""Linkage index: the organization identifiers each checked file names.

Revision ID: d4f6b8c0e306
Revises: c3e5a7b9d204
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "d4f6b8c0e306"
down_revision = "c3e5a7b9d204"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_identifier_link",
        # No primary key and two indexes: a file of a million rows names a
        # few hundred thousand identifiers, written with COPY. Rows are found
        # by resource (a new file replaces them) and by (scheme, identifier).
        sa.Column("resource_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("field", sa.UnicodeText, nullable=False),
        sa.Column("scheme", sa.UnicodeText, nullable=False),
        sa.Column("identifier", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("dataset_type", sa.UnicodeText, nullable=False),
        sa.Column("role", sa.UnicodeText),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("person", sa.Boolean, nullable=False, server_default=sa.false()),
        # Award dates "2025-03-10;2025-04-01" or sanction periods
        # "2025-02-01|2027-02-01;2028-01-01|" (plain text: cheap to COPY).
        sa.Column("moments", sa.UnicodeText),
    )
    op.create_index("anticorruption_identifier_link_key", "anticorruption_identifier_link",
                    ["scheme", "identifier"])


def downgrade():
    op.drop_table("anticorruption_identifier_link")

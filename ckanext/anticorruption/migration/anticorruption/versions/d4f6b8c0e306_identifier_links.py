"""Linkage index: the organization identifiers each checked file names.

Revision ID: d4f6b8c0e306
Revises: c3e5a7b9d204
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "d4f6b8c0e306"
down_revision = "c3e5a7b9d204"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_identifier_link",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("scheme", sa.UnicodeText, nullable=False),
        sa.Column("identifier", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("dataset_type", sa.UnicodeText, nullable=False),
        sa.Column("field", sa.UnicodeText, nullable=False),
        sa.Column("role", sa.UnicodeText),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("person", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("moments", JSONB),
    )
    op.create_index("anticorruption_identifier_link_key", "anticorruption_identifier_link",
                    ["scheme", "identifier"])
    op.create_index("anticorruption_identifier_link_role", "anticorruption_identifier_link",
                    ["role", "scheme", "identifier"])


def downgrade():
    op.drop_table("anticorruption_identifier_link")

"""Privacy guard: the scan outcome of each resource and the editors' reviews.

Revision ID: e5a7c9d1f408
Revises: d4f6b8c0e306
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "e5a7c9d1f408"
down_revision = "d4f6b8c0e306"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_privacy_state",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("run_id", sa.UnicodeText),
        sa.Column("source", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("findings", JSONB, nullable=False, server_default="{}"),
        sa.Column("updated", sa.DateTime, nullable=False),
    )
    op.create_table(
        "anticorruption_privacy_review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("resource_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("decision", sa.UnicodeText, nullable=False),
        sa.Column("justification", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("findings", JSONB, nullable=False, server_default="{}"),
        sa.Column("source", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("anticorruption_privacy_review")
    op.drop_table("anticorruption_privacy_state")

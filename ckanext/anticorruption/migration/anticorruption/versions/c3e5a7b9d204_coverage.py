"""Coverage: declarations of agencies and the portal, users' requests, daily snapshots.

Revision ID: c3e5a7b9d204
Revises: b2d4f6a8c102
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "c3e5a7b9d204"
down_revision = "b2d4f6a8c102"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_coverage_declaration",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("type_id", sa.UnicodeText, primary_key=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("by_portal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "anticorruption_coverage_request",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("type_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "type_id", "user_id"),
    )
    op.create_table(
        "anticorruption_coverage_snapshot",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("taken", sa.DateTime, nullable=False, index=True),
        sa.Column("organization_id", sa.UnicodeText, index=True),
        sa.Column("score", sa.Integer),
        sa.Column("expected", sa.Integer, nullable=False),
        sa.Column("published", sa.Integer, nullable=False),
        sa.Column("valid_and_fresh", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("anticorruption_coverage_snapshot")
    op.drop_table("anticorruption_coverage_request")
    op.drop_table("anticorruption_coverage_declaration")

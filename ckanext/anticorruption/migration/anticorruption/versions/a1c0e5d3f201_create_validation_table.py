"""Validation runs of resources: state, progress, counts and the capped report.

Revision ID: a1c0e5d3f201
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "a1c0e5d3f201"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_validation",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("run_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("source", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime),
        sa.Column("finished", sa.DateTime),
        sa.Column("rows_checked", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("error_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("error_counts", JSONB, nullable=False, server_default="{}"),
        sa.Column("problem", sa.UnicodeText),
        sa.Column("problem_params", JSONB, nullable=False, server_default="{}"),
        sa.Column("detected", JSONB, nullable=False, server_default="{}"),
        sa.Column("report", JSONB),
        sa.Column("engine", sa.UnicodeText),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "anticorruption_publication_hold",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("anticorruption_publication_hold")
    op.drop_table("anticorruption_validation")

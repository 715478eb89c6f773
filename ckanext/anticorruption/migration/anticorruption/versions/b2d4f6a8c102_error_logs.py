"""Every error of the latest run of a resource, as a gzip CSV.

Revision ID: b2d4f6a8c102
Revises: a1c0e5d3f201
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "b2d4f6a8c102"
down_revision = "a1c0e5d3f201"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_error_log",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("run_id", sa.UnicodeText, nullable=False),
        sa.Column("error_count", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )


def downgrade():
    op.drop_table("anticorruption_error_log")

"""Validation runs: how many times a run was started by a worker that then died.

Revision ID: f6b8d0e2a510
Revises: e5a7c9d1f408
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "f6b8d0e2a510"
down_revision = "e5a7c9d1f408"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("anticorruption_validation",
                  sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    # The sweeper looks for unfinished runs every few seconds.
    op.create_index("anticorruption_validation_unfinished", "anticorruption_validation", ["state"],
                    postgresql_where=sa.text("state IN ('pending', 'running')"))


def downgrade():
    op.drop_index("anticorruption_validation_unfinished", "anticorruption_validation")
    op.drop_column("anticorruption_validation", "attempts")

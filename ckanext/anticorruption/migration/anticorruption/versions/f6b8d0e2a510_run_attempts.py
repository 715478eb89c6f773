"""Runs and the index reach an end by themselves: attempts of a run whose worker
died; datasets whose search index could not be updated (Solr was down).

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
    op.create_table(
        "anticorruption_index_pending",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("since", sa.DateTime, nullable=False),
        sa.Column("problem", sa.UnicodeText, nullable=False, server_default=""),
    )


def downgrade():
    op.drop_table("anticorruption_index_pending")
    op.drop_index("anticorruption_validation_unfinished", "anticorruption_validation")
    op.drop_column("anticorruption_validation", "attempts")

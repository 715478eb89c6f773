"""The DataStore load of a resource's file: its phase, progress and outcome, kept apart from its validation.

Revision ID: 141ff235f5e2
Revises: e3f654bf27a3
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "141ff235f5e2"
down_revision = "e3f654bf27a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anticorruption_datastore_load",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("run_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("detail", sa.UnicodeText),
        sa.Column("rows_loaded", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("rows_total", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("rows_indexed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("load_seconds", sa.Float),
        sa.Column("index_seconds", sa.Float),
        sa.Column("started", sa.DateTime),
        sa.Column("updated", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("anticorruption_datastore_load")

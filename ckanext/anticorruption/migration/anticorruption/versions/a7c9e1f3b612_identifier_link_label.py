"""The linkage index keeps a name as written: the label of a normalised name
(scheme NAME, the second tier of the red flags) or the supplier's name beside
an identifier.

Revision ID: a7c9e1f3b612
Revises: f6b8d0e2a510
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "a7c9e1f3b612"
down_revision = "f6b8d0e2a510"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable and without a default: adding it rewrites nothing.
    op.add_column("anticorruption_identifier_link", sa.Column("label", sa.UnicodeText))


def downgrade():
    op.drop_column("anticorruption_identifier_link", "label")

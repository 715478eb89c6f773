"""Coverage snapshots say whether they are demo data: the demo's back-dated history is told apart on the charts.

Revision ID: e3f654bf27a3
Revises: 08d2f4b6c713
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "e3f654bf27a3"
down_revision = "08d2f4b6c713"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("anticorruption_coverage_snapshot",
                  sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column("anticorruption_coverage_snapshot", "demo")

"""Optional export columns for the 766 scorecard: online filing, online payment, supplements, digitisation.

Revision ID: rep01_scorecard_columns
Revises: opsserve01_budget_window
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rep01_scorecard_columns"
down_revision = "opsserve01_budget_window"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("online", sa.String(length=8), nullable=False, server_default=""))
        batch.add_column(sa.Column("paid_online", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("supplements", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("digitised", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        for name in ("digitised", "supplements", "paid_online", "online"):
            batch.drop_column(name)

"""The shared send-rate budget (one row per platform and per chat) and the Zalo OA followers' last contact.

Revision ID: opsserve01_budget_window
Revises: secverify01_guess_counters
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "opsserve01_budget_window"
down_revision = "secverify01_guess_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "zalo_oa_contacts",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("zalo_oa_contacts")
    op.drop_table("send_budget")

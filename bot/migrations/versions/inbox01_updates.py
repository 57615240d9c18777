"""The inbox of acknowledged webhook updates (answered by the worker through the outbox).

Revision ID: inbox01_updates
Revises: late01_open_by_unit_index
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "inbox01_updates"
down_revision = "late01_open_by_unit_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("update_id", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.UniqueConstraint("channel", "update_id", name="uq_inbox_update"),
    )
    op.create_index("ix_inbox_state", "inbox", ["state", "id"])
    op.create_index("ix_inbox_chat", "inbox", ["channel", "chat_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_chat", table_name="inbox")
    op.drop_index("ix_inbox_state", table_name="inbox")
    op.drop_table("inbox")

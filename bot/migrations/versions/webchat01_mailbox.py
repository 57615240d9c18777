"""The web chat's mailbox: messages waiting for (and shown to) each web visitor, numbered per visitor.

Revision ID: webchat01_mailbox
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "webchat01_mailbox"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("file", sa.LargeBinary(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "seq", name="uq_webchat_message_seq"),
    )
    op.create_index("ix_webchat_messages_created_at", "webchat_messages", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webchat_messages_created_at", table_name="webchat_messages")
    op.drop_table("webchat_messages")

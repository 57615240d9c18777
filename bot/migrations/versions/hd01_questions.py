"""Hỏi cán bộ: citizens' questions to officers, the routes their answers take, the anonymised gaps log.

Revision ID: hd01_questions
Revises: webchat01_mailbox
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hd01_questions"
down_revision = "webchat01_mailbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=255), nullable=False),
        sa.Column("procedure_code", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_masked", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reminded_on", sa.String(length=10), nullable=False),
        sa.Column("faq_state", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_questions_status_due", "handoff_questions", ["status", "due_at"], unique=False)
    op.create_index("ix_handoff_questions_created", "handoff_questions", ["created_at"], unique=False)
    op.create_table(
        "handoff_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["handoff_questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id"),
    )
    op.create_table(
        "handoff_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text_masked", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_gaps_created", "handoff_gaps", ["created_at"], unique=False)
    op.create_index("ix_handoff_gaps_key_created", "handoff_gaps", ["key", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_handoff_gaps_key_created", table_name="handoff_gaps")
    op.drop_index("ix_handoff_gaps_created", table_name="handoff_gaps")
    op.drop_table("handoff_gaps")
    op.drop_table("handoff_routes")
    op.drop_index("ix_handoff_questions_created", table_name="handoff_questions")
    op.drop_index("ix_handoff_questions_status_due", table_name="handoff_questions")
    op.drop_table("handoff_questions")

"""Verification guesses counted per chat, code and channel (locked rows), and the stronger answer's digest.

Revision ID: secverify01_guess_counters
Revises: hd01_questions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "secverify01_guess_counters"
down_revision = "hd01_questions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope"),
    )
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("phone_year_digest", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("phone_year_digest")
    op.drop_table("verification_counters")

"""Every ``channel`` column holds 32 characters (registry names such as "web_chat").

On SQLite (which does not enforce VARCHAR lengths) the tables are rebuilt in batch mode, so the declared
type matches the models everywhere.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "complaint_routes",
    "conversations",
    "dossier_subscriptions",
    "officers",
    "outbox",
    "processed_updates",
    "ratings",
    "verification_attempts",
)


def _resize(length_from: int, length_to: int) -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("channel", type_=sa.String(length_to), existing_type=sa.String(length_from),
                               existing_nullable=False)


def upgrade() -> None:
    _resize(16, 32)


def downgrade() -> None:
    _resize(32, 16)

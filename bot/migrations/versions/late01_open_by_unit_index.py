"""The morning alert's index: open dossiers only, by unit and due time, covering the counts (supplements).

Replaces ``ix_dossiers_open_unit_due`` (``is_open, unit, due_at``, every dossier) with a partial index on
``(unit, due_at, id, supplements) WHERE is_open``: the alert's grouped count becomes an index-only scan and
each unit's most urgent dossiers an ordered scan that stops after the first few; finished dossiers (most of
an office's history) are no longer indexed.

Revision ID: late01_open_by_unit_index
Revises: rep01_scorecard_columns
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "late01_open_by_unit_index"
down_revision = "rep01_scorecard_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dossiers_open_unit_due", table_name="dossiers")
    op.create_index("ix_dossiers_open_by_unit", "dossiers", ["unit", "due_at", "id", "supplements"], unique=False,
                    sqlite_where=sa.text("is_open = 1"), postgresql_where=sa.text("is_open"))


def downgrade() -> None:
    op.drop_index("ix_dossiers_open_by_unit", table_name="dossiers")
    op.create_index("ix_dossiers_open_unit_due", "dossiers", ["is_open", "unit", "due_at"], unique=False)

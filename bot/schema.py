"""The whole database schema: every module that defines tables, and ``create_schema`` to create them.

It sits at the top of ``bot/`` (beside the assistant and the command line), because it has to know the
tables of every package; the packages themselves only know ``bot.storage.models.Base``.
"""

from __future__ import annotations

import bot.channels.zalo_models
import bot.dossiers.models
import bot.feedback.models
import bot.officers.models
import bot.outbox.models
import bot.storage.models  # noqa: F401
from bot.storage.db import Database
from bot.storage.models import Base


def create_schema(db: Database) -> None:
    """Create the missing tables of every package (idempotent; there are no migrations yet)."""
    Base.metadata.create_all(db.engine)

"""Imports every module that defines tables, so ``Base.metadata`` knows the whole schema."""

from __future__ import annotations

import bot.dossiers.models
import bot.officers.models
import bot.outbox.models
import bot.storage.models  # noqa: F401

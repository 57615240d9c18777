"""Imports every module that defines tables, so ``Base.metadata`` knows the whole schema."""

from __future__ import annotations

import bot.channels.zalo_models
import bot.dossiers.models
import bot.feedback.models
import bot.officers.models
import bot.outbox.models
import bot.storage.models  # noqa: F401

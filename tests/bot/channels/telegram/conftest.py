"""Fixtures for channel tests: the fake Bot API server, a scripted assistant, a polling Application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.schema import create_schema
from bot.storage.conversations import UpdateLog
from bot.storage.db import Database
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.polling import PollingFactory, polling
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    """A fake Telegram Bot API on 127.0.0.1 (free port)."""
    with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
def update_log(tmp_path: Path) -> Iterator[UpdateLog]:
    """A real update log in a temporary SQLite database."""
    db = Database(f"sqlite:///{tmp_path / 'updates.db'}")
    create_schema(db)
    yield UpdateLog(db)
    db.dispose()


@pytest.fixture
def assistant(update_log: UpdateLog) -> ScriptedAssistant:
    """A scripted assistant; tests set ``assistant.script`` to choose the replies."""
    return ScriptedAssistant(update_log)


@pytest.fixture
def serve_polling(fake_api: FakeTelegramAPI) -> PollingFactory:
    """``async with serve_polling(assistant):`` runs any assistant against the fake API."""
    return lambda assistant: polling(assistant, fake_api)


@pytest.fixture
async def bot_app(assistant: ScriptedAssistant, serve_polling: PollingFactory) -> AsyncIterator[Application]:
    """The scripted assistant served by a polling Application."""
    async with serve_polling(assistant) as application:
        yield application

"""Run a real python-telegram-bot Application against the fake Bot API, in long-polling mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

from telegram.ext import Application

from bot.channels.base import Responder
from bot.channels.telegram import ALLOWED_UPDATES, build_application
from tests.fakes.telegram_api import FakeTelegramAPI

#: ``async with factory(assistant) as application: …``
PollingFactory = Callable[[Responder], AbstractAsyncContextManager[Application]]


@asynccontextmanager
async def polling(assistant: Responder, api: FakeTelegramAPI) -> AsyncIterator[Application]:
    """The Application built by ``build_application``, long polling ``api``; stopped cleanly on exit."""
    application = build_application(assistant, api.token, base_url=api.base_url, timeout=5.0)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
    )
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()

"""Telegram channel: python-telegram-bot updates ⇄ ``Incoming`` / ``Reply``.

The adapter maps each update to one ``Incoming`` (text, command, button press, or something unsupported),
runs the platform-free assistant in a worker thread and renders its replies: HTML text split under 4096
characters, the inline keyboard on the last piece, files as documents or photos. Redelivered updates are
ignored through the assistant's update log. ``run_telegram`` serves either by long polling or, when
``channels.telegram.webhook_url`` is set, by a webhook (see ``bot.channels.webhook``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol, TypeVar
from urllib.parse import urlparse

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.split import split_message, strip_tags
from bot.channels.webhook import create_app, serve, telegram_route
from bot.config import ConfigError, Settings
from bot.contract.messages import Attachment, Choice, Incoming, Kind, Reply

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
#: Only these update types are requested from Telegram; anything else is ignored if it still arrives.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: Longest flood-control pause we sit out before giving up on one message.
MAX_RETRY_WAIT = 30.0
_PHOTO_TYPES = {"image/png", "image/jpeg"}
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

log = logging.getLogger(__name__)
T = TypeVar("T")


class UpdateClaims(Protocol):
    """Remembers handled updates (``bot.storage.conversations.UpdateLog`` fits)."""

    def claim(self, channel: str, update_id: str) -> bool:
        """True the first time an update is seen."""
        ...


class AssistantLike(Protocol):
    """What the adapter needs from ``bot.app.Assistant``."""

    @property
    def updates(self) -> UpdateClaims:
        """The update log used for idempotency."""
        ...

    @property
    def settings(self) -> Settings:
        """The office settings."""
        ...

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message (synchronous, thread-safe)."""
        ...


# --------------------------------------------------------------------------- update → Incoming


def incoming_from_update(update: Update, bot_username: str = "") -> Incoming | None:
    """The ``Incoming`` for a message or button press; None for anything else (edits, channel posts)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    common = {
        "channel": CHANNEL,
        "chat_id": str(chat.id),
        "user_id": str(user.id),
        "display_name": user.full_name,
        "language_hint": user.language_code or "",
    }
    if update.callback_query is not None:
        return Incoming(kind=Kind.CHOICE, choice=update.callback_query.data or "", **common)
    message = update.message
    if message is None:
        return None
    if message.text is None:
        return Incoming(kind=Kind.UNSUPPORTED, **common)
    return Incoming(kind=Kind.TEXT, text=_without_bot_mention(message, bot_username), **common)


def _without_bot_mention(message: Message, bot_username: str) -> str:
    """Drop the bot's name from a command, "/lang@my_bot en" → "/lang en" (as sent in groups)."""
    text = message.text or ""
    command, sep, rest = text.partition(" ")
    name, at, mention = command.partition("@")
    if text.startswith("/") and at and bot_username and mention.lower() == bot_username.lower():
        return name + sep + rest
    return text


# --------------------------------------------------------------------------- Reply → Telegram


def keyboard_for(choices: list[list[Choice]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard for the choice rows; buttons whose data Telegram would refuse are dropped."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in choices:
        buttons = []
        for choice in row:
            size = len(choice.data.encode("utf-8"))
            if 1 <= size <= MAX_CALLBACK_DATA:
                buttons.append(InlineKeyboardButton(choice.label, callback_data=choice.data))
            else:
                log.warning("dropped a button: callback data is %d bytes (allowed 1-%d)", size, MAX_CALLBACK_DATA)
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def send_replies(bot: Bot, chat_id: int | str, replies: list[Reply]) -> None:
    """Send every reply, in order."""
    for reply in replies:
        await send_reply(bot, chat_id, reply)


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply) -> None:
    """Send one reply: its text in pieces ≤ 4096 characters (keyboard on the last), then its files."""
    markup = keyboard_for(reply.choices)
    pieces = split_message(reply.text, MAX_TEXT) if reply.text.strip() else []
    if not pieces and markup is not None:
        pieces = ["…"]  # a keyboard needs a message to hang on
    for number, piece in enumerate(pieces, start=1):
        await send_text(bot, chat_id, piece, markup if number == len(pieces) else None)
    for attachment in reply.attachments:
        await send_attachment(bot, chat_id, attachment)


async def send_text(bot: Bot, chat_id: int | str, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send HTML text; if Telegram cannot parse the HTML, send the same text as plain text."""
    try:
        await _patiently(lambda: bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup))
    except BadRequest as exc:
        if "can't parse entities" not in exc.message.lower():
            raise
        log.warning("Telegram refused the reply's HTML; sending it as plain text")
        plain = strip_tags(text)
        await _patiently(lambda: bot.send_message(chat_id, plain, reply_markup=markup))


async def send_attachment(bot: Bot, chat_id: int | str, attachment: Attachment) -> None:
    """A PNG/JPEG goes as a photo, anything else (CSV…) as a document."""
    if attachment.mime_type in _PHOTO_TYPES:
        await _patiently(lambda: bot.send_photo(chat_id, photo=attachment.content, filename=attachment.filename))
    else:
        await _patiently(lambda: bot.send_document(chat_id, document=attachment.content, filename=attachment.filename))


async def _patiently(call: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Run an API call, sitting out Telegram's flood control (429 ``retry_after``) a few times."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = _retry_seconds(exc)
            if attempt == attempts or wait > MAX_RETRY_WAIT:
                raise
            log.warning("Telegram flood control: retrying in %.0f s", wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# --------------------------------------------------------------------------- the Application


class TelegramAdapter:
    """The python-telegram-bot handlers that connect an ``Application`` to the assistant."""

    def __init__(self, assistant: AssistantLike) -> None:
        self.assistant = assistant

    def install(self, application: Application) -> None:
        """Register the handlers: claim first (group -1), then one handler per kind of update."""
        message = filters.UpdateType.MESSAGE
        application.add_handler(TypeHandler(Update, self.claim), group=-1)
        application.add_handler(MessageHandler(message & filters.COMMAND, self.on_message))
        application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(message, self.on_message))  # stickers, photos, voice…
        application.add_error_handler(self.on_error)

    async def claim(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop here if this update_id was handled before (a redelivery)."""
        first = await asyncio.to_thread(self.assistant.updates.claim, CHANNEL, str(update.update_id))
        if not first:
            log.info("ignored redelivered update %s", update.update_id)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text, a command or an unsupported message (sticker, photo, voice, file…)."""
        await self._answer(update, context)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: stop the client's spinner at once, then answer the choice."""
        try:
            await update.callback_query.answer()  # type: ignore[union-attr]
        except TelegramError as exc:  # too late to answer (old button) is no reason to stay silent
            log.warning("could not answer callback query: %s", type(exc).__name__)
        await self._answer(update, context)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log handler failures without the user's message."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)

    async def _answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = incoming_from_update(update, context.bot.username if context.bot else "")
        if incoming is None:
            return
        log.debug("update %s: %s", update.update_id, incoming.kind)
        replies = await asyncio.to_thread(self.assistant.handle, incoming)
        await send_replies(context.bot, incoming.chat_id, replies)


def build_application(
    assistant: AssistantLike,
    token: str,
    *,
    base_url: str = "",
    timeout: float = 10.0,
    polling: bool = True,
) -> Application:
    """An ``Application`` wired to ``assistant``.

    ``base_url`` points the library at another Bot API server (a local one in tests; ".../bot" form,
    the token is appended); ``timeout`` bounds every HTTP call; ``polling=False`` builds it without an
    updater, for the webhook server.
    """
    builder = (
        ApplicationBuilder()
        .token(token)
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .media_write_timeout(max(timeout, 20.0))
        .get_updates_connect_timeout(timeout)
        .get_updates_read_timeout(timeout)
        .get_updates_pool_timeout(timeout)
    )
    if base_url:
        builder = builder.base_url(base_url)
        if base_url.endswith("/bot"):
            builder = builder.base_file_url(base_url.removesuffix("bot") + "file/bot")
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    TelegramAdapter(assistant).install(application)
    return application


def _token(settings: Settings) -> str:
    token = settings.telegram_token
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token")
    return token


def run_telegram(assistant: AssistantLike) -> None:
    """Serve Telegram until interrupted: a webhook when ``webhook_url`` is configured, else long polling."""
    settings = assistant.settings
    config = settings.channels.telegram
    token = _token(settings)
    if config.webhook_url:
        asyncio.run(serve_telegram_webhook(assistant))
        return
    application = build_application(assistant, token, base_url=config.base_url)
    log.info("Telegram: long polling")
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


async def serve_telegram_webhook(assistant: AssistantLike, *, stop: asyncio.Event | None = None) -> None:
    """Register the webhook with Telegram and serve it with uvicorn until interrupted (or ``stop`` is set).

    The route is the path of ``webhook_url`` (e.g. ``https://example.gov.vn/telegram/<random>``); the
    reverse proxy forwards it to ``listen:port``. The webhook is left registered on exit, so another
    replica keeps receiving updates.
    """
    settings = assistant.settings
    config = settings.channels.telegram
    token, secret = _token(settings), settings.telegram_webhook_secret
    if not _SECRET_RE.fullmatch(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET must be set for webhook mode: 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    path = urlparse(config.webhook_url).path or "/telegram/webhook"
    application = build_application(assistant, token, base_url=config.base_url, polling=False)
    async with application:
        await application.start()
        await application.bot.set_webhook(config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("Telegram: webhook on %s:%d%s", config.listen, config.port, path)
        try:
            app = create_app([telegram_route(application, secret, path)])
            await serve(app, config.listen, config.port, stop=stop)
        finally:
            await application.stop()

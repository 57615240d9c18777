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
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
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

from bot.channels.base import Channel, Responder, answer_durably
from bot.channels.inbox import Inbox
from bot.channels.telegram_config import CAPABILITIES as CAPABILITIES  # defined there, re-exported for callers
from bot.channels.telegram_config import CHANNEL as CHANNEL
from bot.channels.telegram_config import MAX_TEXT as MAX_TEXT
from bot.channels.telegram_config import polling_enabled as polling_enabled
from bot.channels.telegram_config import webhook_enabled as webhook_enabled
from bot.channels.webhook import (
    MAX_BODY_BYTES,
    Accept,
    WebChannels,
    create_web_app,
    secret_json,
    secret_problem,
    serve,
)
from bot.config import ENV_TELEGRAM_SECRET, ConfigError, Settings
from bot.contract.html import strip_tags
from bot.contract.messages import Attachment, Choice, Incoming, Kind, Reply
from bot.inbox.payload import Arrival
from bot.outbox.sender import PermanentFailure, RetryLater

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CALLBACK_DATA = 64
#: Only these update types are requested from Telegram; anything else is ignored if it still arrives.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: Longest flood-control pause we sit out before giving up on one message.
MAX_RETRY_WAIT = 30.0
_PHOTO_TYPES = {"image/png", "image/jpeg"}

#: python-telegram-bot's Application with its default context and persistence types.
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    quoted = message.reply_to_message
    reply_to = (quoted.text or "") if quoted is not None and quoted.from_user is not None and quoted.from_user.is_bot \
        else ""
    return Incoming(kind=Kind.TEXT, text=_without_bot_mention(message, bot_username), reply_to=reply_to, **common)


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


class TelegramChannel(Channel):
    """Telegram as a ``Channel``: HTML pieces ≤ 4096 characters with the inline keyboard on the last one,
    PNG/JPEG as photos, other files (CSV) as documents. Flood-control pauses are sat out (``_patiently``)."""

    name = CHANNEL
    platform = "Telegram"
    capabilities = CAPABILITIES

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send ``reply``; ``RetryLater`` (429 beyond the short pauses, 5xx, network) or ``PermanentFailure``
        (blocked, chat gone, refused)."""
        try:
            await super().send(chat_id, reply)
        except RetryLater:
            raise
        except RetryAfter as exc:
            raise RetryLater("Telegram flood control (429)", retry_after=_retry_seconds(exc)) from exc
        except (Forbidden, ChatMigrated) as exc:  # blocked by the user, kicked, or the group moved
            raise PermanentFailure(f"{type(exc).__name__}: {exc.message}") from exc
        except BadRequest as exc:  # chat not found, message refused: sending it again cannot help
            raise PermanentFailure(f"BadRequest: {exc.message}") from exc
        except (NetworkError, InvalidToken) as exc:  # timeouts, 5xx, connection errors; a token being fixed
            raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc
        except TelegramError as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc

    async def send_text(self, chat_id: str, text: str, choices: list[list[Choice]]) -> None:
        """``sendMessage`` as HTML (plain text if Telegram cannot parse it), with the keyboard of ``choices``."""
        await send_text(self.bot, chat_id, text, keyboard_for(choices))

    async def send_file(self, chat_id: str, attachment: Attachment, as_photo: bool) -> None:
        """``sendPhoto`` or ``sendDocument``."""
        if as_photo:
            await _patiently(lambda: self.bot.send_photo(chat_id, photo=attachment.content,
                                                         filename=attachment.filename))  # fmt: skip
        else:
            await _patiently(lambda: self.bot.send_document(chat_id, document=attachment.content,
                                                            filename=attachment.filename))  # fmt: skip


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

    def __init__(self, assistant: Responder) -> None:
        self.assistant = assistant

    def install(self, application: AnyApplication) -> None:
        """Register the handlers: claim first (group -1), then one handler per kind of update."""
        message = filters.UpdateType.MESSAGE
        application.add_handler(TypeHandler(Update, self.claim), group=-1)
        application.add_handler(MessageHandler(message & filters.COMMAND, self.on_message))
        application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(message, self.on_message))  # stickers, photos, voice…
        application.add_error_handler(self.on_error)

    async def claim(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop here if this update_id was handled before (a redelivery); the claim itself is recorded with
        the replies (``answer_durably``)."""
        if await asyncio.to_thread(self.assistant.updates.seen, CHANNEL, str(update.update_id)):
            log.info("ignored redelivered update %s", update.update_id)
            raise ApplicationHandlerStop

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text, a command or an unsupported message (sticker, photo, voice, file…)."""
        await self._answer(update, context)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: stop the client's spinner at once, then answer the choice."""
        await _stop_spinner(update)
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
        # recorded with the update's claim, then sent; what Telegram refuses for now (5xx, network, long flood
        # control) is left to the outbox's retries
        await answer_durably(TelegramChannel(context.bot), self.assistant.updates, incoming.chat_id, replies,
                             str(update.update_id))  # fmt: skip


def build_application(
    assistant: Responder,
    token: str,
    *,
    base_url: str = "",
    timeout: float = 10.0,
    polling: bool = True,
) -> AnyApplication:
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


def run_telegram(assistant: Responder) -> None:
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


async def poll_telegram(assistant: Responder, stop: asyncio.Event) -> None:
    """Answer Telegram by long polling in the running event loop until ``stop`` is set."""
    settings = assistant.settings
    application = build_application(assistant, _token(settings), base_url=settings.channels.telegram.base_url)
    async with application:  # initialize … shutdown
        updater = application.updater
        assert updater is not None
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await application.start()
        log.info("Telegram: long polling")
        try:
            await stop.wait()
        finally:
            await updater.stop()
            await application.stop()
def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def well_formed(update: Update) -> bool:
    """Whether the parts the library and the assistant rely on have their Bot API types (``de_json`` keeps
    whatever it is given: an id that is a list would fail deep inside the library)."""
    try:
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        query = update.callback_query
    except Exception:
        return False
    if not all(_is_int(x.id) for x in (chat, user) if x is not None):
        return False
    if message is not None and not (_is_int(message.message_id) and isinstance(message.text, str | None)):
        return False
    return query is None or (isinstance(query.id, str) and isinstance(query.data, str | None))


def telegram_route(
    application: AnyApplication, secret: str, path: str = "/telegram/webhook", max_body: int = MAX_BODY_BYTES,
    accept: Accept | None = None,
) -> Route:  # fmt: skip
    """``POST path``: Telegram updates, checked against ``secret``, taken by ``accept`` (``inbox_accept``:
    recorded) or, without it, processed by ``application`` at once.

    Answers 403 for a missing/wrong secret, 413 for a body over ``max_body``, 400 for anything that is not
    an update; 200 once the update has been taken (the application must be initialized).
    """
    if not secret:
        raise ValueError("a webhook secret is required")

    async def receive(request: Request) -> Response:
        data = await secret_json(request, SECRET_HEADER, secret, max_body)
        if isinstance(data, Response):
            return data
        if not isinstance(data.get("update_id"), int):
            return PlainTextResponse("not a Telegram update", status_code=400)
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # the library trusts the shape it is given: anything it cannot read is a bad request
            return PlainTextResponse("not a Telegram update", status_code=400)
        if not well_formed(update):
            return PlainTextResponse("not a Telegram update", status_code=400)
        if accept is None:
            await application.process_update(update)
            return PlainTextResponse("ok")
        outcome = await accept(update)
        return outcome if isinstance(outcome, Response) else PlainTextResponse("ok")

    return Route(path, receive, methods=["POST"])


def inbox_accept(inbox: Inbox, application: AnyApplication) -> Accept:
    """Record an update's message in ``inbox``; a button press also stops the client's spinner, in the
    background (the 200 does not wait for Telegram)."""
    pending: set[asyncio.Task[None]] = set()

    async def accept(update: Update) -> Response | None:
        incoming = incoming_from_update(update, application.bot.username if application.bot else "")
        if incoming is None:
            return None
        refused = await inbox.accept(Arrival(incoming, str(update.update_id)))
        if refused is None and update.callback_query is not None:
            task = asyncio.create_task(_stop_spinner(update))
            pending.add(task)
            task.add_done_callback(pending.discard)
        return refused

    return accept


async def _stop_spinner(update: Update) -> None:
    try:
        await update.callback_query.answer()  # type: ignore[union-attr]
    except TelegramError as exc:  # too late to answer (old button) is no reason to stay silent
        log.warning("could not answer callback query: %s", type(exc).__name__)


def telegram_web(assistant: Responder, inbox: Inbox | None = None) -> WebChannels:
    """The webhook route at the path of ``webhook_url``, and its registration with Telegram on start.

    The one way the webhook is registered, whether ``python -m bot web`` serves every channel or
    ``run_telegram`` serves Telegram alone (without ``inbox``: each update answered before its 200, as that
    server runs no outbox dispatcher). The webhook is left registered on exit, so another replica keeps
    receiving updates.
    """
    settings = assistant.settings
    config = settings.channels.telegram
    token, secret = _token(settings), settings.telegram_webhook_secret
    problem = secret_problem(ENV_TELEGRAM_SECRET, secret)
    if problem:
        raise ConfigError(f"{problem} (needed for Telegram's webhook mode)")
    path = urlparse(config.webhook_url).path or "/telegram/webhook"
    application = build_application(assistant, token, base_url=config.base_url, polling=False)

    async def start() -> None:
        await application.initialize()
        await application.start()
        await application.bot.set_webhook(config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("Telegram: webhook on %s", path)

    async def stop() -> None:
        await application.stop()
        await application.shutdown()

    accept = inbox_accept(inbox, application) if inbox is not None else None
    route = telegram_route(application, secret, path, accept=accept)
    return WebChannels(routes=[route], on_start=[start], on_stop=[stop])


async def serve_telegram_webhook(assistant: Responder, *, stop: asyncio.Event | None = None) -> None:
    """Serve the Telegram webhook alone on ``listen:port`` until interrupted (or ``stop`` is set); the
    reverse proxy forwards the path of ``webhook_url`` there."""
    config = assistant.settings.channels.telegram
    await serve(create_web_app(telegram_web(assistant)), config.listen, config.port, stop=stop)

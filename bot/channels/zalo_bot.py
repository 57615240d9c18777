"""Zalo Bot Platform channel: the token-based Bot API (modelled on Telegram's) ⇄ ``Incoming`` / ``Reply``.

Zalo has no buttons, so a reply is sent as plain text followed by a numbered list of its choices; the
user answers with the number and the router resolves it (a stale number gets a clear message). Texts
are split under 2,000 characters at paragraph, line or word boundaries, keeping the numbered list whole
on the last piece when it fits. Events are de-duplicated by event name + message id.

Updates arrive by long polling (``ZaloBotAdapter.poll``) or by webhook (``bot.channels.webapp``).
Replies that cannot be sent right now (429, 5xx, network) are put into the outbox, which retries them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.channels.split import split_message, strip_tags
from bot.contract.messages import Attachment, Choice, Incoming, Kind, Reply
from bot.masking import mask_id
from bot.outbox.sender import PermanentFailure, RetryLater

CHANNEL = "zalo_bot"
MAX_TEXT = 2000
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_EVENT = "message.text.received"
#: Seconds the handler may work before the user sees "typing…".
TYPING_DELAY = 0.3
_PHOTO_TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the HTTP client


class ZaloBotClient:
    """Calls ``{base_url}/bot{token}/{method}`` and maps the ``{"ok": …}`` answers to results or errors.

    429 → ``RetryLater`` (with the answer's ``retry_after`` when given), 5xx and network errors →
    ``RetryLater``, any other refusal → ``PermanentFailure``. Error messages never contain the token.

    aiohttp rather than httpx: every answered message makes at least one call here, and on this path
    aiohttp costs about a tenth of httpx's CPU per request (measured: 0.09 ms against 1.2 ms). A session
    belongs to one event loop; the client opens one per loop it is used from (webhook server, outbox thread).
    """

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 10.0) -> None:
        if not token:
            raise ValueError("a Zalo Bot token is required (ZALO_BOT_TOKEN)")
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = timeout
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
            self._sessions[loop] = session
        return session

    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """POST ``params`` as JSON to ``method``; the ``result`` of a successful answer."""
        extra = {"timeout": aiohttp.ClientTimeout(total=timeout)} if timeout is not None else {}
        try:
            async with self._session().post(self._prefix + method, json=params or {}, **extra) as answer:
                raw = await answer.read()
                return _result(method, answer.status, answer.reason or "", answer.headers.get("retry-after"), raw)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"{method}: network error ({type(exc).__name__})") from None

    async def send_message(self, chat_id: str, text: str) -> Any:
        """``sendMessage``: one plain text (≤ 2,000 characters)."""
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> Any:
        """``sendPhoto``: a picture by public URL."""
        return await self.call("sendPhoto", {"chat_id": chat_id, "photo": photo_url, "caption": caption})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        """``sendChatAction``: show "typing…" in the chat."""
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """``getUpdates`` (long polling): the events waiting, [] when none arrived in ``timeout`` s."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 10)
        except PermanentFailure as exc:
            if "408" in str(exc):  # some deployments answer "no update" with error 408
                return []
            raise
        if result is None:
            return []
        return [r for r in (result if isinstance(result, list) else [result]) if isinstance(r, dict)]

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        """``setWebhook``: deliver events to ``url`` with ``X-Bot-Api-Secret-Token: secret_token``."""
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        """``deleteWebhook`` (needed before long polling)."""
        return await self.call("deleteWebhook")

    async def aclose(self) -> None:
        """Close the HTTP session of the current event loop."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()


def _result(method: str, status: int, reason: str, retry_header: str | None, raw: bytes) -> Any:
    """The ``result`` of an API answer, or the mapped error."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if status == 200 and body.get("ok") is True:
        return body.get("result")
    code = body.get("error_code") or status
    description = str(body.get("description") or reason)[:200]
    message = f"{method}: {code} {description}"
    if code == 429 or status == 429:
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        raise RetryLater(message, _seconds(parameters.get("retry_after", retry_header)))
    if status >= 500 or (isinstance(code, int) and code >= 500):
        raise RetryLater(message)
    raise PermanentFailure(message)


def _seconds(raw: Any) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- event → Incoming


@dataclass(frozen=True, slots=True)
class ZaloEvent:
    """One delivered event: its de-duplication key and the message for the handlers."""

    key: str
    incoming: Incoming


def unwrap(delivery: dict[str, Any]) -> dict[str, Any]:
    """The event itself, also from a ``{"ok": true, "result": {…}}`` wrapper."""
    inner = delivery.get("result")
    if "event_name" not in delivery and isinstance(inner, dict):
        return inner
    return delivery


def event_from_delivery(delivery: Any) -> ZaloEvent | None:
    """The ``ZaloEvent`` of a webhook body or polled update; None when it is not a user message."""
    if not isinstance(delivery, dict):
        return None
    event = unwrap(delivery)
    name, message = event.get("event_name"), event.get("message")
    if not isinstance(name, str) or not isinstance(message, dict):
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat_id, message_id = chat.get("id"), message.get("message_id")
    if chat_id in (None, "") or message_id in (None, ""):
        return None
    common = {
        "channel": CHANNEL,
        "chat_id": str(chat_id),
        "user_id": str(sender.get("id") or chat_id),
        "display_name": str(sender.get("display_name") or ""),
    }
    text = message.get("text")
    if name == TEXT_EVENT and isinstance(text, str):
        incoming = Incoming(kind=Kind.TEXT, text=text, **common)
    elif name.startswith("message."):
        incoming = Incoming(kind=Kind.UNSUPPORTED, **common)  # image, sticker, unsupported…
    else:
        return None
    return ZaloEvent(key=f"{name}:{message_id}", incoming=incoming)


# --------------------------------------------------------------------------- Reply → plain text


_NUMBERED_LINE = re.compile(r"^(\d{1,2})\. (.+)$", re.M)


def already_numbered(body: str, choices: Sequence[Choice]) -> int:
    """How many leading choices the text itself already lists as "1. …", "2. …" (search candidates do)."""
    lines = {m.group(1): m.group(2) for m in _NUMBERED_LINE.finditer(body)}
    count = 0
    for number, choice in enumerate(choices, 1):
        label = choice.label.rstrip("…").strip()
        if not label or not lines.get(str(number), "").startswith(label):
            break
        count = number
    return count


def numbered_choices(reply: Reply, body: str = "") -> str:
    """The reply's choices as "1. label" lines, leaving out those ``body`` already numbers ('' if none)."""
    choices = reply.flat_choices()
    skip = already_numbered(body, choices) if body else 0
    return "\n".join(f"{number}. {c.label}" for number, c in enumerate(choices, 1) if number > skip)


def plain_pieces(reply: Reply, limit: int = MAX_TEXT) -> list[str]:
    """The reply as plain-text messages of at most ``limit`` characters, words never cut.

    The numbered list of choices follows the text on the last piece when it fits there, else it gets
    pieces of its own.
    """
    body = strip_tags(reply.text).strip()
    choices = numbered_choices(reply, body)
    pieces = split_message(body, limit) if body else []
    if not choices:
        return pieces
    if pieces and len(pieces[-1]) + 2 + len(choices) <= limit:
        pieces[-1] = f"{pieces[-1]}\n\n{choices}"
        return pieces
    return pieces + split_message(choices, limit)


def attachment_note(attachment: Attachment) -> str:
    """What to say instead of a file the platform cannot receive."""
    return f"(Tệp “{attachment.filename}” không gửi được qua Zalo; vui lòng xem trên Telegram hoặc hỏi cán bộ.)"


class MediaPublisher:
    """Publishes chart images at a public URL: writes them into ``media_dir`` (served by the office's
    reverse proxy at ``media_url``) under a content-hash name, so replicas and retries agree."""

    def __init__(self, media_dir: str | Path, media_url: str) -> None:
        self.media_dir = Path(media_dir)
        self.media_url = media_url.rstrip("/")

    def publish(self, attachment: Attachment) -> str | None:
        """The public URL of the image, or None for files that are not PNG/JPEG."""
        suffix = _PHOTO_TYPES.get(attachment.mime_type)
        if suffix is None:
            return None
        name = hashlib.sha256(attachment.content).hexdigest()[:32] + suffix
        path = self.media_dir / name
        if not path.exists():
            self.media_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(attachment.content)
            tmp.replace(path)
        return f"{self.media_url}/{name}"


class ZaloBotSender:
    """The outbox ``Sender`` for Zalo Bot: text pieces, then charts as photos (or a text note)."""

    channel = CHANNEL

    def __init__(self, client: ZaloBotClient, media: MediaPublisher | None = None) -> None:
        self.client = client
        self.media = media

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send ``reply`` to ``chat_id``; raises ``RetryLater`` or ``PermanentFailure``."""
        for piece in plain_pieces(reply):
            await self.client.send_message(chat_id, piece)
        for attachment in reply.attachments:
            url = self.media.publish(attachment) if self.media is not None else None
            if url is not None:
                await self.client.send_photo(chat_id, url, attachment.filename)
            else:
                await self.client.send_message(chat_id, attachment_note(attachment))


# --------------------------------------------------------------------------- the adapter


class ZaloBotAdapter:
    """Connects Zalo Bot events to the assistant: claim, answer in a worker thread, send the replies.

    ``assistant`` is a ``bot.app.Assistant`` (``handle``, ``updates``, ``db``). Replies the API refuses
    for now (``RetryLater``) are handed to the outbox, so the dispatcher delivers them later.
    """

    def __init__(self, assistant: Any, sender: ZaloBotSender, *, typing_delay: float = TYPING_DELAY) -> None:
        self.assistant = assistant
        self.sender = sender
        self.typing_delay = typing_delay
        self._workers = handler_pool(assistant)

    async def handle_delivery(self, delivery: Any) -> bool:
        """Process one webhook body / polled update; True when it was a new user message."""
        event = event_from_delivery(delivery)
        if event is None:
            return False
        replies = await self._answer(event)
        if replies is None:
            log.info("zalo_bot: ignored redelivered event %s", event.key.split(":", 1)[0])
            return False
        await deliver(self.sender, getattr(self.assistant, "db", None), event.incoming.chat_id, replies, event.key)
        return True

    def _claim_and_handle(self, event: ZaloEvent, started: threading.Event) -> list[Reply] | None:
        """In a worker thread: None for a redelivery, else the assistant's replies."""
        if not self.assistant.updates.claim(CHANNEL, event.key):
            return None
        started.set()
        return self.assistant.handle(event.incoming)

    async def _answer(self, event: ZaloEvent) -> list[Reply] | None:
        """Claim and answer in one worker-thread hop; "typing…" if the answering itself takes longer than
        ``typing_delay`` (not while the event merely waits for a worker: under overload that would add work)."""
        loop = asyncio.get_running_loop()
        started = threading.Event()
        work = loop.run_in_executor(self._workers, self._claim_and_handle, event, started)
        done, _ = await asyncio.wait({work}, timeout=self.typing_delay)
        if not done and started.is_set():
            try:
                await self.sender.client.send_chat_action(event.incoming.chat_id)
            except (RetryLater, PermanentFailure) as exc:
                log.debug("zalo_bot: typing indicator not shown: %s", exc)
        return await work

    async def poll(self, stop: asyncio.Event, *, timeout: int = 30) -> None:
        """Long-poll ``getUpdates`` until ``stop`` is set, backing off after errors."""
        backoff = 1.0
        while not stop.is_set():
            try:
                updates = await self.sender.client.get_updates(timeout)
                backoff = 1.0
            except (RetryLater, PermanentFailure) as exc:
                log.warning("zalo_bot: getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            for update in updates:
                try:
                    await self.handle_delivery(update)
                except Exception:  # one bad event must not stop the loop
                    log.exception("zalo_bot: event failed")


def handler_pool(assistant: Any) -> ThreadPoolExecutor:
    """Worker threads for the assistant: one on SQLite, several on a server database.

    SQLite allows one writer at a time and makes the others sleep-and-retry (up to 100 ms per nap), so
    parallel handlers only add latency there; the GIL keeps the answering itself on one core anyway.
    """
    engine = getattr(getattr(assistant, "db", None), "engine", None)
    sqlite = engine is not None and engine.dialect.name == "sqlite"
    return ThreadPoolExecutor(max_workers=1 if sqlite else 8, thread_name_prefix="assistant")


async def deliver(sender: Any, db: Any, chat_id: str, replies: Sequence[Reply], key: str) -> None:
    """Send ``replies`` in order; from the first one the platform defers (``RetryLater``), queue the rest in
    the outbox of ``db`` (the whole reply again: a piece already sent may be repeated, nothing is lost)."""
    for number, reply in enumerate(replies):
        try:
            await sender.send(chat_id, reply)
        except RetryLater as exc:
            if db is None:
                log.error("%s: reply to %s lost, no outbox to defer it to (%s)", sender.channel, mask_id(chat_id), exc)
                return
            log.warning("%s: sending deferred to the outbox (%s)", sender.channel, exc)
            await asyncio.to_thread(_enqueue, db, sender.channel, chat_id, list(replies[number:]), key)
            return
        except PermanentFailure as exc:
            log.warning("%s: reply to %s refused: %s", sender.channel, mask_id(chat_id), exc)
            return


def _enqueue(db: Any, channel: str, chat_id: str, replies: list[Reply], key: str) -> None:
    from bot.outbox.store import enqueue

    with db.session() as session:
        for number, reply in enumerate(replies):
            enqueue(session, dedupe_key=f"reply:{channel}:{key}:{number}", channel=channel, chat_id=chat_id,
                    reply=reply, kind="reply")  # fmt: skip
        session.commit()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)

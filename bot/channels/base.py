"""The channel interface: one messaging platform behind one small class, and the one way a Reply is adapted.

A channel (Telegram, Zalo Bot, Zalo OA, the console, …) is a subclass of ``Channel``:

- ``name`` and ``capabilities``: how it is found in the registry, and what it can show (buttons or not,
  message length, HTML, photos, files, whether it may write first);
- ``send_text`` / ``send_file``: the platform's API calls. ``send`` (shared, here) turns a ``Reply`` into
  those calls with :func:`render`: text split under the limit, choices as buttons on the last piece or —
  on a platform without buttons — as a numbered list the user answers by number, attachments as photos,
  files or a short note. That degradation lives here once, for every channel;
- receiving is the platform's own (a webhook route, long polling, a terminal): each channel turns what
  arrives into an ``Incoming`` and passes it to a ``Responder`` (the assistant), then calls
  :func:`deliver` with the replies.

Sending raises ``RetryLater`` (429, 5xx, network) or ``PermanentFailure`` (blocked, chat gone), so the
outbox can deliver through any channel the same way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import clock
from bot.channels.inbox import Inbox
from bot.channels.split import split_message
from bot.channels.webhook import WebChannels
from bot.config import Settings
from bot.contract.capabilities import Capabilities
from bot.contract.html import esc, strip_tags
from bot.contract.messages import Attachment, Choice, Incoming, Reply
from bot.inbox.worker import Extra
from bot.masking import mask_id
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.sender import PermanentFailure, RetryLater
from bot.outbox.store import enqueue, enqueue_claimed, reply_key
from bot.storage.conversations import ChatState, ConversationStore
from bot.storage.db import Database

PHOTO_TYPES = frozenset({"image/png", "image/jpeg"})
_NUMBERED_LINE = re.compile(r"^(\d{1,2})\. (.+)$", re.M)

log = logging.getLogger(__name__)


class UpdateClaims(Protocol):
    """Remembers handled updates (``bot.storage.conversations.UpdateLog``)."""

    @property
    def db(self) -> Database:
        """The database the log (and the outbox) live in."""
        ...

    def claim(self, channel: str, update_id: str) -> bool:
        """True the first time an update is seen."""
        ...

    def seen(self, channel: str, update_id: str) -> bool:
        """Whether an update was handled and its replies recorded."""
        ...

    def claim_in(self, session: Session, channel: str, update_id: str) -> bool:
        """``claim`` inside the caller's transaction."""
        ...


class Responder(Protocol):
    """What a channel needs from the assistant (``bot.app.Assistant``): answers, idempotency, settings."""

    @property
    def settings(self) -> Settings:
        """The office settings."""
        ...

    @property
    def updates(self) -> UpdateClaims:
        """The update log used to answer a redelivered update only once."""
        ...

    @property
    def conversations(self) -> ConversationStore:
        """Where chat states are saved (the inbox worker saves them with the replies)."""
        ...

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message (synchronous, thread-safe)."""
        ...

    def respond(self, incoming: Incoming) -> tuple[list[Reply], ChatState]:
        """``handle`` without saving the chat's new state (returned for the caller to save)."""
        ...


# --------------------------------------------------------------------------- Reply → messages


@dataclass(frozen=True, slots=True)
class Text:
    """One text message; ``choices`` are buttons under it (only on channels with buttons)."""

    text: str
    choices: list[list[Choice]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class File:
    """An attachment the channel can take, as a picture or as a file."""

    attachment: Attachment
    as_photo: bool


Part = Text | File


def already_numbered(body: str, choices: Sequence[Choice]) -> int:
    """How many leading choices the text itself already lists as "1. …", "2. …" (search candidates do)."""
    lines = {m.group(1): m.group(2) for m in _NUMBERED_LINE.finditer(strip_tags(body))}
    count = 0
    for number, choice in enumerate(choices, 1):
        label = choice.label.rstrip("…").strip()
        if not label or not lines.get(str(number), "").startswith(label):
            break
        count = number
    return count


def numbered_choices(reply: Reply, body: str = "", line: str = "{number}. {label}", html: bool = False) -> str:
    """The reply's choices as numbered lines, leaving out those ``body`` already numbers ('' if none)."""
    choices = reply.flat_choices()
    skip = already_numbered(body, choices) if body else 0
    return "\n".join(line.format(number=number, label=esc(c.label) if html else c.label)
                     for number, c in enumerate(choices, 1) if number > skip)  # fmt: skip


def attachment_note(attachment: Attachment, platform: str) -> str:
    """What to say instead of a file the platform cannot receive."""
    return f"(Tệp “{attachment.filename}” không gửi được qua {platform}; vui lòng xem trên Telegram hoặc hỏi cán bộ.)"


def text_pieces(reply: Reply, caps: Capabilities, line: str = "{number}. {label}") -> list[Text]:
    """The text of ``reply`` as messages of at most ``caps.max_text`` characters, words never cut.

    With buttons they hang on the last piece (a lone "…" carries them when there is no text). Without,
    the numbered list of choices follows the text on the last piece when it fits there, else it gets
    pieces of its own.
    """
    body = reply.text if caps.html else strip_tags(reply.text).strip()
    pieces = split_message(body, caps.max_text) if body.strip() else []
    if caps.buttons:
        if not pieces and reply.choices:
            pieces = ["…"]  # buttons need a message to hang on
        return [Text(p, reply.choices if n == len(pieces) else []) for n, p in enumerate(pieces, 1)]
    choices = numbered_choices(reply, body, line, caps.html)
    if choices and pieces and len(pieces[-1]) + 2 + len(choices) <= caps.max_text:
        pieces[-1] = f"{pieces[-1]}\n\n{choices}"
    elif choices:
        pieces += split_message(choices, caps.max_text)
    return [Text(p) for p in pieces]


def render(reply: Reply, caps: Capabilities, platform: str, line: str = "{number}. {label}") -> list[Part]:
    """``reply`` as the messages a channel with ``caps`` sends: text pieces, then each attachment as a
    photo, a file or — when the platform cannot take it — a short text note."""
    parts: list[Part] = list(text_pieces(reply, caps, line))
    for attachment in reply.attachments:
        photo = attachment.mime_type in PHOTO_TYPES
        if (caps.photos and photo) or (caps.files and not photo):
            parts.append(File(attachment, as_photo=photo))
        else:
            parts.append(Text(attachment_note(attachment, platform)))
    return parts


# --------------------------------------------------------------------------- the interface


class Channel(ABC):
    """One messaging platform: render and send a ``Reply`` (receiving is the subclass's own)."""

    #: The name stored with every chat (``conversations.channel``, ``outbox.channel``, …), ≤ 32 characters.
    name: ClassVar[str]
    #: How the platform is called in texts to users ("Zalo").
    platform: ClassVar[str]
    #: What the platform can show; an instance may narrow it (e.g. photos only with a public media URL).
    capabilities: Capabilities
    #: How one degraded choice reads on a platform without buttons.
    choice_line: ClassVar[str] = "{number}. {label}"

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send ``reply`` to ``chat_id``, adapted to the capabilities; ``RetryLater`` / ``PermanentFailure``."""
        for part in render(reply, self.capabilities, self.platform, self.choice_line):
            if isinstance(part, Text):
                await self.send_text(chat_id, part.text, part.choices)
            else:
                await self.send_file(chat_id, part.attachment, part.as_photo)

    @abstractmethod
    async def send_text(self, chat_id: str, text: str, choices: list[list[Choice]]) -> None:
        """One text message (HTML when ``capabilities.html``), with buttons when ``choices`` are given."""

    async def send_file(self, chat_id: str, attachment: Attachment, as_photo: bool) -> None:
        """One attachment; only called when ``capabilities`` says the platform takes it."""
        raise NotImplementedError(f"{self.name} cannot send files")

    async def start(self) -> None:
        """Open connections in the event loop that will send (default: nothing to open)."""
        return None

    async def stop(self) -> None:
        """Close them again."""
        return None


async def deliver(channel: Channel, db: Database | None, chat_id: str, replies: Sequence[Reply], key: str) -> None:
    """Send ``replies`` in order; from the first one the platform defers (``RetryLater``), queue the rest in
    the outbox of ``db`` (the whole reply again: a piece already sent may be repeated, nothing is lost)."""
    for number, reply in enumerate(replies):
        try:
            await channel.send(chat_id, reply)
        except RetryLater as exc:
            if db is None:
                log.error("%s: reply to %s lost, no outbox to defer it to (%s)", channel.name, mask_id(chat_id), exc)
                return
            log.warning("%s: sending deferred to the outbox (%s)", channel.name, exc)
            await asyncio.to_thread(_enqueue, db, channel.name, chat_id, list(replies[number:]), key)
            return
        except PermanentFailure as exc:
            log.warning("%s: reply to %s refused: %s", channel.name, mask_id(chat_id), exc)
            return


def _enqueue(db: Database, channel: str, chat_id: str, replies: list[Reply], key: str) -> None:
    with db.session() as session:
        for number, reply in enumerate(replies):
            enqueue(session, dedupe_key=reply_key(channel, key, number), channel=channel, chat_id=chat_id,
                    reply=reply, kind="reply")  # fmt: skip
        session.commit()


#: How long a webhook's own send of its replies holds them before the dispatcher may take them over.
INLINE_LEASE = timedelta(seconds=15)
INLINE_WORKER = f"inline-{os.getpid()}"


async def answer_durably(
    channel: Channel, updates: UpdateClaims, chat_id: str, replies: Sequence[Reply], key: str
) -> bool:
    """Record that the event ``key`` was handled together with its replies (outbox rows leased to this
    process) in ONE transaction, then send them and record the outcome; False when another delivery of the
    same event recorded it first (nothing is sent).

    A process killed before the commit leaves nothing: the platform, never acknowledged, delivers the event
    again and it is answered then. Killed after it, the rows' lease runs out and the dispatcher of any
    process sends them (at most the one message the platform had just accepted is sent twice). A reply the
    platform defers (429, 5xx, network) is left to the dispatcher's retries; a refused one is recorded failed.
    """
    db = updates.db
    recorded = await asyncio.to_thread(_record, updates, channel.name, chat_id, list(replies), key)
    if recorded is None:
        return False
    ids = [row_id for row_id, _reply in recorded]
    sent: list[int] = []
    for number, (row_id, reply) in enumerate(recorded):
        try:
            await channel.send(chat_id, reply)
        except RetryLater as exc:
            log.warning("%s: sending deferred to the outbox (%s)", channel.name, exc)
            retry_at = clock.now() + timedelta(seconds=max(exc.retry_after or 0.0, 1.0))
            await asyncio.to_thread(_settle, db, sent, OutboxStatus.SENT, "")
            await asyncio.to_thread(_settle, db, ids[number:], OutboxStatus.PENDING, str(exc), retry_at)
            return True
        except PermanentFailure as exc:
            log.warning("%s: reply to %s refused: %s", channel.name, mask_id(chat_id), exc)
            await asyncio.to_thread(_settle, db, [row_id], OutboxStatus.FAILED, f"permanent: {exc}")
            continue
        sent.append(row_id)
    await asyncio.to_thread(_settle, db, sent, OutboxStatus.SENT, "")
    return True


def _record(
    updates: UpdateClaims, channel: str, chat_id: str, replies: list[Reply], key: str
) -> list[tuple[int, Reply]] | None:
    """In one transaction: the event's claim and its replies' rows; (row id, reply) pairs, None if claimed."""
    until = clock.now() + INLINE_LEASE
    recorded = []
    with updates.db.session() as session:
        if not updates.claim_in(session, channel, key):
            return None
        for number, reply in enumerate(replies):
            row_id = enqueue_claimed(session, dedupe_key=reply_key(channel, key, number), channel=channel,
                                     chat_id=chat_id, reply=reply, kind="reply", worker=INLINE_WORKER, until=until)
            if row_id is not None:
                recorded.append((row_id, reply))
        session.commit()
    return recorded


def _settle(
    db: Database, ids: list[int], status: OutboxStatus, error: str, next_attempt_at: datetime | None = None
) -> None:
    """The outcome of this process's own send of ``ids`` (rows the dispatcher took over are left alone)."""
    if not ids:
        return
    values: dict[str, object] = {"status": status.value, "claimed_until": None, "last_error": error[:1000]}
    if status is OutboxStatus.SENT:
        values["sent_at"] = clock.now()
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.SENDING.value,
                   OutboxMessage.claimed_by == INLINE_WORKER)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()


def handler_pool(assistant: Any) -> ThreadPoolExecutor:
    """Worker threads for the assistant: one on SQLite, several on a server database.

    SQLite allows one writer at a time and makes the others sleep-and-retry (up to 100 ms per nap), so
    parallel handlers only add latency there; the GIL keeps the answering itself on one core anyway.
    """
    engine = getattr(getattr(assistant, "db", None), "engine", None)
    sqlite = engine is not None and engine.dialect.name == "sqlite"
    return ThreadPoolExecutor(max_workers=1 if sqlite else 8, thread_name_prefix="assistant")


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True, slots=True)
class Registration:
    """How the registry (``bot.channels.registry``) builds and runs one channel from the settings."""

    name: str
    capabilities: Capabilities
    #: Whether this office runs the channel (``[channels.*]`` and its secrets).
    enabled: Callable[[Settings], bool]
    #: The channel the outbox delivers through (alerts, notifications, reports, deferred answers).
    outbox: Callable[[Settings, Database], Channel]
    #: Its webhook routes on the shared ASGI app, when the settings ask for a webhook (None: no webhook).
    #: Its routes record into the server's ``Inbox`` (``bot.channels.inbox``), which answers later.
    web: Callable[[Responder, Database, Inbox], WebChannels] | None = None
    web_enabled: Callable[[Settings], bool] = field(default=lambda settings: False)
    #: What the inbox worker does beside answering one of its updates (``bot.inbox.worker.Extra``).
    inbox_extra: Callable[[Settings, Database], Extra] | None = None
    #: The secret its webhook checks: (environment variable, value); validated when a server starts.
    webhook_secret: Callable[[Settings], tuple[str, str]] | None = None

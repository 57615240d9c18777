"""The web chat's mailbox: messages for a visitor wait in the database until the widget fetches them.

The web has no way to push a message to a closed page, so everything the assistant says to a visitor —
the answer to a question, a dossier notification from the outbox, an officer's reply — is stored here,
numbered per visitor, and the widget asks for what came after the last number it has. Any replica can
store or serve any visitor's messages. Messages older than the retention are deleted (checked at most
once an hour per process, when a message is stored).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, delete, func, insert, select
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.channels.base import File, Part
from bot.channels.webchat.models import WebChatMessage
from bot.contract.messages import Choice
from bot.outbox.sender import RetryLater
from bot.storage.db import Database

log = logging.getLogger(__name__)

_TABLE = cast(Table, WebChatMessage.__table__)
#: Held while storing for one visitor on PostgreSQL, so two processes never pick the same number; should
#: they still collide (the unique number per visitor), the loser tries again.
_VISITOR_LOCK = sql("SELECT pg_advisory_xact_lock(hashtext(:key))")
_ATTEMPTS = 5
_PRUNE_EVERY = 3600.0


@dataclass(frozen=True, slots=True)
class Shown:
    """One stored message as the widget gets it (a file's bytes stay in the database)."""

    id: int
    seq: int
    text: str
    choices: list[list[Choice]]
    filename: str
    mime_type: str
    size: int

    @property
    def is_file(self) -> bool:
        """True for an attachment, False for a text."""
        return bool(self.filename)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An attachment and the visitor it was given to."""

    chat_id: str
    filename: str
    mime_type: str
    content: bytes


class Mailbox:
    """Stores rendered messages per visitor and hands them out by number."""

    def __init__(self, db: Database, retention: timedelta) -> None:
        self.db = db
        self.retention = retention
        self._next_prune = 0.0

    def append(self, chat_id: str, parts: Sequence[Part]) -> None:
        """Store ``parts`` for ``chat_id`` in one transaction, numbered after the visitor's last message;
        ``RetryLater`` when the database stays too busy (the outbox then keeps the message)."""
        rows = [_values(part) for part in parts]
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self.db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":  # one writer per visitor at a time (SQLite: per file)
                        conn.execute(_VISITOR_LOCK, {"key": f"webchat:{chat_id}"})
                    for values in rows:
                        conn.execute(_insert(chat_id, values))
                break
            except IntegrityError:
                if attempt == _ATTEMPTS:
                    raise RetryLater("webchat: mailbox busy") from None
        if clock.monotonic() >= self._next_prune:
            self._next_prune = clock.monotonic() + _PRUNE_EVERY
            self.prune()

    def after(self, chat_id: str, seq: int, limit: int = 100) -> list[Shown]:
        """The visitor's messages numbered above ``seq``, oldest first (at most ``limit``).

        A ``seq`` above the visitor's last number means the numbering started again after their old
        messages were deleted: then every message they have is new.
        """
        last = select(func.max(_TABLE.c.seq)).where(_TABLE.c.chat_id == chat_id)
        with self.db.engine.connect() as conn:
            if seq > (conn.execute(last).scalar() or 0):
                seq = 0
            query = _shown().where(_TABLE.c.chat_id == chat_id, _TABLE.c.seq > seq).order_by(_TABLE.c.seq)
            return [_shown_row(row) for row in conn.execute(query.limit(limit))]

    def latest(self, chat_id: str, limit: int) -> list[Shown]:
        """The visitor's last ``limit`` messages, oldest first (to restore the chat on another page)."""
        query = _shown().where(_TABLE.c.chat_id == chat_id).order_by(_TABLE.c.seq.desc()).limit(limit)
        with self.db.engine.connect() as conn:
            return [_shown_row(row) for row in reversed(list(conn.execute(query)))]

    def file(self, message_id: int) -> StoredFile | None:
        """The attachment stored as message ``message_id``; None when there is none."""
        query = select(_TABLE.c.chat_id, _TABLE.c.filename, _TABLE.c.mime_type, _TABLE.c.file).where(
            _TABLE.c.id == message_id, _TABLE.c.file.is_not(None))
        with self.db.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else StoredFile(row.chat_id, row.filename, row.mime_type, bytes(row.file))

    def prune(self) -> int:
        """Delete messages older than the retention; how many went."""
        with self.db.engine.begin() as conn:
            removed = conn.execute(delete(_TABLE).where(_TABLE.c.created_at < clock.now() - self.retention)).rowcount
        if removed:
            log.info("webchat: %d messages older than %d days deleted", removed, self.retention.days)
        return removed or 0


def _values(part: Part) -> dict[str, Any]:
    if isinstance(part, File):
        attachment = part.attachment
        return {"text": "", "choices": [], "file": attachment.content, "filename": attachment.filename[:255],
                "mime_type": attachment.mime_type[:64]}  # fmt: skip
    choices = [[{"label": c.label, "data": c.data} for c in row] for row in part.choices]
    return {"text": part.text, "choices": choices, "file": None, "filename": "", "mime_type": ""}


def _insert(chat_id: str, values: dict[str, Any]) -> Insert:
    """INSERT with the next number computed in the same statement (SQLite takes its write lock first)."""
    last = select(func.coalesce(func.max(_TABLE.c.seq), 0) + 1).where(_TABLE.c.chat_id == chat_id).scalar_subquery()
    return insert(_TABLE).values(chat_id=chat_id, seq=last, created_at=clock.now(), **values)


def _shown() -> Select[Any]:
    size = func.coalesce(func.length(_TABLE.c.file), 0).label("size")
    columns = (_TABLE.c.id, _TABLE.c.seq, _TABLE.c.text, _TABLE.c.choices, _TABLE.c.filename, _TABLE.c.mime_type)
    return select(*columns, size)


def _shown_row(row: Any) -> Shown:
    choices = [[Choice(label=str(c["label"]), data=str(c["data"])) for c in line] for line in (row.choices or [])]
    return Shown(row.id, row.seq, row.text, choices, row.filename, row.mime_type, int(row.size))

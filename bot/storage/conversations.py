"""Conversation state and update de-duplication, stored in the database.

Both run on every message, so they use one SQL statement each (SQLAlchemy Core, no ORM unit of work),
built once with bound parameters: a SELECT to load, an INSERT … ON CONFLICT DO UPDATE to save, an
INSERT … ON CONFLICT DO NOTHING to claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import clock
from bot.storage.db import Database
from bot.storage.models import Conversation, ProcessedUpdate


@dataclass
class ChatState:
    """A chat's language and free-form state (JSON-serialisable values only)."""

    language: str
    data: dict[str, Any] = field(default_factory=dict)


def _insert(db: Database):  # type: ignore[no-untyped-def]
    """The dialect's INSERT with ON CONFLICT support (PostgreSQL or SQLite)."""
    return pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert


class ConversationStore:
    """Loads and saves ``ChatState`` keyed by (channel, chat id)."""

    def __init__(self, db: Database, default_language: str = "vi") -> None:
        self.db = db
        self.default_language = default_language
        self._load = select(Conversation.language, Conversation.state).where(
            Conversation.channel == bindparam("channel"), Conversation.chat_id == bindparam("chat_id")
        )
        upsert = _insert(db)(Conversation).values(
            channel=bindparam("channel"),
            chat_id=bindparam("chat_id"),
            language=bindparam("language"),
            state=bindparam("state", type_=Conversation.__table__.c.state.type),
            updated_at=bindparam("updated_at", type_=Conversation.__table__.c.updated_at.type),
        )
        self._save = upsert.on_conflict_do_update(
            index_elements=["channel", "chat_id"],
            set_={"language": upsert.excluded.language, "state": upsert.excluded.state,
                  "updated_at": upsert.excluded.updated_at},
        )

    def load(self, channel: str, chat_id: str) -> ChatState:
        """State of a chat; a fresh state when the chat is new."""
        with self.db.engine.connect() as conn:
            row = conn.execute(self._load, {"channel": channel, "chat_id": chat_id}).first()
        if row is None:
            return ChatState(language=self.default_language)
        return ChatState(language=row.language, data=dict(row.state or {}))

    def save(self, channel: str, chat_id: str, state: ChatState) -> None:
        """Insert or update a chat's state in one statement (safe when two processes race on a new chat)."""
        with self.db.engine.begin() as conn:
            self.save_in(conn, channel, chat_id, state)

    def save_in(self, conn: Connection | Session, channel: str, chat_id: str, state: ChatState) -> None:
        """``save`` inside the caller's transaction."""
        self.save_many(conn, [(channel, chat_id, state)])

    def save_many(self, conn: Connection | Session, states: list[tuple[str, str, ChatState]]) -> None:
        """Save (channel, chat id, state) for many chats in one statement, inside the caller's transaction."""
        if states:
            now = clock.now()
            conn.execute(self._save, [{"channel": channel, "chat_id": chat_id, "language": state.language,
                                       "state": dict(state.data), "updated_at": now}
                                      for channel, chat_id, state in states])  # fmt: skip


class UpdateLog:
    """Remembers which platform updates were handled, so a redelivery is ignored."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._claim = (
            _insert(db)(ProcessedUpdate)
            .values(
                channel=bindparam("channel"),
                update_id=bindparam("update_id"),
                seen_at=bindparam("seen_at", type_=ProcessedUpdate.__table__.c.seen_at.type),
            )
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
            .returning(ProcessedUpdate.id)
        )

    def claim(self, channel: str, update_id: str) -> bool:
        """True the first time (channel, update_id) is seen, False on every repeat."""
        params = {"channel": channel, "update_id": str(update_id), "seen_at": clock.now()}
        with self.db.engine.begin() as conn:
            return conn.execute(self._claim, params).first() is not None

    def seen(self, channel: str, update_id: str) -> bool:
        """Whether (channel, update_id) was handled and its replies recorded (a redelivery)."""
        with self.db.engine.connect() as conn:
            found = conn.execute(select(ProcessedUpdate.id).where(
                ProcessedUpdate.channel == channel, ProcessedUpdate.update_id == str(update_id))).first()  # fmt: skip
        return found is not None

    def claim_in(self, session: Session, channel: str, update_id: str) -> bool:
        """``claim`` inside the caller's transaction (committed with the replies it records)."""
        params = {"channel": channel, "update_id": str(update_id), "seen_at": clock.now()}
        return session.execute(self._claim, params).first() is not None

    def prune(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget updates older than ``older_than``; returns how many rows were removed."""
        with self.db.engine.begin() as conn:
            res = conn.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < clock.now() - older_than))
            return res.rowcount or 0

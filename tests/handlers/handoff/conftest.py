"""Hand-off conversations: the router on a real database (SQLite and PostgreSQL), a test clock, FAQ files in
a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ENV_SECRET_KEY, Settings
from bot.knowledge import Knowledge
from bot.officers.models import Role
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.bot.late import factory
from tests.handlers.conftest import SETTINGS, Chat, Clock

UNIT = "Phòng Tư pháp"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (chats are stored as keyed digests)."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-handoff-0123456789")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Civil-status questions go to the justice section; the rest to the duty desk; FAQ files in tmp_path."""
    data = SETTINGS.model_dump()
    data["handoff"] = {"field_units": {"Hộ tịch": UNIT}, "faq_path": str(tmp_path / "faq")}
    return Settings.model_validate(data)


@pytest.fixture
def make_chat(knowledge: Knowledge, database: Database, clock: Clock, settings: Settings) -> Callable[..., Chat]:
    """``make_chat(chat_id="c2")``: a conversation on the shared database, clock and settings."""
    return lambda **kw: Chat(knowledge, settings, db=database, clock=clock, **kw)


def add_officer(db: Database, user_id: str, *, role: Role = Role.OFFICER, units: list[str] | None = None,
                channel: str = "test") -> int:
    """A registered officer of this section (user id = chat id); its id."""
    return factory.add_officer(db, user_id, role=role, units=[UNIT] if units is None else units, channel=channel,
                               name=f"CB {user_id}")


def outbox(db: Database) -> list[OutboxMessage]:
    """Every message put into the outbox, oldest first."""
    with db.session() as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()
        return rows

"""Feedback conversations: the router with a real database (SQLite and PostgreSQL) and a test clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.config import ENV_SECRET_KEY
from bot.dossiers.models import Dossier, DossierStatus, Subscription
from bot.knowledge import Knowledge
from bot.officers.models import Role
from bot.storage.db import Database
from tests.bot.late import factory
from tests.handlers.conftest import NOW, Chat, Clock

UNIT = "UBND phường Mẫu"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (the chat digest is keyed by it)."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-feedback-0123456789")


@pytest.fixture
def make_chat(knowledge: Knowledge, database: Database, clock: Clock) -> Callable[..., Chat]:
    """``make_chat(chat_id="c2")``: a conversation on the shared database and clock."""
    return lambda **kw: Chat(knowledge, db=database, clock=clock, **kw)


def add_dossier(db: Database, *, status: str = DossierStatus.RETURNED.value, unit: str = UNIT,
                follower: str | None = "c1") -> int:
    """A returned dossier, followed by the chat ``follower``; its id."""
    with db.session() as s:
        n = (s.query(Dossier).count() or 0) + 1
        d = Dossier(code=f"H12-{n:04d}", procedure_code="1.000894", field="Hộ tịch", unit=unit, status=status,
                    received_at=NOW - timedelta(days=10), due_at=NOW - timedelta(days=2),
                    finished_at=NOW - timedelta(days=3), is_open=False)
        s.add(d)
        s.flush()
        if follower is not None:
            s.add(Subscription(dossier_id=d.id, channel="test", chat_id=follower))
        s.commit()
        return d.id


def add_officer(db: Database, user_id: str, *, role: Role = Role.OFFICER, units: list[str] | None = None,
                channel: str = "test") -> int:
    """A registered officer of this section (user id = chat id); its id."""
    return factory.add_officer(db, user_id, role=role, units=[UNIT] if units is None else units, channel=channel,
                               name=f"CB {user_id}")

"""Feedback conversations: the router with a real database (SQLite and PostgreSQL) and a test clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.config import ENV_SECRET_KEY
from bot.dossiers.models import Dossier, DossierStatus, Subscription
from bot.knowledge import Knowledge
from bot.officers.models import Officer, Role
from bot.storage.db import Database
from tests.handlers.conftest import LEXICON, NOW, PROCEDURES, SETTINGS, Chat, Clock

UNIT = "UBND phường Mẫu"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (the chat digest is keyed by it)."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-feedback-0123456789")


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The small hand-made catalog of the handler tests."""
    return Knowledge.build(PROCEDURES, LEXICON, SETTINGS.office.levels)


@pytest.fixture
def clock() -> Clock:
    """Wednesday 18 November 2026, 10:00 local time; tests advance it."""
    return Clock()


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


def add_officer(db: Database, user_id: str, *, role: Role = Role.OFFICER, units: list[str] | None = None) -> int:
    """A registered officer on the test channel; its id."""
    with db.session() as s:
        o = Officer(channel="test", user_id=user_id, chat_id=user_id, name=f"CB {user_id}", role=role.value,
                    units=[UNIT] if units is None else units)
        s.add(o)
        s.commit()
        return o.id

"""Conversations about dossiers: the router with a database and a clock the test controls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import ENV_SECRET_KEY, Settings
from bot.dossiers.models import Apology, Dossier, DossierStatus
from bot.dossiers.store import phone_year_digest
from bot.knowledge import Knowledge
from bot.security import digest, normalise_id, normalise_phone, secret_key
from bot.storage.db import Database
from tests.handlers.conftest import SETTINGS, Chat, Clock

CODE = "000.00.12.H12-251110-0001"
PHONE = "0912 345 678"
ID_NUMBER = "001090012345"
BIRTH_YEAR = "1990"


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A time in the office time zone (UTC+7) as aware UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC) - timedelta(hours=7)


def with_verification(method: str) -> Settings:
    """The test office, verifying citizens by ``method``."""
    return SETTINGS.model_copy(update={"dossiers": SETTINGS.dossiers.model_copy(update={"verification": method})})


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret, so no key file is written during tests."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-dossier-chats-0123456789")


@pytest.fixture
def new_chat(knowledge: Knowledge, database: Database, clock: Clock) -> Callable[..., Chat]:
    """Factory of conversations sharing the database and the clock."""
    return lambda **kw: Chat(knowledge, db=database, clock=clock, **kw)


@pytest.fixture
def chat(new_chat: Callable[..., Chat]) -> Chat:
    """A fresh conversation."""
    return new_chat()


def add_dossier(db: Database, code: str = CODE, *, phone: str = PHONE, id_number: str = ID_NUMBER,
                birth_year: str = BIRTH_YEAR, apology: tuple[datetime, datetime | None, str] | None = None,
                **fields: Any) -> int:
    """Store a dossier the way an import would (digests, never the phone or ID in clear); its id."""
    last4 = normalise_phone(phone)[-4:]
    values: dict[str, Any] = {
        "procedure_code": "1.001193",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "unit": "Phòng Tư pháp",
        "applicant_name": "Nguyễn Văn An",
        "received_at": local(2026, 11, 9, 8, 30),
        "due_at": local(2026, 11, 16, 17, 0),
        "status": DossierStatus.PROCESSING.value,
        "status_text": "Đang xử lý",
        "current_step": "Thẩm định hồ sơ",
        "is_open": True,
        **fields,
    }
    with db.session() as s:
        dossier = Dossier(code=code, phone_digest=digest(last4, "phone_last4") if last4 else "",
                          id_number_digest=digest(normalise_id(id_number), "id_number") if id_number else "",
                          phone_year_digest=phone_year_digest(phone, birth_year, secret_key()),
                          **values)
        s.add(dossier)
        s.flush()
        if apology is not None:
            sent, new_due, reason = apology
            s.add(Apology(dossier_id=dossier.id, sent_at=sent, new_due_at=new_due, reason=reason))
        s.commit()
        return dossier.id


@pytest.fixture
def dossier_id(database: Database) -> Iterator[int]:
    """The standard test dossier: processing, due Monday 16/11 17:00, with an apology."""
    yield add_dossier(database, apology=(local(2026, 11, 16, 9, 0), local(2026, 11, 20, 17, 0),
                                         "Chờ ý kiến của cơ quan phối hợp"))

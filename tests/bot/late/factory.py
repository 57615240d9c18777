"""Hand-made officers, dossiers and settings for the alert and officer tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.dossiers.models import Apology, Dossier
from bot.officers.models import Officer, Role
from bot.storage.db import Database

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
#: Monday 23 November 2026, 07:30 in Hồ Chí Minh City: a working day (24/11 is Vietnam Cultural Day).
MONDAY_0730 = datetime(2026, 11, 23, 7, 30, tzinfo=HCM)
UNIT_A = "UBND phường A"
UNIT_B = "UBND phường B"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stable server key for invite-code digests (imported as an autouse fixture by the conftests)."""
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "test-key-for-alerts-and-officers-0123456789")


def local(day: date, at: time = time(7, 30)) -> datetime:
    """``day`` at ``at`` in the office time zone, as UTC."""
    return datetime.combine(day, at, tzinfo=HCM).astimezone(UTC)


def settings(**calendar: object) -> Settings:
    """Default settings, optionally with ``[calendar]`` overrides."""
    base = Settings()
    if calendar:
        return base.model_copy(update={"calendar": base.calendar.model_copy(update=calendar)})
    return base


def add_officer(
    db: Database,
    chat: int | str,
    *,
    units: list[str] | None = None,
    role: Role = Role.OFFICER,
    channel: str = "telegram",
    active: bool = True,
    language: str = "vi",
    name: str = "Cán bộ",
) -> int:
    """Register an officer directly; their user id equals the chat id. Returns the officer id."""
    with db.session() as s:
        officer = Officer(
            channel=channel, user_id=str(chat), chat_id=str(chat), name=name, role=role.value,
            units=[UNIT_A] if units is None else units, active=active, language=language,
        )  # fmt: skip
        s.add(officer)
        s.commit()
        return officer.id


def add_dossier(
    db: Database,
    code: str,
    due: datetime | None,
    *,
    unit: str = UNIT_A,
    field: str = "Hộ tịch",
    procedure: str = "Đăng ký khai sinh",
    apology: bool = False,
    is_open: bool = True,
) -> None:
    """An open dossier due at ``due``, with an apology letter when ``apology``."""
    with db.session() as s:
        dossier = Dossier(code=code, unit=unit, field=field, procedure_name=procedure,
                          due_at=due.astimezone(UTC) if due else None, is_open=is_open)  # fmt: skip
        s.add(dossier)
        s.flush()
        if apology:
            s.add(Apology(dossier_id=dossier.id, sent_at=datetime(2026, 11, 19, 3, 0, tzinfo=UTC)))
        s.commit()

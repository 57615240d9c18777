"""Recording apologies: the new date's validation, the history, a repeat flagged to leaders and counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.apologies.record import ApologyError, count_repeat_postponements, record_apology
from bot.dossiers.models import Apology, Dossier
from bot.officers.models import Role
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, UNIT_A, UNIT_B, add_dossier, add_officer, settings

WEDNESDAY = date(2026, 11, 25)  # 24/11 (Tuesday) is a day off in the test calendar


def _record(db: Database, code: str, new_date: date, now: datetime = MONDAY_0730, reason: str = "Chờ xác minh"):  # type: ignore[no-untyped-def]
    with db.session() as s:
        dossier = s.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        recorded = record_apology(s, dossier, new_date=new_date, reason=reason, now=now, settings=settings())
        s.commit()
    return recorded


@pytest.mark.parametrize(("new_date", "why"), [
    (date(2026, 11, 23), "not_after_today"),
    (date(2026, 11, 20), "not_after_today"),
    (date(2026, 11, 24), "day_off"),
    (date(2026, 11, 29), "day_off"),
])  # fmt: skip
def test_the_new_date_must_be_a_working_day_after_today(database: Database, new_date: date, why: str) -> None:
    add_dossier(database, "A-1", MONDAY_0730 + timedelta(hours=8))
    with pytest.raises(ApologyError) as error:
        _record(database, "A-1", new_date)
    assert error.value.code == why
    with database.session() as s:
        assert s.scalar(select(Apology)) is None


def test_a_second_postponement_is_flagged_to_the_units_leaders_and_counted(database: Database) -> None:
    add_dossier(database, "A-1", MONDAY_0730 + timedelta(hours=8))
    add_dossier(database, "B-1", MONDAY_0730 + timedelta(hours=8), unit=UNIT_B)
    leader_a = add_officer(database, 501, role=Role.LEADER, units=[UNIT_A])
    add_officer(database, 502, role=Role.LEADER, units=[UNIT_B])
    add_officer(database, 503, role=Role.OFFICER, units=[UNIT_A])
    first = _record(database, "A-1", WEDNESDAY)
    assert (first.number, first.leaders_flagged) == (1, 0)
    assert first.new_due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 17:00 in Hồ Chí Minh City
    _record(database, "B-1", WEDNESDAY)
    second = _record(database, "A-1", date(2026, 11, 27), now=MONDAY_0730 + timedelta(days=2), reason="Chờ ý kiến")
    assert (second.number, second.leaders_flagged) == (2, 1)
    with database.session() as s:
        [row] = s.scalars(select(OutboxMessage)).all()
        history = s.scalars(select(Apology.reason).order_by(Apology.id)).all()
    assert row.chat_id == "501" and row.kind == "apology_repeat" and row.dedupe_key.endswith(f":{leader_a}")
    assert "A-1 bị hẹn lại lần thứ 2" in row.text and "27/11/2026" in row.text and "Chờ ý kiến" in row.text
    assert history == ["Chờ xác minh", "Chờ xác minh", "Chờ ý kiến"]
    start, end = MONDAY_0730 - timedelta(days=1), MONDAY_0730 + timedelta(days=7)
    with database.session() as s:
        assert count_repeat_postponements(s, start=start, end=end) == 1
        assert count_repeat_postponements(s, start=start, end=end, units=[UNIT_B]) == 0
        assert count_repeat_postponements(s, start=start, end=MONDAY_0730 + timedelta(days=1)) == 0

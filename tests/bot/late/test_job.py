"""Enqueueing the morning alert: working days only (Tết, weekends, make-up Saturdays), once per officer a day."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from bot.late.job import catch_up, enqueue_morning_alerts
from bot.officers.models import Role
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, UNIT_B, add_dossier, add_officer, local, settings


def _keys(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.scalars(select(OutboxMessage.dedupe_key)))


def test_one_message_per_active_officer_on_a_working_day(database: Database) -> None:
    a = add_officer(database, 101)
    b = add_officer(database, 102, units=[UNIT_B], language="en")
    admin = add_officer(database, 103, units=[], role=Role.ADMIN)
    add_officer(database, 104, active=False)
    add_dossier(database, "B-1", MONDAY_0730 - timedelta(days=3), unit=UNIT_B)
    assert enqueue_morning_alerts(database, settings(), MONDAY_0730) == 3
    assert _keys(database) == [f"alert:{i}:2026-11-23" for i in (a, b, admin)]
    with database.session() as s:
        rows = {r.chat_id: r for r in s.scalars(select(OutboxMessage))}
    assert "Units: UBND phường B" in rows["102"].text and "Overdue: 1" in rows["102"].text
    assert "Quá hạn: 0" in rows["101"].text and "Tất cả đơn vị" in rows["103"].text
    assert {r.kind for r in rows.values()} == {"alert"}


def test_running_again_the_same_day_adds_nothing(database: Database) -> None:
    add_officer(database, 101)
    assert enqueue_morning_alerts(database, settings(), MONDAY_0730) == 1
    assert enqueue_morning_alerts(database, settings(), MONDAY_0730 + timedelta(hours=3)) == 0
    assert len(_keys(database)) == 1


def test_no_alerts_on_weekends_or_public_holidays(database: Database) -> None:
    add_officer(database, 101)
    for day in (date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 24)):  # Sat, Sun, Vietnam Cultural Day
        assert enqueue_morning_alerts(database, settings(), local(day)) == 0
    assert _keys(database) == []


def test_a_frozen_clock_across_tet_2026(database: Database) -> None:
    add_officer(database, 101)
    sent_on = []
    day = date(2026, 2, 12)
    while day <= date(2026, 2, 24):
        if enqueue_morning_alerts(database, settings(), local(day)):
            sent_on.append(day.isoformat())
        day += timedelta(days=1)
    # Tết: Mon 16 (New Year's Eve) to Fri 20 February are days off, and so is the weekend around them
    assert sent_on == ["2026-02-12", "2026-02-13", "2026-02-23", "2026-02-24"]
    assert enqueue_morning_alerts(database, settings(), local(date(2026, 2, 17))) == 0


def test_make_up_saturday_and_extra_day_off_from_config(database: Database) -> None:
    add_officer(database, 101)
    office = settings(makeup_working_days=[date(2026, 2, 28)], extra_holidays=[date(2026, 2, 23)])
    assert enqueue_morning_alerts(database, office, local(date(2026, 2, 28))) == 1
    assert enqueue_morning_alerts(database, office, local(date(2026, 2, 23))) == 0
    assert enqueue_morning_alerts(database, settings(), local(date(2026, 2, 28))) == 0


def test_alerts_can_be_switched_off(database: Database) -> None:
    add_officer(database, 101)
    office = settings()
    office = office.model_copy(update={"alerts": office.alerts.model_copy(update={"enabled": False})})
    assert enqueue_morning_alerts(database, office, MONDAY_0730) == 0


def test_catch_up_sends_todays_missed_run_only(database: Database) -> None:
    add_officer(database, 101)
    monday = date(2026, 11, 23)
    assert catch_up(database, settings(), local(monday, time(7, 0))) == 0  # before 07:30: the cron will do it
    assert catch_up(database, settings(), local(monday, time(10, 15))) == 1  # process came back at 10:15
    assert catch_up(database, settings(), local(monday, time(11, 0))) == 0  # another restart: already there
    # Down from Monday afternoon to Wednesday 09:00 (Tuesday is a holiday): only Wednesday's list goes out.
    assert catch_up(database, settings(), local(date(2026, 11, 25), time(9, 0))) == 1
    assert _keys(database) == ["alert:1:2026-11-23", "alert:1:2026-11-25"]

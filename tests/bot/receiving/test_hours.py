"""Opening hours of receiving points: open now, when it opens next, holidays and make-up days."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.catalog.model import Level
from bot.config import ConfigError, load_settings
from bot.dossiers.calendar import WorkCalendar
from bot.receiving.hours import opening_status, weekly_runs
from bot.receiving.points import OpeningHours, ReceivingPoint, points_for

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
WITH_SATURDAY = OpeningHours(sat="07:30-11:30")


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HANOI)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar(HANOI, makeup_days=[date(2026, 5, 9)])  # a Saturday worked to bridge a holiday


def test_open_in_the_morning_until_the_lunch_break(calendar: WorkCalendar):
    status = opening_status(WITH_SATURDAY, at(2026, 11, 18, 10), calendar)  # Wednesday 10:00
    assert status.open_now and status.closes_at == at(2026, 11, 18, 11, 30)


def test_lunch_break_opens_again_at_half_past_one(calendar: WorkCalendar):
    status = opening_status(WITH_SATURDAY, at(2026, 11, 18, 12), calendar)
    assert not status.open_now and status.opens_at == at(2026, 11, 18, 13, 30)


def test_friday_evening_opens_on_a_working_saturday_morning(calendar: WorkCalendar):
    assert opening_status(WITH_SATURDAY, at(2026, 11, 20, 18), calendar).opens_at == at(2026, 11, 21, 7, 30)
    assert opening_status(OpeningHours(), at(2026, 11, 20, 18), calendar).opens_at == at(2026, 11, 23, 7, 30)


def test_national_day_and_tet_are_closed(calendar: WorkCalendar):
    # 2 September 2026 (Wednesday) is National Day; Monday 8 February 2027 is in the Tết holiday.
    assert opening_status(OpeningHours(), at(2026, 9, 2, 9), calendar).opens_at.date() > date(2026, 9, 2)
    assert not opening_status(OpeningHours(), at(2027, 2, 8, 9), calendar).open_now


def test_a_make_up_saturday_opens_with_weekday_hours(calendar: WorkCalendar):
    status = opening_status(OpeningHours(), at(2026, 5, 9, 14), calendar)
    assert status.open_now and status.closes_at == at(2026, 5, 9, 17)


def test_the_week_in_short(calendar: WorkCalendar):
    runs = weekly_runs(WITH_SATURDAY)
    assert [(a, b) for a, b, _ in runs] == [(0, 4), (5, 5)]
    assert runs[1][2] == [(time(7, 30), time(11, 30))]


def test_bad_hours_are_refused_with_the_fix():
    with pytest.raises(ValidationError, match="HH:MM-HH:MM"):
        OpeningHours(mon="7h30-11h30")
    with pytest.raises(ValidationError, match="end after it starts"):
        OpeningHours(tue="13:30-11:30")


def test_points_for_a_procedure_level():
    province = ReceivingPoint(name="Tỉnh", levels=[Level.PROVINCE])
    ward = ReceivingPoint(name="Phường", levels=[Level.COMMUNE], areas=["Phường An Bình"])
    assert points_for([province, ward], [Level.COMMUNE]) == [(1, ward)]
    assert points_for([province, ward], [Level.MINISTRY]) == []


def test_config_errors_say_where(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[receiving_points]]\nname = "A"\nlevels = ["Cấp xã"]\n[receiving_points.hours]\nsat = "8-12"\n')
    with pytest.raises(ConfigError, match=r"receiving_points\.0\.hours\.sat"):
        load_settings(path)


def test_the_shipped_config_describes_its_points():
    points = load_settings().receiving_points
    assert [p.levels for p in points] == [[Level.PROVINCE], [Level.COMMUNE], [Level.COMMUNE]]
    assert points[0].hours.sat and points[0].map_url.startswith("https://")

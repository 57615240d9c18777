"""Working-day calendar: hand-checked cases around Tết, weekends and the 15:00 rule, plus properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog.model import Duration, TimeUnit
from bot.config import CalendarSettings, Settings
from bot.dossiers.calendar import Urgency, WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


# --- hand-checked cases -------------------------------------------------------------------------------


def test_tet_2026_days_off_come_from_the_holidays_package():
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday before Tết
    assert not any(CAL.is_working_day(date(2026, 2, d)) for d in range(14, 23))  # Sat 14 .. Sun 22
    assert CAL.is_working_day(date(2026, 2, 23))


def test_tet_2027_days_off():
    assert CAL.is_working_day(date(2027, 2, 3))
    assert not any(CAL.is_working_day(date(2027, 2, d)) for d in range(4, 11))
    assert CAL.is_working_day(date(2027, 2, 11))


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (local(2026, 2, 13, 10), 1, local(2026, 2, 13, 17)),  # before 15:00: due the same day
        (local(2026, 2, 13, 14, 59), 1, local(2026, 2, 13, 17)),
        (local(2026, 2, 13, 15, 0), 1, local(2026, 2, 23, 17)),  # 15:00 or later: next working day, after Tết
        (local(2026, 2, 12, 9), 3, local(2026, 2, 23, 17)),  # Thu, Fri, (Tết), Mon
        (local(2026, 2, 14, 9), 1, local(2026, 2, 23, 17)),  # received on a Tết Saturday
        (local(2026, 3, 6, 9), 2, local(2026, 3, 9, 17)),  # Fri + weekend
        (local(2026, 3, 7, 9), 1, local(2026, 3, 9, 17)),  # received on a Saturday
        (local(2027, 2, 3, 10), 2, local(2027, 2, 11, 17)),  # Tết 2027 (Feb 4–10)
        (local(2026, 4, 29, 9), 2, local(2026, 5, 4, 17)),  # 30/4 and 1/5 holidays
        (local(2026, 3, 6, 9), 0, local(2026, 3, 6, 9)),  # immediate procedures
    ],
)
def test_add_working_days(received, days, due):
    assert CAL.add_working_days(received, days) == due


def test_cutoff_is_taken_in_local_time_whatever_the_input_zone():
    assert CAL.add_working_days(datetime(2026, 3, 5, 7, 59, tzinfo=UTC), 1) == local(2026, 3, 5, 17)  # 14:59 local
    assert CAL.add_working_days(datetime(2026, 3, 5, 8, 1, tzinfo=UTC), 1) == local(2026, 3, 6, 17)  # 15:01 local
    # 17:30 UTC on Thursday is already 00:30 Friday in Vietnam
    assert CAL.add_working_days(datetime(2026, 3, 5, 17, 30, tzinfo=UTC), 1) == local(2026, 3, 6, 17)
    assert CAL.add_working_days(datetime(2026, 3, 5, 7, 59), 1) == local(2026, 3, 5, 17)  # naive = UTC


def test_working_saturday_morning_ends_at_half_past_eleven():
    cal = WorkCalendar(saturday_morning=True)
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.add_working_days(local(2026, 3, 6, 16), 1) == local(2026, 3, 7, 11, 30)
    assert not cal.is_working_day(date(2026, 3, 8))


def test_extra_holidays_and_makeup_days_from_config():
    s = Settings(
        calendar=CalendarSettings(
            working_saturday_morning=True,
            extra_holidays=[date(2026, 2, 14), date(2026, 2, 21), date(2026, 3, 10)],
            makeup_working_days=[date(2026, 3, 14)],
        )
    )
    cal = WorkCalendar.from_settings(s)
    assert not cal.is_working_day(date(2026, 2, 14)) and not cal.is_working_day(date(2026, 3, 10))
    assert cal.add_working_days(local(2026, 3, 9, 9), 2) == local(2026, 3, 11, 17)
    assert cal.is_working_day(date(2026, 3, 14))
    assert cal.end_of(date(2026, 3, 14)) == local(2026, 3, 14, 17)  # a make-up Saturday is a full day


def test_makeup_day_counts_in_a_normal_calendar():
    cal = WorkCalendar(makeup_days=[date(2026, 3, 7)])
    assert cal.add_working_days(local(2026, 3, 6, 9), 2) == local(2026, 3, 7, 17)


def test_working_days_between_is_signed():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert CAL.working_days_between(date(2026, 2, 23), date(2026, 2, 23)) == 0
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


@pytest.mark.parametrize(
    ("duration", "received", "due"),
    [
        (Duration(amount=7, unit=TimeUnit.WORKING_DAYS), local(2026, 2, 10, 9), local(2026, 2, 25, 17)),
        (Duration(amount=1, unit=None, text="1"), local(2026, 2, 13, 16), local(2026, 2, 23, 17)),
        (Duration(amount=0.5, unit=TimeUnit.WORKING_DAYS), local(2026, 3, 5, 9), local(2026, 3, 5, 17)),
        (Duration(amount=10, unit=TimeUnit.DAYS), local(2026, 2, 6, 10), local(2026, 2, 23, 17)),  # 16/2 is Tết
        (Duration(amount=4, unit=TimeUnit.HOURS), local(2026, 3, 5, 9), local(2026, 3, 5, 13)),
        (Duration(amount=1, unit=TimeUnit.MONTHS), local(2026, 1, 31, 9), local(2026, 3, 2, 17)),  # 28/2 is Sat
    ],
)
def test_due_from_duration(duration, received, due):
    assert CAL.due_from_duration(received, duration) == due


def test_due_from_duration_without_a_number():
    assert CAL.due_from_duration(local(2026, 3, 5, 9), Duration(text="Không quy định")) is None


def test_classify_with_a_frozen_clock_after_tet():
    now = local(2026, 2, 23, 7, 30)  # first working day after Tết 2026
    assert CAL.classify(local(2026, 2, 12, 17), now, 2) == Urgency("overdue", 2)
    assert CAL.classify(local(2026, 2, 13, 17), now, 2) == Urgency("overdue", 1)
    assert CAL.classify(local(2026, 2, 23, 17), now, 2) == Urgency("due_today", 0)
    assert CAL.classify(local(2026, 2, 24, 17), now, 2) == Urgency("due_soon", 1)
    assert CAL.classify(local(2026, 2, 25, 17), now, 2) == Urgency("due_soon", 2)
    assert CAL.classify(local(2026, 2, 26, 17), now, 2) == Urgency("on_time", 3)


def test_classify_during_tet():
    now = local(2026, 2, 18, 10)  # Tết holiday
    assert CAL.classify(local(2026, 2, 13, 17), now, 2) == Urgency("overdue", 1)  # at least one once past due
    assert CAL.classify(local(2026, 2, 23, 17), now, 1) == Urgency("due_soon", 1)
    assert CAL.classify(local(2026, 2, 24, 17), now, 1) == Urgency("on_time", 2)
    assert CAL.classify(local(2026, 2, 18, 9), now, 1).kind == "overdue"


def test_a_dossier_received_after_a_working_saturday_closes_counts_from_the_next_working_day():
    sat = WorkCalendar(saturday_morning=True)
    # Saturday 10 May 2025: the office closes at 11:30, before the 15:00 cutoff
    assert sat.add_working_days(local(2025, 5, 10, 11), 1) == local(2025, 5, 10, 11, 30)
    assert sat.add_working_days(local(2025, 5, 10, 12), 1) == local(2025, 5, 12, 17)


def test_due_today_turns_overdue_after_the_due_time():
    due = local(2026, 3, 5, 17)
    assert CAL.classify(due, local(2026, 3, 5, 16, 59), 2).kind == "due_today"
    assert CAL.classify(due, local(2026, 3, 5, 17, 1), 2) == Urgency("overdue", 1)


# --- properties ----------------------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(UTC))
day_counts = st.integers(min_value=1, max_value=60)
days_2026 = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
calendars = st.builds(
    WorkCalendar,
    extra_holidays=st.sets(days_2026, max_size=8),
    makeup_days=st.sets(days_2026, max_size=4),
    saturday_morning=st.booleans(),
    cutoff=st.sampled_from([time(15, 0), time(16, 30), time(11, 0)]),
)


@settings(max_examples=60, deadline=None)
@given(calendars, starts, day_counts)
def test_due_date_is_a_working_day_at_its_closing_time(cal, start, k):
    due = cal.add_working_days(start, k)
    assert cal.is_working_day(due.date())
    assert due == cal.end_of(due.date())
    assert due > start


@settings(max_examples=60, deadline=None)
@given(calendars, starts, day_counts, st.integers(min_value=1, max_value=30))
def test_more_days_later_due_and_between_inverts(cal, start, k, j):
    a, b = cal.add_working_days(start, k), cal.add_working_days(start, k + j)
    assert a < b
    assert cal.working_days_between(a.date(), b.date()) == j
    assert cal.working_days_between(b.date(), a.date()) == -j
    assert cal.working_days_between(cal.first_counting_day(start), a.date()) == k - 1


@settings(max_examples=60, deadline=None)
@given(calendars, starts, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), day_counts)
def test_later_receipt_never_earlier_due(cal, start, delay, k):
    assert cal.add_working_days(start, k) <= cal.add_working_days(start + delay, k)


@settings(max_examples=200, deadline=None)
@given(starts, starts, st.integers(min_value=1, max_value=5))
def test_sql_bounds_agree_with_classify(due, now, soon_days):
    b = CAL.alert_bounds(now, soon_days)
    kind = CAL.classify(due, now, soon_days).kind
    expected = (
        "overdue"
        if due < b.now
        else "due_today"
        if due < b.today_end
        else "due_soon"
        if due < b.soon_end
        else "on_time"
    )
    assert kind == expected

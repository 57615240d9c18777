"""The report of the current period and ``/trehan`` count late dossiers with one definition (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.clock import ManualClock
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.models import Dossier
from bot.late.compose import compose_alert
from bot.late.query import alert_report
from bot.reports.compute import Filters, compute_period
from bot.reports.periods import period_of
from bot.reports.sample import UNITS, SampleSpec, insert_sample
from bot.reports.text import report_text
from tests.bot.reports.conftest import SETTINGS, local


def _add_open_on_track(db) -> None:  # type: ignore[no-untyped-def]
    """Open dossiers of November: two due next week, one of them after a second supplement request (late)."""
    with db.session() as s:
        for n, supplements in ((1, 0), (2, 2), (3, None)):
            s.add(Dossier(code=f"NOV-{n}", unit=UNITS[0], received_at=local(2026, 11, 16), is_open=True,
                          due_at=local(2026, 11, 30, 17), supplements=supplements, status="processing"))
        s.commit()


def test_report_of_this_month_counts_what_trehan_lists(database, manual_clock: ManualClock):
    spec = SampleSpec(dossiers=4000, ratings=0, start=datetime(2026, 8, 1, tzinfo=UTC),
                      end=datetime(2026, 10, 25, tzinfo=UTC), seed=11)
    with database.engine.begin() as conn:
        insert_sample(conn, spec)
    _add_open_on_track(database)
    now = manual_clock.now()
    with database.session() as s:
        report = compute_period(s, period_of("month", date(2026, 11, 23)), SETTINGS, filters=Filters(), now=now)
        alert = alert_report(s, units=None, now=now, calendar=WorkCalendar.from_settings(SETTINGS),
                             soon_days=SETTINGS.calendar.soon_days, top=0)
        page = compose_alert(s, SETTINGS, units=None, language="vi", now=now)
    rows = {r.key: r.figures for r in report.rows}
    assert report.partial and set(alert.by_unit) == set(rows)
    for unit, counts in alert.by_unit.items():
        f = rows[unit]
        assert (f.open_overdue, f.open_overdue_without_apology) == (counts.overdue, counts.late_without_apology)
        assert f.open_overdue + f.open_on_track == counts.open_total
    total = report.total
    assert total.open_overdue == alert.overdue > 100 and 50 < total.open_overdue_without_apology < total.open_overdue
    assert rows[UNITS[0]].open_on_track == 2  # NOV-2 is late by its second supplement request
    assert f"🔴 Quá hạn: {alert.overdue}" in page.text
    text = report_text(report, "vi")
    assert f"Đang giải quyết (đến nay): quá hạn {total.open_overdue:,}".replace(",", ".") in text
    assert f"Trong đó đang quá hạn chưa có phiếu xin lỗi: {alert.late_without_apology}" in text


@pytest.mark.parametrize("supplements", [2, 3])
def test_trehan_lists_a_second_supplement_request_as_late(database, manual_clock, supplements):
    with database.session() as s:
        s.add(Dossier(code="BS-2", unit=UNITS[0], received_at=local(2026, 11, 16), is_open=True,
                      due_at=local(2026, 12, 4, 17), supplements=supplements, status="supplement"))
        s.commit()
        page = compose_alert(s, SETTINGS, units=None, language="vi", now=manual_clock.now())
        english = compose_alert(s, SETTINGS, units=None, language="en", now=manual_clock.now())
    assert "🔴 Quá hạn: 1" in page.text and f"trễ hạn: yêu cầu bổ sung {supplements} lần" in page.text
    assert f"supplements requested {supplements} times" in english.text

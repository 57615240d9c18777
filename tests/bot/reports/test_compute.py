"""Report figures against values worked out by hand, and against a generated dataset (both databases)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.reports.compute import Figures, compute_report
from bot.reports.periods import period_of
from bot.reports.sample import SampleSpec, dossier_rows, insert_sample, rating_rows
from bot.reports.text import report_text
from tests.bot.reports.conftest import SETTINGS, UNIT_A, UNIT_B, add_hand_dataset

OCTOBER = date(2026, 10, 1)

# "now" for the open-dossier backlog: late November 2026, whatever the date the suite runs on
pytestmark = pytest.mark.usefixtures("manual_clock")


def test_october_by_hand(database):
    add_hand_dataset(database)
    with database.session() as s:
        report = compute_report(s, period="month", start=date(2026, 10, 17), settings=SETTINGS)
    assert (report.period.start, report.period.end) == (date(2026, 10, 1), date(2026, 11, 1))
    rows = {r.key: r.figures for r in report.rows}
    # A's dossiers 4 (due 6 Nov) and 6 (due 2 Nov) are open on 31 October but not overdue
    assert rows[UNIT_A] == Figures(received=5, finished=5, on_time=3, finished_late=2, late_with_apology=1,
                                   ratings=3, satisfied=2, open_on_track=2)
    # B's dossier 9 (due 9 October) is still open at the end of October: overdue, so late
    assert rows[UNIT_B] == Figures(received=2, finished=1, on_time=1, finished_late=0, late_with_apology=0,
                                   ratings=1, satisfied=0, open_overdue=1)
    assert rows[""] == Figures(ratings=1, satisfied=1)
    total = report.total
    assert (total.received, total.finished, total.on_time, total.late, total.late_without_apology) == (7, 6, 4, 3, 2)
    # the open overdue dossier counts against the on-time rate: 4 on time of 6 finished + 1 overdue
    assert total.judged == 7 and total.on_time_rate == pytest.approx(4 / 7)
    assert total.satisfaction_rate == pytest.approx(3 / 5)
    assert rows[UNIT_A].late_without_apology == 1 and rows[UNIT_B].on_time_rate == pytest.approx(1 / 2)
    assert (report.on_time_target, report.satisfaction_target) == (0.98, 0.90)


def test_overdue_backlog_is_judged_at_the_end_of_the_period(database):
    add_hand_dataset(database)
    with database.session() as s:
        late_september = compute_report(s, period="month", start=date(2026, 9, 1), settings=SETTINGS)
        october = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS)
        next_year = compute_report(s, period="month", start=date(2027, 3, 1), settings=SETTINGS)
    # 30 September: nothing was due yet; 31 October: dossier 9 of B is open and past its appointment
    assert late_september.total.open_overdue == 0
    assert october.total.open_overdue == 1
    assert next_year.total.open_overdue == 0  # a period that has not begun has no backlog


def test_filters_and_other_groupings(database):
    add_hand_dataset(database)
    with database.session() as s:
        only_b = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS, units=[UNIT_B])
        by_field = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS, group_by="field",
                                  units=[UNIT_A])
        land = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS, group_by="procedure",
                              procedure="1.012786")
        week = compute_report(s, period="week", start=date(2026, 10, 8), settings=SETTINGS)
        quarter = compute_report(s, period="quarter", start=date(2026, 11, 30), settings=SETTINGS)
    assert [r.key for r in only_b.rows] == [UNIT_B]
    fields = {r.key: r.figures for r in by_field.rows}
    assert fields["Đất đai"].late == 1 and fields["Hộ tịch"].finished == 4 and fields["Hộ tịch"].ratings == 3
    assert [(r.key, r.figures.late) for r in land.rows] == [("1.012786", 1)]
    # week of Mon 5 – Sun 11 October: finished d1 8/10 (on time), d2 5/10 (late), e1 returned 6/10 (on time);
    # received d3 10/10, d7 11/10, e1 5/10
    assert (week.period.start, week.total.finished, week.total.on_time, week.total.finished_late,
            week.total.received) == (date(2026, 10, 5), 3, 2, 1, 3)
    # at the end of Sunday 11 October: e2 (due 9/10) open and overdue; d3, d6 and d7 (no appointment, finished
    # on the 12th) open on track
    assert (week.total.open_overdue, week.total.open_on_track, week.total.late) == (1, 3, 2)
    assert (quarter.period.start, quarter.period.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert quarter.total.finished == 7 and quarter.total.ratings == 6


def test_empty_period_says_no_data(database):
    add_hand_dataset(database)
    with database.session() as s:
        report = compute_report(s, period="month", start=date(2027, 3, 1), settings=SETTINGS)
    assert report.is_empty and report.rows == []
    assert "Không có dữ liệu" in report_text(report, "vi") and "No data" in report_text(report, "en")


def test_text_shows_targets_beside_the_rates(database):
    add_hand_dataset(database)
    with database.session() as s:
        report = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS)
    text = report_text(report, "vi")
    assert "Đúng hạn: 57,1% ⚠️ (mục tiêu 98%) — trên 7 hồ sơ (đã giải quyết và quá hạn)" in text
    assert "Tiếp nhận 7 · Đã giải quyết 6: sớm và đúng hạn 4, trễ hạn 2" in text
    assert "Đang giải quyết (cuối kỳ): quá hạn 1, trong hạn 2" in text
    assert "Hài lòng: 60,0% ⚠️ (mục tiêu 90%) — 5 đánh giá" in text
    assert "Trễ hạn 3: có xin lỗi 1, chưa xin lỗi 2" in text
    assert "Trong đó đang quá hạn chưa có phiếu xin lỗi: 1" in text
    assert UNIT_A in text and UNIT_B in text


def _expected(spec: SampleSpec, month: date) -> dict[str, list[int]]:
    """The figures of one month computed row by row in Python, independently of the SQL."""
    zone = ZoneInfo(SETTINGS.office.timezone)
    period = period_of("month", month)

    def inside(at: datetime | None) -> bool:
        return at is not None and period.start <= at.astimezone(zone).date() < period.end

    cutoff = datetime.combine(period.end, time(0), tzinfo=zone)
    rows, apologised, out = [], set(), defaultdict(lambda: [0] * 9)
    for dossier, apology in dossier_rows(spec):
        rows.append(dossier)
        if apology:
            apologised.add(dossier["id"])
    for d in rows:
        figures = out[d["unit"]]
        done = d["finished_at"] or d["returned_at"]
        figures[0] += inside(d["received_at"])
        twice = d["supplements"] >= 2
        if inside(done):
            figures[1] += 1
            late = twice or (d["due_at"] is not None and done > d["due_at"])
            figures[2] += not late
            figures[3] += late
            figures[4] += late and d["id"] in apologised
        if d["received_at"] < cutoff and (done is None or done >= cutoff):
            overdue = twice or d["due_at"] < cutoff
            figures[7] += overdue
            figures[8] += not overdue
            figures[4] += overdue and d["id"] in apologised
    for r in rating_rows(spec, rows):
        if inside(r["created_at"]):
            out[r["unit"]][5] += 1
            out[r["unit"]][6] += r["score"] >= 4
    return {k: v for k, v in out.items() if any(v)}


def test_generated_dataset_matches_python(database):
    spec = SampleSpec(dossiers=3000, ratings=900, start=datetime(2026, 8, 20, tzinfo=UTC),
                      end=datetime(2026, 12, 10, tzinfo=UTC), seed=7)
    with database.engine.begin() as conn:
        insert_sample(conn, spec, keep=True)
    with database.session() as s:
        report = compute_report(s, period="month", start=OCTOBER, settings=SETTINGS)
    got = {r.key: [r.figures.received, r.figures.finished, r.figures.on_time, r.figures.finished_late,
                   r.figures.late_with_apology, r.figures.ratings, r.figures.satisfied, r.figures.open_overdue,
                   r.figures.open_on_track] for r in report.rows}
    expected = _expected(spec, OCTOBER)
    assert got == expected
    # real cases of each kind: finished late, apologies, open overdue at the end of October
    assert sum(v[3] for v in expected.values()) > 10 and sum(v[4] for v in expected.values()) > 5
    assert sum(v[7] for v in expected.values()) > 10 and sum(v[8] for v in expected.values()) > 10

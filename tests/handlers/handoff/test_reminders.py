"""Overdue questions: a reminder to the unit's officers and its leader, once a day, in office hours only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock, as_utc
from bot.handoff.figures import question_figures
from bot.handoff.models import Question
from bot.handoff.reminders import run_reminders
from bot.officers.models import Role
from bot.reports.compute import Filters, compute_period
from bot.reports.periods import period_of
from bot.reports.text import report_text
from tests.handlers.conftest import NOW
from tests.handlers.handoff.conftest import add_officer, outbox

ASKED = "Tôi là Trần Thị Bình, 0987654321. Đăng ký kết hôn lần hai cần giấy tờ gì?"


def test_overdue_reminder_to_unit_and_leader(make_chat, database, settings, clock):
    manual = ManualClock(NOW)
    clock.now = manual.now()
    add_officer(database, "tuphap-1")
    add_officer(database, "leader-1", role=Role.LEADER)
    citizen = make_chat(chat_id="c1")
    citizen.press("ha:1.000894")
    citizen.send(ASKED)
    with database.session() as s:
        due = s.scalar(select(Question.due_at))
    assert run_reminders(database, settings, manual.now()) == 0  # Wednesday 10:00: not due before Thursday 17:00

    manual.set(NOW + timedelta(days=2))  # Friday 10:00: overdue since Thursday 17:00
    assert manual.now() > as_utc(due)
    assert run_reminders(database, settings, manual.now()) == 2
    reminders = [m for m in outbox(database) if m.kind == "handoff_overdue"]
    assert sorted(m.chat_id for m in reminders) == ["leader-1", "tuphap-1"]
    for message in reminders:
        assert "#H1" in message.text and "quá hạn" in message.text
        assert "0987654321" not in message.text and "Trần Thị Bình" not in message.text
    assert run_reminders(database, settings, manual.now() + timedelta(hours=3)) == 0  # once a day

    manual.set(NOW + timedelta(days=3, hours=3))  # Saturday: office closed, nobody is disturbed
    assert run_reminders(database, settings, manual.now()) == 0
    manual.set(NOW + timedelta(days=5))  # Monday 10:00: reminded again
    assert run_reminders(database, settings, manual.now()) == 2

    with database.session() as s:
        figures = question_figures(s, NOW - timedelta(days=1), NOW + timedelta(days=1), manual.now())
    assert (figures.received, figures.answered, figures.overdue_open) == (1, 0, 1)


def test_figures_count_answers_on_time(make_chat, database, clock):
    add_officer(database, "tuphap-1")
    citizen, officer = make_chat(chat_id="c1"), make_chat(chat_id="tuphap-1")
    citizen.send("/hoi Đăng ký kết hôn cần mang theo giấy tờ gì?")
    officer.send("/traloi H1 Mang căn cước và giấy xác nhận tình trạng hôn nhân.")
    citizen.send("/hoi Đăng ký kết hôn có mất phí không ạ?")
    clock.advance(days=3)
    officer.send("/traloi H2 Không mất phí.")
    citizen.press("hr:2:4")
    citizen.send("/hoi Đăng ký kết hôn có cần hai người cùng có mặt không?")
    citizen.send("/huyhoi 3")
    with database.session() as s:
        figures = question_figures(s, NOW - timedelta(days=1), NOW + timedelta(days=5), clock())
    assert (figures.received, figures.answered, figures.answered_on_time) == (2, 2, 1)
    assert (figures.rated, figures.satisfied, figures.on_time_rate) == (1, 1, 0.5)


def test_the_report_counts_questions_next_to_the_dossiers(make_chat, database, settings, clock):
    add_officer(database, "tuphap-1")
    citizen, officer = make_chat(chat_id="c1"), make_chat(chat_id="tuphap-1")
    citizen.send("/hoi Đăng ký kết hôn cần mang theo giấy tờ gì?")
    officer.send("/traloi H1 Mang căn cước và giấy xác nhận tình trạng hôn nhân.")
    citizen.send("/hoi Đăng ký kết hôn có mất phí không ạ?")
    clock.advance(days=3)  # the second question is past its answer-by time, unanswered
    with database.session() as s:
        report = compute_period(s, period_of("month", NOW.date()), settings, now=clock())
        by_field = compute_period(s, period_of("month", NOW.date()), settings, now=clock(),
                                  filters=Filters(field="Hộ tịch"))
    assert report.questions is not None and not report.is_empty
    assert (report.questions.received, report.questions.answered, report.questions.overdue_open) == (2, 1, 1)
    text = report_text(report, "vi")
    assert "Câu hỏi gửi cán bộ 2: đã trả lời 1 (đúng hạn 1), quá hạn chưa trả lời 1" in text
    assert "Questions to officers 2: 1 answered (1 on time), 1 overdue unanswered" in report_text(report, "en")
    assert by_field.questions is None  # questions are kept per unit, not per field

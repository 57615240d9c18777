"""Overdue questions: once per working day, a reminder to the unit's officers and its leaders.

Run by the scheduler every ``[handoff].reminder_minutes`` minutes; only during office hours, and at most
one reminder per question and local day (the outbox key carries the date), however many processes run it.
Reminders show the anonymised text: leaders may not be among the officers the question was assigned to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.contract.html import bold, esc
from bot.contract.messages import Reply
from bot.dossiers.calendar import WorkCalendar
from bot.handoff.desk import leaders_of, officers_on_duty
from bot.handoff.models import PENDING, Question, QuestionStatus
from bot.handoff.queue import NEW_KIND, marker, relayed
from bot.i18n import translator
from bot.i18n.format import format_datetime
from bot.outbox.store import enqueue
from bot.receiving.hours import opening_status
from bot.storage.db import Database

REMINDER_KIND = "handoff_overdue"


def reminder(question: Question, language: str, settings: Settings, now: datetime) -> Reply:
    """The reminder text: which question, since when it is overdue, how to answer."""
    t = translator(language)
    due = format_datetime(as_utc(question.due_at).astimezone(settings.zone), language)
    lines = [
        "⏰ " + bold(t.gettext("Câu hỏi {marker} đã quá hạn trả lời (hạn {due})").format(
            marker=marker(question.id), due=due)),
        esc(t.gettext("Đơn vị: {unit}").format(unit=question.unit)),
        esc(question.text_masked),
        esc(t.gettext("Trả lời: /traloi H{id} <nội dung>").format(id=question.id)),
    ]
    return Reply(text="\n".join(lines))


def remind_overdue(session: Session, settings: Settings, now: datetime,
                   calendar: WorkCalendar | None = None) -> int:
    """Enqueue today's reminders for every overdue pending question; how many messages were added."""
    calendar = calendar or WorkCalendar.from_settings(settings)
    local = as_utc(now).astimezone(settings.zone)
    if not opening_status(settings.handoff.hours, local, calendar).open_now:
        return 0
    today = local.date().isoformat()
    overdue = session.scalars(select(Question).where(Question.status.in_(PENDING), Question.due_at < now)
                              .order_by(Question.id)).all()  # fmt: skip
    added = 0
    for question in overdue:
        people = {o.id: o for o in [*officers_on_duty(session, question.unit), *leaders_of(session, question.unit)]}
        for officer in people.values():
            key = f"handoff-overdue:{question.id}:{today}:{officer.id}"
            if enqueue(session, dedupe_key=key, channel=officer.channel, chat_id=officer.chat_id,
                       reply=reminder(question, officer.language, settings, now), kind=REMINDER_KIND):
                added += 1
        question.reminded_on = today
    session.flush()
    return added


def assign_waiting(session: Session, settings: Settings, now: datetime) -> int:
    """Relay questions that found no officer when asked to the unit's officers registered since."""
    added = 0
    for question in session.scalars(select(Question).where(Question.status == QuestionStatus.NEW.value)):
        for officer in officers_on_duty(session, question.unit):
            if enqueue(session, dedupe_key=f"handoff-new:{question.id}:{officer.id}", channel=officer.channel,
                       chat_id=officer.chat_id, reply=relayed(question, officer.language, settings), kind=NEW_KIND):
                added += 1
                question.status, question.assigned_at = QuestionStatus.ASSIGNED.value, now
    session.flush()
    return added


def run_reminders(db: Database, settings: Settings, now: datetime) -> int:
    """The scheduler job: pass on waiting questions, remind about overdue ones; one transaction."""
    with db.session() as session:
        added = assign_waiting(session, settings, now) + remind_overdue(session, settings, now)
        session.commit()
    return added

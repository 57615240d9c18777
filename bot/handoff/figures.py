"""Questions to officers in a period, for the reports (next to complaints): received, answered, on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.handoff.models import Question, QuestionStatus

_ANSWERED = (QuestionStatus.ANSWERED.value, QuestionStatus.CLOSED.value)


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """Counts of one period (cancelled questions are left out of every count)."""

    received: int
    answered: int
    answered_on_time: int
    overdue_open: int  # still unanswered after their answer-by time (at ``now``)
    rated: int
    satisfied: int  # rated 4 or 5

    @property
    def on_time_rate(self) -> float | None:
        """Share of answered questions answered by their answer-by time."""
        return self.answered_on_time / self.answered if self.answered else None


def question_figures(session: Session, start: datetime, end: datetime, now: datetime,
                     units: list[str] | None = None) -> QuestionFigures:
    """Questions received in [start, end) (of ``units``, or all)."""
    query = select(Question.status, Question.due_at, Question.answered_at, Question.score).where(
        Question.created_at >= start, Question.created_at < end,
        Question.status != QuestionStatus.CANCELLED.value)  # fmt: skip
    if units is not None:
        query = query.where(Question.unit.in_(units or [""]))
    received = answered = on_time = overdue = rated = satisfied = 0
    for status, due_at, answered_at, score in session.execute(query):
        received += 1
        if status in _ANSWERED and answered_at is not None:
            answered += 1
            on_time += as_utc(answered_at) <= as_utc(due_at)
        elif as_utc(due_at) < as_utc(now):
            overdue += 1
        if score is not None:
            rated += 1
            satisfied += score >= 4
    return QuestionFigures(received, answered, on_time, overdue, rated, satisfied)

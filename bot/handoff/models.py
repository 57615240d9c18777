"""Tables of the hand-off: questions to officers, where to relay their answers, and the anonymised gaps log.

``Question.text`` is what the citizen typed and is shown only to the officers of the assigned unit;
everything else (reports, the gaps log, reminders to leaders, logs) uses ``text_masked``. The citizen's chat
is kept apart in ``QuestionRoute`` and deleted once the answer is relayed or the question is cancelled.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base, channel_column

#: Longest question and answer kept (characters).
MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 2000


class QuestionStatus(StrEnum):
    """Where a question stands."""

    NEW = "new"  # stored; no officer could be told yet (none registered for the unit)
    ASSIGNED = "assigned"  # the unit's officers on duty were sent it
    ANSWERED = "answered"  # an officer answered; the answer went to the citizen
    CLOSED = "closed"  # the citizen rated the answer
    CANCELLED = "cancelled"  # the citizen withdrew it before an answer


PENDING = (QuestionStatus.NEW.value, QuestionStatus.ASSIGNED.value)


class FaqState(StrEnum):
    """An answer's way to the published FAQ."""

    NONE = ""
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class GapKind(StrEnum):
    """Why a question is in the gaps log."""

    NOT_FOUND = "not_found"  # search found nothing
    ASKED = "asked"  # the citizen sent it to an officer


class Question(Base):
    """A citizen's question to an officer."""

    __tablename__ = "handoff_questions"
    __table_args__ = (
        Index("ix_handoff_questions_status_due", "status", "due_at"),
        Index("ix_handoff_questions_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.NEW.value)
    unit: Mapped[str] = mapped_column(String(255), default="")
    procedure_code: Mapped[str] = mapped_column(String(16), default="")
    field: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_masked: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = channel_column()
    chat_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(Integer)  # officers.id
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[int | None] = mapped_column(Integer)
    reminded_on: Mapped[str] = mapped_column(String(10), default="")  # local date of the last reminder
    faq_state: Mapped[str] = mapped_column(String(16), default=FaqState.NONE.value)


class QuestionRoute(Base):
    """Where to relay the answer; deleted once it is in the outbox or the question is cancelled."""

    __tablename__ = "handoff_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("handoff_questions.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")


class GapEntry(Base):
    """One question search could not answer, anonymised, with what search returned."""

    __tablename__ = "handoff_gaps"
    __table_args__ = (
        Index("ix_handoff_gaps_created", "created_at"),
        Index("ix_handoff_gaps_key_created", "key", "created_at"),  # the report's GROUP BY and its samples
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=GapKind.NOT_FOUND.value)
    text_masked: Mapped[str] = mapped_column(String(500), default="")
    key: Mapped[str] = mapped_column(String(255), default="")  # normalised text, for grouping
    codes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # closest procedures, best first
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

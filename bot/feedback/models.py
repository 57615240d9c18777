"""Tables of satisfaction ratings and of complaints answered by officers.

A rating is anonymous: the chat is stored as a keyed digest (``chat_digest``), never as its id. Only a
citizen who chooses to leave contact details has them stored (``contact``). The chat a complaint's answer
must be relayed to is kept apart, in ``ComplaintRoute``, and deleted as soon as the answer is relayed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base, channel_column

#: Longest comment kept (characters); longer ones are cut and the citizen is told.
MAX_COMMENT_CHARS = 1000
#: Longest contact text kept (a name and a phone number or e-mail address).
MAX_CONTACT_CHARS = 200
#: Longest officer answer kept.
MAX_ANSWER_CHARS = 2000
#: The five-point scale, best first (SIPAS wording).
SCORES = (5, 4, 3, 2, 1)
#: Scores counted as "satisfied" in reports.
SATISFIED_MIN_SCORE = 4


class Subject(StrEnum):
    """What is rated."""

    PROCEDURE = "procedure"  # the information about a procedure (after its card)
    DOSSIER = "dossier"  # the handling of one dossier (after its result is returned)
    SERVICE = "service"  # the office's service in general (from the menu)


class Criterion(StrEnum):
    """The usual SIPAS criteria asked one by one for a dossier."""

    ATTITUDE = "attitude"  # thái độ của công chức
    TIME = "time"  # thời gian giải quyết
    GUIDANCE = "guidance"  # hướng dẫn rõ ràng, dễ hiểu
    PUBLICITY = "publicity"  # công khai thủ tục
    ONLINE = "online"  # nộp hồ sơ trực tuyến thuận tiện


CRITERIA = tuple(Criterion)


class ComplaintKind(StrEnum):
    """Phản ánh (something went wrong) or kiến nghị (a suggestion) — both need an answer."""

    COMPLAINT = "complaint"
    RECOMMENDATION = "recommendation"


class ComplaintStatus(StrEnum):
    """Where a complaint stands."""

    OPEN = "open"
    ANSWERED = "answered"


class Rating(Base):
    """One citizen's rating of a procedure's information, a dossier, or the service."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("dossier_id", "chat_digest", name="uq_rating_dossier_chat"),
        CheckConstraint("score BETWEEN 1 AND 5", name="ck_rating_score"),
        Index("ix_ratings_created", "created_at"),
        Index("ix_ratings_chat", "chat_digest", "subject", "procedure_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    procedure_code: Mapped[str] = mapped_column(String(16), default="")
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(255), default="")
    field: Mapped[str] = mapped_column(String(255), default="")
    channel: Mapped[str] = channel_column()
    chat_digest: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    contact: Mapped[str | None] = mapped_column(String(MAX_CONTACT_CHARS))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class Complaint(Base):
    """A comment marked as phản ánh / kiến nghị: sent to the unit's officers, answered, relayed back."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_unit", "status", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    unit: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16), default=ComplaintKind.COMPLAINT.value)
    status: Mapped[str] = mapped_column(String(16), default=ComplaintStatus.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(Integer)  # officers.id
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class ComplaintRoute(Base):
    """Where to relay the answer to a complaint; deleted once the answer is in the outbox."""

    __tablename__ = "complaint_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")

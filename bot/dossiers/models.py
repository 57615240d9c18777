"""Tables of dossiers (hồ sơ) imported from the one-stop software, and what citizens do with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot import clock
from bot.dossiers.values import UTCDateTime
from bot.storage.models import Base, channel_column


class DossierStatus(StrEnum):
    """Normalised dossier status; the export's own wording is kept in ``Dossier.status_text``."""

    RECEIVED = "received"  # đã tiếp nhận
    PROCESSING = "processing"  # đang xử lý
    SUPPLEMENT = "supplement"  # chờ bổ sung
    DONE = "done"  # đã có kết quả
    RETURNED = "returned"  # đã trả kết quả
    REJECTED = "rejected"  # từ chối / trả lại hồ sơ
    CANCELLED = "cancelled"  # dừng xử lý / rút hồ sơ
    UNKNOWN = "unknown"


class OnlineFiling(StrEnum):
    """How a dossier was filed (dịch vụ công trực tuyến toàn trình / một phần, or at the counter)."""

    FULL = "full"
    PARTIAL = "partial"
    NO = "no"


#: Statuses in which the office still owes the applicant a result (counted in alerts).
OPEN_STATUSES = (DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.SUPPLEMENT, DossierStatus.UNKNOWN)



@dataclass(frozen=True, slots=True)
class StatusChange:
    """A dossier whose status an import changed: what followers are told and returned dossiers are rated on."""

    dossier_id: int
    code: str
    old: str
    new: str

class Dossier(Base):
    """One filing by one applicant for one procedure."""

    __tablename__ = "dossiers"
    # open dossiers only, covering the morning counts and each unit's most urgent (bot/late/query.py)
    __table_args__ = (Index("ix_dossiers_open_by_unit", "unit", "due_at", "id", "supplements",
                            sqlite_where=text("is_open = 1"), postgresql_where=text("is_open")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(16), default="", index=True)
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str] = mapped_column(String(255), default="")
    unit: Mapped[str] = mapped_column(String(255), default="")
    officer: Mapped[str] = mapped_column(String(255), default="")
    applicant_name: Mapped[str] = mapped_column(String(255), default="")
    # Verification data, never stored in clear: keyed hashes (HMAC with the server secret).
    phone_digest: Mapped[str] = mapped_column(String(64), default="")
    id_number_digest: Mapped[str] = mapped_column(String(64), default="")
    # the stronger answer of "phone_birth_year": full phone number and year of birth together
    phone_year_digest: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_computed: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=DossierStatus.UNKNOWN.value)
    status_text: Mapped[str] = mapped_column(String(255), default="")
    current_step: Mapped[str] = mapped_column(String(255), default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # Optional export columns for the 766 scorecard; NULL / "" = the export does not say.
    online: Mapped[str] = mapped_column(String(8), default="")  # "full", "partial", "no" (OnlineFiling)
    paid_online: Mapped[bool | None] = mapped_column(Boolean)  # fee-bearing: paid online or not; NULL = no fee
    supplements: Mapped[int | None] = mapped_column(Integer)  # how many times supplements were requested
    digitised: Mapped[bool | None] = mapped_column(Boolean)  # components and result digitised
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")
    apologies: Mapped[list[Apology]] = relationship(back_populates="dossier", order_by="Apology.id")


class DossierEvent(Base):
    """A status change seen by an import (the dossier's history)."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    old_status: Mapped[str] = mapped_column(String(16), default="")
    new_status: Mapped[str] = mapped_column(String(16))
    status_text: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(255), default="")

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class Apology(Base):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả for a late dossier."""

    __tablename__ = "apologies"
    __table_args__ = (UniqueConstraint("dossier_id", "sent_at", name="uq_apology_dossier_sent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="apologies")


class Subscription(Base):
    """A verified citizen who wants to hear about changes of a dossier."""

    __tablename__ = "dossier_subscriptions"
    __table_args__ = (UniqueConstraint("dossier_id", "channel", "chat_id", name="uq_subscription"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class VerificationAttempt(Base):
    """A verification answer given by a chat; failures within a window lock the chat out for a while."""

    __tablename__ = "verification_attempts"
    __table_args__ = (Index("ix_verification_chat_at", "channel", "chat_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    # digest of the dossier code asked about: limits guesses at one dossier across many chats
    code_digest: Mapped[str] = mapped_column(String(64), default="", index=True)


class GuessCounter(Base):
    """Failed verification answers of one scope (a chat, a code, a channel), leaking away over time.

    ``scope`` is a keyed hash (no chat id or code in clear). Rows are locked while an answer is checked,
    so parallel answers are counted one after another; see ``bot/dossiers/guesses.py``."""

    __tablename__ = "verification_counters"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="")
    level: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

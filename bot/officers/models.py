"""Officers registered with one-time invites, and their roles over units."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base, channel_column


class Role(StrEnum):
    """What an officer may see and do."""

    OFFICER = "officer"  # cán bộ: their units' dossiers
    LEADER = "leader"  # lãnh đạo đơn vị: also weekly reports of their units
    ADMIN = "admin"  # quản trị: every unit, invites, catalog reload


class Officer(Base):
    """A registered officer on one channel."""

    __tablename__ = "officers"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_officer_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = channel_column()
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.OFFICER.value)
    units: Mapped[list[Any]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


class OfficerInvite(Base):
    """A one-time registration code created by an administrator (only its hash is stored)."""

    __tablename__ = "officer_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.OFFICER.value)
    units: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(Integer)

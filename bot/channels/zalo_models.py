"""The table that keeps a Zalo Official Account's tokens: one row per OA (app id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base


class ZaloOAToken(Base):
    """The current access token, its expiry and the only valid (single-use) refresh token.

    ``version`` grows by one at every rotation; writers compare-and-set on it, so a rotation done by
    another process is never overwritten with an older pair.
    """

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)


class ZaloOAContact(Base):
    """When a follower last wrote to the OA (or followed it): the start of the 48-hour messaging window."""

    __tablename__ = "zalo_oa_contacts"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_inbound_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

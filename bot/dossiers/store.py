"""Looking up a dossier by code, checking a citizen's verification answer, and locking out guessers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.dossiers.models import Dossier, VerificationAttempt
from bot.dossiers.values import normalise_code
from bot.security import digest, matches, normalise_id, normalise_phone

METHODS = ("phone_last4", "id_number", "either")


def find_by_code(session: Session, code: str) -> Dossier | None:
    """The dossier with this code (spaces and letter case in the citizen's text do not matter)."""
    wanted = normalise_code(code)
    if not wanted:
        return None
    return session.execute(select(Dossier).where(Dossier.code == wanted)).scalar_one_or_none()


def _phone_answer(answer: str, key: bytes) -> str:
    digits = normalise_phone(answer)
    return digest(digits[-4:], "phone_last4", key) if len(digits) >= 4 else ""


def _id_answer(answer: str, key: bytes) -> str:
    value = normalise_id(answer)
    return digest(value, "id_number", key) if value else ""


def verify(dossier: Dossier, answer: str, method: str, key: bytes) -> bool:
    """Whether ``answer`` proves the citizen owns ``dossier``; constant-time comparison of digests.

    ``method`` is ``phone_last4`` (the last 4 digits; a whole phone number also works), ``id_number``
    or ``either``."""
    if method not in METHODS:
        raise ValueError(f"unknown verification method {method!r}")
    ok = False
    if method in ("phone_last4", "either"):
        ok |= matches(dossier.phone_digest, _phone_answer(answer, key))
    if method in ("id_number", "either"):
        ok |= matches(dossier.id_number_digest, _id_answer(answer, key))
    return ok


def record_attempt(
    session: Session, channel: str, chat_id: str, success: bool, at: datetime | None = None, code_digest: str = ""
) -> None:
    """Remember one verification answer of a chat, and for which code (its digest); the caller commits."""
    attempt = VerificationAttempt(channel=channel, chat_id=chat_id, success=success, code_digest=code_digest)
    if at is not None:
        attempt.at = as_utc(at)
    session.add(attempt)
    session.flush()


def lockout_until(
    session: Session,
    *,
    now: datetime,
    max_failed: int,
    window: timedelta,
    channel: str | None = None,
    chat_id: str | None = None,
    code_digest: str | None = None,
) -> datetime | None:
    """When a lockout ends, or None: ``max_failed`` failed answers within ``window`` before ``now``.

    Filter by chat (``channel`` + ``chat_id``) or by code (``code_digest``). A success in between does not
    reset the count: otherwise someone who can verify a dossier of their own could interleave it with
    guesses at other dossiers forever.
    """
    query = select(VerificationAttempt.at).where(
        VerificationAttempt.success.is_(False),
        VerificationAttempt.at >= as_utc(now - window),
        VerificationAttempt.at <= as_utc(now),
    )
    if channel is not None and chat_id is not None:
        query = query.where(VerificationAttempt.channel == channel, VerificationAttempt.chat_id == chat_id)
    if code_digest is not None:
        query = query.where(VerificationAttempt.code_digest == code_digest)
    recent = session.scalars(
        query.order_by(VerificationAttempt.at.desc(), VerificationAttempt.id.desc()).limit(max_failed)
    ).all()
    if len(recent) < max_failed:
        return None
    return as_utc(min(recent)) + window


def is_locked_out(
    session: Session, channel: str, chat_id: str, now: datetime, max_failed: int, window: timedelta
) -> bool:
    """At least ``max_failed`` failed answers of this chat within ``window`` before ``now``."""
    until = lockout_until(session, now=now, max_failed=max_failed, window=window, channel=channel, chat_id=chat_id)
    return until is not None

"""Saving ratings answer by answer: each call writes what the citizen just gave (the caller commits).

Rules (documented for citizens and officials):

- A dossier is rated once per chat: rating it again within ``CHANGE_WINDOW`` (24 h) of the first answer
  updates the same row; later, the change is refused (``RateResult.LOCKED``).
- A procedure's information or the service in general may be rated again later: within 24 h the latest
  rating is updated, after that a new rating is recorded (it is a new experience).
- Comments are kept up to ``MAX_COMMENT_CHARS`` characters, contact details up to ``MAX_CONTACT_CHARS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.dossiers.models import Dossier
from bot.feedback.models import (
    CRITERIA,
    MAX_COMMENT_CHARS,
    MAX_CONTACT_CHARS,
    Complaint,
    ComplaintKind,
    ComplaintRoute,
    Rating,
    Subject,
)
from bot.security import digest

CHANGE_WINDOW = timedelta(hours=24)
_PURPOSE = "feedback-chat"


def chat_digest(channel: str, chat_id: str) -> str:
    """The keyed hash that stands for a chat in ratings (the chat id itself is not stored)."""
    return digest(f"{channel}:{chat_id}", _PURPOSE)


class RateResult(StrEnum):
    """What ``rate`` did."""

    CREATED = "created"
    UPDATED = "updated"
    LOCKED = "locked"  # a dossier rating older than the change window


@dataclass(frozen=True, slots=True)
class Rated:
    """The outcome of ``rate``: the rating row (None when locked) and what happened."""

    result: RateResult
    rating: Rating | None


@dataclass(frozen=True, slots=True)
class Rater:
    """Who is rating: channel, chat digest and language."""

    channel: str
    chat_digest: str
    language: str = "vi"


def _latest(
    session: Session, rater: Rater, subject: Subject, procedure_code: str, dossier_id: int | None
) -> Rating | None:
    query = select(Rating).where(Rating.chat_digest == rater.chat_digest, Rating.subject == subject.value)
    if subject is Subject.DOSSIER:
        query = query.where(Rating.dossier_id == dossier_id)
    else:
        query = query.where(Rating.procedure_code == procedure_code)
    return session.scalar(query.order_by(Rating.id.desc()).limit(1))


def rate(
    session: Session,
    rater: Rater,
    *,
    subject: Subject,
    score: int,
    now: datetime,
    procedure_code: str = "",
    dossier: Dossier | None = None,
    field: str = "",
) -> Rated:
    """Record ``score`` (1–5) for a subject, updating a rating given within the change window."""
    if not 1 <= score <= 5:
        raise ValueError("score must be 1..5")
    dossier_id = dossier.id if dossier is not None else None
    existing = _latest(session, rater, subject, procedure_code, dossier_id)
    if existing is not None:
        if now - as_utc(existing.created_at) <= CHANGE_WINDOW:
            existing.score = score
            existing.updated_at = now
            session.flush()
            return Rated(RateResult.UPDATED, existing)
        if subject is Subject.DOSSIER:
            return Rated(RateResult.LOCKED, None)
    rating = Rating(
        subject=subject.value,
        procedure_code=dossier.procedure_code if dossier is not None else procedure_code,
        dossier_id=dossier_id,
        unit=dossier.unit if dossier is not None else "",
        field=dossier.field if dossier is not None else field,
        channel=rater.channel,
        chat_digest=rater.chat_digest,
        score=score,
        criteria={},
        comment="",
        is_complaint=False,
        language=rater.language,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(rating)
            session.flush()
    except IntegrityError:  # the same chat rated the same dossier in a parallel request: update that row
        existing = _latest(session, rater, subject, procedure_code, dossier_id)
        if existing is None:
            raise
        existing.score, existing.updated_at = score, now
        return Rated(RateResult.UPDATED, existing)
    return Rated(RateResult.CREATED, rating)


def own_rating(session: Session, rating_id: int, rater: Rater, now: datetime) -> Rating | None:
    """The rating ``rating_id`` if it belongs to this chat and can still be changed, else None."""
    rating = session.get(Rating, rating_id)
    if rating is None or rating.chat_digest != rater.chat_digest:
        return None
    if now - as_utc(rating.created_at) > CHANGE_WINDOW:
        return None
    return rating


def set_criterion(rating: Rating, index: int, score: int | None, now: datetime) -> None:
    """Store the answer to criterion ``index`` (None = skipped)."""
    criteria = dict(rating.criteria or {})
    criteria[CRITERIA[index].value] = score
    rating.criteria = criteria  # a new dict, so the JSON column is seen as changed
    rating.updated_at = now


def set_comment(rating: Rating, text: str, now: datetime) -> bool:
    """Store the comment, cut to ``MAX_COMMENT_CHARS``; True when it had to be cut."""
    text = text.strip()
    rating.comment = text[:MAX_COMMENT_CHARS]
    rating.updated_at = now
    return len(text) > MAX_COMMENT_CHARS


def set_contact(rating: Rating, text: str, now: datetime) -> bool:
    """Store the contact details the citizen chose to leave; True when they had to be cut."""
    text = " ".join(text.split())
    rating.contact = text[:MAX_CONTACT_CHARS]
    rating.updated_at = now
    return len(text) > MAX_CONTACT_CHARS


def complaint_of(session: Session, rating: Rating) -> Complaint | None:
    """The complaint opened from this rating's comment, if any."""
    return session.scalar(select(Complaint).where(Complaint.rating_id == rating.id))


def open_complaint(
    session: Session, rating: Rating, kind: ComplaintKind, *, chat_id: str, now: datetime
) -> tuple[Complaint, bool]:
    """Mark the rating's comment as a complaint/recommendation for its unit; (complaint, newly opened).

    The chat to answer is kept in a separate route row, removed when the answer is relayed.
    """
    found = complaint_of(session, rating)
    if found is not None:
        found.kind = kind.value
        return found, False
    rating.is_complaint = True
    rating.updated_at = now
    complaint = Complaint(rating_id=rating.id, unit=rating.unit, kind=kind.value, created_at=now)
    session.add(complaint)
    session.flush()
    session.add(ComplaintRoute(complaint_id=complaint.id, channel=rating.channel, chat_id=chat_id,
                               language=rating.language))
    session.flush()
    return complaint, True

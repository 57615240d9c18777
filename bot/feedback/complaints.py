"""Complaints and recommendations for officers: who sees them, answering, relaying the answer.

Officers see the open complaints of their units; administrators see all, including those with no unit
(about a procedure's information or the service in general). The answer is put into the outbox for the
citizen's chat under the key ``complaint-answer:{id}`` and the chat route is deleted in the same
transaction, so the answer is relayed exactly once and the chat id is not kept afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.contract.html import bold, esc
from bot.contract.messages import Reply
from bot.feedback.models import MAX_ANSWER_CHARS, Complaint, ComplaintRoute, ComplaintStatus, Rating
from bot.i18n import translator
from bot.officers.models import Officer
from bot.officers.registry import is_admin, visible_units
from bot.outbox.store import enqueue

ANSWER_KIND = "complaint_answer"
NEW_KIND = "complaint_new"


def can_handle(officer: Officer, complaint: Complaint) -> bool:
    """Officers of the complaint's unit, and administrators, may answer it."""
    units = visible_units(officer)
    return units is None or (bool(complaint.unit) and complaint.unit in units)


def open_complaints(session: Session, officer: Officer, limit: int = 10) -> list[tuple[Complaint, Rating]]:
    """The oldest open complaints the officer may answer."""
    query = (
        select(Complaint, Rating)
        .join(Rating, Rating.id == Complaint.rating_id)
        .where(Complaint.status == ComplaintStatus.OPEN.value)
        .order_by(Complaint.id)
        .limit(limit)
    )
    units = visible_units(officer)
    if units is not None:
        query = query.where(Complaint.unit.in_(units or [""]), Complaint.unit != "")
    return [(c, r) for c, r in session.execute(query)]


class AnswerResult(StrEnum):
    """What ``answer_complaint`` did."""

    RELAYED = "relayed"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    ALREADY_ANSWERED = "already_answered"
    NO_ROUTE = "no_route"  # answered and kept, but the citizen's chat is unknown


@dataclass(frozen=True, slots=True)
class Answered:
    """Outcome of an answer."""

    result: AnswerResult
    complaint: Complaint | None = None


def answer_message(complaint: Complaint, rating: Rating, answer: str, language: str) -> Reply:
    """What the citizen receives: their comment (shortened) and the office's answer."""
    t = translator(language)
    quoted = rating.comment if len(rating.comment) <= 300 else rating.comment[:299] + "…"
    lines = [
        "📬 " + bold(t.gettext("Trả lời phản ánh, kiến nghị của bạn (số {id})").format(id=complaint.id)),
        esc(t.gettext("Bạn đã gửi:")) + " " + f"<i>{esc(quoted)}</i>",
        esc(t.gettext("Cơ quan trả lời:")) + " " + esc(answer),
    ]
    return Reply(text="\n".join(lines))


def answer_complaint(session: Session, complaint_id: int, officer: Officer, text: str, now: datetime) -> Answered:
    """Store an officer's answer and put it into the outbox for the citizen (the caller commits)."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        return Answered(AnswerResult.NOT_FOUND)
    if not can_handle(officer, complaint):
        return Answered(AnswerResult.FORBIDDEN)
    if complaint.status != ComplaintStatus.OPEN.value:
        return Answered(AnswerResult.ALREADY_ANSWERED, complaint)
    rating = session.get(Rating, complaint.rating_id)
    complaint.answer = " ".join(text.split())[:MAX_ANSWER_CHARS]
    complaint.answered_by = officer.id
    complaint.answered_at = now
    complaint.status = ComplaintStatus.ANSWERED.value
    route = session.scalar(select(ComplaintRoute).where(ComplaintRoute.complaint_id == complaint.id))
    if route is None or rating is None:
        session.flush()
        return Answered(AnswerResult.NO_ROUTE, complaint)
    enqueue(
        session,
        dedupe_key=f"complaint-answer:{complaint.id}",
        channel=route.channel,
        chat_id=route.chat_id,
        reply=answer_message(complaint, rating, complaint.answer, route.language),
        kind=ANSWER_KIND,
    )
    complaint.relayed_at = now
    session.execute(delete(ComplaintRoute).where(ComplaintRoute.id == route.id))
    session.flush()
    return Answered(AnswerResult.RELAYED, complaint)


def officers_for_unit(session: Session, unit: str) -> list[Officer]:
    """Active officers who handle complaints of ``unit`` (administrators when the unit is unknown)."""
    officers = session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id)).all()
    if not unit:
        return [o for o in officers if is_admin(o)]
    return [o for o in officers if not is_admin(o) and unit in (o.units or [])]


def notify_officers(session: Session, complaint: Complaint, rating: Rating) -> int:
    """Tell the unit's officers a new complaint arrived (no citizen data); returns messages enqueued."""
    added = 0
    for officer in officers_for_unit(session, complaint.unit):
        t = translator(officer.language)
        text = "📣 " + esc(t.gettext("Có phản ánh, kiến nghị mới số {id} (đánh giá {score}/5). "
                                     "Gõ /phananh để xem, /traloi {id} <nội dung> để trả lời.").format(
            id=complaint.id, score=rating.score))
        key = f"complaint-new:{complaint.id}:{officer.id}"
        if enqueue(session, dedupe_key=key, channel=officer.channel, chat_id=officer.chat_id,
                   reply=Reply(text=text), kind=NEW_KIND):
            added += 1
    return added

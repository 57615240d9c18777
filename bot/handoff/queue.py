"""The question queue: asking, relaying to the unit's officers, answering, cancelling, rating.

Every change happens in the caller's transaction; messages go through the outbox with one dedupe key per
(question, recipient), so a retried request never sends twice. The relayed message carries the marker
``#H<id>`` that lets an officer answer by replying to it on Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, italic
from bot.contract.messages import Choice, Reply
from bot.feedback.models import Rating, Subject
from bot.feedback.store import Rater
from bot.handoff.anonymise import anonymise
from bot.handoff.desk import officers_on_duty, timing
from bot.handoff.models import (
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    PENDING,
    Question,
    QuestionRoute,
    QuestionStatus,
)
from bot.i18n import translator
from bot.i18n.format import format_datetime
from bot.officers.models import Officer
from bot.officers.registry import visible_units
from bot.outbox.store import enqueue

NEW_KIND = "handoff_new"
ANSWER_KIND = "handoff_answer"
RATING_SCORES = (5, 3, 1)  # the buttons under an answer, in order
MARKER_RE = re.compile(r"#H(\d{1,12})\b")


def marker(question_id: int) -> str:
    """The tag officers see on a relayed question (and that a Telegram reply quotes back)."""
    return f"#H{question_id}"


def marked_question(text: str) -> int | None:
    """The question id quoted in a relayed message's text, if any."""
    found = MARKER_RE.search(text or "")
    return int(found.group(1)) if found else None


@dataclass(frozen=True, slots=True)
class Asker:
    """The citizen asking: their chat (kept only until the answer is relayed) and its digest."""

    channel: str
    chat_id: str
    chat_digest: str
    language: str


def ask(session: Session, settings: Settings, asker: Asker, text: str, *, unit: str, now: datetime,
        procedure_code: str = "", field: str = "") -> Question:
    """Store a question, route it to ``unit``'s officers through the outbox; the caller commits."""
    text = " ".join(text.split())[:MAX_QUESTION_CHARS]
    when = timing(settings, now)
    question = Question(
        status=QuestionStatus.NEW.value, unit=unit, procedure_code=procedure_code, field=field, text=text,
        text_masked=anonymise(text), channel=asker.channel, chat_digest=asker.chat_digest, created_at=now,
        due_at=when.due_at.astimezone(UTC), reminded_on="", faq_state="",
    )  # fmt: skip
    session.add(question)
    session.flush()
    session.add(QuestionRoute(question_id=question.id, channel=asker.channel, chat_id=asker.chat_id,
                              language=asker.language))  # fmt: skip
    sent = 0
    for officer in officers_on_duty(session, unit):
        if enqueue(session, dedupe_key=f"handoff-new:{question.id}:{officer.id}", channel=officer.channel,
                   chat_id=officer.chat_id, reply=relayed(question, officer.language, settings), kind=NEW_KIND):
            sent += 1
    if sent:
        question.status, question.assigned_at = QuestionStatus.ASSIGNED.value, now
    session.flush()
    return question


def relayed(question: Question, language: str, settings: Settings) -> Reply:
    """The question as the assigned officers see it: full text (personal data included), how to answer."""
    t = translator(language)
    due = format_datetime(as_utc(question.due_at).astimezone(settings.zone), language)
    lines = [
        "🙋 " + bold(t.gettext("Câu hỏi của người dân {marker}").format(marker=marker(question.id))),
        esc(t.gettext("Đơn vị: {unit}").format(unit=question.unit)),
    ]
    if question.procedure_code:
        lines.append(esc(t.gettext("Thủ tục: {code}").format(code=question.procedure_code)))
    lines += [
        esc(t.gettext("Hạn trả lời: {due}").format(due=due)),
        "",
        esc(question.text),
        "",
        italic(t.gettext("Trả lời: trả lời (reply) tin nhắn này trên Telegram, hoặc gõ /traloi H{id} <nội dung>.")
               .format(id=question.id)),
    ]
    return Reply(text="\n".join(lines))


class Outcome(StrEnum):
    """What an officer's answer, a cancellation or a rating did."""

    DONE = "done"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    NOT_PENDING = "not_pending"  # already answered, closed or cancelled


def may_answer(officer: Officer, question: Question) -> bool:
    """Officers of the question's unit, and administrators."""
    units = visible_units(officer)
    return units is None or question.unit in units


def answer(session: Session, question_id: int, officer: Officer, text: str, now: datetime) -> Outcome:
    """Store an officer's answer and put it into the outbox for the citizen's chat (route deleted)."""
    question = session.get(Question, question_id)
    if question is None:
        return Outcome.NOT_FOUND
    if not may_answer(officer, question):
        return Outcome.FORBIDDEN
    if question.status not in PENDING:
        return Outcome.NOT_PENDING
    question.answer = " ".join(text.split())[:MAX_ANSWER_CHARS]
    question.answered_by, question.answered_at = officer.id, now
    question.status = QuestionStatus.ANSWERED.value
    route = session.scalar(select(QuestionRoute).where(QuestionRoute.question_id == question.id))
    if route is not None:
        enqueue(session, dedupe_key=f"handoff-answer:{question.id}", channel=route.channel, chat_id=route.chat_id,
                reply=answer_message(question, route.language), kind=ANSWER_KIND)  # fmt: skip
        session.execute(delete(QuestionRoute).where(QuestionRoute.id == route.id))
    session.flush()
    return Outcome.DONE


def answer_message(question: Question, language: str) -> Reply:
    """What the citizen receives: which unit answered, their question, the answer, and a rating scale."""
    t = translator(language)
    quoted = question.text if len(question.text) <= 300 else question.text[:299] + "…"
    lines = [
        "📬 " + bold(t.gettext("{unit} trả lời câu hỏi số {id} của bạn").format(unit=question.unit, id=question.id)),
        esc(t.gettext("Bạn hỏi:")) + " " + f"<i>{esc(quoted)}</i>",
        esc(t.gettext("Trả lời:")) + " " + esc(question.answer or ""),
        "",
        esc(t.gettext("Câu trả lời có giúp được bạn không?")),
    ]
    labels = {5: t.gettext("😀 Rất hữu ích"), 3: t.gettext("😐 Tạm được"), 1: t.gettext("🙁 Chưa giải đáp được")}
    rows = [[Choice(labels[score], encode(Action.HANDOFF_RATE, question.id, score))] for score in RATING_SCORES]
    return Reply(text="\n".join(lines), choices=rows)


def own_question(session: Session, question_id: int, chat_digest: str) -> Question | None:
    """The question if this chat asked it."""
    question = session.get(Question, question_id)
    return question if question is not None and question.chat_digest == chat_digest else None


def pending_of(session: Session, chat_digest: str) -> list[Question]:
    """This chat's questions still waiting for an answer, oldest first."""
    return list(session.scalars(select(Question).where(
        Question.chat_digest == chat_digest, Question.status.in_(PENDING)).order_by(Question.id)))


def cancel(session: Session, question_id: int, chat_digest: str, now: datetime) -> Outcome:
    """The citizen withdraws a pending question; its route is deleted (nothing will be relayed)."""
    question = own_question(session, question_id, chat_digest)
    if question is None:
        return Outcome.NOT_FOUND
    if question.status not in PENDING:
        return Outcome.NOT_PENDING
    question.status, question.closed_at = QuestionStatus.CANCELLED.value, now
    session.execute(delete(QuestionRoute).where(QuestionRoute.question_id == question.id))
    session.flush()
    return Outcome.DONE


def rate_answer(session: Session, question_id: int, rater: Rater, score: int, now: datetime) -> Outcome:
    """The citizen rates the answer: the question is closed and the score counts as satisfaction of the unit."""
    question = own_question(session, question_id, rater.chat_digest)
    if question is None or not 1 <= score <= 5:
        return Outcome.NOT_FOUND
    if question.status not in (QuestionStatus.ANSWERED.value, QuestionStatus.CLOSED.value):
        return Outcome.NOT_PENDING
    if question.score is None:  # the first rating counts; a second press only changes the question's score
        session.add(Rating(
            subject=Subject.SERVICE.value, procedure_code=question.procedure_code, unit=question.unit,
            field=question.field, channel=rater.channel, chat_digest=rater.chat_digest, score=score, criteria={},
            comment="", is_complaint=False, language=rater.language, created_at=now, updated_at=now,
        ))  # fmt: skip
    question.score, question.closed_at = score, question.closed_at or now
    question.status = QuestionStatus.CLOSED.value
    session.flush()
    return Outcome.DONE

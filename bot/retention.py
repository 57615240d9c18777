"""Purging personal data past its retention period ([privacy] in config.toml, Decree 13/2023/NĐ-CP).

Applicants' names of finished dossiers, and citizens' comments, complaint texts, contact details and the
officers' answers to them, and the words of questions sent to officers ("Hỏi cán bộ"; their anonymised
copy stays for the gaps report), are blanked once older than configured; updates the inbox has answered (or
given up on) hold citizens' messages as the platform sent them and are deleted a week after. What the
reports count (scores, statuses, dates) stays. The nightly job of the scheduler and ``python -m bot privacy
purge`` call ``purge``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update

from bot.clock import as_utc
from bot.config import PrivacySettings
from bot.dossiers.models import Dossier, VerificationAttempt
from bot.feedback.models import Complaint, Rating
from bot.handoff.models import Question, QuestionStatus
from bot.inbox.models import OPEN_STATES, InboxUpdate
from bot.storage.db import Database, rowcount


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows lost which personal data."""

    applicant_names: int
    ratings: int
    complaint_answers: int
    questions: int = 0  # questions to officers whose words and answer were blanked
    inbox_updates: int = 0  # answered (or given-up) platform updates deleted


#: Answered platform updates are kept this long (a platform's retries come within hours; the outbox keeps what
#: was sent), then deleted with the message they carry.
KEEP_INBOX = timedelta(days=7)


def purge(db: Database, cfg: PrivacySettings, now: datetime) -> Purged:
    """Blank what is past its retention at ``now``; one transaction."""
    now = as_utc(now) or now
    names_before = now - timedelta(days=cfg.applicant_name_days)
    texts_before = now - timedelta(days=cfg.complaint_days)
    finished = func.coalesce(Dossier.returned_at, Dossier.finished_at, Dossier.updated_at)
    with db.session() as s:
        names = rowcount(s.execute(
            update(Dossier)
            .where(Dossier.applicant_name != "", Dossier.is_open.is_(False), finished < names_before)
            .values(applicant_name="", updated_at=Dossier.updated_at)
            .execution_options(synchronize_session=False)))
        old = select(Rating.id).where(Rating.created_at < texts_before)
        ratings = rowcount(s.execute(
            update(Rating)
            .where(Rating.id.in_(old), or_(Rating.comment != "", Rating.contact.is_not(None)))
            .values(comment="", contact=None)
            .execution_options(synchronize_session=False)))
        answers = rowcount(s.execute(
            update(Complaint)
            .where(and_(Complaint.rating_id.in_(old), Complaint.answer.is_not(None)))
            .values(answer=None)
            .execution_options(synchronize_session=False)))
        done = (QuestionStatus.ANSWERED.value, QuestionStatus.CLOSED.value, QuestionStatus.CANCELLED.value)
        questions = rowcount(s.execute(
            update(Question)
            .where(Question.status.in_(done), Question.created_at < texts_before,
                   or_(Question.text != "", Question.answer.is_not(None)))
            .values(text="", answer=None)
            .execution_options(synchronize_session=False)))
        inbox = rowcount(s.execute(
            delete(InboxUpdate)
            .where(InboxUpdate.state.not_in(OPEN_STATES), InboxUpdate.done_at < now - KEEP_INBOX)
            .execution_options(synchronize_session=False)))
        # the answers log of the first releases (chat ids in clear) is no longer written: emptied
        s.execute(delete(VerificationAttempt))
        s.commit()
    return Purged(names, ratings, answers, questions, inbox)

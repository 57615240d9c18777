"""The rating scale as buttons, and inviting followers of a returned dossier to rate it (through the outbox)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.contract.callbacks import Action, encode
from bot.contract.html import esc
from bot.contract.messages import Choice, Reply
from bot.dossiers.models import DossierStatus, StatusChange, Subscription
from bot.feedback.models import SCORES
from bot.i18n import Translator, translator
from bot.outbox.store import enqueue

INVITE_KIND = "rating_invite"


def score_label(score: int, t: Translator) -> str:
    """The SIPAS wording of a score, 5 = Rất hài lòng … 1 = Rất không hài lòng."""
    labels = {
        5: t.gettext("😀 Rất hài lòng"),
        4: t.gettext("🙂 Hài lòng"),
        3: t.gettext("😐 Bình thường"),
        2: t.gettext("🙁 Không hài lòng"),
        1: t.gettext("😞 Rất không hài lòng"),
    }
    return labels[score]


def scale_choices(t: Translator, subject: str, ref: str) -> list[list[Choice]]:
    """Five buttons, best first, one per row (long labels stay readable on a phone)."""
    return [[Choice(score_label(s, t), encode(Action.RATE, subject, ref, s))] for s in SCORES]


def dossier_invitation(language: str, dossier_id: int) -> Reply:
    """The invitation to rate the handling of a returned dossier."""
    t = translator(language)
    text = esc(t.gettext("Hồ sơ bạn theo dõi đã được trả kết quả. Bạn có hài lòng với việc giải quyết hồ sơ "
                         "không? Đánh giá của bạn được giữ ẩn danh."))
    return Reply(text="⭐ " + text, choices=scale_choices(t, "d", str(dossier_id)))


def invite_returned(session: Session, changes: Iterable[StatusChange]) -> int:
    """Invite every active follower of each newly returned dossier to rate it; returns messages enqueued.

    Key ``rating-invite:{dossier id}:{subscription id}``: at most one invitation per follower. The caller commits.
    """
    added = 0
    for change in changes:
        if change.new != DossierStatus.RETURNED.value:
            continue
        subscribers = session.scalars(
            select(Subscription).where(Subscription.dossier_id == change.dossier_id, Subscription.active.is_(True))
        ).all()
        for sub in subscribers:
            if enqueue(session, dedupe_key=f"rating-invite:{change.dossier_id}:{sub.id}", channel=sub.channel,
                       chat_id=sub.chat_id, reply=dossier_invitation(sub.language, change.dossier_id),
                       kind=INVITE_KIND):
                added += 1
    return added

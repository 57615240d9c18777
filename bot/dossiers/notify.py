"""Telling subscribed citizens that an import changed their dossier's status (through the outbox).

A notification carries the dossier code and the new status only: everything else needs a fresh
verification in the chat (``/hoso CODE``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc
from bot.contract.messages import Choice, Reply
from bot.dossiers.models import DossierEvent, DossierStatus, StatusChange, Subscription
from bot.i18n import Translator, translator
from bot.outbox.store import enqueue

log = logging.getLogger(__name__)

KIND = "dossier_status"


_STATUSES = frozenset(s.value for s in DossierStatus)


def status_label(status: str, t: Translator) -> str:
    """The plain-words name of a normalised status in the translator's language."""
    labels = {
        DossierStatus.RECEIVED: t.gettext("Đã tiếp nhận"),
        DossierStatus.PROCESSING: t.gettext("Đang xử lý"),
        DossierStatus.SUPPLEMENT: t.gettext("Chờ bổ sung giấy tờ"),
        DossierStatus.DONE: t.gettext("Đã có kết quả"),
        DossierStatus.RETURNED: t.gettext("Đã trả kết quả"),
        DossierStatus.REJECTED: t.gettext("Bị từ chối, trả lại hồ sơ"),
        DossierStatus.CANCELLED: t.gettext("Đã dừng xử lý"),
    }
    return labels.get(DossierStatus(status), t.gettext("Chưa rõ trạng thái")) if status in _STATUSES else \
        t.gettext("Chưa rõ trạng thái")


def notification(code: str, status: str, dossier_id: int, language: str, office: str) -> Reply:
    """The message a subscriber receives: who writes, code and new status, how to see more, how to stop."""
    t = translator(language)
    lines = [
        bold(office),
        "🔔 "
        + esc(t.gettext("Hồ sơ {code} vừa chuyển sang trạng thái:").format(code=code))
        + " "
        + bold(status_label(status, t)),
        esc(t.gettext("Gõ /hoso {code} để xem chi tiết. Gõ /huytheodoi để ngừng nhận thông báo.").format(code=code)),
    ]
    button = Choice(t.gettext("🔕 Ngừng theo dõi"), encode(Action.DOSSIER_UNSUBSCRIBE, dossier_id))
    return Reply(text="\n".join(lines), choices=[[button]])


def _change_marker(session: Session, change: StatusChange) -> str:
    """What makes this change unique: the id of its history event, else its old → new transition."""
    event_id = session.scalar(
        select(DossierEvent.id)
        .where(DossierEvent.dossier_id == change.dossier_id, DossierEvent.new_status == change.new)
        .order_by(DossierEvent.id.desc())
        .limit(1)
    )
    if event_id is not None:
        return f"e{event_id}"
    return "from-" + (change.old or "none")


def notify_status_changes(session: Session, changes: Iterable[StatusChange], settings: Settings) -> int:
    """Enqueue one message per active subscriber per change; returns how many were newly enqueued.

    Keys are ``dossier:{dossier_id}:{new_status}:{event}:{subscription id}``, so running it again for the
    same import adds nothing. Messages are in each subscriber's language. The caller commits.
    """
    added = 0
    for change in changes:
        subscribers = session.scalars(
            select(Subscription).where(Subscription.dossier_id == change.dossier_id, Subscription.active.is_(True))
        ).all()
        if not subscribers:
            continue
        marker = _change_marker(session, change)
        for sub in subscribers:
            key = f"dossier:{change.dossier_id}:{change.new}:{marker}:{sub.id}"
            reply = notification(change.code, change.new, change.dossier_id, sub.language, settings.office.name)
            if enqueue(session, dedupe_key=key, channel=sub.channel, chat_id=sub.chat_id, reply=reply, kind=KIND):
                added += 1
    log.info("dossier status notifications enqueued: %d", added)
    return added

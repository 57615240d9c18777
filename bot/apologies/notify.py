"""Telling the citizens who follow a dossier about its apology and new appointment (through the outbox)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc
from bot.contract.messages import Choice, Reply
from bot.dossiers.models import Apology, Dossier, Subscription
from bot.i18n import translator
from bot.i18n.format import format_date
from bot.outbox.store import enqueue

KIND = "apology_citizen"


def citizen_notice(code: str, dossier_id: int, new_due: date, reason: str, language: str, office: str) -> Reply:
    """The apology a follower reads: who writes, the apology, the new date and the reason."""
    t = translator(language)
    lines = [
        bold(office),
        "🙏 " + esc(t.gettext("Hồ sơ {code} chưa giải quyết được đúng hẹn. Chúng tôi thành thật xin lỗi Ông/Bà.")
                    .format(code=code)),
        esc(t.gettext("Ngày hẹn trả kết quả mới:")) + " " + bold(format_date(new_due, language)),
        esc(t.gettext("Lý do: {reason}").format(reason=reason or "-")),
        esc(t.gettext("Phiếu xin lỗi và hẹn lại ngày trả kết quả được gửi kèm hồ sơ tại Bộ phận Một cửa. "
                      "Gõ /hoso {code} để xem chi tiết.").format(code=code)),
    ]
    button = Choice(t.gettext("🔕 Ngừng theo dõi"), encode(Action.DOSSIER_UNSUBSCRIBE, dossier_id))
    return Reply(text="\n".join(lines), choices=[[button]])


def notify_followers(session: Session, dossier: Dossier, apology: Apology, settings: Settings) -> int:
    """Enqueue the apology for every active follower of ``dossier`` in their language and channel; how many
    were added (keys ``apology:{apology id}:{subscription id}``: running it again adds nothing)."""
    if apology.new_due_at is None:
        return 0
    new_due = as_utc(apology.new_due_at).astimezone(settings.zone).date()
    followers = session.scalars(
        select(Subscription).where(Subscription.dossier_id == dossier.id, Subscription.active.is_(True))
    ).all()
    added = 0
    for sub in followers:
        reply = citizen_notice(dossier.code, dossier.id, new_due, apology.reason, sub.language, settings.office.name)
        if enqueue(session, dedupe_key=f"apology:{apology.id}:{sub.id}", channel=sub.channel, chat_id=sub.chat_id,
                   reply=reply, kind=KIND):  # fmt: skip
            added += 1
    return added

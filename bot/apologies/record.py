"""Recording apologies (Phiếu xin lỗi và hẹn lại ngày trả kết quả, Decree 118/2025/NĐ-CP): history, repeats.

Every apology is a row of ``apologies`` (the dossier's history of postponements, from chat or from the
export). The dossier's followers are told (``notify.py``). A dossier postponed a second time is flagged to
the leaders of its unit through the outbox, and :func:`count_repeat_postponements` counts such repeats.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.apologies.notify import notify_followers
from bot.clock import as_utc
from bot.config import Settings
from bot.contract.html import bold, esc
from bot.contract.messages import Reply
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.models import Apology, Dossier
from bot.i18n import translator
from bot.i18n.format import format_date
from bot.officers.models import Officer, Role
from bot.outbox.store import enqueue

log = logging.getLogger(__name__)

KIND_REPEAT = "apology_repeat"
MAX_REASON = 500


class ApologyError(ValueError):
    """A new appointment date that cannot be accepted; ``code`` says why (for the chat's wording)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Recorded:
    """An apology just stored: which one it is for the dossier (1 = first postponement)."""

    apology_id: int
    dossier_id: int
    code: str
    unit: str
    number: int
    new_due_at: datetime
    leaders_flagged: int
    citizens_told: int


def check_new_date(new_date: date, today: date, calendar: WorkCalendar) -> None:
    """A new appointment must be a working day after today; raises :class:`ApologyError` otherwise."""
    if new_date <= today:
        raise ApologyError("not_after_today")
    if not calendar.is_working_day(new_date):
        raise ApologyError("day_off")


def apology_count(session: Session, dossier_id: int) -> int:
    """How many apologies (postponements) a dossier has had."""
    return session.scalar(select(func.count()).where(Apology.dossier_id == dossier_id)) or 0


def record_apology(
    session: Session,
    dossier: Dossier,
    *,
    new_date: date,
    reason: str,
    now: datetime,
    settings: Settings,
    calendar: WorkCalendar | None = None,
) -> Recorded:
    """Store an apology for ``dossier`` with the new appointment at the end of ``new_date``; flag a
    second (or later) postponement to the unit's leaders. The caller commits."""
    calendar = calendar or WorkCalendar.from_settings(settings)
    check_new_date(new_date, as_utc(now).astimezone(settings.zone).date(), calendar)
    new_due = as_utc(calendar.end_of(new_date))
    reason = reason.strip()[:MAX_REASON]
    apology = Apology(dossier_id=dossier.id, sent_at=as_utc(now), new_due_at=new_due, reason=reason)
    session.add(apology)
    session.flush()
    number = apology_count(session, dossier.id)
    flagged = _flag_leaders(session, dossier, apology, number, settings) if number >= 2 else 0
    told = notify_followers(session, dossier, apology, settings)
    return Recorded(apology.id, dossier.id, dossier.code, dossier.unit, number, new_due, flagged, told)


def unit_leaders(session: Session, unit: str) -> list[Officer]:
    """Active leaders (lãnh đạo đơn vị) whose units include ``unit``."""
    leaders = session.scalars(select(Officer).where(Officer.active.is_(True), Officer.role == Role.LEADER.value))
    return [o for o in leaders if unit in (o.units or [])]


def repeat_notice(code: str, unit: str, number: int, new_due: date, reason: str, language: str) -> Reply:
    """What a leader is told when a dossier is postponed again."""
    t = translator(language)
    lines = [
        bold(t.gettext("⚠️ Hồ sơ {code} bị hẹn lại lần thứ {n}").format(code=code, n=number)),
        esc(t.gettext("Đơn vị: {unit}").format(unit=unit)),
        esc(t.gettext("Ngày hẹn mới: {date}").format(date=format_date(new_due, language))),
        esc(t.gettext("Lý do: {reason}").format(reason=reason or "-")),
        esc(t.gettext("Hồ sơ đã xin lỗi và hẹn lại trước đó; đề nghị lãnh đạo đơn vị chỉ đạo giải quyết dứt điểm.")),
    ]
    return Reply(text="\n".join(lines))


def _flag_leaders(session: Session, dossier: Dossier, apology: Apology, number: int, settings: Settings) -> int:
    added = 0
    new_due = as_utc(apology.new_due_at).astimezone(settings.zone).date() if apology.new_due_at else None
    for leader in unit_leaders(session, dossier.unit):
        reply = repeat_notice(dossier.code, dossier.unit, number, new_due or date.min, apology.reason, leader.language)
        key = f"{KIND_REPEAT}:{apology.id}:{leader.id}"
        if enqueue(session, dedupe_key=key, channel=leader.channel, chat_id=leader.chat_id, reply=reply,
                   kind=KIND_REPEAT):  # fmt: skip
            added += 1
    if not added:
        log.warning("repeat postponement of dossier %d: no leader of its unit to tell", dossier.id)
    return added


def count_repeat_postponements(
    session: Session, *, start: datetime, end: datetime, units: Sequence[str] | None = None
) -> int:
    """Apologies sent in [start, end) for a dossier that already had an earlier one (second and later
    postponements), for ``units`` (None = every unit). For the reports."""
    earlier = aliased(Apology)
    stmt = (
        select(func.count())
        .select_from(Apology)
        .join(Dossier, Dossier.id == Apology.dossier_id)
        .where(
            Apology.sent_at >= as_utc(start),
            Apology.sent_at < as_utc(end),
            select(earlier.id)
            .where(earlier.dossier_id == Apology.dossier_id, earlier.sent_at < Apology.sent_at)
            .exists(),
        )
    )
    if units is not None:
        stmt = stmt.where(Dossier.unit.in_(list(units)))
    return session.scalar(stmt) or 0

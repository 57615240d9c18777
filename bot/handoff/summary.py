"""The gaps report as text: for ``python -m bot gaps``, the ``/hoidap`` command and the weekly summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import Settings
from bot.contract.html import bold, esc
from bot.contract.messages import Reply
from bot.handoff.gaps import Gap, gaps_report
from bot.i18n import translator
from bot.i18n.format import format_date
from bot.officers.models import Officer
from bot.officers.registry import is_admin
from bot.outbox.store import enqueue
from bot.storage.db import Database

WEEKLY_KIND = "handoff_gaps_weekly"
SHOWN = 10


def gap_lines(gaps: list[Gap], language: str, name_of: Callable[[str], str] = lambda _code: "") -> list[str]:
    """One numbered line per group (count, wording) and one line of closest procedures (plain text)."""
    t = translator(language)
    lines = []
    for i, gap in enumerate(gaps, 1):
        asked = t.gettext(", {n} gửi cán bộ").format(n=gap.asked) if gap.asked else ""
        lines.append(f"{i}. ({gap.count}{asked}) {gap.text}")
        if gap.codes:
            closest = "; ".join(f"{c} {name_of(c)}".strip() for c in gap.codes)
            lines.append("   " + t.gettext("Gần nhất: {codes}").format(codes=closest))
    return lines


def weekly_summary(session: Session, now: datetime, language: str) -> Reply:
    """The last seven days' most frequent unanswered questions, for administrators."""
    t = translator(language)
    since = as_utc(now) - timedelta(days=7)
    gaps = gaps_report(session, since, as_utc(now) + timedelta(seconds=1), SHOWN)  # up to and including now
    head = bold(t.gettext("Câu hỏi trợ lý chưa trả lời được (7 ngày đến {day})").format(
        day=format_date(as_utc(now).date(), language)))
    if not gaps:
        return Reply(text=head + "\n" + esc(t.gettext("Không có câu hỏi nào chưa trả lời được.")))
    tail = t.gettext("Thêm tên gọi khác (aliases) hoặc tình huống vào danh mục, hoặc duyệt câu trả lời của cán bộ "
                     "làm câu hỏi thường gặp. Chi tiết: python -m bot gaps")
    return Reply(text="\n".join([head, *(esc(line) for line in gap_lines(gaps, language)), esc(tail)]))


def enqueue_weekly_gaps(db: Database, settings: Settings, now: datetime) -> int:
    """The weekly summary to every active administrator, once per ISO week."""
    year, week, _day = as_utc(now).astimezone(settings.zone).isocalendar()
    added = 0
    with db.session() as session:
        admins = [o for o in session.scalars(select(Officer).where(Officer.active.is_(True))) if is_admin(o)]
        for admin in admins:
            key = f"handoff-gaps:{year}-W{week:02d}:{admin.id}"
            if enqueue(session, dedupe_key=key, channel=admin.channel, chat_id=admin.chat_id,
                       reply=weekly_summary(session, now, admin.language), kind=WEEKLY_KIND):
                added += 1
        session.commit()
    return added

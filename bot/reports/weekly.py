"""The weekly report to unit leaders: last week's figures and a chart of the last weeks, via the outbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from bot.clock import local_date
from bot.config import Settings
from bot.contract.capabilities import CapabilityLookup, default_lookup
from bot.contract.messages import Attachment, Reply
from bot.i18n import translator
from bot.officers.models import Officer, Role
from bot.outbox.store import enqueue
from bot.reports.chart import weekly_chart
from bot.reports.compute import Report, compute_series
from bot.reports.periods import Period, PeriodKind, last_weeks, period_of, previous
from bot.reports.text import report_text
from bot.storage.db import Database

log = logging.getLogger(__name__)

KIND = "weekly_report"


def restrict(report: Report, units: Sequence[str]) -> Report:
    """The same report with only the rows of ``units``."""
    wanted = set(units)
    return replace(report, rows=[r for r in report.rows if r.key in wanted])


def iso_week(period: Period) -> str:
    """``2026-W47``."""
    year, week, _ = period.start.isocalendar()
    return f"{year}-W{week:02d}"


def report_reply(series: Sequence[Report], language: str, title: str, photos: bool = True) -> Reply:
    """Text of the last period of ``series`` plus the chart of the whole series (none when empty, or when
    the channel cannot show ``photos``)."""
    text = report_text(series[-1], language, title)
    chart = weekly_chart(series, language) if photos else b""
    attachments = [Attachment("bao-cao-tuan.png", chart, "image/png")] if chart else []
    return Reply(text=text, attachments=attachments)


def enqueue_weekly_reports(
    db: Database, settings: Settings, now: datetime, capabilities: CapabilityLookup = default_lookup
) -> int:
    """One message per active unit leader for the last full ISO week, the chart only where the leader's channel
    shows photos (``capabilities``); returns how many were newly enqueued.

    Key ``weekly:{officer id}:{iso year-week}``: running the job again in the same week adds nothing.
    """
    week = previous(period_of(PeriodKind.WEEK, local_date(now, settings.zone)))
    weeks = last_weeks(week.start, settings.reports.chart_weeks)
    added = 0
    with db.session() as s:
        leaders = s.scalars(select(Officer).where(Officer.active.is_(True), Officer.role == Role.LEADER.value)
                            .order_by(Officer.id)).all()
        if not leaders:
            return 0
        series = compute_series(s, weeks, settings)
        for leader in leaders:
            units = [str(u) for u in leader.units or []]
            t = translator(leader.language)
            title = t.gettext("Báo cáo tuần {week}").format(week=iso_week(week))
            reply = report_reply([restrict(r, units) for r in series], leader.language, title,
                                 capabilities(leader.channel).photos)  # fmt: skip
            if enqueue(s, dedupe_key=f"weekly:{leader.id}:{iso_week(week)}", channel=leader.channel,
                       chat_id=leader.chat_id, reply=reply, kind=KIND):
                added += 1
        s.commit()
    log.info("weekly reports enqueued: %d", added)
    return added

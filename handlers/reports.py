"""/baocao: officers and leaders choose a period and a unit, and get the figures with targets and a chart."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.contract.callbacks import Action, encode
from bot.contract.html import esc
from bot.contract.messages import Attachment, Choice, Reply
from bot.conversation import Context
from bot.dossiers.models import Dossier
from bot.officers.models import Officer
from bot.officers.registry import visible_units
from bot.reports.chart import weekly_chart
from bot.reports.compute import Filters, compute_period, compute_series
from bot.reports.periods import Preset, chart_periods, preset_period
from bot.reports.text import report_text
from handlers.feedback import acting_officer

MAX_UNITS = 20


def _preset_label(ctx: Context, preset: Preset) -> str:
    return {
        Preset.THIS_WEEK: ctx._("Tuần này"),
        Preset.LAST_WEEK: ctx._("Tuần trước"),
        Preset.THIS_MONTH: ctx._("Tháng này"),
        Preset.LAST_MONTH: ctx._("Tháng trước"),
        Preset.THIS_QUARTER: ctx._("Quý này"),
    }[preset]


def _units(s: Session, officer: Officer) -> list[str]:
    """The units offered: the officer's own, or for administrators the units that have dossiers."""
    units = visible_units(officer)
    if units is None:
        units = [u for u in s.scalars(select(Dossier.unit).distinct().order_by(Dossier.unit).limit(MAX_UNITS)) if u]
    return sorted(units)[:MAX_UNITS]


def _denied(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho cán bộ đã đăng ký.")))]


def cmd_report(ctx: Context, _arg: str) -> list[Reply]:
    """/baocao: choose the period."""
    with ctx.db.session() as s:
        if acting_officer(ctx, s) is None:
            return _denied(ctx)
    rows = [[Choice(_preset_label(ctx, p), encode(Action.REPORT_PERIOD, p.value))] for p in Preset]
    return [Reply(text=esc(ctx._("Chọn kỳ báo cáo:")), choices=rows)]


def on_period(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Period chosen: choose the unit (or all of one's units)."""
    with ctx.db.session() as s:
        officer = acting_officer(ctx, s)
        if officer is None:
            return _denied(ctx)
        units = _units(s, officer)
    if len(units) <= 1:
        return on_unit(ctx, (args[0], "0" if units else "a"))
    rows = [[Choice(ctx._("Tất cả đơn vị"), encode(Action.REPORT_UNIT, args[0], "a"))]]
    rows += [[Choice(u, encode(Action.REPORT_UNIT, args[0], i))] for i, u in enumerate(units)]
    return [Reply(text=esc(ctx._("Chọn đơn vị:")), choices=rows)]


def on_unit(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Period and unit chosen: the figures with targets beside them, and the chart of the last weeks."""
    preset, choice = Preset(args[0]), args[1]
    period = preset_period(preset, local_date(ctx.clock(), ctx.settings.zone))
    with ctx.db.session() as s:
        officer = acting_officer(ctx, s)
        if officer is None:
            return _denied(ctx)
        offered = _units(s, officer)
        if choice == "a":
            units = visible_units(officer)
        elif int(choice) < len(offered):
            units = [offered[int(choice)]]
        else:
            return None
        report = compute_period(s, period, ctx.settings, filters=Filters(units=units), now=ctx.clock())
        points = chart_periods(period, ctx.settings.reports.chart_weeks)
        series = compute_series(s, points, ctx.settings, units, now=ctx.clock())
    title = ctx._("Báo cáo {period}").format(period=_preset_label(ctx, preset).lower())
    reply = Reply(text=report_text(report, ctx.language, title))
    chart = None if report.is_empty else weekly_chart(series, ctx.language)
    if chart is not None:
        reply.attachments.append(Attachment("bao-cao.png", chart, "image/png"))
    return [reply]

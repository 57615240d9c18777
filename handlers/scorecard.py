"""/bangdiem: the 766 scorecard of an officer's units for a month or a quarter, as text and a phone-sized PNG."""

from __future__ import annotations

from datetime import date

from bot.clock import local_date
from bot.contract.callbacks import Action, encode
from bot.contract.html import esc
from bot.contract.messages import Attachment, Choice, Reply
from bot.conversation import Context
from bot.officers.registry import visible_units
from bot.reports.periods import Period, PeriodKind, period_of, previous
from bot.reports.scorecard import compute_scorecard
from bot.reports.scorecard_png import scorecard_png
from bot.reports.scorecard_text import scorecard_text
from handlers.feedback import acting_officer

PERIODS = ("tm", "lm", "tq", "lq")


def _label(ctx: Context, key: str) -> str:
    return {"tm": ctx._("Tháng này"), "lm": ctx._("Tháng trước"), "tq": ctx._("Quý này"),
            "lq": ctx._("Quý trước")}[key]


def scorecard_period(key: str, today: date) -> Period:
    """The month or quarter a /bangdiem button stands for, relative to ``today``."""
    current = period_of(PeriodKind.MONTH if key[1] == "m" else PeriodKind.QUARTER, today)
    return previous(current) if key[0] == "l" else current


def cmd_scorecard(ctx: Context, _arg: str) -> list[Reply]:
    """/bangdiem: choose the month or quarter."""
    with ctx.db.session() as s:
        if acting_officer(ctx, s) is None:
            return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho cán bộ đã đăng ký.")))]
    rows = [[Choice(_label(ctx, key), encode(Action.SCORECARD, key))] for key in PERIODS]
    return [Reply(text=esc(ctx._("Bảng điểm 766: chọn kỳ")), choices=rows)]


def on_period(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Period chosen: the scorecard of the officer's units (every unit for administrators) and its PNG."""
    period = scorecard_period(args[0], local_date(ctx.clock(), ctx.settings.zone))
    with ctx.db.session() as s:
        officer = acting_officer(ctx, s)
        if officer is None:
            return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho cán bộ đã đăng ký.")))]
        card = compute_scorecard(s, period, ctx.settings, units=visible_units(officer), now=ctx.clock())
    reply = Reply(text=scorecard_text(card, ctx.language))
    if not card.is_empty:
        reply.attachments.append(Attachment("bang-diem-766.png", scorecard_png(card, ctx.language), "image/png"))
    return [reply]

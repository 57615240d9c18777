"""Where to go: the receiving point for the procedure's level (and the citizen's commune or ward), its
address, opening hours, whether it is open now, phone and map; then online and postal filing."""

from __future__ import annotations

from bot.catalog.model import Channel, OnlineMode, Procedure
from bot.catalog.text import is_blank
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import bold, esc, link, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.i18n.format import format_clock, format_moment, weekday_name
from bot.receiving.hours import opening_status, weekly_runs
from bot.receiving.points import Interval, ReceivingPoint, points_for
from handlers.describe import levels_text, online_mode_label
from handlers.office_time import local_now, office_calendar
from handlers.section_menu import section_buttons, section_header

STATE_POINT = "receiving_point"
AREA_BUTTON_CHARS = 40


def _intervals(intervals: list[Interval]) -> str:
    return ", ".join(f"{format_clock(start)}–{format_clock(end)}" for start, end in intervals)


def _hours_lines(ctx: Context, point: ReceivingPoint) -> list[str]:
    lines = []
    for first, last, intervals in weekly_runs(point.hours):
        days = weekday_name(first, ctx.language)
        if last != first:
            days = f"{days} – {weekday_name(last, ctx.language)}"
        lines.append(f"🕒 {esc(days)}: {esc(_intervals(intervals))}")
    lines.append("   " + esc(ctx._("Nghỉ các ngày lễ, Tết theo lịch của cơ quan.")))
    return lines


def _status_line(ctx: Context, point: ReceivingPoint) -> str:
    _ = ctx._
    status = opening_status(point.hours, local_now(ctx), office_calendar(ctx))
    if status.open_now and status.closes_at:
        return "🟢 " + esc(_("Đang mở cửa, đến {time} hôm nay.").format(time=format_clock(status.closes_at.time())))
    if status.opens_at:
        when = format_moment(status.opens_at, ctx.language)
        return "🔴 " + esc(_("Đang ngoài giờ làm việc. Mở cửa lại lúc {when}.").format(when=when))
    return "🔴 " + esc(_("Đang ngoài giờ làm việc; chưa có lịch mở cửa trong ba tuần tới."))


def _point_lines(ctx: Context, point: ReceivingPoint) -> list[str]:
    lines = ["", "📍 " + bold(point.name)]
    if point.address:
        lines.append("   " + esc(point.address))
    lines += _hours_lines(ctx, point)
    lines.append(_status_line(ctx, point))
    if point.phone:
        lines.append("☎️ " + esc(point.phone))
    if point.map_url:
        lines.append("🗺 " + link(ctx._("Xem bản đồ"), point.map_url))
    return lines


def _area_label(point: ReceivingPoint) -> str:
    return shorten(", ".join(point.areas), AREA_BUTTON_CHARS)


def _chosen(ctx: Context, local: list[tuple[int, ReceivingPoint]]) -> tuple[int, ReceivingPoint] | None:
    """The commune/ward point of this chat: remembered, or the only one."""
    remembered = ctx.state.data.get(STATE_POINT)
    found = next(((i, pt) for i, pt in local if i == remembered), None)
    return found or (local[0] if len(local) == 1 else None)


def _office_only(ctx: Context) -> list[str]:
    """No receiving points configured: the office's own name, address and hotline."""
    office = ctx.settings.office
    lines = ["", "📍 " + bold(office.name)]
    if office.address:
        lines.append("   " + esc(office.address))
    return lines


def _source_lines(ctx: Context, p: Procedure) -> list[str]:
    _ = ctx._
    lines = []
    sources = ((_("Cơ quan giải quyết"), p.agency or p.competent_agency), (_("Địa chỉ tiếp nhận"), p.address))
    for label, value in sources:
        if value and not is_blank(value):
            lines.append("• " + esc(_("{label} (theo Cổng Dịch vụ công): {value}").format(label=label, value=value)))
    return ["", *lines] if lines else []


def _other_ways(ctx: Context, p: Procedure) -> list[str]:
    _ = ctx._
    lines = [""]
    mode = p.effective_online_mode
    if mode is not OnlineMode.NONE:
        online = "🌐 " + esc(_("Nộp trực tuyến ({mode}):").format(mode=online_mode_label(mode, ctx.t)))
        portal = p.portal_url or ctx.settings.office.portal_url
        lines.append(online + " " + link(ctx.settings.online_filing.portal_name, portal))
    else:
        lines.append("🌐 " + esc(_("Thủ tục này chưa nhận hồ sơ trực tuyến.")))
    if Channel.POST in p.channels:
        lines.append("📮 " + esc(_("Gửi qua bưu chính: gửi hồ sơ qua bưu điện (dịch vụ bưu chính công ích) "
                                     "đến nơi tiếp nhận hồ sơ.")))
    else:
        lines.append("📮 " + esc(_("Không nhận hồ sơ qua bưu chính.")))
    if ctx.settings.office.hotline:
        lines.append("☎️ " + esc(_("Đường dây nóng: {hotline}").format(hotline=ctx.settings.office.hotline)))
    return lines


def where_reply(ctx: Context, p: Procedure) -> Reply:
    """Where to file ``p``: the right receiving point (asking for the commune/ward when needed)."""
    _ = ctx._
    lines = [section_header(_("Nơi nộp hồ sơ"), p)]
    area_choices: list[Choice] = []
    points = points_for(ctx.settings.receiving_points, p.levels)
    if not ctx.settings.receiving_points:
        lines += _office_only(ctx)
    elif not points:
        lines += ["", esc(_("Thủ tục này do cơ quan {levels} giải quyết; {office} không tiếp nhận hồ sơ.").format(
            levels=levels_text(p, ctx.t).lower(), office=ctx.settings.office.name))]
    else:
        local = [(i, pt) for i, pt in points if pt.areas]
        chosen = _chosen(ctx, local)
        shown = [pt for _i, pt in points if not pt.areas]
        if chosen is not None:
            shown.insert(0, chosen[1])
        elif local:
            lines += ["", esc(_("Hồ sơ cấp xã nộp tại Bộ phận Một cửa nơi bạn cư trú. Bạn ở xã/phường nào?"))]
        for point in shown:
            lines += _point_lines(ctx, point)
        others = [(i, pt) for i, pt in local if chosen is None or i != chosen[0]]
        area_choices = [Choice("📍 " + _area_label(pt), encode(Action.AREA, p.code, i)) for i, pt in others]
    lines += _source_lines(ctx, p)
    lines += _other_ways(ctx, p)
    buttons = section_buttons(ctx, p, Section.WHERE)
    return Reply(text="\n".join(lines), choices=[*([c] for c in area_choices), *buttons])

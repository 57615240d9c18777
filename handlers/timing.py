"""Time a citizen can plan with: what the processing time means, and the expected date if filed today.

Working days, calendar days and hours are explained as such; a bare number ("1") and a missing time are
said to be what they are, with what the steps text says about time quoted from the source. The expected
return date is counted with the office's working-day calendar from the injected clock.
"""

from __future__ import annotations

from datetime import datetime

from bot.catalog.model import Duration, FilingWay, Procedure, TimeUnit
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import esc, italic, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.i18n.format import format_clock, format_day, format_moment
from handlers.describe import duration_text, group_ways, ways_label
from handlers.office_time import local_now, office_calendar
from handlers.section_menu import section_buttons, section_header

NOTE_CHARS = 320


def _by_time(ways: list[FilingWay]) -> list[tuple[Duration, list[FilingWay]]]:
    """Filing ways grouped by equal processing time, in source order."""
    return group_ways(ways, lambda way: way.time)


def _explanations(ctx: Context, durations: list[Duration]) -> list[str]:
    """One line per kind of time present: what it counts, the cutoff rule, what the source leaves open."""
    _ = ctx._
    cutoff = format_clock(ctx.settings.calendar.same_day_cutoff)
    units = {d.unit for d in durations if d.is_structured}
    lines: list[str] = []
    if TimeUnit.WORKING_DAYS in units:
        if ctx.settings.calendar.working_saturday_morning:
            lines.append(_("Ngày làm việc: thứ Hai đến thứ Sáu và sáng thứ Bảy, không tính Chủ nhật và ngày nghỉ "
                           "lễ, Tết."))
        else:
            lines.append(_("Ngày làm việc: thứ Hai đến thứ Sáu, không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết."))
    if any(d.unit is TimeUnit.WORKING_DAYS and (d.amount or 0) <= 1 for d in durations if d.is_structured):
        lines.append(_("Nộp trước {cutoff} thì thường có kết quả trong ngày; nộp sau {cutoff} thì có kết quả "
                       "trong ngày làm việc tiếp theo.").format(cutoff=cutoff))
    elif units & {TimeUnit.WORKING_DAYS, TimeUnit.DAYS}:
        lines.append(_("Thời hạn tính từ ngày nhận đủ hồ sơ hợp lệ; hồ sơ nhận sau {cutoff} hoặc vào ngày nghỉ "
                       "được tính từ ngày làm việc tiếp theo.").format(cutoff=cutoff))
    if TimeUnit.DAYS in units:
        lines.append(_("“Ngày” ở đây là ngày theo lịch: tính cả thứ Bảy, Chủ nhật và ngày lễ; nếu ngày cuối rơi vào "
                       "ngày nghỉ thì kết quả được trả vào ngày làm việc tiếp theo."))
    if TimeUnit.HOURS in units:
        lines.append(_("Thời hạn tính theo giờ, kể từ khi nhận đủ hồ sơ hợp lệ."))
    if any(d.is_bare_number for d in durations):
        lines.append(_("Cổng Dịch vụ công chỉ ghi con số, không ghi là giờ, ngày hay ngày làm việc. Bạn hãy hỏi "
                       "cán bộ khi nộp và xem ngày hẹn trên Phiếu hẹn trả kết quả."))
    if any(not d.is_structured and not d.is_bare_number for d in durations):
        lines.append(_("Cổng Dịch vụ công không ghi rõ thời hạn giải quyết cho cách nộp này."))
    return lines


def _source_notes(ctx: Context, p: Procedure) -> list[str]:
    if not p.time_notes:
        return []
    lines = ["", "📝 " + esc(ctx._("Trình tự thực hiện trên Cổng Dịch vụ công ghi:"))]
    return lines + ["• " + esc("“" + shorten(note, NOTE_CHARS) + "”") for note in p.time_notes]


def _due_button(ctx: Context, p: Procedure) -> list[Choice]:
    return [Choice(ctx._("📅 Nộp hôm nay thì khi nào có kết quả?"), encode(Action.SECTION, p.code, Section.DUE.value))]


def time_reply(ctx: Context, p: Procedure) -> Reply:
    """Processing time per filing way, what it means, and what the source leaves open."""
    _ = ctx._
    lines = [section_header(_("Thời hạn giải quyết"), p), ""]
    if not p.ways:
        lines.append(esc(_("Cổng Dịch vụ công không ghi thời hạn giải quyết.")))
        return Reply(text="\n".join(lines), choices=section_buttons(ctx, p))
    groups = _by_time(p.ways)
    lines += [f"• {esc(ways_label(ways, ctx.t))}: {esc(duration_text(d, ctx.t))}" for d, ways in groups]
    lines += [italic(line) for line in _explanations(ctx, [d for d, _ways in groups])]
    lines += _source_notes(ctx, p)
    return Reply(text="\n".join(lines), choices=[_due_button(ctx, p), *section_buttons(ctx, p, Section.TIME)])


def _due_line(ctx: Context, now: datetime, duration: Duration) -> str:
    """"chậm nhất 17:00, Thứ Hai, 30/11/2026", or why no date can be counted."""
    _ = ctx._
    calendar = office_calendar(ctx)
    if duration.is_bare_number:
        assumed = Duration(amount=duration.amount, unit=TimeUnit.WORKING_DAYS)
        due = calendar.due_from_duration(now, assumed)
        return _("Cổng Dịch vụ công chỉ ghi “{text}”, không ghi đơn vị; nếu là {n} thì chậm nhất {due}").format(
            text=duration.text, n=duration_text(assumed, ctx.t), due=format_moment(due, ctx.language) if due else "?")
    due = calendar.due_from_duration(now, duration) if duration.is_structured else None
    if due is None:
        return _("Cổng Dịch vụ công không ghi thời hạn nên tôi không tính được ngày trả kết quả")
    return _("chậm nhất {due}").format(due=format_moment(due, ctx.language))


def due_reply(ctx: Context, p: Procedure) -> Reply:
    """"Khi nào có kết quả nếu tôi nộp hôm nay?": the expected return per filing way, from now."""
    _ = ctx._
    now = local_now(ctx)
    calendar = office_calendar(ctx)
    lines = [section_header(_("Nộp hôm nay thì khi nào có kết quả?"), p), ""]
    lines.append(esc(_("Bây giờ là {now}.").format(now=format_moment(now, ctx.language))))
    start = calendar.first_counting_day(now)
    if start != now.date():
        day = format_day(start, ctx.language)
        if calendar.is_working_day(now.date()):
            cutoff = format_clock(calendar.cutoff_on(now.date()))
            reason = _("Hôm nay đã sau {cutoff}, nên thời hạn được tính từ {day}.")
            lines.append(esc(reason.format(cutoff=cutoff, day=day)))
        else:
            lines.append(esc(_("Hôm nay là ngày nghỉ, nên thời hạn được tính từ {day}.").format(day=day)))
    if not p.ways:
        lines.append(esc(_("Cổng Dịch vụ công không ghi thời hạn nên tôi không tính được ngày trả kết quả.")))
    for duration, ways in _by_time(p.ways):
        head = ways_label(ways, ctx.t)
        if duration.is_structured:
            head = f"{head} ({duration_text(duration, ctx.t)})"
        lines.append(f"• {esc(head)}: {esc(_due_line(ctx, now, duration))}")
    footer = _("Tính theo lịch làm việc của {office} (không tính ngày nghỉ lễ, Tết), với hồ sơ đầy đủ, hợp lệ. "
               "Ngày chính thức là ngày hẹn ghi trên Phiếu hẹn trả kết quả.").format(office=ctx.settings.office.name)
    lines += ["", italic(footer)]
    back = Choice(_("⏱ Thời gian"), encode(Action.SECTION, p.code, Section.TIME.value))
    return Reply(text="\n".join(lines), choices=[[back], *section_buttons(ctx, p, Section.TIME)])

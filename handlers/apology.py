"""``/xinloi MÃ``: an officer records an apology and a new appointment for a late dossier (Decree 118/2025).

A short guided flow kept in the chat state: the new date (buttons with the next working days, or typed as
dd/mm/yyyy), then the reason (usual reasons as buttons, or typed). The date must be a working day after
today. Only officers of the dossier's unit (and administrators) may do it; the dossier must be open.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.apologies.letter import LetterError, letter_for
from bot.apologies.record import ApologyError, Recorded, check_new_date, record_apology
from bot.clock import as_utc
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.models import Dossier
from bot.i18n import translator
from bot.i18n.format import format_date
from handlers.dossier import parse_code
from handlers.officers import refusal, viewer_of

log = logging.getLogger(__name__)

FLOW = "apology"
STATE_FLOW = "flow"
STATE_PENDING = "apology_pending"
PENDING_MINUTES = 30
DATE_BUTTONS = 3
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?")


def _reasons(_: Callable[[str], str]) -> list[str]:
    """Usual reasons, offered as buttons (index = button data), through the gettext ``_``."""
    return [
        _("Cần xác minh thêm thông tin"),
        _("Chờ ý kiến của cơ quan phối hợp"),
        _("Khối lượng hồ sơ tăng đột xuất"),
    ]


def _today(ctx: Context) -> date:
    return as_utc(ctx.clock()).astimezone(ctx.settings.zone).date()


def _pending(ctx: Context) -> dict[str, Any] | None:
    pending = ctx.state.data.get(STATE_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int | float):
        return None
    return pending if pending["until"] >= ctx.clock().timestamp() else None


def _set_pending(ctx: Context, **values: str) -> None:
    ctx.state.data[STATE_FLOW] = FLOW
    ctx.state.data[STATE_PENDING] = {**values, "until": ctx.clock().timestamp() + PENDING_MINUTES * 60}


def _leave(ctx: Context) -> None:
    ctx.state.data.pop(STATE_PENDING, None)
    if ctx.state.data.get(STATE_FLOW) == FLOW:
        ctx.state.data.pop(STATE_FLOW, None)


def _say(text: str, choices: list[list[Choice]] | None = None) -> list[Reply]:
    return [Reply(text=esc(text), choices=choices or [])]


def parse_date(text: str, today: date) -> date | None:
    """``25/12/2026``, ``25-12-26`` or ``25/12`` (the next such day from today) → a date; None if not one."""
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    day, month, year = int(m[1]), int(m[2]), m[3]
    try:
        if year is None:
            found = date(today.year, month, day)
            return found if found > today else date(today.year + 1, month, day)
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    except ValueError:
        return None


def cmd_apology(ctx: Context, arg: str) -> list[Reply]:
    """``/xinloi MÃ``: start recording an apology for the dossier ``MÃ``."""
    viewer = viewer_of(ctx)
    if viewer is None:
        return refusal(ctx)
    code = parse_code(arg) if arg else None
    if code is None:
        return _say(ctx._("Gõ /xinloi kèm mã hồ sơ cần lập phiếu xin lỗi và hẹn lại, ví dụ: "
                          "/xinloi H12.22-250101-0001"))
    with ctx.db.session() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        allowed = dossier is not None and (viewer.units is None or dossier.unit in viewer.units)
        if dossier is None or not allowed:  # the same answer: do not reveal other units' dossiers
            return _say(ctx._("Không tìm thấy hồ sơ {code} trong các đơn vị của bạn.").format(code=code))
        if not dossier.is_open:
            return _say(ctx._("Hồ sơ {code} đã kết thúc xử lý, không cần hẹn lại.").format(code=code))
        due = as_utc(dossier.due_at).astimezone(ctx.settings.zone).date() if dossier.due_at else None
        earlier = len(dossier.apologies)
    _set_pending(ctx, step="date", code=code)
    lines = [ctx._("✍️ Lập phiếu xin lỗi và hẹn lại ngày trả kết quả — hồ sơ {code}").format(code=code)]
    if due is not None:
        lines.append(ctx._("Hẹn trả hiện tại: {date}").format(date=format_date(due, ctx.language)))
    if earlier:
        lines.append(ctx._("⚠️ Hồ sơ đã được hẹn lại {n} lần; lần này sẽ được báo lãnh đạo đơn vị.").format(n=earlier))
    lines.append(ctx._("Chọn ngày hẹn mới hoặc gõ ngày (ví dụ 25/12/2026):"))
    return _say("\n".join(lines), _date_buttons(ctx))


def _date_buttons(ctx: Context) -> list[list[Choice]]:
    calendar = WorkCalendar.from_settings(ctx.settings)
    day, row = _today(ctx), []
    for _ in range(DATE_BUTTONS):
        day = calendar.next_working_day(day)
        row.append(Choice(format_date(day, ctx.language), encode(Action.APOLOGY_DATE, day.strftime("%Y%m%d"))))
    return [row]


def _take_date(ctx: Context, new_date: date) -> list[Reply]:
    pending = _pending(ctx)
    if pending is None or pending.get("step") != "date":
        _leave(ctx)
        return _say(ctx._("Phiên lập phiếu đã hết hạn. Gõ lại /xinloi MÃ để bắt đầu."))
    try:
        check_new_date(new_date, _today(ctx), WorkCalendar.from_settings(ctx.settings))
    except ApologyError as error:
        problem = (ctx._("Ngày hẹn mới phải sau hôm nay.") if error.code == "not_after_today"
                   else ctx._("Ngày này không phải ngày làm việc."))  # fmt: skip
        return _say(problem + " " + ctx._("Hãy chọn hoặc gõ ngày khác:"), _date_buttons(ctx))
    _set_pending(ctx, step="reason", code=str(pending["code"]), date=new_date.isoformat())
    buttons = [[Choice(reason, encode(Action.APOLOGY_REASON, i))] for i, reason in enumerate(_reasons(ctx._))]
    text = ctx._("Ngày hẹn mới: {date}. Chọn lý do trễ hạn hoặc gõ lý do:").format(
        date=format_date(new_date, ctx.language))
    return _say(text, buttons)


def _take_reason(ctx: Context, reason: str) -> list[Reply]:
    pending = _pending(ctx)
    if pending is None or pending.get("step") != "reason":
        _leave(ctx)
        return _say(ctx._("Phiên lập phiếu đã hết hạn. Gõ lại /xinloi MÃ để bắt đầu."))
    code, new_date = str(pending["code"]), date.fromisoformat(str(pending["date"]))
    with ctx.db.session() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not dossier.is_open:
            _leave(ctx)
            return _say(ctx._("Hồ sơ {code} đã kết thúc xử lý, không cần hẹn lại.").format(code=code))
        try:
            recorded = record_apology(session, dossier, new_date=new_date, reason=reason, now=ctx.clock(),
                                      settings=ctx.settings)  # fmt: skip
        except ApologyError:  # the day turned while the officer typed: ask again
            _set_pending(ctx, step="date", code=code)
            return _say(ctx._("Ngày hẹn mới phải sau hôm nay.") + " " + ctx._("Hãy chọn hoặc gõ ngày khác:"),
                        _date_buttons(ctx))  # fmt: skip
        session.commit()
        reply = confirmation(ctx, recorded)
        try:
            letter = letter_for(session, code, ctx.settings, ctx.clock())
        except LetterError as exc:  # a broken template or a missing font must not lose the recorded apology
            log.error("apology letter not made: %s", exc)
            reply.text += "\n" + esc(ctx._("⚠️ Chưa tạo được phiếu PDF; quản trị viên đã được ghi nhận lỗi."))
        else:
            reply.attachments.append(letter)
    _leave(ctx)
    log.info("apology %d recorded for dossier %d", recorded.apology_id, recorded.dossier_id)
    return [reply]


def confirmation(ctx: Context, recorded: Recorded) -> Reply:
    """What the officer reads once the apology is stored."""
    new_day = as_utc(recorded.new_due_at).astimezone(ctx.settings.zone).date()
    lines = [
        bold(ctx._("✅ Đã ghi nhận phiếu xin lỗi và hẹn lại cho hồ sơ {code}.").format(code=recorded.code)),
        esc(ctx._("Ngày hẹn mới: {date}").format(date=format_date(new_day, ctx.language))),
    ]
    lines.append(esc(ctx._("📄 Phiếu xin lỗi và hẹn lại ngày trả kết quả (PDF) kèm theo: in, ký và gửi người nộp.")))
    if recorded.citizens_told:
        told = ctx._("🔔 Đã nhắn ngày hẹn mới cho {n} người theo dõi hồ sơ.").format(n=recorded.citizens_told)
        lines.append(esc(told))
    if recorded.number >= 2:
        lines.append(esc(ctx._("⚠️ Đây là lần hẹn lại thứ {n}: đã báo lãnh đạo đơn vị ({k}).").format(
            n=recorded.number, k=recorded.leaders_flagged)))
    return Reply(text="\n".join(lines))


def on_text(ctx: Context, text: str) -> list[Reply] | None:
    """A typed date or reason while the flow is in progress; None (leave the flow) once it expired."""
    pending = _pending(ctx)
    if pending is None:
        _leave(ctx)
        return None
    if pending.get("step") == "date":
        new_date = parse_date(text, _today(ctx))
        if new_date is None:
            return _say(ctx._("Không đọc được ngày. Hãy gõ theo dạng ngày/tháng/năm, ví dụ 25/12/2026, hoặc "
                              "chọn một nút:"), _date_buttons(ctx))  # fmt: skip
        return _take_date(ctx, new_date)
    reason = " ".join(text.split())
    if len(reason) < 5:
        return _say(ctx._("Lý do quá ngắn. Hãy ghi rõ lý do trễ hạn (ít nhất 5 ký tự) hoặc chọn một nút."))
    return _take_reason(ctx, reason)


def on_date(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A date button."""
    try:
        return _take_date(ctx, datetime.strptime(args[0], "%Y%m%d").date())
    except (ValueError, IndexError):
        return None


def on_reason(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A usual-reason button (stored in Vietnamese, the letter's language)."""
    reasons = _reasons(translator("vi").gettext)
    index = int(args[0]) if args and args[0].isdigit() else -1
    return _take_reason(ctx, reasons[index]) if 0 <= index < len(reasons) else None

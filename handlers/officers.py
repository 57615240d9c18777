"""Officers' commands: register with an invite code, the urgent-dossier list, its CSV, delivery failures.

- ``/dangky MÃ`` registers the user as an officer. A wrong, used or expired code gets one neutral answer;
  after ``dossiers.max_failed_attempts`` failures within ``dossiers.lockout_minutes`` the chat must wait.
- ``/trehan`` shows the same text as the morning alert; ``/trehan 2`` (or ▶️) the next page.
- ``/trehan_csv`` (or 📄) sends the whole list as a CSV file.
- ``/loigui`` (administrators) lists recent permanent delivery failures.

Configured administrators (``ASSISTANT_ADMIN_IDS``, the console operator) may use these commands without
registering, and see every unit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.contract.html import bold, esc, shorten
from bot.contract.messages import Reply
from bot.conversation import Context
from bot.i18n.format import format_datetime
from bot.late.compose import compose_alert
from bot.late.export import compose_csv
from bot.late.message import scope_line
from bot.masking import mask_id
from bot.officers.models import Officer, Role
from bot.officers.registry import is_admin, officer_for, redeem, visible_units
from bot.outbox.dispatch import failures

log = logging.getLogger(__name__)

STATE_INVITE_FAILURES = "invite_failures"  # epoch seconds of recent wrong codes
MAX_PAGE = 999
FAILURES_SHOWN = 15


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, as far as officer commands are concerned."""

    units: list[str] | None  # None: every unit
    admin: bool
    language: str


def refusal(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._(
        "Lệnh này chỉ dành cho cán bộ đã đăng ký. Nếu bạn là cán bộ, hãy xin quản trị viên một mã mời "
        "rồi gõ /dangky MÃ."
    )))]


def viewer_of(ctx: Context) -> Viewer | None:
    """The registered officer (or configured administrator) behind this chat; None for anyone else."""
    with ctx.db.session() as session:
        officer = officer_for(session, ctx.incoming.channel, ctx.incoming.user_id)
        if officer is not None:
            return Viewer(visible_units(officer), is_admin(officer), ctx.language)
    if ctx.is_admin:
        return Viewer(None, True, ctx.language)
    return None


# --- /dangky ---------------------------------------------------------------------------------------


def _recent_failures(ctx: Context) -> list[float]:
    window = ctx.settings.dossiers.lockout_minutes * 60
    now = ctx.clock().timestamp()
    saved = ctx.state.data.get(STATE_INVITE_FAILURES) or []
    return [t for t in saved if isinstance(t, int | float) and now - t < window]


def cmd_register(ctx: Context, arg: str) -> list[Reply]:
    """``/dangky MÃ``: become an officer with a one-time invite code."""
    if not arg:
        return [Reply(text=esc(ctx._("Gõ /dangky kèm mã mời quản trị viên đã gửi, ví dụ: /dangky MC-7K2P-9QXD")))]
    recent = _recent_failures(ctx)
    if len(recent) >= ctx.settings.dossiers.max_failed_attempts:
        return [Reply(text=esc(ctx._("Bạn đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau {n} phút.").format(
            n=ctx.settings.dossiers.lockout_minutes)))]
    incoming = ctx.incoming
    with ctx.db.session() as session:
        officer = redeem(
            session, arg, incoming.channel, incoming.user_id, incoming.chat_id, incoming.display_name,
            language=ctx.language, now=ctx.clock(),
        )  # fmt: skip
        summary = _summary(ctx, officer) if officer is not None else ""
        session.commit()
    if officer is None:
        ctx.state.data[STATE_INVITE_FAILURES] = [*recent, ctx.clock().timestamp()]
        log.info("invite code refused for chat %s", mask_id(incoming.chat_id))
        return [Reply(text=esc(ctx._(
            "Mã mời không hợp lệ, đã dùng hoặc đã hết hạn. Hãy kiểm tra lại hoặc xin quản trị viên mã mới."
        )))]
    ctx.state.data.pop(STATE_INVITE_FAILURES, None)
    log.info("officer registered for chat %s", mask_id(incoming.chat_id))
    return [Reply(text=summary)]


def _summary(ctx: Context, officer: Officer) -> str:
    roles = {
        Role.OFFICER.value: ctx._("cán bộ"),
        Role.LEADER.value: ctx._("lãnh đạo đơn vị"),
        Role.ADMIN.value: ctx._("quản trị viên"),
    }
    lines = [
        bold(ctx._("✅ Đăng ký thành công.")),
        esc(ctx._("Vai trò: {role}").format(role=roles.get(officer.role, officer.role))),
        esc(scope_line(visible_units(officer), ctx.t)),
        esc(ctx._("Mỗi sáng ngày làm việc lúc {time} bạn sẽ nhận danh sách hồ sơ cần xử lý. Gõ /trehan để xem "
                  "ngay.").format(time=ctx.settings.alerts.time.strftime("%H:%M"))),
    ]
    return "\n".join(lines)


# --- /trehan, /trehan_csv ---------------------------------------------------------------------------


def _page(arg: str) -> int:
    token = arg.strip().split(" ", 1)[0] if arg.strip() else "1"
    return min(int(token), MAX_PAGE) if token.isascii() and token.isdigit() and int(token) >= 1 else 1


def _late_page(ctx: Context, page: int) -> list[Reply]:
    viewer = viewer_of(ctx)
    if viewer is None:
        return refusal(ctx)
    with ctx.db.session() as session:
        reply = compose_alert(session, ctx.settings, units=viewer.units, language=viewer.language,
                              now=ctx.clock(), page=page)  # fmt: skip
    return [reply]


def cmd_late(ctx: Context, arg: str) -> list[Reply]:
    """``/trehan [trang]``: the morning alert on demand, or one of its later pages."""
    return _late_page(ctx, _page(arg))


def on_late_page(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """◀️/▶️ under the alert."""
    return _late_page(ctx, _page(args[0])) if args else None


def cmd_late_csv(ctx: Context, arg: str = "") -> list[Reply]:
    """``/trehan_csv``: every urgent dossier of the officer's units as a CSV file."""
    viewer = viewer_of(ctx)
    if viewer is None:
        return refusal(ctx)
    with ctx.db.session() as session:
        attachment = compose_csv(session, ctx.settings, units=viewer.units, now=ctx.clock())
    text = esc(ctx._("📄 Danh sách đầy đủ hồ sơ quá hạn, đến hạn và sắp đến hạn (mở bằng Excel)."))
    return [Reply(text=text, attachments=[attachment])]


def on_late_csv(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """📄 under the alert."""
    return cmd_late_csv(ctx)


# --- /loigui ----------------------------------------------------------------------------------------


def cmd_failures(ctx: Context, arg: str) -> list[Reply]:
    """``/loigui``: recent messages that could not be delivered (administrators only)."""
    viewer = viewer_of(ctx)
    if viewer is None or not viewer.admin:
        return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho quản trị viên.")))]
    zone = ctx.settings.zone
    with ctx.db.session() as session:
        rows = failures(session, FAILURES_SHOWN)
        names = _officer_names(session, {(r.channel, r.chat_id) for r in rows})
        lines = [bold(ctx._("Tin nhắn không gửi được (gần nhất trước)"))]
        for row in rows:
            who = names.get((row.channel, row.chat_id)) or mask_id(row.chat_id)
            when = format_datetime(as_utc(row.created_at).astimezone(zone), ctx.language)
            lines.append(esc(f"• {when} · {row.kind or '-'} · {row.channel} · {who}"))
            lines.append(esc("   " + shorten(row.last_error or "-", 200)))
    if len(lines) == 1:
        return [Reply(text=esc(ctx._("✅ Không có tin nhắn nào bị lỗi gửi.")))]
    lines.append(esc(ctx._("Thường do người nhận đã chặn bot hoặc xóa cuộc trò chuyện; tin nhắn không được gửi "
                           "lại tự động.")))
    return [Reply(text="\n".join(lines))]


def _officer_names(session: Session, chats: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    if not chats:
        return {}
    rows = session.execute(select(Officer.channel, Officer.chat_id, Officer.name).where(
        Officer.chat_id.in_([chat for _channel, chat in chats])))  # fmt: skip
    return {(channel, chat): name for channel, chat, name in rows if (channel, chat) in chats and name}

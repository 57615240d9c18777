"""The procedure card and its sections (documents, steps, fees, …)."""

from __future__ import annotations

from bot.catalog.model import Channel, OnlineMode, Procedure
from bot.catalog.text import is_blank
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import bold, esc, italic, link
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from handlers.describe import (
    channel_label,
    duration_text,
    fees_text,
    levels_text,
    online_mode_label,
    same_for_all,
)
from handlers.online import online_section


def section_buttons(ctx: Context, p: Procedure) -> list[list[Choice]]:
    """Buttons for the sections of ``p``, two per row."""
    _ = ctx._
    labels = [
        (Section.DOCUMENTS, _("📄 Giấy tờ cần mang")),
        (Section.STEPS, _("🪜 Các bước")),
        (Section.FEES, _("💰 Phí, lệ phí")),
        (Section.TIME, _("⏱ Thời gian")),
        (Section.ONLINE, _("🌐 Nộp trực tuyến")),
        (Section.WHERE, _("📍 Nộp ở đâu")),
        (Section.CONDITIONS, _("✅ Điều kiện")),
        (Section.LEGAL, _("⚖️ Căn cứ pháp lý")),
        (Section.RESULT, _("🧾 Kết quả")),
    ]
    buttons = [Choice(label, encode(Action.SECTION, p.code, s.value)) for s, label in labels]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _time_line(ctx: Context, p: Procedure) -> str:
    t = ctx.t
    if not p.ways:
        return t.gettext("chưa có thông tin")
    if same_for_all(p.ways, "time"):
        return duration_text(p.ways[0].time, t)
    return "; ".join(f"{channel_label(w.channel, t)}: {duration_text(w.time, t)}" for w in p.ways)


def _fee_line(ctx: Context, p: Procedure) -> str:
    t = ctx.t
    if not p.ways:
        return t.gettext("chưa có thông tin")
    if same_for_all(p.ways, "fees"):
        return fees_text(p.ways[0].fees, t, note_limit=120)
    return "; ".join(f"{channel_label(w.channel, t)}: {fees_text(w.fees, t, 80)}" for w in p.ways)


def _channels_line(ctx: Context, p: Procedure) -> str:
    t = ctx.t
    parts = []
    for ch in (Channel.IN_PERSON, Channel.ONLINE, Channel.POST):
        if ch in p.channels:
            label = channel_label(ch, t)
            if ch is Channel.ONLINE:
                label += f" ({online_mode_label(p.effective_online_mode, t)})"
            parts.append(label)
    if not parts:
        return t.gettext("chưa có thông tin")
    line = ", ".join(parts)
    if Channel.POST not in p.channels:
        line += ". " + t.gettext("Không nhận qua bưu chính.")
    return line


def procedure_card(ctx: Context, p: Procedure, variants: list[str] | None = None) -> Reply:
    """The summary card of a procedure with buttons for its sections."""
    _ = ctx._
    lines = [
        bold(p.name),
        f"{_('Mã thủ tục')}: {esc(p.code)} · {esc(levels_text(p, ctx.t))}",
        f"{_('Lĩnh vực')}: {esc(p.field)}",
    ]
    if p.agency and not is_blank(p.agency):
        lines.append(f"{_('Cơ quan thực hiện')}: {esc(p.agency)}")
    lines += [
        f"⏱ {_('Thời hạn giải quyết')}: {esc(_time_line(ctx, p))}",
        f"💰 {_('Phí, lệ phí')}: {esc(_fee_line(ctx, p))}",
        f"📮 {_('Cách nộp')}: {esc(_channels_line(ctx, p))}",
    ]
    if p.portal_url:
        label = _("Nộp trực tuyến / xem chi tiết trên Cổng Dịch vụ công")
        if p.effective_online_mode is OnlineMode.NONE:
            label = _("Xem chi tiết trên Cổng Dịch vụ công")
        lines.append(f"🔗 {link(label, p.portal_url)}")
    others = [ctx.knowledge.procedures[c] for c in (variants or []) if c in ctx.knowledge.procedures]
    if others:
        shown = ", ".join(f"{esc(levels_text(o, ctx.t))} ({esc(o.code)})" for o in others[:4])
        lines.append(f"↔️ {_('Thủ tục này còn được thực hiện ở')}: {shown}")
    if "suspicious_name" in p.flags:
        lines.append("⚠️ " + italic(_("Tên thủ tục trên Cổng có thể chưa chính xác; vui lòng đối chiếu mã.")))
    lines.append("")
    lines.append(italic(_("Chọn mục bên dưới hoặc hỏi tiếp, ví dụ: “phí bao nhiêu?”, “cần giấy tờ gì?”")))
    from handlers.feedback import feedback_row  # the "Was this helpful?" invitation under the card

    return Reply(text="\n".join(lines), choices=[*section_buttons(ctx, p), feedback_row(ctx, p.code)])


def _documents(ctx: Context, p: Procedure) -> list[str]:
    _ = ctx._
    if not p.documents:
        raw = p.raw.get("documents", "")
        return [esc(raw)] if raw else [_("Cổng Dịch vụ công chưa công bố thành phần hồ sơ.")]
    out: list[str] = []
    group = None
    for n, d in enumerate(p.documents, 1):
        if d.group and d.group != group:
            group = d.group
            out.append(bold(d.group))
        qty = []
        if d.originals:
            qty.append(ctx.t.ngettext("{n} bản chính", "{n} bản chính", d.originals).format(n=d.originals))
        if d.copies:
            qty.append(ctx.t.ngettext("{n} bản sao", "{n} bản sao", d.copies).format(n=d.copies))
        line = f"{n}. {esc(d.name)}"
        if qty:
            line += f" — {esc(', '.join(qty))}"
        elif d.quantity_text:
            line += f" — {esc(d.quantity_text)}"
        if d.form:
            line += f" ({_('mẫu')}: {esc(d.form)})"
        out.append(line)
    return out


def _steps(ctx: Context, p: Procedure) -> list[str]:
    if not p.steps:
        raw = p.raw.get("steps", "")
        return [esc(raw)] if raw else [ctx._("Cổng Dịch vụ công chưa công bố trình tự thực hiện.")]
    return [f"{i}. {esc(s)}" for i, s in enumerate(p.steps, 1)]


def _fees(ctx: Context, p: Procedure) -> list[str]:
    if not p.ways:
        return [ctx._("chưa có thông tin")]
    return [f"• {esc(channel_label(w.channel, ctx.t))}: {esc(fees_text(w.fees, ctx.t, 600))}" for w in p.ways]


def _time(ctx: Context, p: Procedure) -> list[str]:
    if not p.ways:
        return [ctx._("chưa có thông tin")]
    lines = [f"• {esc(channel_label(w.channel, ctx.t))}: {esc(duration_text(w.time, ctx.t))}" for w in p.ways]
    lines.append(italic(ctx._("Ngày làm việc không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết.")))
    return lines


def _where(ctx: Context, p: Procedure) -> list[str]:
    _ = ctx._
    office = ctx.settings.office
    lines = []
    for label, value in (
        (_("Cơ quan thực hiện"), p.agency),
        (_("Cơ quan có thẩm quyền"), p.competent_agency),
        (_("Địa chỉ tiếp nhận"), p.address),
    ):
        if value and not is_blank(value):
            lines.append(f"• {label}: {esc(value)}")
    lines.append(f"• {_('Bộ phận Một cửa')}: {esc(office.name)}")
    if office.address:
        lines.append(f"  {esc(office.address)}")
    if office.hotline:
        lines.append(f"  ☎️ {esc(office.hotline)}")
    return lines


def _text_or(ctx: Context, text: str, fallback: str) -> list[str]:
    return [esc(text)] if text and not is_blank(text) else [fallback]


def section_reply(ctx: Context, p: Procedure, section: Section) -> Reply:
    """One section of a procedure, with the other sections' buttons underneath."""
    _ = ctx._
    if section is Section.ONLINE:
        title, body = _("Cách nộp và nộp trực tuyến"), online_section(ctx, p)
    elif section is Section.DOCUMENTS:
        title, body = _("Giấy tờ cần mang"), _documents(ctx, p)
    elif section is Section.STEPS:
        title, body = _("Các bước thực hiện"), _steps(ctx, p)
    elif section is Section.FEES:
        title, body = _("Phí, lệ phí"), _fees(ctx, p)
    elif section is Section.TIME:
        title, body = _("Thời hạn giải quyết"), _time(ctx, p)
    elif section is Section.WHERE:
        title, body = _("Nơi nộp hồ sơ"), _where(ctx, p)
    elif section is Section.CONDITIONS:
        title, body = _("Điều kiện"), _text_or(ctx, p.conditions, _("Không có yêu cầu, điều kiện riêng."))
    elif section is Section.LEGAL:
        items = [f"• {esc(b.number)} — {esc(b.title)}" if b.number else f"• {esc(b.title)}" for b in p.legal_basis]
        title, body = _("Căn cứ pháp lý"), items or _text_or(ctx, p.raw.get("legal_basis", ""), _("chưa có thông tin"))
    else:
        title, body = _("Kết quả"), _text_or(ctx, p.result, _("chưa có thông tin"))
    header = f"{bold(title)} — {esc(p.name)} ({esc(p.code)})"
    return Reply(text="\n".join([header, "", *body]), choices=section_buttons(ctx, p))

"""The procedure card and its sections (documents, steps, fees, …)."""

from __future__ import annotations

from bot.catalog.model import Channel, OnlineMode, Procedure
from bot.catalog.text import is_blank
from bot.contract.callbacks import Section
from bot.contract.html import bold, esc, italic, link
from bot.contract.messages import Reply
from bot.conversation import Context
from handlers.describe import (
    channel_label,
    duration_text,
    fees_text,
    group_ways,
    levels_text,
    online_mode_label,
    same_for_all,
    ways_label,
)
from handlers.documents import documents_reply
from handlers.online import online_section
from handlers.section_menu import section_buttons, section_header
from handlers.steps import steps_reply
from handlers.timing import due_reply, time_reply
from handlers.where import where_reply


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
        esc(_("Mã thủ tục: {code} · {levels}").format(code=p.code, levels=levels_text(p, ctx.t))),
        esc(_("Lĩnh vực: {field}").format(field=p.field)),
    ]
    if p.agency and not is_blank(p.agency):
        lines.append(esc(_("Cơ quan thực hiện: {agency}").format(agency=p.agency)))
    lines += [
        "⏱ " + esc(_("Thời hạn giải quyết: {time}").format(time=_time_line(ctx, p))),
        "💰 " + esc(_("Phí, lệ phí: {fees}").format(fees=_fee_line(ctx, p))),
        "📮 " + esc(_("Cách nộp: {channels}").format(channels=_channels_line(ctx, p))),
    ]
    if p.portal_url:
        label = _("Nộp trực tuyến / xem chi tiết trên Cổng Dịch vụ công")
        if p.effective_online_mode is OnlineMode.NONE:
            label = _("Xem chi tiết trên Cổng Dịch vụ công")
        lines.append(f"🔗 {link(label, p.portal_url)}")
    others = [ctx.knowledge.procedures[c] for c in (variants or []) if c in ctx.knowledge.procedures]
    if others:
        shown = ", ".join(f"{levels_text(o, ctx.t)} ({o.code})" for o in others[:4])
        lines.append("↔️ " + esc(_("Thủ tục này còn được thực hiện ở: {levels}").format(levels=shown)))
    if "suspicious_name" in p.flags:
        lines.append("⚠️ " + italic(_("Tên thủ tục trên Cổng có thể chưa chính xác; vui lòng đối chiếu mã.")))
    lines.append("")
    lines.append(italic(_("Chọn mục bên dưới hoặc hỏi tiếp, ví dụ: “phí bao nhiêu?”, “cần giấy tờ gì?”")))
    from handlers.feedback import feedback_row  # the "Was this helpful?" invitation under the card
    from handlers.handoff import ask_button  # "Hỏi cán bộ" about this procedure

    return Reply(text="\n".join(lines), choices=[*section_buttons(ctx, p), feedback_row(ctx, p.code),
                                                  [ask_button(ctx, p.code)]])


def _fees(ctx: Context, p: Procedure) -> list[str]:
    _ = ctx._
    if not p.ways:
        return [esc(_("Cổng Dịch vụ công không ghi phí, lệ phí."))]
    groups = group_ways(p.ways, lambda way: way.fees)
    lines = [f"• {esc(ways_label(ways, ctx.t))}: {esc(fees_text(fees, ctx.t, 600))}" for fees, ways in groups]
    if any(f.portal_said_free for w in p.ways for f in w.fees):
        lines.append(italic(_("Cổng Dịch vụ công ghi “Miễn phí” ở cột phí, nhưng ghi chú nói có thu phí; "
                              "tôi trả lời theo ghi chú. Bạn nên hỏi lại cán bộ khi nộp.")))
    return lines


def _text_or(ctx: Context, text: str, fallback: str) -> list[str]:
    return [esc(text)] if text and not is_blank(text) else [fallback]


def section_reply(ctx: Context, p: Procedure, section: Section) -> Reply:
    """One section of a procedure, with the other sections' buttons underneath."""
    _ = ctx._
    answers = {
        Section.DOCUMENTS: documents_reply,
        Section.STEPS: steps_reply,
        Section.TIME: time_reply,
        Section.DUE: due_reply,
        Section.WHERE: where_reply,
    }
    if section in answers:
        return answers[section](ctx, p)
    if section is Section.ONLINE:
        title, body = _("Cách nộp và nộp trực tuyến"), online_section(ctx, p)
    elif section is Section.FEES:
        title, body = _("Phí, lệ phí"), _fees(ctx, p)
    elif section is Section.CONDITIONS:
        title, body = _("Điều kiện"), _text_or(ctx, p.conditions, _("Không có yêu cầu, điều kiện riêng."))
    elif section is Section.LEGAL:
        items = [f"• {esc(b.number)} — {esc(b.title)}" if b.number else f"• {esc(b.title)}" for b in p.legal_basis]
        raw = p.raw.get("can_cu_phap_ly", "")
        title, body = _("Căn cứ pháp lý"), items or _text_or(ctx, raw, _("chưa có thông tin"))
    else:
        title, body = _("Kết quả"), _text_or(ctx, p.result, _("chưa có thông tin"))
    return Reply(text="\n".join([section_header(title, p), "", *body]), choices=section_buttons(ctx, p, section))

"""How to file a procedure: in person, by post, and step by step on the public-service portal."""

from __future__ import annotations

from bot.catalog.model import Channel, OnlineMode, Procedure
from bot.contract.html import esc, link
from bot.conversation import Context
from handlers.describe import channel_label, online_mode_label


def default_online_steps(ctx: Context) -> list[str]:
    """The office's online-filing steps from config, else the standard national-portal steps."""
    if ctx.settings.online_filing.steps:
        return list(ctx.settings.online_filing.steps)
    _ = ctx._
    return [
        _("Đăng nhập {portal} bằng tài khoản định danh điện tử mức 2 (ứng dụng VNeID)."),
        _("Tìm thủ tục theo mã {code} hoặc theo tên thủ tục."),
        _("Chọn cơ quan thực hiện, điền tờ khai điện tử (e-form)."),
        _("Đính kèm bản chụp hoặc bản scan rõ nét các giấy tờ cần nộp."),
        _("Thanh toán phí, lệ phí trực tuyến nếu thủ tục có thu phí và Cổng hỗ trợ."),
        _("Nộp hồ sơ và lưu lại mã hồ sơ để tra cứu tiến độ, nhận thông báo."),
    ]


def online_section(ctx: Context, p: Procedure) -> list[str]:
    """Lines describing every way to file ``p`` and the online steps when online filing is offered."""
    _ = ctx._
    t = ctx.t
    portal = ctx.settings.online_filing.portal_name
    mode = p.effective_online_mode
    lines = [f"• {_('Trực tuyến')}: {esc(online_mode_label(mode, t))}"]
    lines.append(
        f"• {channel_label(Channel.IN_PERSON, t)}: "
        + (_("có") if Channel.IN_PERSON in p.channels or not p.ways else _("không"))
    )
    lines.append(f"• {channel_label(Channel.POST, t)}: " + (_("có") if Channel.POST in p.channels else _("không")))
    if mode is OnlineMode.NONE:
        lines += ["", esc(_("Thủ tục này chưa nhận hồ sơ trực tuyến. Bạn nộp trực tiếp tại Bộ phận Một cửa"))
                  + (esc(_(" hoặc gửi qua bưu chính.")) if Channel.POST in p.channels else ".")]
    else:
        steps = p.online_steps or default_online_steps(ctx)
        lines += ["", _("Các bước nộp trực tuyến:")]
        filled = (s.replace("{portal}", portal).replace("{code}", p.code) for s in steps)
        lines += [f"{i}. {esc(s)}" for i, s in enumerate(filled, 1)]
        if mode is OnlineMode.PARTIAL:
            lines.append(esc(_("Với thủ tục một phần, bạn vẫn cần đến nhận kết quả hoặc nộp bản chính khi được hẹn.")))
    if p.portal_url:
        lines += ["", "🔗 " + link(_("Mở thủ tục trên Cổng Dịch vụ công"), p.portal_url)]
    return lines

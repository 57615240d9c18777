"""Greeting, menu, help and language switching."""

from __future__ import annotations

from bot.contract.callbacks import Action, MenuItem, encode
from bot.contract.html import bold, esc
from bot.contract.messages import Choice, Reply
from bot.conversation import Context


def menu_buttons(ctx: Context) -> list[list[Choice]]:
    """The main menu."""
    _ = ctx._
    return [
        [Choice(_("🔎 Tra cứu thủ tục"), encode(Action.MENU, MenuItem.SEARCH.value)),
         Choice(_("📚 Xem theo lĩnh vực"), encode(Action.FIELDS, 0))],
        [Choice(_("📂 Tra cứu hồ sơ"), encode(Action.MENU, MenuItem.DOSSIER.value)),
         Choice(_("⭐ Góp ý, đánh giá"), encode(Action.MENU, MenuItem.FEEDBACK.value))],
        [Choice(_("❓ Hướng dẫn"), encode(Action.MENU, MenuItem.HELP.value)),
         Choice("🌐 English / Tiếng Việt", encode(Action.LANG, "en" if ctx.language == "vi" else "vi"))],
    ]


def greeting(ctx: Context) -> Reply:
    """/start: who we are and what we can do."""
    _ = ctx._
    office = ctx.settings.office
    intro = _("Tôi là trợ lý thủ tục hành chính của {office}.").format(office=office.name)
    text = "\n".join([
        bold(_("Xin chào!")) + " " + esc(intro),
        "",
        esc(_("Bạn cứ gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được, ví dụ:")),
        "• “làm căn cước cho con”", "• “dk ket hon”", "• “sổ đỏ bị mất”",
        "",
        esc(_("Hoặc chọn một mục bên dưới.")),
    ])
    return Reply(text=text, choices=menu_buttons(ctx))


def ask_for_procedure(ctx: Context) -> Reply:
    """Invite the user to type the procedure they need."""
    return Reply(text=esc(ctx._("Bạn cần làm thủ tục gì? Hãy gõ tên thủ tục hoặc mô tả ngắn, ví dụ “cấp lại sổ đỏ”.")))


def help_reply(ctx: Context) -> Reply:
    """/help: how to use the assistant."""
    _ = ctx._
    office = ctx.settings.office
    lines = [
        bold(_("Hướng dẫn sử dụng")),
        "• " + esc(_("Gõ tên hoặc mô tả thủ tục (ví dụ “đăng ký tạm trú”), hoặc mã thủ tục (ví dụ 1.001193).")),
        "• " + esc(_("Sau khi xem một thủ tục, bạn có thể hỏi tiếp: “phí bao nhiêu?”, “cần giấy tờ gì?”, "
                     "“mất mấy ngày?”, “nộp online được không?”.")),
        "• " + esc(_("Khi có nhiều thủ tục gần giống, hãy bấm chọn hoặc gõ số thứ tự.")),
        "• /linhvuc — " + esc(_("xem thủ tục theo lĩnh vực")),
        "• /hoso — " + esc(_("tra cứu tình trạng hồ sơ theo mã trên giấy biên nhận")),
        "• /danhgia — " + esc(_("đánh giá, góp ý, phản ánh")),
        "• /lang — " + esc(_("đổi ngôn ngữ Việt ⇄ Anh")),
        "• /start — " + esc(_("về menu chính")),
    ]
    if office.hotline:
        lines.append("☎️ " + esc(_("Cần hỗ trợ thêm, gọi đường dây nóng {hotline}.").format(hotline=office.hotline)))
    return Reply(text="\n".join(lines), choices=menu_buttons(ctx))


def switch_language(ctx: Context, language: str | None) -> Reply:
    """/lang [vi|en] or the language button: switch and confirm in the new language."""
    if language not in ("vi", "en"):
        language = "en" if ctx.language == "vi" else "vi"
    ctx.state.language = language
    return Reply(text=esc(ctx._("Đã chuyển sang tiếng Việt.")), choices=menu_buttons(ctx))


def menu_item(ctx: Context, item: MenuItem) -> Reply:
    """A press on one of the menu entries."""
    if item is MenuItem.SEARCH:
        return ask_for_procedure(ctx)
    if item is MenuItem.DOSSIER:
        from handlers.dossier import start as start_dossier_check

        return start_dossier_check(ctx)
    if item is MenuItem.FEEDBACK:
        from handlers.feedback import service_invitation  # rate the service, or how to rate a procedure/dossier

        return service_invitation(ctx)
    return help_reply(ctx)


def cmd_start(ctx: Context, _arg: str) -> list[Reply]:
    """/start, /menu."""
    return [greeting(ctx)]


def cmd_help(ctx: Context, _arg: str) -> list[Reply]:
    """/help."""
    return [help_reply(ctx)]


def cmd_lang(ctx: Context, arg: str) -> list[Reply]:
    """/lang [vi|en]."""
    return [switch_language(ctx, arg.lower() or None)]


def on_lang(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Language button."""
    return [switch_language(ctx, args[0])]


def on_menu(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Menu button."""
    return [menu_item(ctx, MenuItem(args[0]))]

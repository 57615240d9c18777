"""/reload: administrators reload the catalog, see its problems, and confirm a large removal."""

from __future__ import annotations

from bot.catalog.guard import list_removed
from bot.contract.callbacks import Action, encode
from bot.contract.html import esc
from bot.contract.messages import Choice, Reply
from bot.conversation import Context, ReloadOutcome


def _admin_only(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho quản trị viên.")))]


def outcome_reply(ctx: Context, outcome: ReloadOutcome) -> Reply:
    """What a reload did: the files' problems, a removal awaiting confirmation (with its button), or the count."""
    _ = ctx._
    if outcome.problems:
        text = _("Bản sửa danh mục có lỗi; trợ lý vẫn dùng danh mục cũ ({count} thủ tục). Lỗi:").format(
            count=outcome.procedures)
        return Reply(text=esc(text + "\n" + outcome.problems))
    if outcome.awaiting_confirmation:
        text = _("Bản sửa danh mục bỏ {removed} trong {count} thủ tục nên chưa được nạp; trợ lý vẫn dùng danh mục "
                 "cũ. Các mã bị bỏ: {codes}").format(removed=len(outcome.removed), count=outcome.procedures,
                                                    codes=list_removed(outcome.removed))
        confirm = _("Nếu đúng là muốn bỏ các thủ tục này, bấm nút xác nhận.")
        button = Choice(_("✅ Xác nhận bỏ {removed} thủ tục").format(removed=len(outcome.removed)),
                        encode(Action.CATALOG_CONFIRM, outcome.token))
        return Reply(text=esc(text + "\n" + confirm), choices=[[button]])
    if outcome.changed:
        text = _("Đã nạp lại danh mục: {count} thủ tục.").format(count=outcome.procedures)
        if outcome.removed:
            text += " " + _("Đã bỏ {removed} thủ tục: {codes}").format(
                removed=len(outcome.removed), codes=list_removed(outcome.removed))
        return Reply(text=esc(text))
    return Reply(text=esc(_("Danh mục không thay đổi: {count} thủ tục.").format(count=outcome.procedures)))


def cmd_reload(ctx: Context, _arg: str) -> list[Reply]:
    """/reload: reload now; always reports the files' current problems (even after the watcher saw them)."""
    if not ctx.is_admin or ctx.reload_catalog is None:
        return _admin_only(ctx)
    return [outcome_reply(ctx, ctx.reload_catalog())]


def on_confirm(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """The confirm button: accept the edit it names (a newer edit awaiting confirmation is shown instead)."""
    if not ctx.is_admin or ctx.reload_catalog is None:
        return _admin_only(ctx)
    return [outcome_reply(ctx, ctx.reload_catalog(confirm=args[0]))]

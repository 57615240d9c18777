"""Browsing procedures by field (lĩnh vực), page by page."""

from __future__ import annotations

from collections.abc import Callable

from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.knowledge import field_id
from handlers.describe import levels_text, listed_name

FIELDS_PER_PAGE = 10
PROCEDURES_PER_PAGE = 8


def _nav(ctx: Context, page: int, pages: int, make: Callable[[int], str]) -> list[Choice]:
    nav = []
    if page > 0:
        nav.append(Choice(ctx._("◀️ Trước"), make(page - 1)))
    if page + 1 < pages:
        nav.append(Choice(ctx._("Sau ▶️"), make(page + 1)))
    return nav


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def fields_page(ctx: Context, page: int) -> Reply:
    """One page of the list of fields."""
    fields = ctx.knowledge.fields
    pages = _pages(len(fields), FIELDS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = fields[page * FIELDS_PER_PAGE : (page + 1) * FIELDS_PER_PAGE]
    rows = [
        [Choice(f"{shorten(f, 48)} ({ctx.knowledge.field_size(f)})", encode(Action.FIELD, field_id(f), 0))]
        for f in chunk
    ]
    nav = _nav(ctx, page, pages, lambda p: encode(Action.FIELDS, p))
    if nav:
        rows.append(nav)
    title = ctx._("Chọn lĩnh vực (trang {page}/{pages}):").format(page=page + 1, pages=pages)
    return Reply(text=bold(title), choices=rows)


def field_page(ctx: Context, fid: str, page: int) -> Reply | None:
    """One page of the procedures of a field; None when the field id is unknown (stale button)."""
    name = ctx.knowledge.field_by_id(fid)
    if name is None:
        return None
    procs = ctx.knowledge.in_field(name)
    pages = _pages(len(procs), PROCEDURES_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = procs[page * PROCEDURES_PER_PAGE : (page + 1) * PROCEDURES_PER_PAGE]
    lines = [bold(name) + " — " + esc(ctx._("trang {page}/{pages}").format(page=page + 1, pages=pages))]
    lines += [f"• {esc(listed_name(p))} ({esc(p.code)}, {esc(levels_text(p, ctx.t))})" for p in chunk]
    rows = [[Choice(shorten(p.name, 60), encode(Action.OPEN, p.code))] for p in chunk]
    nav = _nav(ctx, page, pages, lambda p: encode(Action.FIELD, fid, p))
    nav.append(Choice(ctx._("📚 Các lĩnh vực"), encode(Action.FIELDS, 0)))
    rows.append(nav)
    return Reply(text="\n".join(lines), choices=rows)


def cmd_fields(ctx: Context, _arg: str) -> list[Reply]:
    """/linhvuc: the first page of fields."""
    return [fields_page(ctx, 0)]


def on_fields(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Fields page button."""
    return [fields_page(ctx, int(args[0]))]


def on_field(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A field's page of procedures; None for an unknown field (stale button)."""
    reply = field_page(ctx, args[0], int(args[1]))
    return [reply] if reply else None

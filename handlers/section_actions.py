"""Buttons inside a section: the full documents or steps, one case's documents, the citizen's commune/ward."""

from __future__ import annotations

from bot.contract.messages import Reply
from bot.conversation import Context
from handlers.documents import documents_for_case, documents_in_full
from handlers.lookup import STATE_PROCEDURE
from handlers.steps import steps_in_full
from handlers.where import STATE_POINT, where_reply


def on_detail(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """``d:<code>:<docs|steps>:<all | case>``; None for an unknown procedure or case (a stale button)."""
    code, section, part = args
    p = ctx.knowledge.procedures.get(code)
    if p is None:
        return None
    ctx.state.data[STATE_PROCEDURE] = p.code
    if section == "steps":
        return [steps_in_full(ctx, p)] if part == "all" else None
    if part == "all":
        return [documents_in_full(ctx, p)]
    reply = documents_for_case(ctx, p, int(part))
    return [reply] if reply else None


def on_area(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """``a:<code>:<point>``: remember the chat's receiving point and show where to go."""
    p = ctx.knowledge.procedures.get(args[0])
    index = int(args[1])
    if p is None or index >= len(ctx.settings.receiving_points):
        return None
    ctx.state.data[STATE_PROCEDURE] = p.code
    ctx.state.data[STATE_POINT] = index
    return [where_reply(ctx, p)]

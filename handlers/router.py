"""One entry point for every message: clean it, rate-limit it, and send it to the right handler.

The tables that say which function answers which command, button or ongoing step live in
``handlers/features.py``; this module only applies them in order:
button → command → numbered answer → ongoing step (e.g. a verification question) → a dossier code
→ small talk → search.
"""

from __future__ import annotations

from bot.contract.callbacks import decode
from bot.contract.html import esc
from bot.contract.messages import Kind, Reply
from bot.conversation import Context
from handlers.dossier import detect as detect_dossier_code
from handlers.features import ACTIONS, COMMANDS, FLOWS
from handlers.handoff import on_reply
from handlers.lookup import answer_question
from handlers.menu import greeting
from handlers.sanitize import clean_text, without_markup
from handlers.smalltalk import SmallTalk, detect_small_talk

STATE_CHOICES = "choices"
STATE_RATE = "rate"
STATE_FLOW = "flow"


def route(ctx: Context) -> list[Reply]:
    """Answer ``ctx.incoming``; never raises for anything a user can send."""
    if _rate_limited(ctx):
        return _flood_reply(ctx)
    incoming = ctx.incoming
    if incoming.kind is Kind.CHOICE:
        replies = on_choice(ctx, incoming.choice)
    elif incoming.kind is Kind.UNSUPPORTED:
        replies = [Reply(text=esc(ctx._("Tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi, ví dụ “làm căn cước”.")))]
    else:
        replies = _on_text(ctx, incoming.text)
    _remember_choices(ctx, replies)
    return replies


def _on_text(ctx: Context, raw: str) -> list[Reply]:
    cleaned = clean_text(raw, ctx.settings.limits.max_message_chars)
    text = cleaned.text
    if not text:
        return [Reply(text=esc(ctx._("Bạn chưa nhập nội dung. Hãy gõ tên thủ tục cần hỏi, ví dụ “đăng ký tạm trú”.")))]
    if text.startswith("/"):
        ctx.state.data.pop(STATE_FLOW, None)  # a command always leaves an ongoing step
        return _on_command(ctx, text)
    if ctx.incoming.reply_to:  # an officer answering a relayed question by replying to it (Telegram)
        replies = on_reply(ctx, text)
        if replies is not None:
            return replies
    number = _numbered_answer(ctx, text)
    if number is not None:
        return on_choice(ctx, number)
    flow = ctx.state.data.get(STATE_FLOW)
    if isinstance(flow, str) and flow in FLOWS:
        replies = FLOWS[flow](ctx, text)
        if replies is not None:
            return replies
    replies = detect_dossier_code(ctx, text)  # a dossier code typed without /hoso
    if replies is not None:
        return replies
    talk = detect_small_talk(without_markup(text))  # "<b>xin chào</b>" pasted from a page is a greeting
    if talk is SmallTalk.GREETING:
        return [greeting(ctx)]
    if talk is SmallTalk.THANKS:
        return [Reply(text=esc(ctx._("Rất vui được giúp bạn. Bạn cần hỏi thêm thủ tục nào cứ nhắn nhé!")))]
    replies = answer_question(ctx, text)
    if cleaned.truncated:
        note = ctx._("Tin nhắn dài quá {limit} ký tự nên tôi chỉ đọc phần đầu.").format(
            limit=ctx.settings.limits.max_message_chars)
        replies.insert(0, Reply(text=esc(note)))
    return replies


def _on_command(ctx: Context, text: str) -> list[Reply]:
    head, _sep, arg = text.partition(" ")
    command = head[1:].split("@", 1)[0].lower()
    handler = COMMANDS.get(command)
    if handler is not None:
        return handler(ctx, arg.strip())
    return [Reply(text=esc(ctx._("Tôi không hiểu lệnh /{command}. Gõ /help để xem hướng dẫn.").format(
        command=command[:32])))]


def stale(ctx: Context) -> list[Reply]:
    """The answer to a forged, malformed or outdated button."""
    return [Reply(text=esc(ctx._("Lựa chọn này không còn hiệu lực. Bạn hãy gõ lại câu hỏi hoặc gõ /start.")))]


def on_choice(ctx: Context, data: str) -> list[Reply]:
    """A button press (or a numbered answer resolved to its button data)."""
    cb = decode(data)
    handler = ACTIONS.get(cb.action) if cb is not None else None
    replies = handler(ctx, cb.args) if handler is not None and cb is not None else None
    return replies if replies else stale(ctx)


def _numbered_answer(ctx: Context, text: str) -> str | None:
    """"2" after a list of choices → that choice's data; a number out of range is stale."""
    stripped = text.strip().rstrip(".)")
    if not (stripped.isascii() and stripped.isdigit()) or len(stripped) > 2:
        return None
    choices = ctx.state.data.get(STATE_CHOICES) or []
    if not choices:
        return None
    index = int(stripped) - 1
    if 0 <= index < len(choices):
        return str(choices[index])
    return "stale:number"


def _remember_choices(ctx: Context, replies: list[Reply]) -> None:
    """Keep the data of the last choices offered, so a typed number can select one."""
    for reply in reversed(replies):
        if reply.choices:
            ctx.state.data[STATE_CHOICES] = [c.data for c in reply.flat_choices()]
            return
    ctx.state.data.pop(STATE_CHOICES, None)


def _rate_limited(ctx: Context) -> bool:
    window = int(ctx.clock().timestamp() // 60)
    saved = ctx.state.data.get(STATE_RATE) or [window, 0]
    count = saved[1] + 1 if saved[0] == window else 1
    ctx.state.data[STATE_RATE] = [window, count]
    return count > ctx.settings.limits.messages_per_minute


def _flood_reply(ctx: Context) -> list[Reply]:
    """Tell the user once per minute that they are going too fast; stay silent after that."""
    if ctx.state.data[STATE_RATE][1] != ctx.settings.limits.messages_per_minute + 1:
        return []
    return [Reply(text=esc(ctx._("Bạn gửi tin nhắn hơi nhanh. Vui lòng đợi một phút rồi hỏi tiếp nhé.")))]

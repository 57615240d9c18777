"""From a citizen's question to the right procedure: direct answer, a choice, or an honest "not found"."""

from __future__ import annotations

from bot.catalog.model import Procedure
from bot.contract.callbacks import Action, Section, encode
from bot.contract.html import esc, italic, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.search.normalize import tokenize
from handlers.card import procedure_card, section_reply
from handlers.describe import levels_text, listed_name
from handlers.handoff import ask_button, faq_answer, log_not_found
from handlers.intents import detect_follow_up
from handlers.menu import ask_for_procedure
from handlers.sanitize import without_markup

STATE_PROCEDURE = "procedure"
STATE_VARIANTS = "variants"


def open_procedure(ctx: Context, p: Procedure, variants: list[str] | None = None) -> Reply:
    """Show the card of ``p`` and remember it as the procedure in context."""
    ctx.state.data[STATE_PROCEDURE] = p.code
    ctx.state.data[STATE_VARIANTS] = list(variants or [])
    return procedure_card(ctx, p, variants)


def current_procedure(ctx: Context) -> Procedure | None:
    """The procedure the conversation is about, if any (and still in the catalog)."""
    code = ctx.state.data.get(STATE_PROCEDURE)
    return ctx.knowledge.procedures.get(code) if isinstance(code, str) else None


CANDIDATE_FLOOR = 0.5  # candidates scoring under half the best one are noise (a word of a document list)
SHORTEST_QUESTION = 2  # "i", "4", "ok": too short to name a procedure, never a search


def answer_question(ctx: Context, text: str) -> list[Reply]:
    """Answer free text: a follow-up about the procedure in context, or a new search."""
    plain = without_markup(text)  # the words, not the tags of a pasted page (the text is echoed as typed)
    if len(plain.strip()) <= SHORTEST_QUESTION:  # "i", "4", and "<b>i</b>" alike
        return [Reply(text=esc(ctx._("Tin nhắn ngắn quá, tôi chưa hiểu bạn cần gì. Hãy gõ tên thủ tục hoặc kể "
                                     "việc bạn cần làm, ví dụ “làm căn cước” hay “mất sổ đỏ”.")))]
    query = in_vietnamese(ctx, plain)
    follow_up = detect_follow_up(query)
    current = current_procedure(ctx)
    if follow_up is not None and follow_up.is_bare:
        if current is not None:
            return section_replies(ctx, current, follow_up.sections)
        return [Reply(text=esc(ctx._("Bạn muốn hỏi về thủ tục nào? Hãy gõ tên thủ tục, ví dụ “đăng ký khai sinh”.")))]

    limit = ctx.settings.search.max_choices
    translated = query != plain  # an English question: answered directly on stronger evidence only
    result = ctx.knowledge.engine.search(query, limit=limit, translated=translated)
    if result.answer is None and follow_up is not None:
        # "làm hộ chiếu hết bao nhiêu tiền": the question words dilute the match; search what is left
        narrowed = ctx.knowledge.engine.search(" ".join(follow_up.remainder), limit=limit, translated=translated)
        if narrowed.confidence != "none":
            result = narrowed
    if result.answer is not None and result.answer in ctx.knowledge.procedures:
        top = next((h for h in result.results if h.code == result.answer), None)
        p = ctx.knowledge.procedures[result.answer]
        replies = [open_procedure(ctx, p, list(top.variants) if top else [])]
        asked = follow_up.sections if follow_up is not None else _asked_in_narrative(result.intent.asks)
        replies += section_replies(ctx, p, asked)
        others = [ctx.knowledge.procedures[c] for c in result.alternatives if c in ctx.knowledge.procedures]
        if others:
            replies.append(_alternatives(ctx, others))
        return replies
    published = faq_answer(ctx, text)  # an officer's answer an administrator published
    if published is not None:
        return [published]
    if follow_up is not None and current is not None and _about(current, follow_up.remainder):
        return section_replies(ctx, current, follow_up.sections)  # "cái này mất mấy hôm": still the card's
    if result.confidence == "ambiguous" and result.results:
        # a new question with several close candidates: the card before it is no longer what "bao lâu?" is about
        ctx.state.data.pop(STATE_PROCEDURE, None)
        floor = CANDIDATE_FLOOR * result.results[0].score  # a list of close candidates, not the tail
        return [_candidates(ctx, text, [h.code for h in result.results if h.score >= floor])]
    if follow_up is not None and current is not None:
        return section_replies(ctx, current, follow_up.sections)
    log_not_found(ctx, text, [h.code for h in result.results])
    return [not_found(ctx, text)]


def in_vietnamese(ctx: Context, text: str) -> str:
    """An English question (chat in English, or clearly English) in the Vietnamese words the search knows."""
    reader = ctx.knowledge.english
    if reader.is_english(text, expected=ctx.language == "en"):
        return reader.translate(text) or text
    return text


MAX_SECTIONS = 3  # "cần gì, lệ phí bao nhiêu, nộp ở đâu": at most this many sections in a row
# What a long question asks (bot.search.intent) → the section answering it.
_ASKED_SECTIONS = {"documents": Section.DOCUMENTS, "time": Section.TIME, "fee": Section.FEES,
                   "where": Section.WHERE, "online": Section.ONLINE}


def section_replies(ctx: Context, p: Procedure, sections: tuple[Section, ...]) -> list[Reply]:
    """The sections asked of ``p``, one reply each, in the order of the card."""
    return [section_reply(ctx, p, s) for s in sections[:MAX_SECTIONS]]


def _asked_in_narrative(asks: tuple[str, ...]) -> tuple[Section, ...]:
    """The sections a long question asks for ("… mất bao lâu?"), as read by the search's intent."""
    return tuple(_ASKED_SECTIONS[a] for a in asks if a in _ASKED_SECTIONS)


def _about(p: Procedure, remainder: tuple[str, ...]) -> bool:
    """True when what is left of a follow-up names nothing beyond ``p`` ("kết hôn mất mấy ngày" on its card)."""
    name = set(tokenize(p.name))
    return all(t in name for t in remainder)


def _alternatives(ctx: Context, procs: list[Procedure]) -> Reply:
    """Beside a probable answer, the close alternatives as buttons (and numbers)."""
    lines = [esc(ctx._("Hoặc bạn cần:"))]
    lines += [f"{i}. {esc(listed_name(p))}" for i, p in enumerate(procs, 1)]
    rows = [[Choice(shorten(p.name, 60), encode(Action.OPEN, p.code))] for p in procs]
    return Reply(text="\n".join(lines), choices=rows)


def _candidates(ctx: Context, text: str, codes: list[str]) -> Reply:
    """Several close candidates: ask which one, with a button (and a number) for each."""
    procs = [ctx.knowledge.procedures[c] for c in codes if c in ctx.knowledge.procedures]
    lines = [esc(ctx._("Tôi tìm thấy vài thủ tục gần với “{query}”. Bạn cần thủ tục nào?").format(
        query=shorten(text, 80)))]
    lines += [f"{i}. {esc(listed_name(p))} — {esc(levels_text(p, ctx.t))} ({esc(p.code)})"
              for i, p in enumerate(procs, 1)]
    lines.append(italic(ctx._("Bấm chọn hoặc gõ số thứ tự.")))
    rows = [[Choice(shorten(p.name, 60), encode(Action.OPEN, p.code))] for p in procs]
    rows.append([Choice(ctx._("Không có thủ tục tôi cần"), encode(Action.FIELDS, 0))])
    return Reply(text="\n".join(lines), choices=rows)


def not_found(ctx: Context, text: str) -> Reply:
    """Nothing relevant: say so honestly, suggest browsing by field, give the hotline."""
    _ = ctx._
    office = ctx.settings.office
    lines = [
        esc(_("Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp với “{query}”.").format(query=shorten(text, 80))),
        esc(_("Bạn thử gõ tên thủ tục theo cách khác (ví dụ “đăng ký thường trú”), gõ mã thủ tục, "
              "hoặc xem danh sách theo lĩnh vực.")),
    ]
    if office.hotline:
        call = _("Hoặc gọi đường dây nóng {hotline} để được hướng dẫn.").format(hotline=office.hotline)
        lines.append("☎️ " + esc(call))
    lines.append(esc(_("Bạn cũng có thể gửi câu hỏi cho cán bộ; câu trả lời sẽ về cuộc trò chuyện này.")))
    return Reply(text="\n".join(lines), choices=[[Choice(_("📚 Xem theo lĩnh vực"), encode(Action.FIELDS, 0))],
                                                  [ask_button(ctx)]])


def open_section(ctx: Context, code: str, section: Section) -> Reply | None:
    """A section button: None when the procedure is no longer in the catalog."""
    p = ctx.knowledge.procedures.get(code)
    if p is None:
        return None
    ctx.state.data[STATE_PROCEDURE] = p.code
    return section_reply(ctx, p, section)


def cmd_search(ctx: Context, arg: str) -> list[Reply]:
    """/tim <question>."""
    if not arg:
        return [ask_for_procedure(ctx)]
    return answer_question(ctx, arg)


def on_open(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Open-procedure button; None when the code is not in the catalog."""
    p = ctx.knowledge.procedures.get(args[0])
    return [open_procedure(ctx, p)] if p else None


def on_section(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Section button; None when the code is not in the catalog."""
    reply = open_section(ctx, args[0], Section(args[1]))
    return [reply] if reply else None

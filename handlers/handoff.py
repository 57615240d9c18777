"""Hỏi cán bộ: a citizen's question handed to the office's officers, their answer relayed back.

Citizens: the 🙋 button under a not-found answer or a procedure card, or ``/hoi [câu hỏi]``; the next text
(within ``WAIT_SECONDS``) is the question. ``/huyhoi`` withdraws a pending one; the answer arrives in the
same chat with the answering unit's name and a rating scale.

Officers: ``/cauhoi`` lists their units' pending questions; they answer by replying to the relayed message
(Telegram) or with ``/traloi H12 <nội dung>`` (every channel); ``/dexuat H12`` proposes an answer as a
frequently asked question, which an administrator publishes with ``/duyet H12`` (or refuses with
``/duyet H12 khong``). ``/hoidap`` shows administrators the week's unanswered questions.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, italic, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.feedback.store import Rater, chat_digest
from bot.handoff.anonymise import anonymise
from bot.handoff.desk import timing, unit_for
from bot.handoff.faq import FaqEntry, faq_book, write_faq
from bot.handoff.gaps import log_gap
from bot.handoff.models import PENDING, FaqState, GapKind, Question, QuestionRoute, QuestionStatus
from bot.handoff.queue import (
    RATING_SCORES,
    Asker,
    Outcome,
    answer,
    ask,
    cancel,
    marked_question,
    pending_of,
    rate_answer,
)
from bot.handoff.summary import weekly_summary
from bot.i18n import translator
from bot.i18n.format import format_datetime
from bot.masking import mask_id, mask_text
from bot.officers.models import Officer
from bot.officers.registry import is_admin, visible_units
from bot.outbox.store import enqueue
from bot.storage.conversations import ConversationStore
from handlers import feedback
from handlers.intents import detect_follow_up

log = logging.getLogger(__name__)

FLOW = "handoff_question"
STATE_FLOW = "flow"
STATE_ABOUT = "handoff_about"  # procedure code the awaited question is about ("" = none)
STATE_UNTIL = "handoff_until"
WAIT_SECONDS = 30 * 60
MAX_PENDING = 3  # pending questions one chat may have at a time
MIN_CHARS = 10
_SKIP = {"hủy", "huỷ", "huy", "bỏ qua", "bo qua", "thôi", "thoi", "cancel"}
_ANSWER_ARG = re.compile(r"(?i)^h(\d{1,12})\s+(.+)$", re.S)
_ID_ARG = re.compile(r"(?i)^h?(\d{1,12})(?:\s+(.*))?$", re.S)


# --- citizens: asking ----------------------------------------------------------------------------------


def _digest(ctx: Context) -> str:
    return chat_digest(ctx.incoming.channel, ctx.incoming.chat_id)


def ask_button(ctx: Context, code: str = "0") -> Choice:
    """🙋 Hỏi cán bộ (about procedure ``code``, or in general)."""
    label = ctx._("🙋 Hỏi cán bộ về thủ tục này") if code != "0" else ctx._("🙋 Hỏi cán bộ")
    return Choice(label, encode(Action.HANDOFF_ASK, code))


def _prompt(ctx: Context, code: str) -> list[Reply]:
    ctx.state.data[STATE_FLOW] = FLOW
    ctx.state.data[STATE_ABOUT] = code
    ctx.state.data[STATE_UNTIL] = ctx.clock().timestamp() + WAIT_SECONDS
    p = ctx.knowledge.procedures.get(code)
    about = ctx._("về thủ tục “{name}” ").format(name=p.name) if p else ""
    text = ctx._("Hãy gõ câu hỏi {about}để gửi cán bộ (một tin nhắn, tối đa 1.000 ký tự). Câu trả lời sẽ được gửi "
                 "vào cuộc trò chuyện này. Gõ “hủy” nếu không muốn hỏi nữa.").format(about=about)
    return [Reply(text=esc(text))]


def on_ask(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """🙋 pressed: wait for the question."""
    code = args[0]
    if code != "0" and code not in ctx.knowledge.procedures:
        return None
    return _prompt(ctx, code)


def cmd_ask(ctx: Context, arg: str) -> list[Reply]:
    """``/hoi [câu hỏi]``: send ``arg`` at once, or wait for the question."""
    code = ctx.state.data.get("procedure")
    code = code if isinstance(code, str) and code in ctx.knowledge.procedures else "0"
    if not arg:
        return _prompt(ctx, code)
    return _send(ctx, arg, code)


def _leave(ctx: Context) -> None:
    if ctx.state.data.get(STATE_FLOW) == FLOW:
        ctx.state.data.pop(STATE_FLOW, None)
    ctx.state.data.pop(STATE_ABOUT, None)
    ctx.state.data.pop(STATE_UNTIL, None)


def flow_question(ctx: Context, text: str) -> list[Reply] | None:
    """The awaited question (None when the wait is over: the text is then a normal question)."""
    until = ctx.state.data.get(STATE_UNTIL)
    about = str(ctx.state.data.get(STATE_ABOUT) or "0")
    if not isinstance(until, int | float) or until < ctx.clock().timestamp():
        _leave(ctx)
        return None
    if text.strip().lower() in _SKIP:
        _leave(ctx)
        return [Reply(text=esc(ctx._("Đã hủy, chưa có câu hỏi nào được gửi.")))]
    return _send(ctx, text, about)


def _send(ctx: Context, text: str, code: str) -> list[Reply]:
    if len(text.strip()) < MIN_CHARS:
        return [Reply(text=esc(ctx._("Câu hỏi ngắn quá. Bạn hãy viết rõ hơn một chút (ít nhất {n} ký tự), "
                                     "hoặc gõ “hủy”.").format(n=MIN_CHARS)))]
    found = ctx.knowledge.engine.search(text, limit=3)
    follow_up = detect_follow_up(text)
    if found.answer is None and follow_up is not None:  # "… cần giấy tờ gì?": search without the question words
        found = ctx.knowledge.engine.search(" ".join(follow_up.remainder), limit=3)
    # about the procedure it was asked from, else the one search is sure the question is about
    p = ctx.knowledge.procedures.get(code) or ctx.knowledge.procedures.get(found.answer or "")
    field = p.field if p else ""
    unit = unit_for(ctx.settings, field)
    digest = _digest(ctx)
    now = ctx.clock()
    with ctx.db.session() as s:
        if len(pending_of(s, digest)) >= MAX_PENDING:
            return [Reply(text=esc(ctx._("Bạn đang có {n} câu hỏi chờ trả lời. Vui lòng đợi cán bộ trả lời, hoặc "
                                         "gõ /huyhoi để rút bớt câu hỏi.").format(n=MAX_PENDING)))]
        asker = Asker(ctx.incoming.channel, ctx.incoming.chat_id, digest, ctx.language)
        question = ask(s, ctx.settings, asker, text, unit=unit, now=now, procedure_code=p.code if p else "",
                       field=field)  # fmt: skip
        log_gap(s, GapKind.ASKED, text, [h.code for h in found.results], now)
        s.commit()
        qid, status = question.id, question.status
    _leave(ctx)
    log.info("question %s sent to officers for chat %s", qid, mask_id(ctx.incoming.chat_id))
    return [_confirmation(ctx, qid, unit, status)]


def _confirmation(ctx: Context, qid: int, unit: str, status: str) -> Reply:
    when = timing(ctx.settings, ctx.clock())
    zone = ctx.settings.zone
    due = format_datetime(as_utc(when.due_at).astimezone(zone), ctx.language)
    lines = [
        "✅ " + bold(ctx._("Đã gửi câu hỏi số {id} đến {unit}.").format(id=qid, unit=unit)),
        esc(ctx._("Cán bộ sẽ trả lời trong cuộc trò chuyện này, chậm nhất {due}.").format(due=due)),
    ]
    if not when.open_now:
        opens = format_datetime(when.opens_at.astimezone(zone), ctx.language) if when.opens_at else due
        lines.append("🌙 " + esc(ctx._("Bây giờ ngoài giờ làm việc; cán bộ sẽ đọc câu hỏi từ {opens}.").format(
            opens=opens)))
    if status == QuestionStatus.NEW.value:
        lines.append(esc(ctx._("Đơn vị chưa có cán bộ trực trên hệ thống; câu hỏi được giữ và chuyển ngay khi "
                               "có cán bộ.")))
    lines.append(italic(ctx._("Thông tin cá nhân bạn ghi trong câu hỏi chỉ cán bộ được giao xem.")))
    return Reply(text="\n".join(lines), choices=[[Choice(ctx._("❌ Hủy câu hỏi"), encode(Action.HANDOFF_CANCEL, qid))]])


# --- citizens: cancelling, rating ---------------------------------------------------------------------


def _cancelled(ctx: Context, qid: int, outcome: Outcome) -> list[Reply]:
    if outcome is Outcome.DONE:
        return [Reply(text=esc(ctx._("Đã hủy câu hỏi số {id}.").format(id=qid)))]
    if outcome is Outcome.NOT_PENDING:
        return [Reply(text=esc(ctx._("Câu hỏi số {id} đã được trả lời hoặc đã hủy trước đó.").format(id=qid)))]
    return [Reply(text=esc(ctx._("Bạn không có câu hỏi số {id}.").format(id=qid)))]


def on_cancel(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """❌ under the confirmation."""
    qid = int(args[0])
    with ctx.db.session() as s:
        outcome = cancel(s, qid, _digest(ctx), ctx.clock())
        s.commit()
    return _cancelled(ctx, qid, outcome)


def cmd_cancel(ctx: Context, arg: str) -> list[Reply]:
    """``/huyhoi [số]``: withdraw a pending question (the only one, or the one named)."""
    digest = _digest(ctx)
    with ctx.db.session() as s:
        pending = [q.id for q in pending_of(s, digest)]
    match = _ID_ARG.match(arg.strip())
    if match:
        qid = int(match.group(1))
    elif len(pending) == 1:
        qid = pending[0]
    elif not pending:
        return [Reply(text=esc(ctx._("Bạn không có câu hỏi nào đang chờ trả lời.")))]
    else:
        label = ctx._("❌ Hủy câu hỏi số {id}")
        rows = [[Choice(label.format(id=q), encode(Action.HANDOFF_CANCEL, q))] for q in pending]
        return [Reply(text=esc(ctx._("Bạn muốn hủy câu hỏi nào?")), choices=rows)]
    with ctx.db.session() as s:
        outcome = cancel(s, qid, digest, ctx.clock())
        s.commit()
    return _cancelled(ctx, qid, outcome)


def on_rate(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A score under an officer's answer: counted in satisfaction, the question is closed."""
    qid, score = int(args[0]), int(args[1])
    rater = Rater(ctx.incoming.channel, _digest(ctx), ctx.language)
    with ctx.db.session() as s:
        outcome = rate_answer(s, qid, rater, score, ctx.clock())
        s.commit()
    if outcome is Outcome.NOT_FOUND:
        return None
    if outcome is Outcome.NOT_PENDING:
        return [Reply(text=esc(ctx._("Câu hỏi này chưa có câu trả lời để đánh giá.")))]
    return [Reply(text=esc(ctx._("Cảm ơn bạn đã đánh giá câu trả lời!")))]


# --- FAQ: answered by the assistant itself ------------------------------------------------------------


def faq_answer(ctx: Context, text: str) -> Reply | None:
    """A published answer matching ``text``, if any."""
    entry = faq_book(ctx.settings.resolve(ctx.settings.handoff.faq_path)).match(text)
    if entry is None:
        return None
    lines = ["💡 " + bold(entry.question), esc(entry.answer)]
    if entry.unit:
        lines.append(italic(ctx._("Trả lời của {unit}.").format(unit=entry.unit)))
    return Reply(text="\n".join(lines), choices=[[ask_button(ctx)]])


def log_not_found(ctx: Context, text: str, codes: list[str]) -> None:
    """Keep an anonymised trace of a question search could not answer."""
    with ctx.db.session() as s:
        log_gap(s, GapKind.NOT_FOUND, text, codes, ctx.clock())
        s.commit()


# --- officers -----------------------------------------------------------------------------------------


def _officers_only(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho cán bộ đã đăng ký.")))]


def _answered(ctx: Context, qid: int, outcome: Outcome) -> list[Reply]:
    messages = {
        Outcome.DONE: ctx._("Đã gửi câu trả lời cho câu hỏi H{id} đến người dân. Gõ /dexuat H{id} nếu nên đưa "
                            "vào câu hỏi thường gặp."),
        Outcome.NOT_PENDING: ctx._("Câu hỏi H{id} đã được trả lời hoặc người dân đã hủy."),
        Outcome.FORBIDDEN: ctx._("Câu hỏi H{id} không thuộc đơn vị của bạn."),
        Outcome.NOT_FOUND: ctx._("Không có câu hỏi H{id}."),
    }
    return [Reply(text=esc(messages[outcome].format(id=qid)))]


def _answer_as_officer(ctx: Context, qid: int, text: str) -> list[Reply]:
    with ctx.db.session() as s:
        officer = feedback.acting_officer(ctx, s)
        if officer is None:
            return _officers_only(ctx)
        route = s.scalar(select(QuestionRoute).where(QuestionRoute.question_id == qid))
        citizen = (route.channel, route.chat_id) if route is not None else None
        outcome = answer(s, qid, officer, text, ctx.clock())
        s.commit()
    if outcome is Outcome.DONE:
        log.info("question %s answered by officer chat %s", qid, mask_id(ctx.incoming.chat_id))
        if citizen is not None:
            _offer_rating_by_number(ctx, citizen, qid)
    return _answered(ctx, qid, outcome)


def _offer_rating_by_number(ctx: Context, citizen: tuple[str, str], qid: int) -> None:
    """Let a typed "1"–"3" in the citizen's chat pick a rating of the answer (Zalo shows numbered lists, and
    the answer is the latest message the citizen sees)."""
    from handlers.router import STATE_CHOICES

    store = ConversationStore(ctx.db, ctx.settings.office.default_language)
    state = store.load(*citizen)
    state.data[STATE_CHOICES] = [encode(Action.HANDOFF_RATE, qid, score) for score in RATING_SCORES]
    store.save(*citizen, state)


def cmd_answer(ctx: Context, arg: str) -> list[Reply]:
    """``/traloi H12 <nội dung>`` answers a question; ``/traloi 12 …`` is still a complaint's answer."""
    match = _ANSWER_ARG.match(arg.strip())
    if match is None:
        if arg.strip()[:1] in ("h", "H"):
            return [Reply(text=esc(ctx._("Cách dùng: /traloi H<số> <nội dung trả lời>, ví dụ /traloi H12 Bạn nộp "
                                         "tại Bộ phận Một cửa.")))]
        return feedback.cmd_answer(ctx, arg)
    return _answer_as_officer(ctx, int(match.group(1)), match.group(2))


def on_reply(ctx: Context, text: str) -> list[Reply] | None:
    """A Telegram reply to a relayed question: the officer's answer (None: not a reply to a question)."""
    qid = marked_question(ctx.incoming.reply_to)
    if qid is None:
        return None
    with ctx.db.session() as s:
        if feedback.acting_officer(ctx, s) is None:
            return None
    return _answer_as_officer(ctx, qid, text)


def cmd_pending(ctx: Context, _arg: str) -> list[Reply]:
    """``/cauhoi``: the pending questions of the officer's units, oldest first (full text: they are assigned)."""
    with ctx.db.session() as s:
        officer = feedback.acting_officer(ctx, s)
        if officer is None:
            return _officers_only(ctx)
        units = visible_units(officer)
        query = select(Question).where(Question.status.in_(PENDING)).order_by(Question.due_at).limit(10)
        if units is not None:
            query = query.where(Question.unit.in_(units or [""]))
        questions = list(s.scalars(query))
        s.expunge_all()
    if not questions:
        return [Reply(text=esc(ctx._("Không có câu hỏi nào đang chờ trả lời.")))]
    lines = [bold(ctx._("Câu hỏi chờ trả lời (hạn sớm nhất trước)"))]
    for q in questions:
        due = format_datetime(as_utc(q.due_at).astimezone(ctx.settings.zone), ctx.language)
        lines += ["", f"<b>H{q.id}</b> · {esc(q.unit)} · " + esc(ctx._("hạn {due}").format(due=due)),
                  esc(shorten(q.text, 300))]
    lines += ["", italic(ctx._("Trả lời: /traloi H<số> <nội dung>"))]
    return [Reply(text="\n".join(lines))]


def _question_arg(arg: str) -> tuple[int, str] | None:
    match = _ID_ARG.match(arg.strip())
    return (int(match.group(1)), (match.group(2) or "").strip()) if match else None


def cmd_propose(ctx: Context, arg: str) -> list[Reply]:
    """``/dexuat H12``: propose an answered question as a frequently asked question (administrators review)."""
    parsed = _question_arg(arg)
    if parsed is None:
        return [Reply(text=esc(ctx._("Cách dùng: /dexuat H<số>, ví dụ /dexuat H12")))]
    qid = parsed[0]
    with ctx.db.session() as s:
        officer = feedback.acting_officer(ctx, s)
        if officer is None:
            return _officers_only(ctx)
        question = s.get(Question, qid)
        units = visible_units(officer)
        if question is None or (units is not None and question.unit not in units):
            return [Reply(text=esc(ctx._("Không có câu hỏi H{id} của đơn vị bạn.").format(id=qid)))]
        if not question.answer:
            return [Reply(text=esc(ctx._("Câu hỏi H{id} chưa được trả lời.").format(id=qid)))]
        question.faq_state = FaqState.PROPOSED.value
        _notify_admins(s, question)
        s.commit()
    return [Reply(text=esc(ctx._("Đã đề xuất câu hỏi H{id} làm câu hỏi thường gặp; quản trị viên sẽ xem xét.").format(
        id=qid)))]


def _notify_admins(s: Session, question: Question) -> None:
    """Tell every administrator an answer is proposed for the FAQ (anonymised question, masked answer)."""
    for admin in [o for o in s.scalars(select(Officer).where(Officer.active.is_(True))) if is_admin(o)]:
        t = translator(admin.language)
        text = "\n".join([
            "💡 " + bold(t.gettext("Đề xuất câu hỏi thường gặp H{id} ({unit})").format(id=question.id,
                                                                                  unit=question.unit)),
            esc(question.text_masked),
            "→ " + esc(mask_text(question.answer or "")),
            italic(t.gettext("Đăng: /duyet H{id} · Không đăng: /duyet H{id} khong").format(id=question.id)),
        ])  # fmt: skip
        enqueue(s, dedupe_key=f"handoff-faq:{question.id}:{admin.id}", channel=admin.channel, chat_id=admin.chat_id,
                reply=Reply(text=text), kind="handoff_faq")  # fmt: skip


def cmd_approve(ctx: Context, arg: str) -> list[Reply]:
    """``/duyet H12`` (administrators): publish the answer as an FAQ file; ``/duyet H12 khong`` refuses it."""
    parsed = _question_arg(arg)
    if parsed is None:
        return [Reply(text=esc(ctx._("Cách dùng: /duyet H<số> (đăng), /duyet H<số> khong (không đăng)")))]
    qid, rest = parsed
    with ctx.db.session() as s:
        officer = feedback.acting_officer(ctx, s)
        if officer is None or not is_admin(officer):
            return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho quản trị viên.")))]
        question = s.get(Question, qid)
        if question is None or question.faq_state != FaqState.PROPOSED.value or not question.answer:
            return [Reply(text=esc(ctx._("Câu hỏi H{id} không có đề xuất nào chờ duyệt.").format(id=qid)))]
        if rest.lower() in ("khong", "không", "no"):
            question.faq_state = FaqState.REJECTED.value
            s.commit()
            return [Reply(text=esc(ctx._("Đã bỏ đề xuất H{id}.").format(id=qid)))]
        asked = anonymise(question.text)[:500]
        p = ctx.knowledge.procedures.get(question.procedure_code)
        entry = FaqEntry(question=asked, answer=mask_text(question.answer)[:2000], unit=question.unit,
                         aliases=[f"{p.name}: {asked}"[:500]] if p else [], source=f"H{question.id}")  # fmt: skip
        path = write_faq(ctx.settings.resolve(ctx.settings.handoff.faq_path), f"h{question.id}", entry)
        question.faq_state = FaqState.APPROVED.value
        s.commit()
    return [Reply(text=esc(ctx._("Đã đăng câu hỏi thường gặp: {path}. Trợ lý sẽ tự trả lời những câu hỏi tương tự.")
                           .format(path=path.name)))]


def cmd_gaps(ctx: Context, _arg: str) -> list[Reply]:
    """``/hoidap`` (administrators): the last seven days' most frequent unanswered questions."""
    with ctx.db.session() as s:
        officer = feedback.acting_officer(ctx, s)
        if officer is None or not is_admin(officer):
            return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho quản trị viên.")))]
        return [weekly_summary(s, ctx.clock(), ctx.language)]

"""Satisfaction feedback in the chat: a five-point rating, dossier criteria, a comment, complaints.

Each answer is saved the moment it is given, so a conversation abandoned halfway keeps what was answered.
A chat may make at most ``FEEDBACK_ACTIONS`` feedback answers per ``FEEDBACK_WINDOW_SECONDS`` (20 per
10 minutes; a full dossier rating needs at most 10); beyond that nothing is stored and the citizen is told.
Comments are kept up to ``MAX_COMMENT_CHARS`` (1,000) characters; a text counts as the comment only within
``WAIT_SECONDS`` (30 minutes) of the question, later it is a normal question. Officers read complaints with /phananh
and answer with /traloi; the answer is relayed to the citizen's chat through the outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, italic, shorten
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.dossiers.models import Dossier, DossierStatus, Subscription
from bot.feedback.complaints import AnswerResult, answer_complaint, notify_officers, open_complaints
from bot.feedback.invite import dossier_invitation, scale_choices, score_label
from bot.feedback.models import CRITERIA, MAX_COMMENT_CHARS, MAX_CONTACT_CHARS, ComplaintKind, Criterion, Subject
from bot.feedback.store import (
    Rater,
    RateResult,
    chat_digest,
    open_complaint,
    own_rating,
    rate,
    set_comment,
    set_contact,
    set_criterion,
)
from bot.i18n.format import format_date, format_number
from bot.officers.models import Officer, Role
from bot.officers.registry import officer_for
from handlers import dossier as dossier_flow

FLOW_COMMENT = "feedback_comment"
FLOW_CONTACT = "feedback_contact"
STATE_FLOW = "flow"
STATE_RATING = "feedback_rating"  # id of the rating whose comment / contact is awaited
STATE_ACTIONS = "feedback_actions"  # epoch seconds of this chat's recent feedback answers
STATE_INVITED = "feedback_dossiers"  # dossier ids this chat was invited to rate in the conversation
STATE_UNTIL = "feedback_until"  # epoch seconds after which a typed text is no longer taken as the comment
WAIT_SECONDS = 30 * 60
FEEDBACK_ACTIONS = 20
FEEDBACK_WINDOW_SECONDS = 600
_SKIP_WORDS = {"bỏ qua", "bo qua", "bỏ", "bo", "không", "khong", "skip", "no"}
_RATEABLE = {DossierStatus.DONE.value, DossierStatus.RETURNED.value}
_SUBJECTS = {"p": Subject.PROCEDURE, "d": Subject.DOSSIER, "g": Subject.SERVICE}


# --- helpers ---------------------------------------------------------------------------------------


def _now(ctx: Context) -> datetime:
    return ctx.clock()


def _rater(ctx: Context) -> Rater:
    return Rater(ctx.incoming.channel, chat_digest(ctx.incoming.channel, ctx.incoming.chat_id), ctx.language)


def _allow(ctx: Context) -> bool:
    """Count one feedback answer; False (nothing to store) when the chat is over the limit."""
    now = _now(ctx).timestamp()
    recent = [t for t in ctx.state.data.get(STATE_ACTIONS) or [] if isinstance(t, int | float)
              and now - t < FEEDBACK_WINDOW_SECONDS]
    if len(recent) >= FEEDBACK_ACTIONS:
        ctx.state.data[STATE_ACTIONS] = recent
        return False
    ctx.state.data[STATE_ACTIONS] = [*recent, now]
    return True


def _flooded(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Bạn gửi góp ý quá nhanh nên lần này chưa được lưu. "
                                 "Vui lòng đợi ít phút rồi thử lại.")))]


def _out_of_scale(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Điểm đánh giá phải từ 1 (Rất không hài lòng) đến 5 (Rất hài lòng). "
                                 "Chưa có gì được lưu; bạn hãy bấm một trong các nút đánh giá.")))]


def _expired(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Đánh giá này không còn sửa được (chỉ sửa trong vòng 24 giờ). "
                                 "Cảm ơn bạn đã góp ý!")))]


def _thanks(ctx: Context) -> Reply:
    return Reply(text=esc(ctx._("Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn.")))


def _leave_flow(ctx: Context) -> None:
    if ctx.state.data.get(STATE_FLOW) in (FLOW_COMMENT, FLOW_CONTACT):
        ctx.state.data.pop(STATE_FLOW, None)
    ctx.state.data.pop(STATE_RATING, None)
    ctx.state.data.pop(STATE_UNTIL, None)


def _await_text(ctx: Context, flow: str, rating_id: int) -> None:
    """The next text (within ``WAIT_SECONDS``) is the comment or the contact details of ``rating_id``."""
    ctx.state.data[STATE_FLOW] = flow
    ctx.state.data[STATE_RATING] = rating_id
    ctx.state.data[STATE_UNTIL] = _now(ctx).timestamp() + WAIT_SECONDS


# --- inviting a rating -----------------------------------------------------------------------------


def feedback_row(ctx: Context, code: str) -> list[Choice]:
    """The "Was this helpful?" button under a procedure card."""
    return [Choice(ctx._("⭐ Thông tin này có hữu ích không?"), encode(Action.FEEDBACK_ASK, "p", code))]


def rating_invitation(ctx_or_language: Context | str, dossier_id: int) -> Reply:
    """Invite a rating of a returned dossier; given a Context, the chat may rate it without following it."""
    if isinstance(ctx_or_language, Context):
        invited = [int(i) for i in ctx_or_language.state.data.get(STATE_INVITED) or [] if isinstance(i, int)]
        ctx_or_language.state.data[STATE_INVITED] = [*[i for i in invited if i != dossier_id], dossier_id][-10:]
        return dossier_invitation(ctx_or_language.language, dossier_id)
    return dossier_invitation(ctx_or_language, dossier_id)


def service_invitation(ctx: Context) -> Reply:
    """The menu's feedback entry: rate the office's service, or how to rate a procedure or a dossier."""
    _ = ctx._
    office = ctx.settings.office
    lines = [
        bold(_("Góp ý, đánh giá")),
        esc(_("Bạn đánh giá thế nào về chất lượng phục vụ của {office}? Đánh giá được giữ ẩn danh.").format(
            office=office.name)),
        italic(_("Muốn đánh giá thông tin một thủ tục: mở thủ tục đó rồi bấm “Thông tin này có hữu ích không?”. "
                 "Muốn đánh giá việc giải quyết một hồ sơ: tra cứu hồ sơ đó trước.")),
    ]
    if office.hotline:
        lines.append("☎️ " + esc(_("Đường dây nóng: {hotline}.").format(hotline=office.hotline)))
    return Reply(text="\n".join(lines), choices=scale_choices(ctx.t, "g", "0"))


def cmd_rate(ctx: Context, _arg: str) -> list[Reply]:
    """/danhgia, /gopy: rate the service."""
    return [service_invitation(ctx)]


def on_ask(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """"Was this helpful?" pressed: show the scale for that procedure (or dossier / service)."""
    kind, ref = args
    if kind == "p":
        p = ctx.knowledge.procedures.get(ref)
        if p is None:
            return None
        text = esc(ctx._("Thông tin về thủ tục “{name}” có hữu ích với bạn không?").format(name=p.name))
        return [Reply(text=text, choices=scale_choices(ctx.t, "p", ref))]
    if kind == "d" and ref != "0":
        with ctx.db.session() as s:
            allowed = _may_rate_dossier(ctx, s, int(ref))
        return [dossier_invitation(ctx.language, int(ref))] if allowed else None
    return [service_invitation(ctx)] if kind == "g" and ref == "0" else None


# --- the rating ------------------------------------------------------------------------------------


def _may_rate_dossier(ctx: Context, s: Session, dossier_id: int) -> bool:
    invited = ctx.state.data.get(STATE_INVITED) or []
    if dossier_id in invited or dossier_flow.is_verified(ctx, dossier_id):
        return True
    follows = s.scalar(select(Subscription.id).where(
        Subscription.dossier_id == dossier_id, Subscription.channel == ctx.incoming.channel,
        Subscription.chat_id == ctx.incoming.chat_id).limit(1))
    return follows is not None


def on_rate(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A score button: store it (or update it within 24 h), then ask the next question."""
    kind, ref, digit = args
    subject, score = _SUBJECTS[kind], int(digit)
    if (subject is Subject.PROCEDURE and ref not in ctx.knowledge.procedures) or (
            subject is Subject.SERVICE and ref != "0") or (subject is Subject.DOSSIER and ref == "0"):
        return None
    if not 1 <= score <= 5:
        return _out_of_scale(ctx)
    with ctx.db.session() as s:
        dossier = None
        if subject is Subject.DOSSIER:
            dossier = s.get(Dossier, int(ref))
            if dossier is None or not _may_rate_dossier(ctx, s, dossier.id):
                return None
            if dossier.status not in _RATEABLE:
                return [Reply(text=esc(ctx._("Hồ sơ này chưa có kết quả nên chưa đánh giá được.")))]
        if not _allow(ctx):
            return _flooded(ctx)
        field = ctx.knowledge.procedures[ref].field if subject is Subject.PROCEDURE else ""
        outcome = rate(s, _rater(ctx), subject=subject, score=score, now=_now(ctx),
                       procedure_code=ref if subject is Subject.PROCEDURE else "", dossier=dossier, field=field)
        if outcome.rating is None:
            return _expired(ctx)
        s.commit()
        rating_id = outcome.rating.id
    head = ctx._("Đã ghi nhận: {label}.").format(label=score_label(score, ctx.t))
    if outcome.result is RateResult.UPDATED:
        head = ctx._("Đã cập nhật đánh giá của bạn: {label}.").format(label=score_label(score, ctx.t))
    if subject is Subject.DOSSIER:
        return [_criterion_question(ctx, rating_id, 0, head)]
    return [_ask_comment(ctx, rating_id, head)]


def _criterion_label(ctx: Context, criterion: Criterion) -> str:
    labels = {
        Criterion.ATTITUDE: ctx._("Thái độ của cán bộ, công chức"),
        Criterion.TIME: ctx._("Thời gian giải quyết hồ sơ"),
        Criterion.GUIDANCE: ctx._("Hướng dẫn rõ ràng, dễ hiểu"),
        Criterion.PUBLICITY: ctx._("Công khai thủ tục hành chính"),
        Criterion.ONLINE: ctx._("Nộp hồ sơ trực tuyến thuận tiện"),
    }
    return labels[criterion]


def _criterion_question(ctx: Context, rating_id: int, index: int, head: str) -> Reply:
    criterion = CRITERIA[index]
    question = ctx._("Tiêu chí {n}/{total} — {criterion}: bạn đánh giá thế nào?").format(
        n=index + 1, total=len(CRITERIA), criterion=_criterion_label(ctx, criterion))
    rows = [[Choice(score_label(sc, ctx.t), encode(Action.CRITERION, rating_id, index, sc))] for sc in (5, 4, 3, 2, 1)]
    rows.append([Choice(ctx._("⏭ Bỏ qua"), encode(Action.CRITERION, rating_id, index, "x"))])
    return Reply(text=esc(head) + "\n" + bold(question), choices=rows)


def on_criterion(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """A criterion answer (or skip): stored at once, then the next criterion or the comment."""
    rating_id, index = int(args[0]), int(args[1])
    if index >= len(CRITERIA):
        return None
    score = None if args[2] == "x" else int(args[2])
    if score is not None and not 1 <= score <= 5:
        return _out_of_scale(ctx)
    with ctx.db.session() as s:
        rating = own_rating(s, rating_id, _rater(ctx), _now(ctx))
        if rating is None or rating.subject != Subject.DOSSIER.value:
            return None
        if not _allow(ctx):
            return _flooded(ctx)
        set_criterion(rating, index, score, _now(ctx))
        s.commit()
    head = ctx._("Đã lưu.")
    if index + 1 < len(CRITERIA):
        return [_criterion_question(ctx, rating_id, index + 1, head)]
    return [_ask_comment(ctx, rating_id, head)]


# --- comment, complaint, contact --------------------------------------------------------------------


def _ask_comment(ctx: Context, rating_id: int, head: str) -> Reply:
    _await_text(ctx, FLOW_COMMENT, rating_id)
    question = ctx._("Bạn có muốn góp ý thêm không? Hãy gõ nội dung (tối đa {limit} ký tự), "
                     "hoặc bấm “Bỏ qua”.").format(limit=format_number(MAX_COMMENT_CHARS, ctx.language))
    return Reply(text=esc(head) + "\n" + esc(question),
                 choices=[[Choice(ctx._("⏭ Bỏ qua"), encode(Action.FEEDBACK_STEP, rating_id, "s"))]])


def _pending_rating(ctx: Context) -> int | None:
    value, until = ctx.state.data.get(STATE_RATING), ctx.state.data.get(STATE_UNTIL)
    if not isinstance(until, int | float) or until < _now(ctx).timestamp():
        return None
    return value if isinstance(value, int) else None


def flow_comment(ctx: Context, text: str) -> list[Reply] | None:
    """The optional comment: any text is the comment, "bỏ qua" skips; saved at once."""
    rating_id = _pending_rating(ctx)
    if rating_id is None:
        _leave_flow(ctx)
        return None
    if text.strip().lower() in _SKIP_WORDS:
        _leave_flow(ctx)
        return [_thanks(ctx)]
    with ctx.db.session() as s:
        rating = own_rating(s, rating_id, _rater(ctx), _now(ctx))
        if rating is None:
            _leave_flow(ctx)
            return None
        if not _allow(ctx):
            return _flooded(ctx)
        cut = set_comment(rating, text, _now(ctx))
        s.commit()
    _leave_flow(ctx)
    replies = []
    if cut:
        limit = format_number(MAX_COMMENT_CHARS, ctx.language)
        replies.append(Reply(text=esc(ctx._("Góp ý dài hơn {limit} ký tự nên chỉ {limit} ký tự đầu được lưu.").format(
            limit=limit))))
    question = ctx._("Đã lưu góp ý. Bạn có cần cơ quan trả lời không? Nếu đây là phản ánh hoặc kiến nghị, "
                     "câu trả lời sẽ được gửi vào cuộc trò chuyện này.")
    replies.append(Reply(text=esc(question), choices=[
        [Choice(ctx._("📣 Phản ánh (cần trả lời)"), encode(Action.FEEDBACK_STEP, rating_id, "c"))],
        [Choice(ctx._("💡 Kiến nghị (cần trả lời)"), encode(Action.FEEDBACK_STEP, rating_id, "r"))],
        [Choice(ctx._("💬 Chỉ góp ý, không cần trả lời"), encode(Action.FEEDBACK_STEP, rating_id, "g"))],
    ]))
    return replies


def on_step(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """Skip the comment, mark it as phản ánh / kiến nghị, or choose to leave contact details."""
    rating_id, step = int(args[0]), args[1]
    with ctx.db.session() as s:
        rating = own_rating(s, rating_id, _rater(ctx), _now(ctx))
        if rating is None:
            return None
        if step in ("s", "g"):
            _leave_flow(ctx)
            return [_thanks(ctx)]
        if step == "n":
            return [Reply(text=esc(ctx._("Góp ý của bạn được giữ ẩn danh. Cảm ơn bạn!")))]
        if step == "y":
            _await_text(ctx, FLOW_CONTACT, rating_id)
            return [Reply(text=esc(ctx._("Hãy gõ họ tên và số điện thoại hoặc email để cơ quan liên hệ "
                                         "(tối đa {limit} ký tự).").format(limit=MAX_CONTACT_CHARS)))]
        if not rating.comment:
            return None
        if not _allow(ctx):
            return _flooded(ctx)
        kind = ComplaintKind.COMPLAINT if step == "c" else ComplaintKind.RECOMMENDATION
        complaint, new = open_complaint(s, rating, kind, chat_id=ctx.incoming.chat_id, now=_now(ctx))
        if new:
            notify_officers(s, complaint, rating)
        s.commit()
        number = complaint.id
    text = ctx._("Đã chuyển ý kiến số {id} đến cơ quan giải quyết; câu trả lời sẽ được gửi vào cuộc trò chuyện "
                 "này. Ý kiến của bạn mặc định là ẩn danh. Bạn có muốn để lại thông tin liên hệ không?").format(
        id=number)
    return [Reply(text=esc(text), choices=[
        [Choice(ctx._("📇 Để lại liên hệ"), encode(Action.FEEDBACK_STEP, rating_id, "y")),
         Choice(ctx._("🙈 Giữ ẩn danh"), encode(Action.FEEDBACK_STEP, rating_id, "n"))],
    ])]


def flow_contact(ctx: Context, text: str) -> list[Reply] | None:
    """The contact details the citizen chose to leave."""
    rating_id = _pending_rating(ctx)
    if rating_id is None:
        _leave_flow(ctx)
        return None
    with ctx.db.session() as s:
        rating = own_rating(s, rating_id, _rater(ctx), _now(ctx))
        if rating is None:
            _leave_flow(ctx)
            return None
        if not _allow(ctx):
            return _flooded(ctx)
        cut = set_contact(rating, text, _now(ctx))
        s.commit()
    _leave_flow(ctx)
    text_out = ctx._("Đã lưu thông tin liên hệ. Cảm ơn bạn!")
    if cut:
        text_out += " " + ctx._("(Chỉ {limit} ký tự đầu được lưu.)").format(limit=MAX_CONTACT_CHARS)
    return [Reply(text=esc(text_out))]


# --- officers: complaints --------------------------------------------------------------------------


def acting_officer(ctx: Context, s: Session) -> Officer | None:
    """The registered officer writing, or — for the console operator and listed admins — an administrator."""
    officer = officer_for(s, ctx.incoming.channel, ctx.incoming.user_id)
    if officer is None and ctx.is_admin:
        officer = Officer(channel=ctx.incoming.channel, user_id=ctx.incoming.user_id, chat_id=ctx.incoming.chat_id,
                          name="admin", role=Role.ADMIN.value, units=[], language=ctx.language)
    return officer


def _officers_only(ctx: Context) -> list[Reply]:
    return [Reply(text=esc(ctx._("Lệnh này chỉ dành cho cán bộ đã đăng ký.")))]


def cmd_complaints(ctx: Context, _arg: str) -> list[Reply]:
    """/phananh: the open complaints and recommendations of the officer's units."""
    with ctx.db.session() as s:
        officer = acting_officer(ctx, s)
        if officer is None:
            return _officers_only(ctx)
        items = open_complaints(s, officer)
        s.expunge_all()
    if not items:
        return [Reply(text=esc(ctx._("Không có phản ánh, kiến nghị nào đang chờ trả lời.")))]
    lines = [bold(ctx._("Phản ánh, kiến nghị chờ trả lời"))]
    for complaint, rating in items:
        kind = ctx._("Phản ánh") if complaint.kind == ComplaintKind.COMPLAINT.value else ctx._("Kiến nghị")
        unit = complaint.unit or ctx._("chung")
        day = format_date(local_date(complaint.created_at, ctx.settings.zone), ctx.language)
        lines.append("")
        lines.append(f"<b>#{complaint.id}</b> · {esc(kind)} · {esc(unit)} · {esc(day)} · {rating.score}/5")
        lines.append(esc(shorten(rating.comment, 300)))
        if rating.contact:
            lines.append("📇 " + esc(rating.contact))
    lines += ["", italic(ctx._("Trả lời: /traloi <số> <nội dung>"))]
    return [Reply(text="\n".join(lines))]


def cmd_answer(ctx: Context, arg: str) -> list[Reply]:
    """/traloi <id> <answer>: answer a complaint; the answer is relayed to the citizen."""
    number, _sep, text = arg.partition(" ")
    if not (number.isascii() and number.isdigit() and len(number) <= 12) or not text.strip():
        return [Reply(text=esc(ctx._("Cách dùng: /traloi <số> <nội dung trả lời>, ví dụ /traloi 12 Hồ sơ đã được "
                                     "xử lý.")))]
    with ctx.db.session() as s:
        officer = acting_officer(ctx, s)
        if officer is None:
            return _officers_only(ctx)
        outcome = answer_complaint(s, int(number), officer, text, _now(ctx))
        s.commit()
    messages = {
        AnswerResult.RELAYED: ctx._("Đã lưu câu trả lời cho ý kiến số {id} và chuyển đến người gửi."),
        AnswerResult.NO_ROUTE: ctx._("Đã lưu câu trả lời cho ý kiến số {id}; không còn địa chỉ để chuyển đến "
                                     "người gửi."),
        AnswerResult.ALREADY_ANSWERED: ctx._("Ý kiến số {id} đã được trả lời trước đó."),
        AnswerResult.FORBIDDEN: ctx._("Ý kiến số {id} không thuộc đơn vị của bạn."),
        AnswerResult.NOT_FOUND: ctx._("Không có ý kiến số {id}."),
    }
    return [Reply(text=esc(messages[outcome.result].format(id=int(number))))]

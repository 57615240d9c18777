"""Checking a dossier (hồ sơ) by its code: verify the applicant, then show its status; follow its changes.

Nothing personal is shown before verification, and a failed verification reveals nothing — not even
whether the code exists: the question asked and the "không khớp" answer are the same either way. Failures
are counted in the database per chat, per code (all chats and channels) and per channel, with growing
delays (``bot/dossiers/guesses.py``); a blocked chat is told to wait without anything being checked, and
while a code or channel is blocked for the short answer its owner can still answer the stronger question.
A verified dossier is remembered in the chat state (its id and an expiry, never the answer) for
``VERIFIED_MINUTES``, which is what allows the subscribe button to work.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.contract.callbacks import Action, encode
from bot.contract.html import bold, esc, italic
from bot.contract.messages import Choice, Reply
from bot.conversation import Context
from bot.dossiers import guesses, store
from bot.dossiers.attack_alerts import alert_admins
from bot.dossiers.calendar import Urgency, WorkCalendar
from bot.dossiers.guesses import Scope
from bot.dossiers.models import OPEN_STATUSES, Dossier, DossierStatus, Subscription
from bot.dossiers.notify import status_label
from bot.dossiers.values import normalise_code
from bot.i18n.format import format_datetime
from bot.masking import mask_id, mask_name
from bot.security import secret_key
from bot.storage.db import Database

log = logging.getLogger(__name__)

FLOW = "dossier"
STATE_FLOW = "flow"
STATE_PENDING = "dossier_pending"  # {"step": "code" | "answer", "code": str, "until": epoch seconds}
STATE_VERIFIED = "dossier_verified"  # {"<dossier id>": epoch seconds until which it counts as verified}
VERIFIED_MINUTES = 30
PENDING_MINUTES = 15
MAX_VERIFIED = 5
MAX_CODE_CHARS = 64

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—−", "-"))
_AROUND_SEPARATORS = re.compile(r"\s*([.\-_/])\s*")
_CODE_CHARS = re.compile(r"[A-Z0-9](?:[A-Z0-9._/-]*[A-Z0-9])?", re.ASCII)
_SEGMENTED = re.compile(r"[A-Z0-9]+(?:[._/-][A-Z0-9]+){2,}", re.ASCII)
_PROCEDURE_CODE = re.compile(r"\d\.\d{6}", re.ASCII)
_ALL_STATUSES = frozenset(s.value for s in DossierStatus)
_KNOWN_STATUSES = frozenset(s.value for s in DossierStatus) - {DossierStatus.UNKNOWN.value}
# "CCCD 0010…", "sđt: …5678": the label a citizen may type before the answer
_ANSWER_LABEL = re.compile(r"^\s*(?:số\s+)?(?:cccd|cmnd|cmt|căn\s*cước|can\s*cuoc|sđt|sdt|điện\s*thoại|dien\s*thoai)"
                           r"\b[\s:.\-]*", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[\s,;:()\[\]\"'“”‘’«»!?]+")


# --- recognising a dossier code ------------------------------------------------------------------


def parse_code(text: str) -> str | None:
    """What the user typed as a code → the code (no spaces, upper case), or None if it cannot be one.

    Lenient (used when we asked for a code): letters, digits and ``. - _ /``, at least one digit,
    4–64 characters, and not a procedure code such as ``1.001193``."""
    code = "".join(text.translate(_DASHES).split()).upper()
    if not 4 <= len(code) <= MAX_CODE_CHARS or not _CODE_CHARS.fullmatch(code):
        return None
    if _PROCEDURE_CODE.fullmatch(code) or not any(c.isdigit() for c in code):
        return None
    return code


def _is_distinctive(token: str) -> bool:
    """A token that can only be a dossier code: segments joined by separators incl. a dash, letters and
    at least six digits (``000.00.12.H12-250101-0001``, ``H12.22-250101-0001``), never a procedure code,
    a date or a phone number."""
    return (
        10 <= len(token) <= MAX_CODE_CHARS
        and "-" in token
        and _SEGMENTED.fullmatch(token) is not None
        and any(c.isalpha() for c in token)
        and sum(c.isdigit() for c in token) >= 6
    )


def find_code(text: str) -> str | None:
    """The dossier code in free text (``"tra hồ sơ H12.22-250101-0001"``), or None.

    Strict, so that questions, procedure codes, dates and phone numbers are never mistaken for one."""
    joined = _AROUND_SEPARATORS.sub(r"\1", text.translate(_DASHES)[: MAX_CODE_CHARS * 8])
    for raw in _TOKEN_SPLIT.split(joined):
        token = raw.strip(".").upper()
        if _is_distinctive(token):
            return token
    return None


# --- chat state ----------------------------------------------------------------------------------


def _epoch(ctx: Context) -> float:
    return ctx.clock().timestamp()


def _pending(ctx: Context) -> dict[str, Any] | None:
    """The step in progress, if it has not expired."""
    pending = ctx.state.data.get(STATE_PENDING)
    if not isinstance(pending, dict):
        return None
    until = pending.get("until")
    return pending if isinstance(until, int | float) and until >= _epoch(ctx) else None


def _set_pending(ctx: Context, step: str, code: str = "") -> None:
    ctx.state.data[STATE_FLOW] = FLOW
    ctx.state.data[STATE_PENDING] = {"step": step, "code": code, "until": _epoch(ctx) + PENDING_MINUTES * 60}


def _leave(ctx: Context) -> None:
    """End the flow (the verified dossiers stay remembered until they expire)."""
    ctx.state.data.pop(STATE_PENDING, None)
    if ctx.state.data.get(STATE_FLOW) == FLOW:
        ctx.state.data.pop(STATE_FLOW, None)


def _verified(ctx: Context) -> dict[str, float]:
    saved = ctx.state.data.get(STATE_VERIFIED)
    now = _epoch(ctx)
    if not isinstance(saved, dict):
        return {}
    return {k: float(v) for k, v in saved.items() if isinstance(v, int | float) and v >= now}


def _remember_verified(ctx: Context, dossier_id: int) -> None:
    verified = _verified(ctx)
    verified[str(dossier_id)] = _epoch(ctx) + VERIFIED_MINUTES * 60
    newest = sorted(verified.items(), key=lambda kv: kv[1])[-MAX_VERIFIED:]
    ctx.state.data[STATE_VERIFIED] = dict(newest)


def is_verified(ctx: Context, dossier_id: int) -> bool:
    """Whether this chat proved, less than ``VERIFIED_MINUTES`` ago, that ``dossier_id`` is theirs."""
    return str(dossier_id) in _verified(ctx)


# --- the exchange --------------------------------------------------------------------------------


def _scopes(ctx: Context, code: str | None, strong: bool = False) -> list[Scope]:
    """The counters an answer about ``code`` goes through: the chat's, and the code's and channel's for a
    short answer, or the code's stronger-answer counter for a stronger one."""
    channel = ctx.incoming.channel
    rules = guesses.policies(ctx.settings.dossiers)
    key = secret_key(ctx.settings)
    found = [guesses.scope(guesses.CHAT, f"{channel}:{ctx.incoming.chat_id}", rules[guesses.CHAT], key)]
    if code is None:
        return found
    wanted = normalise_code(code)
    if strong:
        return [*found, guesses.scope(guesses.STRONG, wanted, rules[guesses.STRONG], key)]
    return [*found, guesses.scope(guesses.CODE, wanted, rules[guesses.CODE], key),
            guesses.scope(guesses.CHANNEL, channel, rules[guesses.CHANNEL], key)]


def _lockout_reply(ctx: Context, until: datetime) -> Reply:
    minutes = max(1, math.ceil((until - ctx.clock()).total_seconds() / 60))
    text = ctx._("Bạn đã nhập sai thông tin xác minh quá nhiều lần. Vui lòng thử lại sau {n} phút.").format(
        n=minutes)
    return Reply(text="⏳ " + esc(text))


def _strong_question(ctx: Context, code: str) -> Reply:
    """Asked while the short answer is paused for ``code``: the stronger answer (same for unknown codes)."""
    _ = ctx._
    if ctx.settings.dossiers.strong_verification == "phone_birth_year":
        ask = _("Hồ sơ {code} đang được bảo vệ tạm thời vì có nhiều lần nhập sai thông tin xác minh. Để xem hồ "
                "sơ, bạn hãy gõ số điện thoại đầy đủ và năm sinh của người nộp hồ sơ, ví dụ: 0912345678 1985.")
    else:
        ask = _("Hồ sơ {code} đang được bảo vệ tạm thời vì có nhiều lần nhập sai thông tin xác minh. Để xem hồ "
                "sơ, bạn hãy gõ đủ 12 số căn cước (CCCD) của người nộp hồ sơ.")
    return Reply(text="🛡️ " + esc(ask.format(code=code)))


def _paused_reply(ctx: Context, until: datetime) -> Reply:
    minutes = max(1, math.ceil((until - ctx.clock()).total_seconds() / 60))
    text = ctx._("Việc xác minh hồ sơ này đang tạm dừng vì có nhiều lần nhập sai. Vui lòng thử lại sau {n} phút "
                 "hoặc liên hệ Bộ phận Một cửa.").format(n=minutes)
    return Reply(text="⏳ " + esc(text))


def _blocked_reply(ctx: Context, code: str, blocked: dict[str, datetime]) -> Reply:
    """Why the answer cannot be checked now, and what to do; leaves or keeps the flow accordingly."""
    if guesses.CHAT in blocked:
        _leave(ctx)
        return _lockout_reply(ctx, blocked[guesses.CHAT])
    if guesses.STRONG in blocked:
        _leave(ctx)
        return _paused_reply(ctx, blocked[guesses.STRONG])
    _set_pending(ctx, "answer", code)
    return _strong_question(ctx, code)


def _ask_code_reply(ctx: Context) -> Reply:
    text = ctx._("Bạn hãy gõ mã hồ sơ in trên giấy biên nhận (phiếu hẹn), ví dụ H12.22-250101-0001.")
    return Reply(text="📂 " + esc(text))


def _question(ctx: Context, code: str) -> Reply:
    """The verification question: the same whether or not ``code`` exists."""
    _ = ctx._
    method = ctx.settings.dossiers.verification
    if method == "id_number":
        ask = _("Để bảo vệ thông tin cá nhân, bạn hãy gõ số căn cước (CCCD) hoặc số giấy tờ tùy thân "
                "của người nộp hồ sơ {code}.")
    elif method == "either":
        ask = _("Để bảo vệ thông tin cá nhân, bạn hãy gõ 4 số cuối số điện thoại, hoặc số căn cước (CCCD), "
                "của người nộp hồ sơ {code}.")
    else:
        ask = _("Để bảo vệ thông tin cá nhân, bạn hãy gõ 4 số cuối số điện thoại đã khai khi nộp hồ sơ {code}.")
    return Reply(text="🔐 " + esc(ask.format(code=code)))


def start(ctx: Context) -> Reply:
    """The menu entry: ask for the code (or say to wait when the chat is locked out)."""
    with ctx.db.reading() as session:
        blocked = guesses.peek(session, _scopes(ctx, None), ctx.clock())
    if blocked:
        _leave(ctx)
        return _lockout_reply(ctx, blocked[guesses.CHAT])
    _set_pending(ctx, "code")
    return _ask_code_reply(ctx)


def ask_verification(ctx: Context, code: str) -> list[Reply]:
    """A code was given: ask the verification question (the stronger one while the short answer is paused
    for this code or channel), unless the chat must wait."""
    with ctx.db.reading() as session:
        blocked = guesses.peek(session, _scopes(ctx, code), ctx.clock())
    if blocked:
        return [_blocked_reply(ctx, code, blocked)]
    _set_pending(ctx, "answer", code)
    return [_question(ctx, code)]


def _judge(ctx: Context, session: Session, code: str, answer: str, strong: bool) -> tuple[Dossier, bool] | None:
    """The dossier and whether this chat follows it, when ``answer`` proves ownership; an unknown code is
    hashed alike, so it takes as long."""
    found = store.find_for_chat(session, code, ctx.incoming.channel, ctx.incoming.chat_id)
    dossier = found[0] if found is not None else Dossier()
    cfg, key = ctx.settings.dossiers, secret_key(ctx.settings)
    if strong:
        ok = store.verify_strong(dossier, answer, cfg.strong_verification, key)
    else:
        ok = store.verify(dossier, answer, cfg.verification, key)
    return found if ok else None


def check_answer(ctx: Context, code: str, answer: str) -> list[Reply]:
    """Verify ``answer`` for ``code``: the status card, or a neutral refusal that reveals nothing.

    The counters are locked for the whole check, so parallel answers are judged one after another."""
    cfg = ctx.settings.dossiers
    answer = _ANSWER_LABEL.sub("", answer)
    strong = store.is_strong(answer, cfg.strong_verification)
    scopes = _scopes(ctx, code, strong)
    now = ctx.clock()
    with ctx.db.session() as session:
        rows = guesses.lock(session, scopes, now)
        blocked = guesses.blocked(rows, scopes, now)
        if blocked:
            session.commit()
            return [_blocked_reply(ctx, code, blocked)]
        judged = _judge(ctx, session, code, answer, strong)
        if judged is not None:
            dossier, subscribed = judged
            card = status_card(ctx, session, dossier, subscribed)
            session.commit()
            _leave(ctx)
            _remember_verified(ctx, dossier.id)
            return [card]
        newly = guesses.fail(rows, scopes, now, timedelta(hours=cfg.alert_hours))
        alert_admins(session, ctx.settings.admin_ids, newly, code=normalise_code(code), channel=ctx.incoming.channel,
                     now=now, language=ctx.settings.office.default_language)
        session.commit()
        blocked = guesses.blocked(rows, scopes, now)
    log.info("dossier verification failed chat=%s", mask_id(ctx.incoming.chat_id))
    text = ctx._("Mã hồ sơ hoặc thông tin xác minh không khớp. Bạn hãy kiểm tra lại giấy biên nhận rồi gõ "
                 "lại mã hồ sơ.")
    replies = [Reply(text="❌ " + esc(text))]
    if blocked:
        replies.append(_blocked_reply(ctx, code, blocked))
    else:
        _set_pending(ctx, "code")
    return replies


def on_text(ctx: Context, text: str) -> list[Reply] | None:
    """The next text message while the flow is in progress (``FLOWS["dossier"]``); None = not for us."""
    pending = _pending(ctx)
    if pending is None:
        _leave(ctx)
        return None
    if pending.get("step") == "answer":
        new_code = find_code(text)
        if new_code is not None and new_code != pending.get("code"):
            return ask_verification(ctx, new_code)
        if not any(c.isdigit() for c in text):  # a question, not an answer: let it be searched
            _leave(ctx)
            return None
        return check_answer(ctx, str(pending.get("code", "")), text)
    code = parse_code(text) or find_code(text)
    if code is None:
        _leave(ctx)
        return None
    return ask_verification(ctx, code)


def detect(ctx: Context, text: str) -> list[Reply] | None:
    """Free text that contains a dossier code starts the check; None otherwise (for the router)."""
    code = find_code(text)
    return ask_verification(ctx, code) if code is not None else None


def cmd_dossier(ctx: Context, arg: str) -> list[Reply]:
    """/hoso [CODE]."""
    if not arg:
        return [start(ctx)]
    code = parse_code(arg) or find_code(arg)
    if code is None:
        reply = start(ctx)
        return [Reply(text=esc(ctx._("Mã hồ sơ này không đúng định dạng.")) + "\n" + reply.text)]
    return ask_verification(ctx, code)


# --- the status card -----------------------------------------------------------------------------


def _when(ctx: Context, stored: datetime | None) -> str:
    """A stored (UTC) time in the office time zone and the chat's language."""
    value = as_utc(stored)
    if value is None:
        return ctx._("chưa có thông tin")
    return format_datetime(value.astimezone(ctx.settings.zone), ctx.language)


def _days(ctx: Context, n: int) -> str:
    return ctx.t.ngettext("{n} ngày làm việc", "{n} ngày làm việc", n).format(n=n)


def _open_urgency(ctx: Context, d: Dossier) -> Urgency | None:
    """How an unfinished dossier stands against its appointment date today (None when finished or undated)."""
    if d.due_at is None or d.status not in OPEN_STATUSES:
        return None
    return WorkCalendar.from_settings(ctx.settings).classify(d.due_at, ctx.clock(), ctx.settings.calendar.soon_days)


def _deadline_line(ctx: Context, d: Dossier, urgency: Urgency | None) -> str:
    """Late or not, in working days, against the appointment date."""
    _ = ctx._
    finished = d.finished_at or d.returned_at
    if d.status in (DossierStatus.DONE, DossierStatus.RETURNED) and finished is not None and d.due_at is not None:
        result = WorkCalendar.from_settings(ctx.settings).classify(d.due_at, finished, ctx.settings.calendar.soon_days)
        if result.kind == "overdue":
            return "⚠️ " + esc(_("Kết quả trễ hạn {days}.").format(days=_days(ctx, result.working_days)))
        return "✅ " + esc(_("Kết quả có đúng hạn."))
    if urgency is None:
        return ""
    if urgency.kind == "overdue":
        return "⚠️ " + bold(_("Trễ hạn {days}.").format(days=_days(ctx, urgency.working_days)))
    if urgency.kind == "due_today":
        return "⏰ " + esc(_("Hạn trả kết quả là hôm nay."))
    return "✅ " + esc(_("Còn trong hạn (còn {days}).").format(days=_days(ctx, urgency.working_days)))


def _apology_lines(ctx: Context, d: Dossier) -> list[str]:
    if not d.apologies:
        return []
    _ = ctx._
    apology = d.apologies[-1]
    lines = ["📝 " + esc(_("Cơ quan đã gửi phiếu xin lỗi ngày {date}.").format(date=_when(ctx, apology.sent_at)))]
    if apology.new_due_at is not None:
        lines.append("   " + esc(_("Ngày hẹn trả mới:")) + " " + bold(_when(ctx, apology.new_due_at)))
    if apology.reason.strip():
        lines.append("   " + esc(_("Lý do:")) + " " + esc(apology.reason.strip()))
    return lines


def _next_step(ctx: Context, d: Dossier, urgency: Urgency | None) -> str:
    """What the citizen should do now, in plain words."""
    _ = ctx._
    ask = _("Cần hỏi thêm, bạn hãy liên hệ Bộ phận Một cửa.")
    if urgency is not None and urgency.kind == "overdue" and d.status != DossierStatus.SUPPLEMENT:
        if any(a.new_due_at is not None for a in d.apologies):
            return _("Hồ sơ đã quá ngày hẹn ban đầu; bạn hãy chờ đến ngày hẹn trả mới ghi trong phiếu xin lỗi.")
        return _("Hồ sơ đã quá ngày hẹn trả; cơ quan phải gửi bạn phiếu xin lỗi và hẹn lại ngày trả.") + " " + ask
    steps = {
        DossierStatus.RECEIVED: _("Bạn chưa cần làm gì thêm; hãy chờ đến ngày hẹn trả. Nếu cần bổ sung giấy tờ, "
                                  "cơ quan sẽ báo bạn."),
        DossierStatus.SUPPLEMENT: _("Bạn hãy mang đến Bộ phận Một cửa, hoặc nộp trực tuyến, các giấy tờ còn thiếu "
                                    "theo thông báo yêu cầu bổ sung."),
        DossierStatus.DONE: _("Bạn hãy mang giấy biên nhận và giấy tờ tùy thân đến Bộ phận Một cửa để nhận kết quả; "
                              "nếu đã đăng ký nhận qua bưu chính, kết quả sẽ được gửi đến địa chỉ của bạn."),
        DossierStatus.RETURNED: _("Hồ sơ đã hoàn tất. Mời bạn đánh giá mức độ hài lòng để giúp chúng tôi phục vụ "
                                  "tốt hơn."),
        DossierStatus.REJECTED: _("Bạn hãy xem văn bản trả lời của cơ quan để biết lý do.") + " " + ask,
    }
    steps[DossierStatus.PROCESSING] = steps[DossierStatus.RECEIVED]
    return steps.get(DossierStatus(d.status), ask) if d.status in _ALL_STATUSES else ask


def _is_subscribed(ctx: Context, session: Session, dossier_id: int) -> bool:
    return session.scalar(select(Subscription.id).where(
        Subscription.dossier_id == dossier_id, Subscription.channel == ctx.incoming.channel,
        Subscription.chat_id == ctx.incoming.chat_id, Subscription.active.is_(True))) is not None


def _card_buttons(ctx: Context, d: Dossier, subscribed: bool) -> list[list[Choice]]:
    _ = ctx._
    follow = (Choice(_("🔕 Ngừng theo dõi"), encode(Action.DOSSIER_UNSUBSCRIBE, d.id)) if subscribed
              else Choice(_("🔔 Theo dõi hồ sơ này"), encode(Action.DOSSIER_SUBSCRIBE, d.id)))
    rows = [[follow]]
    if d.status == DossierStatus.RETURNED:
        rows.append([Choice(_("⭐ Góp ý, đánh giá"), encode(Action.FEEDBACK_ASK, "d", d.id))])  # rate this dossier
    rows.append([Choice(_("⬅️ Về menu chính"), encode(Action.HOME))])
    return rows


def status_card(ctx: Context, session: Session, d: Dossier, subscribed: bool | None = None) -> Reply:
    """Everything a verified citizen may see about their dossier, with follow/menu buttons (``subscribed``:
    whether this chat follows it, when already known)."""
    _ = ctx._
    status = status_label(d.status, ctx.t)
    if d.status not in _KNOWN_STATUSES and d.status_text.strip():  # show the export's own wording
        status = f"{status} ({d.status_text.strip()})"
    lines = ["📂 " + bold(_("Hồ sơ {code}").format(code=d.code))]
    if d.procedure_name.strip():
        lines.append(esc(_("Thủ tục:")) + " " + esc(d.procedure_name.strip()))
    if d.applicant_name.strip():
        lines.append(esc(_("Người nộp:")) + " " + esc(mask_name(d.applicant_name)))
    lines.append(esc(_("Trạng thái:")) + " " + bold(status))
    lines.append(esc(_("Ngày nhận hồ sơ:")) + " " + esc(_when(ctx, d.received_at)))
    lines.append(esc(_("Ngày hẹn trả kết quả:")) + " " + esc(_when(ctx, d.due_at)))
    where = " — ".join(x.strip() for x in (d.current_step, d.unit) if x.strip())
    if where:
        lines.append(esc(_("Đang ở bước:")) + " " + esc(where))
    urgency = _open_urgency(ctx, d)
    deadline = _deadline_line(ctx, d, urgency)
    if deadline:
        lines.append(deadline)
    lines += _apology_lines(ctx, d)
    lines += ["", "👉 " + italic(_next_step(ctx, d, urgency))]
    hotline = ctx.settings.office.hotline
    if hotline:
        lines.append("☎️ " + esc(_("Đường dây nóng: {hotline}.").format(hotline=hotline)))
    if subscribed is None:
        subscribed = _is_subscribed(ctx, session, d.id)
    return Reply(text="\n".join(lines), choices=_card_buttons(ctx, d, subscribed))


# --- following a dossier -------------------------------------------------------------------------


def _subscribe(ctx: Context, session: Session, dossier_id: int) -> None:
    """Create or re-activate this chat's subscription (safe when two requests race)."""
    for _attempt in range(2):
        sub = session.scalar(select(Subscription).where(
            Subscription.dossier_id == dossier_id, Subscription.channel == ctx.incoming.channel,
            Subscription.chat_id == ctx.incoming.chat_id))
        if sub is None:
            sub = Subscription(dossier_id=dossier_id, channel=ctx.incoming.channel, chat_id=ctx.incoming.chat_id)
            session.add(sub)
        sub.active = True
        sub.language = ctx.language
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()


def on_subscribe(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """🔔 button: only for a dossier this chat verified recently, whatever the button data says."""
    dossier_id = int(args[0])
    if not is_verified(ctx, dossier_id):
        text = ctx._("Để theo dõi hồ sơ, bạn cần tra cứu và xác minh lại hồ sơ đó trước.")
        return [Reply(text="🔐 " + esc(text)), start(ctx)]
    with ctx.db.session() as session:
        dossier = session.get(Dossier, dossier_id)
        if dossier is None:
            return None
        _subscribe(ctx, session, dossier_id)
        code = dossier.code
    text = ctx._("Đã bật theo dõi hồ sơ {code}. Tôi sẽ nhắn bạn khi trạng thái hồ sơ thay đổi. "
                 "Gõ /huytheodoi để ngừng.").format(code=code)
    oa = ctx.settings.channels.zalo_oa
    if ctx.incoming.channel == "zalo_oa" and not oa.templates.get("dossier_status"):
        text += "\n\n" + ctx._("Lưu ý: Zalo chỉ cho phép nhắn bạn trong {hours} giờ sau tin nhắn gần nhất của bạn; "
                               "thông báo đến sau đó sẽ không gửi được qua Zalo.").format(hours=f"{oa.window_hours:g}")
    buttons = [[Choice(ctx._("🔕 Ngừng theo dõi"), encode(Action.DOSSIER_UNSUBSCRIBE, dossier_id))],
               [Choice(ctx._("⬅️ Về menu chính"), encode(Action.HOME))]]
    return [Reply(text="🔔 " + esc(text), choices=buttons)]


def _unsubscribe(ctx: Context, db: Database, dossier_id: int | None = None, code: str | None = None) -> list[str]:
    """Deactivate this chat's subscriptions (all, or one dossier); the codes that were stopped."""
    query = (select(Subscription, Dossier.code).join(Dossier, Dossier.id == Subscription.dossier_id)
             .where(Subscription.channel == ctx.incoming.channel, Subscription.chat_id == ctx.incoming.chat_id,
                    Subscription.active.is_(True)))
    if dossier_id is not None:
        query = query.where(Subscription.dossier_id == dossier_id)
    if code is not None:
        query = query.where(Dossier.code == code)
    with db.session() as session:
        rows = session.execute(query.order_by(Dossier.code)).all()
        for sub, _code in rows:
            sub.active = False
        session.commit()
    return [c for _sub, c in rows]


def _unsubscribed_reply(ctx: Context, codes: list[str]) -> list[Reply]:
    if not codes:
        return [Reply(text=esc(ctx._("Bạn không theo dõi hồ sơ nào (hoặc đã ngừng theo dõi trước đó).")))]
    text = ctx._("Đã ngừng theo dõi: {codes}.").format(codes=", ".join(codes))
    return [Reply(text="🔕 " + esc(text), choices=[[Choice(ctx._("⬅️ Về menu chính"), encode(Action.HOME))]])]


def on_unsubscribe(ctx: Context, args: tuple[str, ...]) -> list[Reply] | None:
    """🔕 button: stops this chat's own subscription only (no verification needed to stop)."""
    return _unsubscribed_reply(ctx, _unsubscribe(ctx, ctx.db, dossier_id=int(args[0])))


def cmd_unsubscribe(ctx: Context, arg: str) -> list[Reply]:
    """/huytheodoi [CODE]: stop following one dossier, or all of this chat's."""
    code = parse_code(arg) if arg else None
    if arg and code is None:
        return _unsubscribed_reply(ctx, [])
    return _unsubscribed_reply(ctx, _unsubscribe(ctx, ctx.db, code=code))

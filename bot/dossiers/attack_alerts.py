"""Telling administrators that a dossier code or a channel is being guessed at (through the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.contract.html import esc
from bot.contract.messages import Reply
from bot.dossiers.guesses import CHANNEL, STRONG, Scope
from bot.i18n import translator
from bot.outbox.store import enqueue

KIND = "guess-alert"


def _text(kind: str, code: str, channel: str, language: str) -> str:
    t = translator(language)
    if kind == CHANNEL:
        return t.gettext("Cảnh báo an ninh: có rất nhiều lần nhập sai thông tin xác minh hồ sơ trên kênh {channel}. "
                         "Việc xác minh bằng 4 số cuối trên kênh này đang tạm dừng; người dân vẫn xác minh được "
                         "bằng thông tin mạnh hơn.").format(channel=channel)
    if kind == STRONG:
        return t.gettext("Cảnh báo an ninh: có nhiều lần nhập sai thông tin xác minh mạnh của hồ sơ {code}. "
                         "Việc xác minh hồ sơ này đang tạm dừng; hãy liên hệ người nộp hồ sơ nếu cần.").format(
            code=code)
    return t.gettext("Cảnh báo an ninh: có nhiều lần nhập sai thông tin xác minh hồ sơ {code}, có thể từ nhiều "
                     "tài khoản. Việc xác minh bằng 4 số cuối của hồ sơ này đang tạm dừng; chủ hồ sơ vẫn xác "
                     "minh được bằng thông tin mạnh hơn.").format(code=code)


def alert_admins(
    session: Session,
    admins: Iterable[str],
    scopes: Iterable[Scope],
    *,
    code: str,
    channel: str,
    now: datetime,
    language: str,
) -> int:
    """Enqueue one alert per newly blocked scope for each ``channel:user_id`` administrator; how many."""
    added = 0
    for s in scopes:
        for admin in sorted(admins):
            admin_channel, _, admin_chat = admin.partition(":")
            if not admin_chat:
                continue
            text = "🚨 " + esc(_text(s.kind, code, channel, language))
            key = f"{KIND}:{s.key[:32]}:{int(now.timestamp())}:{admin}"
            added += enqueue(session, dedupe_key=key, channel=admin_channel, chat_id=admin_chat,
                             reply=Reply(text=text), kind=KIND)
    return added

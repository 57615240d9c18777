"""What the web chat signs with the server secret: visitor sessions and file links; and the new-session limit.

A session token reads ``<visitor>.<issued>.<mac>``: 16 random bytes (URL-safe base64, the chat id of the
visitor's conversation), the second it was issued, and an HMAC-SHA256 of both keyed with the server secret
(``bot.security``). It holds nothing a visitor typed and no personal data; checking it needs no database
and is done in constant time. A file link carries an HMAC of the message id and the visitor, so links can
be opened by an ``<img>`` or a download without the token, but not guessed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import clock
from bot.security import digest, matches

_TOKEN = re.compile(r"([A-Za-z0-9_-]{22})\.(\d{1,12})\.([0-9a-f]{64})")
_SESSION = "webchat-session"
_FILE = "webchat-file"
#: A token issued more than this long ago is replaced by a fresh one for the same visitor when used.
RENEW_AFTER = timedelta(days=1)
#: Clocks of several replicas may disagree a little; a token from further in the future is refused.
_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Visitor:
    """The holder of a valid session token."""

    chat_id: str
    issued: datetime


class Signer:
    """Issues and checks session tokens and file-link signatures with ``key`` (the server secret)."""

    def __init__(self, key: bytes, lifetime: timedelta) -> None:
        self._key = key
        self.lifetime = lifetime

    def issue(self, chat_id: str | None = None) -> str:
        """A token for ``chat_id`` (a new random visitor when None), issued now."""
        visitor = chat_id or secrets.token_urlsafe(16)
        issued = int(clock.now().timestamp())
        return f"{visitor}.{issued}.{self._mac(visitor, issued)}"

    def verify(self, token: str | None) -> Visitor | None:
        """The visitor of a genuine, unexpired token; None for anything else (missing, malformed, forged, old)."""
        found = _TOKEN.fullmatch(token or "")
        if found is None:
            return None
        visitor, issued_text, mac = found.groups()
        issued = int(issued_text)
        if not matches(self._mac(visitor, issued), mac):
            return None
        when, now = datetime.fromtimestamp(issued, tz=UTC), clock.now()
        if when > now + _SKEW or now - when > self.lifetime:
            return None
        return Visitor(visitor, when)

    def renewal(self, visitor: Visitor) -> str | None:
        """A fresh token for ``visitor`` when theirs is older than ``RENEW_AFTER`` (else None): a session
        in use never runs out, while the visitor and their conversation stay the same."""
        return self.issue(visitor.chat_id) if clock.now() - visitor.issued > RENEW_AFTER else None

    def file_signature(self, message_id: int, chat_id: str) -> str:
        """The part of a file link that proves it was given to ``chat_id``."""
        return digest(f"{message_id}:{chat_id}", _FILE, self._key)[:32]

    def file_link_valid(self, message_id: int, chat_id: str, signature: str) -> bool:
        """Constant-time check of a file link's signature."""
        return matches(self.file_signature(message_id, chat_id), signature)

    def _mac(self, visitor: str, issued: int) -> str:
        return digest(f"{visitor}.{issued}", _SESSION, self._key)


class NewSessionLimit:
    """At most ``per_hour`` new sessions from one network address per clock hour, in this process.

    A fixed window kept in memory: only the current hour's counts are held, so memory stays bounded by
    the addresses seen in one hour.
    """

    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._hour = -1
        self._counts: dict[str, int] = {}

    def allow(self, address: str) -> bool:
        """Count one new session from ``address``; False once the hour's allowance is spent."""
        hour = int(clock.now().timestamp() // 3600)
        if hour != self._hour:
            self._hour, self._counts = hour, {}
        count = self._counts.get(address, 0) + 1
        self._counts[address] = count
        return count <= self.per_hour

    def seconds_left(self) -> int:
        """Seconds until the next hour's allowance."""
        return 3600 - int(clock.now().timestamp()) % 3600

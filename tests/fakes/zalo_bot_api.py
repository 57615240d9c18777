"""A local fake of the Zalo Bot Platform API (``POST /bot<TOKEN>/<method>``, JSON in, ``{"ok": …}`` out).

``FakeZaloBotAPI().start()`` listens on 127.0.0.1 on a free port (``base_url``). It records every call,
keeps what the bot sent per chat, queues user events for ``getUpdates`` (``push_text``, ``push_sticker``),
builds webhook bodies (``text_event``, ``sticker_event``), and can fail the next N calls of a method
(``fail_next``: 429 with ``retry_after``, 500…). Like the real API it refuses empty texts and texts over
2,000 characters.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.server import JSONHandler, LocalServer

MAX_TEXT = 2000


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class Sent:
    """A message the bot sent (``sendMessage`` text or ``sendPhoto`` URL + caption)."""

    chat_id: str
    method: str
    text: str = ""
    photo: str = ""
    #: ``time.monotonic()`` when the API accepted it (rate checks).
    at: float = field(default_factory=time.monotonic)


class FakeZaloBotAPI(LocalServer):
    """The fake server and everything it has seen; thread-safe."""

    thread_name = "fake-zalo-bot"

    def __init__(self, token: str = "1234567890:fake-zalo-bot-token", *, max_poll_wait: float = 2.0) -> None:
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._events: deque[dict[str, Any]] = deque()
        self._sent: dict[str, list[Sent]] = {}
        self._taken: dict[str, int] = {}
        self._failures: dict[str, deque[tuple[int, dict[str, Any]]]] = {}
        self._ids = itertools.count(1)
        self._closed = False

    # ----------------------------------------------------------------- lifecycle

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    def _wake_waiters(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def base_url(self) -> str:
        """The API address (``/bot<TOKEN>/<method>`` is appended by the client)."""
        return self.address

    # ----------------------------------------------------------------- the API

    def dispatch(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one call: (HTTP status, JSON body)."""
        call = Call(method, params)
        with self._cond:
            self.calls.append(call)
            queue = self._failures.get(method)
            injected = queue.popleft() if queue else None
            self._cond.notify_all()
        if token != self.token:
            call.status = 401
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if injected is not None:
            call.status = injected[0]
            return injected
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            call.status = 404
            return 404, {"ok": False, "error_code": 404, "description": "Method not found"}
        try:
            return 200, {"ok": True, "result": handler(params)}
        except ValueError as exc:
            call.status = 400
            return 400, {"ok": False, "error_code": 400, "description": str(exc)}

    def fail_next(self, method: str, times: int = 1, *, status: int = 429, retry_after: int | None = 2) -> None:
        """The next ``times`` calls of ``method`` fail with ``status`` (429 carries ``retry_after``)."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": "Too Many Requests"
                                if status == 429 else "Internal Server Error"}  # fmt: skip
        if status == 429 and retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        with self._cond:
            self._failures.setdefault(method, deque()).extend([(status, body)] * times)

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": "bot1", "account_name": "tthc.bot", "account_type": "BASIC", "can_join_groups": False}

    def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = time.monotonic() + wait
        with self._cond:
            while not self._events and not self._closed and time.monotonic() < deadline:
                self._cond.wait(max(0.0, deadline - time.monotonic()))
            events = list(self._events)
            self._events.clear()
        return events

    def _m_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        secret = str(params.get("secret_token", ""))
        if not 8 <= len(secret) <= 256:
            raise ValueError("secret_token must be 8-256 characters")
        self.webhook = dict(params)
        return {"url": params.get("url", "")}

    def _m_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {}
        return {"url": ""}

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", "")}

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text") or "")
        if not text.strip():
            raise ValueError("text is empty")
        if len(text) > MAX_TEXT:
            raise ValueError("text is too long")
        return self._record(Sent(str(params["chat_id"]), "sendMessage", text=text))

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        if not str(params.get("photo", "")).startswith(("http://", "https://")):
            raise ValueError("photo must be a URL")
        return self._record(Sent(str(params["chat_id"]), "sendPhoto", text=params.get("caption", ""),
                                 photo=params["photo"]))  # fmt: skip

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    def _record(self, sent: Sent) -> dict[str, Any]:
        with self._cond:
            self._sent.setdefault(sent.chat_id, []).append(sent)
            self._cond.notify_all()
        return {"message_id": f"m{next(self._ids)}", "date": int(time.time() * 1000)}

    # ----------------------------------------------------------------- user events

    def text_event(self, chat_id: str, text: str, message_id: str = "") -> dict[str, Any]:
        """A ``message.text.received`` event as Zalo delivers it."""
        return self._event("message.text.received", chat_id, message_id, text=text)

    def sticker_event(self, chat_id: str, message_id: str = "") -> dict[str, Any]:
        """A ``message.sticker.received`` event."""
        return self._event("message.sticker.received", chat_id, message_id, sticker="s123")

    def _event(self, name: str, chat_id: str, message_id: str, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": message_id or f"u{next(self._ids)}",
            "from": {"id": chat_id, "display_name": "Người dân", "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "date": int(time.time() * 1000),
            **content,
        }
        return {"event_name": name, "message": message}

    def push(self, event: dict[str, Any]) -> None:
        """Queue an event for ``getUpdates``."""
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    # ----------------------------------------------------------------- what the bot did

    def messages(self, chat_id: str) -> list[Sent]:
        """Everything sent to ``chat_id``."""
        with self._cond:
            return list(self._sent.get(chat_id, []))

    def all_sent(self) -> list[Sent]:
        """Everything sent to any chat, in the order the API accepted it."""
        with self._cond:
            return sorted((m for sent in self._sent.values() for m in sent), key=lambda m: m.at)

    def take(self, chat_id: str) -> list[Sent]:
        """Messages to ``chat_id`` not returned by an earlier ``take``."""
        with self._cond:
            start = self._taken.get(chat_id, 0)
            fresh = self._sent.get(chat_id, [])[start:]
            self._taken[chat_id] = start + len(fresh)
            return fresh

    def wait_for(self, chat_id: str, n: int = 1, timeout: float = 10.0) -> list[Sent]:
        """Block until at least ``n`` messages not yet taken were sent to ``chat_id``; take them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._sent.get(chat_id, [])) - self._taken.get(chat_id, 0) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {n} message(s) to {chat_id} within {timeout}s")
                self._cond.wait(remaining)
        return self.take(chat_id)

    def calls_to(self, method: str) -> list[Call]:
        """Calls of ``method`` so far."""
        with self._cond:
            return [c for c in self.calls if c.method == method]


def _make_handler(api: FakeZaloBotAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):

        def do_POST(self) -> None:
            raw = self.read_body()
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            try:
                params = json.loads(raw) if raw else {}
            except ValueError:
                params = None
            if len(parts) != 2 or not parts[0].startswith("bot") or not isinstance(params, dict):
                status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                status, answer = api.dispatch(parts[0][3:], parts[1], params)
            self.send_json(status, answer)

    return Handler

"""A local fake of the Telegram Bot API, good enough for python-telegram-bot to talk to over HTTP.

Start it with ``FakeTelegramAPI(token).start()`` (or as a context manager) and point the library at
``fake.base_url``. It serves ``POST /bot<TOKEN>/<method>`` with form, multipart or JSON bodies, answers in
the Bot API's ``{"ok": …, "result": …}`` shape, records every call, and lets a test:

- queue user updates (``push_text``, ``push_callback``, ``push_sticker``, ``push_photo``,
  ``push_edited_text``, ``push_channel_post``, ``push_update``) that ``getUpdates`` long-polls for;
- wait for what the bot sent (``wait_for_messages``, ``collect_reply``, ``wait_for_calls``; from async
  tests ``next_messages``, ``next_reply``, ``calls_of``, which do not block the event loop);
- make the next calls of a method fail (``fail_next``: 429 with ``retry_after``, 500, …).

Like the real API it rejects malformed HTML (``can't parse entities``), texts over 4096 characters and
callback data over 64 bytes, so the adapter's own checks can be tested for real.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.server import JSONHandler, LocalServer

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Trợ lý TTHC (fake)",
    "username": "fake_tthc_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
#: Parameters PTB sends JSON-encoded inside form fields.
_JSON_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "scope",
}
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "max_connections"}
_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "tg-emoji", "blockquote",
}  # fmt: skip


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters or {}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200


@dataclass
class SentMessage:
    """Something the bot sent to a chat (a text, a document or a photo)."""

    chat_id: int
    message_id: int
    method: str
    text: str = ""
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    filename: str | None = None
    content: bytes | None = None

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard rows as (label, callback data) pairs; [] without a keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]

    @property
    def button_data(self) -> list[str]:
        """All callback data of the keyboard, row by row."""
        return [data for row in self.buttons for _label, data in row]


class _HtmlCheck(HTMLParser):
    """Validates Telegram's HTML subset and measures the visible text length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible = 0
        self.error = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'can\'t find start tag corresponding to end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.error = self.error or "unexpected '<' in text"
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1


def check_text(text: str, parse_mode: str | None) -> None:
    """Raise ``ApiError`` the way Telegram does for bad HTML or an over-long text."""
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    visible = len(text)
    if parse_mode and parse_mode.upper() == "HTML":
        checker = _HtmlCheck()
        checker.feed(text)
        checker.close()
        if checker.rawdata:  # an unterminated "<tag" left in the buffer
            checker.error = checker.error or "unclosed tag"
        if not checker.error and checker.stack:
            checker.error = f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        if checker.error:
            raise ApiError(400, f"Bad Request: can't parse entities: {checker.error}")
        visible = checker.visible
    if visible > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")


def check_markup(markup: dict[str, Any] | None) -> None:
    """Raise ``ApiError`` for callback data Telegram would refuse."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _coerce(name: str, value: str) -> Any:
    """Decode one form field the way PTB encoded it (JSON for objects, plain for strings)."""
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Parameters and uploaded files of a Bot API request."""
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return json.loads(body), {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = (part.get_filename(), payload)
            else:
                params[name] = _coerce(name, payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {k: _coerce(k, v) for k, v in pairs}, {}


class FakeTelegramAPI(LocalServer):
    """The fake Bot API server and everything it has seen; thread-safe."""

    thread_name = "fake-telegram"

    def __init__(self, token: str = "123456:TEST-token", *, max_poll_wait: float = 5.0) -> None:
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._sent: dict[int, list[SentMessage]] = {}
        self._taken: dict[int, int] = {}
        self._failures: dict[str, deque[ApiError]] = {}
        self._update_ids = itertools.count(10_000)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._closed = False
        self._methods = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": lambda p, f: True,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": lambda p, f: True,
            "setmycommands": lambda p, f: True,
        }

    # ----------------------------------------------------------------- lifecycle

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    def _wake_waiters(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def base_url(self) -> str:
        """Value for python-telegram-bot's ``base_url`` (the token is appended by the library)."""
        return self.address + "/bot"

    # ----------------------------------------------------------------- dispatch

    def dispatch(self, token: str, method: str, params: dict[str, Any], files: dict) -> tuple[int, dict]:
        """Answer one API call as Telegram would: (HTTP status, JSON body)."""
        call = Call(method, params, files)
        with self._cond:
            self.calls.append(call)
            failures = self._failures.get(method.lower())
            injected = failures.popleft() if failures else None
            self._cond.notify_all()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if injected is not None:
                raise injected
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(params, files)
        except ApiError as err:
            call.status = err.code
            body: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
            return err.code, body
        return 200, {"ok": True, "result": result}

    def fail_next(
        self, method: str, times: int = 1, *, status: int = 429, retry_after: int = 1, description: str = ""
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 carries ``parameters.retry_after``)."""
        if status == 429:
            error = ApiError(429, description or f"Too Many Requests: retry after {retry_after}",
                             {"retry_after": retry_after})  # fmt: skip
        else:
            error = ApiError(status, description or "Internal Server Error")
        with self._cond:
            self._failures.setdefault(method.lower(), deque()).extend([error] * times)

    # ----------------------------------------------------------------- Bot API methods

    def _get_me(self, params: dict, files: dict) -> dict[str, Any]:
        return BOT_USER

    def _get_updates(self, params: dict, files: dict) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if self._updates or self._closed or remaining <= 0:
                    return self._updates[:limit]
                self._cond.wait(remaining)

    def _delete_webhook(self, params: dict, files: dict) -> bool:
        self.webhook = {}
        return True

    def _set_webhook(self, params: dict, files: dict) -> bool:
        self.webhook = dict(params)
        return True

    def _get_webhook_info(self, params: dict, files: dict) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    def _send_message(self, params: dict, files: dict) -> dict[str, Any]:
        check_text(params.get("text", ""), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        sent = SentMessage(
            chat_id=int(params["chat_id"]),
            message_id=next(self._message_ids),
            method="sendMessage",
            text=params["text"],
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
        )
        return self._record(sent)

    def _edit_message_text(self, params: dict, files: dict) -> dict[str, Any]:
        check_text(params.get("text", ""), params.get("parse_mode"))
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self._cond:
            for sent in self._sent.get(chat_id, []):
                if sent.message_id == message_id:
                    sent.text, sent.parse_mode = params["text"], params.get("parse_mode")
                    sent.reply_markup = params.get("reply_markup")
                    return message_json(sent)
        raise ApiError(400, "Bad Request: message to edit not found")

    def _send_file(self, params: dict, files: dict, kind: str, method: str) -> dict[str, Any]:
        if kind not in files:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        filename, content = files[kind]
        sent = SentMessage(
            chat_id=int(params["chat_id"]),
            message_id=next(self._message_ids),
            method=method,
            text=params.get("caption", ""),
            parse_mode=params.get("parse_mode"),
            filename=filename,
            content=content,
        )
        return self._record(sent)

    def _send_document(self, params: dict, files: dict) -> dict[str, Any]:
        return self._send_file(params, files, "document", "sendDocument")

    def _send_photo(self, params: dict, files: dict) -> dict[str, Any]:
        return self._send_file(params, files, "photo", "sendPhoto")

    def _record(self, sent: SentMessage) -> dict[str, Any]:
        with self._cond:
            self._sent.setdefault(sent.chat_id, []).append(sent)
            self._cond.notify_all()
        return message_json(sent)

    # ----------------------------------------------------------------- pushing user updates

    def push_update(self, update: dict[str, Any], times: int = 1) -> dict[str, Any]:
        """Queue an update (an ``update_id`` is assigned if missing); ``times`` > 1 simulates redelivery."""
        update.setdefault("update_id", next(self._update_ids))
        with self._cond:
            self._updates.extend([update] * times)
            self._cond.notify_all()
        return update

    def push_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str = "vi",
        times: int = 1,
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """A user writes ``text`` (a leading "/word" is marked as a bot command, as Telegram does), as a reply
        to the bot's message ``reply_to`` when given."""
        message = self._user_message(chat_id, user_id, language_code, text=text)
        if reply_to is not None:
            message["reply_to_message"] = message_json(reply_to)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push_update({"message": message}, times)

    def push_callback(
        self, chat_id: int, data: str, message_id: int | None = None, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses a button with ``data`` under the bot's message (default: its latest one)."""
        with self._cond:
            mine = self._sent.get(chat_id, [])
            target = next((m for m in mine if m.message_id == message_id), None) if message_id else None
            target = target or (mine[-1] if mine and message_id is None else None)
        message = message_json(target) if target else {
            "message_id": message_id or 1, "date": int(time.time()), "chat": _chat(chat_id),
            "from": BOT_USER, "text": "…",
        }  # fmt: skip
        query = {
            "id": str(next(self._callback_ids)),
            "from": _user(user_id or chat_id, "vi"),
            "message": message,
            "chat_instance": f"ci-{chat_id}",
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def push_sticker(self, chat_id: int, *, user_id: int | None = None) -> dict[str, Any]:
        """A user sends a sticker."""
        sticker = {
            "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADsticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
        }  # fmt: skip
        return self.push_update({"message": self._user_message(chat_id, user_id, "vi", sticker=sticker)})

    def push_photo(self, chat_id: int, *, user_id: int | None = None) -> dict[str, Any]:
        """A user sends a photo."""
        photo = [{"file_id": "AgACAgIAAxk", "file_unique_id": "AQADphoto", "width": 90, "height": 90}]
        return self.push_update({"message": self._user_message(chat_id, user_id, "vi", photo=photo)})

    def push_edited_text(self, chat_id: int, text: str, message_id: int = 1) -> dict[str, Any]:
        """A user edits an earlier message."""
        message = self._user_message(chat_id, None, "vi", text=text)
        message.update(message_id=message_id, edit_date=int(time.time()))
        return self.push_update({"edited_message": message})

    def push_channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        """A post in a channel the bot administers."""
        post = {"message_id": 1, "date": int(time.time()), "text": text,
                "chat": {"id": chat_id, "type": "channel", "title": "Kênh"}}  # fmt: skip
        return self.push_update({"channel_post": post})

    def _user_message(self, chat_id: int, user_id: int | None, lang: str, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _user(user_id or chat_id, lang),
            **content,
        }

    # ----------------------------------------------------------------- waiting for the bot

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything sent to ``chat_id`` so far."""
        with self._cond:
            return list(self._sent.get(chat_id, []))

    def wait_for_messages(self, chat_id: int, n: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """The next ``n`` messages sent to ``chat_id`` not yet returned by an earlier wait."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                start = self._taken.get(chat_id, 0)
                fresh = self._sent.get(chat_id, [])[start:]
                if len(fresh) >= n:
                    self._taken[chat_id] = start + n
                    return fresh[:n]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [m.text[:80] for m in fresh]
                    raise AssertionError(f"expected {n} message(s) to chat {chat_id} in {timeout}s, got {texts}")
                self._cond.wait(remaining)

    def collect_reply(self, chat_id: int, timeout: float = 5.0, quiet: float = 0.3) -> list[SentMessage]:
        """At least one new message to ``chat_id``, then every further one until ``quiet`` s pass."""
        got = self.wait_for_messages(chat_id, 1, timeout)
        while True:
            try:
                got += self.wait_for_messages(chat_id, 1, quiet)
            except AssertionError:
                return got

    def wait_for_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called at least ``n`` times; all its calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                calls = [c for c in self.calls if c.method.lower() == method.lower()]
                remaining = deadline - time.monotonic()
                if len(calls) >= n or remaining <= 0:
                    if len(calls) < n:
                        raise AssertionError(f"expected {n} call(s) of {method}, got {len(calls)}")
                    return calls
                self._cond.wait(remaining)

    async def next_messages(self, chat_id: int, n: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """``wait_for_messages`` without blocking the event loop (for async tests)."""
        return await asyncio.to_thread(self.wait_for_messages, chat_id, n, timeout)

    async def next_reply(self, chat_id: int, timeout: float = 5.0, quiet: float = 0.3) -> list[SentMessage]:
        """``collect_reply`` without blocking the event loop (for async tests)."""
        return await asyncio.to_thread(self.collect_reply, chat_id, timeout, quiet)

    async def calls_of(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        """``wait_for_calls`` without blocking the event loop (for async tests)."""
        return await asyncio.to_thread(self.wait_for_calls, method, n, timeout)

    def calls_to(self, method: str) -> list[Call]:
        """Calls of ``method`` so far."""
        with self._cond:
            return [c for c in self.calls if c.method.lower() == method.lower()]


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Người dân"}
    return {"id": chat_id, "type": "supergroup", "title": "Nhóm"}


def _user(user_id: int, lang: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Người", "last_name": "Dân", "language_code": lang}


def message_json(sent: SentMessage) -> dict[str, Any]:
    """The Bot API ``Message`` object for something the bot sent."""
    body: dict[str, Any] = {
        "message_id": sent.message_id,
        "date": int(time.time()),
        "chat": _chat(sent.chat_id),
        "from": BOT_USER,
    }
    if sent.method == "sendDocument":
        body["document"] = {"file_id": f"doc{sent.message_id}", "file_unique_id": f"d{sent.message_id}",
                            "file_name": sent.filename}  # fmt: skip
    elif sent.method == "sendPhoto":
        body["photo"] = [{"file_id": f"ph{sent.message_id}", "file_unique_id": f"p{sent.message_id}",
                          "width": 100, "height": 100}]  # fmt: skip
    if sent.text:
        body["caption" if sent.filename else "text"] = sent.text
    if sent.reply_markup:
        body["reply_markup"] = sent.reply_markup
    return body


def _make_handler(api: FakeTelegramAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            body = self.read_body()
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if len(parts) != 2 or not parts[0].startswith("bot"):
                status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                try:
                    params, files = parse_body(self.headers.get("Content-Type", ""), body)
                except (ValueError, UnicodeDecodeError):
                    params, files = {}, {}
                status, answer = api.dispatch(parts[0][3:], parts[1], params, files)
            self.send_json(status, answer)

    return Handler

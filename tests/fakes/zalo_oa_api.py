"""A local fake of the Zalo Official Account API v3 and of Zalo's OAuth token endpoint.

One server on 127.0.0.1 (free port) serves both, so tests point ``base_url`` and ``oauth_url`` at
``fake.url``:

- ``POST /v3.0/oa/message/cs`` (header ``access_token``, JSON ``{"recipient": {"user_id"}, "message":
  {"text"}}``) → ``{"error": 0, …}``; an unknown or expired token → ``{"error": -216, …}``; texts over
  2,000 characters are refused; ``fail_next`` makes the next N sends answer 429/500.
- ``POST /message/template`` (header ``access_token``, JSON ``{"user_id", "template_id", "template_data",
  "tracking_id"}``) → ``{"error": 0, …}``, recorded in ``templates``.
- ``POST /v4/oa/access_token`` (form ``refresh_token``, ``app_id``, ``grant_type=refresh_token``, header
  ``secret_key``) → a new access token and a new refresh token. Refresh tokens are single use: the used one
  is invalidated, and every attempt to reuse one is counted in ``reused``.

``signed(event)`` builds a webhook request body and its ``X-ZEvent-Signature`` header as Zalo would.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.server import JSONHandler, LocalServer

MAX_TEXT = 2000


@dataclass
class OASent:
    """A customer-service message the OA sent."""

    user_id: str
    text: str
    access_token: str
    #: ``time.monotonic()`` when the API accepted it.
    at: float = field(default_factory=time.monotonic)


class FakeZaloOA(LocalServer):
    """The fake OA API + OAuth server; thread-safe."""

    thread_name = "fake-zalo-oa"

    def __init__(
        self,
        app_id: str = "4455667788",
        app_secret: str = "app-secret-x",
        oa_secret: str = "oa-secret-key-y-0123",
        *,
        refresh_token: str = "RT-0",
        expires_in: int = 90000,
        refresh_delay: float = 0.0,
    ) -> None:
        self.app_id, self.app_secret, self.oa_secret = app_id, app_secret, oa_secret
        self.expires_in = expires_in
        self.refresh_delay = refresh_delay
        self.valid_refresh: set[str] = {refresh_token}
        self.used_refresh: list[str] = []
        self.reused: list[str] = []
        self.refresh_calls = 0
        self.access_tokens: set[str] = set()
        self.sent: list[OASent] = []
        self.templates: list[dict[str, Any]] = []
        self.send_attempts = 0
        self._failures: deque[int] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Condition()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    @property
    def url(self) -> str:
        """Base address for both the OA API and OAuth."""
        return self.address

    # ----------------------------------------------------------------- test controls

    def fail_next(self, times: int = 1, status: int = 429) -> None:
        """The next ``times`` sends answer HTTP ``status``."""
        with self._lock:
            self._failures.extend([status] * times)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is now expired (the API answers error -216)."""
        with self._lock:
            self.access_tokens.clear()

    def issue_access_token(self) -> str:
        """A valid access token handed out of band (as if refreshed earlier)."""
        token = f"AT-{next(self._ids)}"
        with self._lock:
            self.access_tokens.add(token)
        return token

    def texts_to(self, user_id: str) -> list[str]:
        """Texts sent to ``user_id``."""
        with self._lock:
            return [s.text for s in self.sent if s.user_id == user_id]

    def signed(self, event: dict[str, Any], *, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers of a webhook request carrying ``event`` (signed with the OA secret)."""
        body = json.dumps(event, ensure_ascii=False).encode()
        raw = self.app_id.encode() + body + str(event.get("timestamp", "")).encode()
        mac = hashlib.sha256(raw + (self.oa_secret if secret is None else secret).encode()).hexdigest()
        return body, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}

    def event(self, name: str, user_id: str, text: str = "", msg_id: str = "", timestamp_ms: int = 0) -> dict:
        """A webhook event of this OA."""
        event: dict[str, Any] = {
            "app_id": self.app_id,
            "event_name": name,
            "timestamp": str(timestamp_ms or int(time.time() * 1000)),
            "user_id_by_app": "app-" + user_id,
        }
        if name in ("follow", "unfollow"):
            event["follower"] = {"id": user_id}
            event["oa_id"] = "oa1"
            event["source"] = "oa_profile"
        else:
            event["sender"] = {"id": user_id}
            event["recipient"] = {"id": "oa1"}
            event["message"] = {"msg_id": msg_id or f"msg{next(self._ids)}", "text": text}
        return event

    # ----------------------------------------------------------------- endpoints

    def _refused(self, token: str) -> tuple[int, dict[str, Any]] | None:
        """Count a send attempt; the answer when an injected failure or the token refuses it (lock held)."""
        self.send_attempts += 1
        if self._failures:
            status = self._failures.popleft()
            return status, {"error": -32 if status == 429 else -500, "message": "failure injected"}
        if token not in self.access_tokens:
            return 200, {"error": -216, "message": "Access token is invalid"}
        return None

    def send(self, token: str, body: Any) -> tuple[int, dict[str, Any]]:
        """``/v3.0/oa/message/cs``."""
        with self._lock:
            refused = self._refused(token)
            if refused is not None:
                return refused
            try:
                user, text = str(body["recipient"]["user_id"]), str(body["message"]["text"])
            except (KeyError, TypeError):
                return 200, {"error": -201, "message": "Parameters are invalid"}
            if not text.strip() or len(text) > MAX_TEXT:
                return 200, {"error": -201, "message": "Text is empty or too long"}
            self.sent.append(OASent(user, text, token))
            return 200, {"error": 0, "message": "Success", "data": {"message_id": f"oam{next(self._ids)}",
                                                                     "user_id": user}}  # fmt: skip

    def template(self, token: str, body: Any) -> tuple[int, dict[str, Any]]:
        """``/message/template``: a template message (ZNS/ZBS)."""
        with self._lock:
            refused = self._refused(token)
            if refused is not None:
                return refused
            if not isinstance(body, dict) or not body.get("template_id") or not body.get("user_id"):
                return 200, {"error": -201, "message": "Parameters are invalid"}
            self.templates.append(body)
            return 200, {"error": 0, "message": "Success", "data": {"msg_id": f"zns{next(self._ids)}"}}

    def refresh(self, secret_key: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """``/v4/oa/access_token``: single-use refresh tokens."""
        if self.refresh_delay:
            time.sleep(self.refresh_delay)  # widens the window in which a second refresher could race
        with self._lock:
            self.refresh_calls += 1
            if secret_key != self.app_secret or form.get("app_id") != self.app_id:
                return 200, {"error": -14001, "error_name": "Invalid app secret or app id"}
            if form.get("grant_type") != "refresh_token":
                return 200, {"error": -14002, "error_name": "Invalid grant type"}
            token = form.get("refresh_token", "")
            if token not in self.valid_refresh:
                if token in self.used_refresh:
                    self.reused.append(token)
                return 200, {"error": -14014, "error_name": "Invalid refresh token"}
            self.valid_refresh.discard(token)
            self.used_refresh.append(token)
            number = next(self._ids)
            new_refresh, access = f"RT-{number}", f"AT-{number}"
            self.valid_refresh.add(new_refresh)
            self.access_tokens.add(access)
            return 200, {"access_token": access, "refresh_token": new_refresh, "expires_in": str(self.expires_in)}


def _make_handler(api: FakeZaloOA) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):

        def do_POST(self) -> None:
            raw = self.read_body()
            path = self.path.split("?", 1)[0]
            if path == "/v3.0/oa/message/cs":
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                status, answer = api.send(self.headers.get("access_token", ""), body)
            elif path == "/message/template":
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                status, answer = api.template(self.headers.get("access_token", ""), body)
            elif path == "/v4/oa/access_token":
                form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                status, answer = api.refresh(self.headers.get("secret_key", ""), form)
            else:
                status, answer = 404, {"error": -404, "message": "not found"}
            self.send_json(status, answer)

    return Handler

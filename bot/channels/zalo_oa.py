"""Zalo Official Account channel (OA API v3): signed webhook events in, customer-service messages out.

Every webhook request is verified before anything is parsed for the assistant: ``X-ZEvent-Signature:
mac=<hex>`` must equal sha256(app id + raw body + timestamp + OA secret key) (compared in constant time),
the body's ``app_id`` must be ours and its ``timestamp`` within a window of now (replays are refused).
``user_send_text`` is answered like any question, ``follow`` gets the greeting, ``unfollow`` is logged and
not answered, other ``user_send_*`` events (pictures, stickers…) get a polite hint, anything else is
acknowledged and ignored. Events are de-duplicated by ``msg_id``. The webhook records a verified event in
the inbox and answers 200 at once (Zalo allows 2 s); the inbox worker answers it through the outbox.

Replies go through ``POST {base}/v3.0/oa/message/cs`` with the ``access_token`` header; the token comes
from ``bot.channels.zalo_tokens`` and is refreshed once, then the send retried, when Zalo rejects it.

Messaging window (CHANNELS.md): consultation messages are allowed only within ``window_hours`` (48) of the
follower's last message, recorded for every verified event in ``zalo_oa_contacts``. The outbox sends
through :meth:`ZaloOAChannel.send_queued`: inside the window a consultation message; after it, a template
message (``POST {template_url}/message/template``) when ``[channels.zalo_oa.templates]`` names one for the
message's kind, else ``Undeliverable`` — the row is marked ``undeliverable`` and listed for administrators.
A new follower is told of this in the greeting when notifications have no template.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import clock
from bot.channels.base import Channel, Registration, Responder, answer_durably
from bot.channels.inbox import Inbox
from bot.channels.webhook import (
    MAX_BODY_BYTES,
    Accept,
    BadJson,
    BodyTooLarge,
    WebChannels,
    parse_json,
    read_body,
    secret_problem,
)
from bot.channels.zalo_models import ZaloOAContact
from bot.channels.zalo_tokens import OAuthClient, TokenUnavailable, ZaloTokenStore
from bot.config import ENV_ZALO_OA_SECRET, ConfigError, Settings
from bot.contract.capabilities import Capabilities
from bot.contract.html import strip_tags
from bot.contract.messages import Choice, Incoming, Kind, Reply
from bot.i18n import translator
from bot.inbox.payload import Arrival
from bot.inbox.worker import Extra
from bot.masking import mask_id
from bot.outbox.sender import PermanentFailure, RetryLater, Undeliverable
from bot.storage.db import Database

CHANNEL = "zalo_oa"
MAX_TEXT = 2000
DEFAULT_BASE_URL = "https://openapi.zalo.me"
SIGNATURE_HEADER = "X-ZEvent-Signature"
ZALO_OA_PATH = "/zalo/oa"
MESSAGE_PATH = "/v3.0/oa/message/cs"
TEMPLATE_PATH = "/message/template"
DEFAULT_TEMPLATE_URL = "https://business.openapi.zalo.me"
#: Longest text put into a template's ``content`` parameter.
TEMPLATE_CONTENT_CHARS = 400
#: The outbox kind of dossier status notifications (``bot.dossiers.notify.KIND``).
NOTIFICATION_KIND = "dossier_status"
#: OA API error codes meaning "this access token is invalid or expired": refresh once and retry.
TOKEN_ERRORS = frozenset({-216, -124, -220})
#: OA API error codes meaning "slow down".
RATE_ERRORS = frozenset({-32})
#: How long a deferred send waits when the token cannot be refreshed (an administrator must act).
TOKEN_RETRY_SECONDS = 300.0

log = logging.getLogger(__name__)
#: ``"timestamp": "1700000000000"`` (or a number) in a raw event body; at most a few are tried.
MAX_TIMESTAMPS_TRIED = 4
_TIMESTAMPS = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,19})"?')


# --------------------------------------------------------------------------- signatures


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The hex digest Zalo puts after ``mac=``: sha256(app_id + raw body + timestamp + secret)."""
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


def signature_matches(header: str | None, app_id: str, body: bytes, timestamp: str, secret: str) -> bool:
    """Constant-time check of an ``X-ZEvent-Signature`` header value."""
    if not header or not secret:
        return False
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    expected = signature(app_id, body, timestamp, secret)
    return hmac.compare_digest(given.lower().encode("latin-1", "replace"), expected.encode())


class Rejected(Exception):
    """A webhook request that must not be processed; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _signed_timestamp(body: bytes, header: str | None, app_id: str, secret: str) -> str | None:
    """The ``timestamp`` value of the raw body that the signature was made with, found without parsing the
    body (it may be anything until it is authenticated); None when no candidate matches."""
    if not header or not secret:
        return None
    for match in islice(_TIMESTAMPS.finditer(body), MAX_TIMESTAMPS_TRIED):
        candidate = match.group(1).decode("ascii")
        if signature_matches(header, app_id, body, candidate, secret):
            return candidate
    return None


def verified_event(
    body: bytes, header: str | None, app_id: str, secret: str, window: float, now: float | None = None
) -> dict[str, Any]:
    """The event of a webhook request that passed every check, else ``Rejected`` (400/401/403).

    The signature is checked on the raw bytes first; only an authentic body is parsed (bounded depth)."""
    timestamp = _signed_timestamp(body, header, app_id, secret)
    if timestamp is None:
        raise Rejected(401, "bad signature")
    try:
        event = parse_json(body)
    except BadJson as exc:
        raise Rejected(400, str(exc)) from None
    if not isinstance(event, dict) or str(event.get("timestamp") or "") != timestamp:
        raise Rejected(400, "not an OA event")
    if str(event.get("app_id") or "") != app_id:
        raise Rejected(403, "event for another app")
    sent_at = int(timestamp) / 1000
    if abs((clock.now().timestamp() if now is None else now) - sent_at) > window:
        raise Rejected(401, "stale timestamp")
    return event


# --------------------------------------------------------------------------- event → Incoming


@dataclass(frozen=True, slots=True)
class OAEvent:
    """A verified event: its de-duplication key, its name, and the message to answer (None: no answer)."""

    key: str
    name: str
    user_id: str
    incoming: Incoming | None


def _id_of(event: dict[str, Any], *fields: str) -> str:
    for name in fields:
        part = event.get(name)
        if isinstance(part, dict) and part.get("id") not in (None, ""):
            return str(part["id"])
    return ""


def oa_event(event: dict[str, Any]) -> OAEvent | None:
    """The ``OAEvent`` of a verified event; None for events the assistant ignores."""
    name = str(event.get("event_name") or "")
    message = event["message"] if isinstance(event.get("message"), dict) else {}
    user = _id_of(event, "follower", "sender") if name in ("follow", "unfollow") else _id_of(event, "sender")
    if not user:
        return None
    key = str(message.get("msg_id") or f"{name}:{user}:{event.get('timestamp')}")
    common = {"channel": CHANNEL, "chat_id": user, "user_id": user}
    text = message.get("text")
    if name == "user_send_text" and isinstance(text, str):
        return OAEvent(key, name, user, Incoming(kind=Kind.TEXT, text=text, **common))
    if name == "follow":
        return OAEvent(key, name, user, Incoming(kind=Kind.TEXT, text="/start", **common))
    if name == "unfollow":
        return OAEvent(key, name, user, None)
    if name.startswith("user_send_"):  # image, sticker, gif, file, location, audio…
        return OAEvent(key, name, user, Incoming(kind=Kind.UNSUPPORTED, **common))
    return None


# --------------------------------------------------------------------------- sending


class ZaloOAClient:
    """Sends customer-service texts with a valid access token; one refresh-and-retry on a token error."""

    def __init__(
        self, tokens: ZaloTokenStore, base_url: str = DEFAULT_BASE_URL, *, http: httpx.AsyncClient | None = None,
        timeout: float = 10.0, template_url: str = DEFAULT_TEMPLATE_URL,
    ) -> None:  # fmt: skip
        self.tokens = tokens
        self._url = base_url.rstrip("/") + MESSAGE_PATH
        self._template_url = template_url.rstrip("/") + TEMPLATE_PATH
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._own_http = http is None

    async def send_text(self, user_id: str, text: str) -> dict[str, Any]:
        """Send ``text`` to ``user_id``; ``RetryLater`` / ``PermanentFailure`` when it cannot be sent."""
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        return await self._authorised(self._url, body)

    async def send_template(
        self, user_id: str, template_id: str, data: dict[str, str], tracking_id: str = ""
    ) -> dict[str, Any]:
        """A template message (ZNS/ZBS) to ``user_id``; the same errors as :meth:`send_text`."""
        body = {"user_id": user_id, "template_id": template_id, "template_data": data,
                "tracking_id": tracking_id[:48]}  # fmt: skip
        return await self._authorised(self._template_url, body)

    async def _authorised(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        token = await self._token()
        try:
            return await self._post(url, token, body)
        except _TokenRejected:
            token = await self._token(rejected=token)
            try:
                return await self._post(url, token, body)
            except _TokenRejected:
                raise RetryLater("OA access token rejected twice", TOKEN_RETRY_SECONDS) from None

    async def _token(self, rejected: str = "") -> str:
        try:
            return await asyncio.to_thread(self.tokens.access_token, rejected=rejected)
        except TokenUnavailable as exc:
            raise RetryLater(f"no OA access token: {exc}", None if exc.transient else TOKEN_RETRY_SECONDS) from None

    async def _post(self, url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = await self._http.post(url, json=body, headers={"access_token": token})
        except httpx.TransportError as exc:
            raise RetryLater(f"OA API: network error ({type(exc).__name__})") from None
        if answer.status_code == 429:
            raise RetryLater("OA API: HTTP 429", _float(answer.headers.get("retry-after")))
        if answer.status_code >= 500:
            raise RetryLater(f"OA API: HTTP {answer.status_code}")
        try:
            data = answer.json()
        except ValueError:
            data = {}
        error = data.get("error") if isinstance(data, dict) else None
        if answer.status_code == 401 or error in TOKEN_ERRORS:
            raise _TokenRejected
        if error in RATE_ERRORS:
            raise RetryLater(f"OA API: error {error}")
        if answer.status_code != 200 or error != 0:
            message = str(data.get("message", "")) if isinstance(data, dict) else ""
            raise PermanentFailure(f"OA API: HTTP {answer.status_code}, error {error}: {message[:200]}")
        return dict(data)

    async def aclose(self) -> None:
        """Close the HTTP connections (only if this client created them)."""
        if self._own_http:
            await self._http.aclose()


class _TokenRejected(Exception):
    """The API refused the access token."""


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


class ZaloOAChannel(Channel):
    """The OA as a ``Channel``: plain-text pieces with numbered choices; files become a text note."""

    name = CHANNEL
    platform = "Zalo"
    capabilities = Capabilities(buttons=False, max_text=MAX_TEXT, html=False, photos=False, files=False,
                                proactive=True)  # fmt: skip

    def __init__(
        self, client: ZaloOAClient, contacts: Contacts | None = None, templates: dict[str, str] | None = None,
        window: timedelta = timedelta(hours=48),
    ) -> None:  # fmt: skip
        self.client = client
        self.contacts = contacts
        self.templates = dict(templates or {})
        self.window = window

    async def send_text(self, chat_id: str, text: str, choices: list[list[Choice]]) -> None:
        """A customer-service text to the follower ``chat_id`` (choices arrive numbered in ``text``)."""
        await self.client.send_text(chat_id, text)

    async def send_queued(self, chat_id: str, reply: Reply, kind: str) -> None:
        """An outbox message: a consultation message inside the window, else the template of ``kind``, else
        ``Undeliverable``."""
        if self.contacts is None:
            await self.send(chat_id, reply)
            return
        last = await asyncio.to_thread(self.contacts.last_inbound, chat_id)
        if last is not None and clock.now() - last < self.window:
            await self.send(chat_id, reply)
            return
        since = f"last message {last:%Y-%m-%d %H:%M}Z" if last else "no message from this follower on record"
        template = self.templates.get(kind)
        if not template:
            raise Undeliverable(f"Zalo OA: outside the {self.window.total_seconds() / 3600:g}-hour window ({since}) "
                                f"and no template for '{kind or 'message'}' in [channels.zalo_oa.templates]")
        content = strip_tags(reply.text).strip()
        if len(content) > TEMPLATE_CONTENT_CHARS:
            content = content[: TEMPLATE_CONTENT_CHARS - 1].rstrip() + "…"
        await self.client.send_template(chat_id, template, {"content": content}, tracking_id=kind)

    def window_note(self, language: str) -> Reply | None:
        """What a new follower is told when notifications cannot reach them after the window (None: they can)."""
        if self.templates.get(NOTIFICATION_KIND):
            return None
        hours = f"{self.window.total_seconds() / 3600:g}"
        return Reply(text=window_note(language, hours))

    async def stop(self) -> None:
        """Close the HTTP connections."""
        await self.client.aclose()


def window_note(language: str, hours: str) -> str:
    """The notice that notifications reach a Zalo OA follower only within the messaging window."""
    _ = translator(language).gettext
    return _("Lưu ý: theo quy định của Zalo, Trung tâm chỉ nhắn được cho bạn trong {hours} giờ sau tin nhắn gần "
             "nhất của bạn. Thông báo đến sau thời gian đó (như thay đổi trạng thái hồ sơ bạn theo dõi) sẽ không "
             "gửi được qua Zalo; hãy nhắn cho Trung tâm hoặc tra cứu hồ sơ khi cần.").format(hours=hours)


class Contacts:
    """When each follower last wrote to the OA (the start of its messaging window), in ``zalo_oa_contacts``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def touch(self, user_id: str, at: datetime | None = None) -> None:
        """Record a message (or a follow) from ``user_id`` now."""
        at = at or clock.now()
        with self.db.session() as session:
            row = session.get(ZaloOAContact, user_id)
            if row is None:
                session.add(ZaloOAContact(user_id=user_id, last_inbound_at=at))
            elif clock.as_utc(row.last_inbound_at) < at:
                row.last_inbound_at = at
            try:
                session.commit()
            except IntegrityError:  # another replica recorded the same follower at the same moment
                session.rollback()

    def last_inbound(self, user_id: str) -> datetime | None:
        """When ``user_id`` last wrote (UTC), or None."""
        with self.db.session() as session:
            row = session.get(ZaloOAContact, user_id)
            return clock.as_utc(row.last_inbound_at) if row is not None else None


# --------------------------------------------------------------------------- the adapter


class ZaloOAAdapter:
    """Verified OA events → the assistant → replies (deferred ones go to the outbox)."""

    def __init__(
        self, assistant: Responder, sender: ZaloOAChannel, app_id: str, secret: str, *, window: float = 300
    ) -> None:
        if not app_id or not secret:
            raise ValueError("the OA app id and ZALO_OA_SECRET_KEY are required")
        self.assistant = assistant
        self.sender = sender
        self.app_id = app_id
        self._secret = secret
        self.window = window

    def verify(self, body: bytes, header: str | None) -> dict[str, Any]:
        """The event if the request is authentic and fresh; ``Rejected`` otherwise."""
        return verified_event(body, header, self.app_id, self._secret, self.window)

    async def handle_event(self, event: dict[str, Any]) -> bool:
        """Answer one verified event; True when it was new and handled."""
        oa = oa_event(event)
        if oa is None:
            return False
        updates = self.assistant.updates
        if oa.incoming is None:
            if await asyncio.to_thread(updates.claim, CHANNEL, oa.key):
                log.info("zalo_oa: %s unfollowed the OA", mask_id(oa.user_id))
            return True
        if await asyncio.to_thread(updates.seen, CHANNEL, oa.key):
            log.info("zalo_oa: ignored redelivered %s", oa.name)
            return False
        if self.sender.contacts is not None:
            await asyncio.to_thread(self.sender.contacts.touch, oa.user_id)
        replies = await asyncio.to_thread(self.assistant.handle, oa.incoming)
        if oa.name == "follow" and (note := self.sender.window_note(self.assistant.settings.office.default_language)):
            replies = [*replies, note]
        if not await answer_durably(self.sender, updates, oa.user_id, replies, oa.key):
            log.info("zalo_oa: ignored redelivered %s", oa.name)
            return False
        return True


# --------------------------------------------------------------------------- from the settings


def zalo_oa_channel(settings: Settings, db: Database) -> ZaloOAChannel:
    """The OA channel of ``[channels.zalo_oa]`` (also for the outbox); seeds the token row from
    ZALO_OA_REFRESH_TOKEN once."""
    config = settings.channels.zalo_oa
    app_secret = settings.zalo_app_secret
    if not config.app_id or not app_secret:
        raise ConfigError("Zalo OA needs [channels.zalo_oa].app_id and ZALO_APP_SECRET")
    tokens = ZaloTokenStore(db, OAuthClient(config.app_id, app_secret, config.oauth_url),
                            margin=timedelta(seconds=config.refresh_margin_seconds))  # fmt: skip
    tokens.seed(settings.zalo_oa_refresh_token)
    client = ZaloOAClient(tokens, config.base_url, template_url=config.template_url)
    return ZaloOAChannel(client, Contacts(db), config.templates, timedelta(hours=config.window_hours))


def zalo_oa_route(
    adapter: ZaloOAAdapter, path: str = ZALO_OA_PATH, max_body: int = MAX_BODY_BYTES, accept: Accept | None = None
) -> Route:
    """``POST path``: OA events; 401/403 for a bad signature, foreign app id or stale timestamp; 200 once
    ``accept`` took the verified event (default: the adapter answers it at once)."""
    take = accept or adapter.handle_event

    async def receive(request: Request) -> Response:
        try:
            body = await read_body(request, max_body)
        except BodyTooLarge:
            return PlainTextResponse("payload too large", status_code=413)
        try:
            event = adapter.verify(body, request.headers.get(SIGNATURE_HEADER))
        except Rejected as exc:
            if exc.status != 400:
                log.warning("zalo_oa webhook: request refused (%s)", exc)
            return PlainTextResponse(str(exc), status_code=exc.status)
        outcome = await take(event)
        return outcome if isinstance(outcome, Response) else JSONResponse({"error": 0})

    return Route(path, receive, methods=["POST"])


def inbox_extra(settings: Settings, db: Database) -> Extra:
    """What the inbox worker does beside answering an OA event: record the follower's message time (the
    start of its messaging window) and, after a follow, add the window note to the greeting."""
    config = settings.channels.zalo_oa
    contacts, language = Contacts(db), settings.office.default_language
    note = None if config.templates.get(NOTIFICATION_KIND) else Reply(text=window_note(language,
                                                                                      f"{config.window_hours:g}"))

    def extra(incoming: Incoming, event: str, received_at: datetime) -> list[Reply]:
        contacts.touch(incoming.chat_id, received_at)
        return [note] if note is not None and event == "follow" else []

    return extra


def inbox_accept(inbox: Inbox) -> Accept:
    """Record a verified event's message in ``inbox`` (an unfollow is logged, nothing to answer)."""

    async def accept(event: dict[str, Any]) -> Response | None:
        oa = oa_event(event)
        if oa is None:
            return None
        if oa.incoming is None:
            log.info("zalo_oa: %s unfollowed the OA", mask_id(oa.user_id))
            return None
        return await inbox.accept(Arrival(oa.incoming, oa.key, oa.name if oa.name == "follow" else ""))

    return accept


def zalo_oa_web(assistant: Responder, db: Database, inbox: Inbox) -> WebChannels:
    """The ``/zalo/oa`` route recording into ``inbox`` (the OA's webhook is set in the Zalo developer console)."""
    settings = assistant.settings
    config = settings.channels.zalo_oa
    oa_secret = settings.zalo_oa_secret_key
    problem = secret_problem(ENV_ZALO_OA_SECRET, oa_secret)
    if problem:
        raise ConfigError(f"{problem} (needed for the Zalo OA webhook)")
    channel = zalo_oa_channel(settings, db)
    adapter = ZaloOAAdapter(assistant, channel, config.app_id, oa_secret, window=config.signature_window_seconds)
    return WebChannels(routes=[zalo_oa_route(adapter, accept=inbox_accept(inbox))], on_stop=[channel.stop])


REGISTRATION = Registration(
    name=CHANNEL,
    capabilities=ZaloOAChannel.capabilities,
    enabled=lambda settings: settings.channels.zalo_oa.enabled,
    outbox=zalo_oa_channel,
    web=zalo_oa_web,
    inbox_extra=inbox_extra,
    web_enabled=lambda settings: settings.channels.zalo_oa.enabled,
    webhook_secret=lambda settings: (ENV_ZALO_OA_SECRET, settings.zalo_oa_secret_key),
)

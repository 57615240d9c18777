"""The web chat on the shared ASGI app: the widget's files, its JSON API and signed file links.

Routes, all under ``/webchat``:

- ``GET /webchat/`` a page with the chat filling the screen (to try it, or to link to from a portal);
- ``GET /webchat/widget.js`` and ``widget.css``: the widget an office embeds with one script tag;
- ``GET /webchat/api/config?lang=vi|en``: the widget's texts and how often it looks for new messages;
- ``POST /webchat/api/session``: a new visitor token (limited per network address: 429 past it);
- ``POST /webchat/api/messages`` with ``Authorization: Bearer <token>`` and ``{"id": "<the widget's id of
  this message>", "text": "…"}`` or ``{"id": …, "choice": "<button data>"}``, plus ``"after": <the last
  number the widget has>``: the question is answered by the same conversation as on every channel, and the
  answer comes back with anything else newer than ``after``. A message re-sent with the same ``id`` (the
  network failed) is answered once;
- ``GET /webchat/api/messages?after=N``: what arrived since (a followed dossier changed, an officer
  answered); without ``after``, the last messages, to restore the chat on another page;
- ``GET /webchat/files/<id>/<signature>/<name>``: an attachment (chart, CSV) by a link signed for its visitor.

Answers are JSON; anything wrong with a request is a 4xx with ``{"error": "<code>"}`` (bad JSON, body too
large, missing or forged token, malformed fields) and loses nothing already stored. The API answers the
embedding portals listed in ``allowed_origins`` (CORS); the token travels in a header, never in a cookie.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.channels.base import PHOTO_TYPES, Channel, Responder, deliver, handler_pool
from bot.channels.webchat.mailbox import Mailbox, Shown
from bot.channels.webchat.settings import CHANNEL, WebChatSettings
from bot.channels.webchat.texts import page_html, widget_language, widget_texts
from bot.channels.webchat.tokens import NewSessionLimit, Signer, Visitor
from bot.channels.webhook import BadJson, BodyTooLarge, parse_json, read_body
from bot.contract.messages import Incoming, Kind, Reply
from bot.masking import mask_id
from bot.storage.db import Database

PATH = "/webchat"
STATIC = Path(__file__).with_name("static")
#: A question is at most a few thousand characters; anything much larger is not a question.
MAX_BODY_BYTES = 16_384
#: Messages shown when the chat is restored on another page of the portal.
HISTORY = 30
#: Messages in one answer; the widget asks again at once when there are more.
BATCH = 100
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_MAX_NUMBER = 2**31 - 1
_STATIC_CACHE = "public, max-age=300"
_PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")  # fmt: skip

log = logging.getLogger(__name__)


def error(code: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error": code}`` with ``status``."""
    return JSONResponse({"error": code}, status_code=status, headers=headers)


@dataclass(frozen=True, slots=True)
class Question:
    """A valid ``POST /webchat/api/messages`` body."""

    client_id: str
    kind: Kind
    value: str
    after: int


def parse_question(data: Any) -> Question | str:
    """The question in a request body, or the code of what is wrong with it."""
    if not isinstance(data, dict):
        return "not_an_object"
    client_id = data.get("id")
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        return "bad_id"
    after = number(data.get("after", 0))
    if after is None:
        return "bad_after"
    text, choice = data.get("text"), data.get("choice")
    if (text is None) == (choice is None):
        return "text_or_choice"
    value = text if text is not None else choice
    if not isinstance(value, str):
        return "text_or_choice"
    return Question(client_id, Kind.TEXT if text is not None else Kind.CHOICE, value, after)


def number(raw: Any) -> int | None:
    """A message number from JSON or a query string (0 … 2³¹−1); None when it is not one."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= _MAX_NUMBER:
        return None
    return raw


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class WebChatAPI:
    """The request handlers; every answer goes through the same conversation and ``deliver`` as elsewhere."""

    def __init__(
        self,
        responder: Responder,
        db: Database,
        channel: Channel,
        mailbox: Mailbox,
        signer: Signer,
        settings: WebChatSettings,
    ) -> None:
        self.responder = responder
        self.db = db
        self.channel = channel
        self.mailbox = mailbox
        self.signer = signer
        self.settings = settings
        self.new_sessions = NewSessionLimit(settings.sessions_per_hour)
        self.workers = handler_pool(responder)

    # ----------------------------------------------------------------- the widget

    async def page(self, request: Request) -> Response:
        """The chat on a page of its own."""
        language = widget_language(request.query_params.get("lang"))
        html = page_html(language, self.responder.settings.office.name)
        return HTMLResponse(html, headers={"Content-Security-Policy": _PAGE_POLICY, "Cache-Control": "no-cache"})

    async def widget_js(self, request: Request) -> Response:
        """The widget's script."""
        return _static("widget.js", "text/javascript; charset=utf-8")

    async def widget_css(self, request: Request) -> Response:
        """The widget's style sheet."""
        return _static("widget.css", "text/css; charset=utf-8")

    async def config(self, request: Request) -> Response:
        """Texts in the asked language, the polling interval and the longest question."""
        language = widget_language(request.query_params.get("lang"))
        return JSONResponse({
            "lang": language,
            "texts": widget_texts(language, self.responder.settings.office.name),
            "poll_seconds": self.settings.poll_seconds,
            "max_chars": self.responder.settings.limits.max_message_chars,
        }, headers={"Cache-Control": _STATIC_CACHE})  # fmt: skip

    # ----------------------------------------------------------------- sessions and messages

    async def new_session(self, request: Request) -> Response:
        """A token for a new visitor; 429 when this address opened too many this hour."""
        address = request.client.host if request.client is not None else ""
        if not self.new_sessions.allow(address):
            log.warning("webchat: new sessions from one address over %d/hour refused", self.new_sessions.per_hour)
            return error("busy", 429, {"Retry-After": str(self.new_sessions.seconds_left())})
        return JSONResponse({"token": self.signer.issue()}, status_code=201)

    async def post_message(self, request: Request) -> Response:
        """Answer one question or button press, then return everything after the widget's last number."""
        visitor = self.signer.verify(bearer(request))
        if visitor is None:
            return error("session", 401)
        try:
            data = parse_json(await read_body(request, MAX_BODY_BYTES))
        except BodyTooLarge:
            return error("too_large", 413)
        except BadJson:
            return error("bad_json", 400)
        question = parse_question(data)
        if isinstance(question, str):
            return error(question, 400)
        incoming = Incoming(channel=CHANNEL, chat_id=visitor.chat_id, user_id=visitor.chat_id, kind=question.kind,
                            text=question.value if question.kind is Kind.TEXT else "",
                            choice=question.value if question.kind is Kind.CHOICE else "")  # fmt: skip
        key = f"{visitor.chat_id}:{question.client_id}"
        loop = asyncio.get_running_loop()
        replies = await loop.run_in_executor(self.workers, self._claim_and_handle, key, incoming)
        if replies is None:
            log.info("webchat: message re-sent by %s answered before", mask_id(visitor.chat_id))
        else:
            await deliver(self.channel, self.db, visitor.chat_id, replies, key)
        return await self._messages_after(visitor, question.after)

    async def get_messages(self, request: Request) -> Response:
        """What arrived after ``?after=N``; without it, the last messages."""
        visitor = self.signer.verify(bearer(request))
        if visitor is None:
            return error("session", 401)
        raw = request.query_params.get("after")
        if raw is None:
            shown = await asyncio.to_thread(self.mailbox.latest, visitor.chat_id, HISTORY)
            return self._answer(visitor, shown, 0, more=False)
        after = number(raw)
        if after is None:
            return error("bad_after", 400)
        return await self._messages_after(visitor, after)

    async def file(self, request: Request) -> Response:
        """An attachment, when the link's signature matches the visitor it was stored for; else 404."""
        message_id = number(request.path_params["message_id"])
        stored = await asyncio.to_thread(self.mailbox.file, message_id) if message_id is not None else None
        signature = str(request.path_params["signature"])
        if stored is None or not self.signer.file_link_valid(message_id or 0, stored.chat_id, signature):
            return error("not_found", 404)
        image = stored.mime_type in PHOTO_TYPES
        shown_as = stored.mime_type if image or stored.mime_type == "text/csv" else "application/octet-stream"
        headers = {
            "Content-Disposition": f"{'inline' if image else 'attachment'}; filename*=UTF-8''{quote(stored.filename)}",
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        return Response(stored.content, media_type=shown_as, headers=headers)

    # ----------------------------------------------------------------- helpers

    def _claim_and_handle(self, key: str, incoming: Incoming) -> list[Reply] | None:
        """In a worker thread: None for a message already answered, else the conversation's replies."""
        if not self.responder.updates.claim(CHANNEL, key):
            return None
        return self.responder.handle(incoming)

    async def _messages_after(self, visitor: Visitor, after: int) -> Response:
        shown = await asyncio.to_thread(self.mailbox.after, visitor.chat_id, after, BATCH)
        return self._answer(visitor, shown, after, more=len(shown) == BATCH)

    def _answer(self, visitor: Visitor, shown: list[Shown], after: int, *, more: bool) -> Response:
        body: dict[str, Any] = {
            "messages": [self._message(m, visitor.chat_id) for m in shown],
            "cursor": shown[-1].seq if shown else after,
            "more": more,
        }
        fresh = self.signer.renewal(visitor)
        if fresh is not None:
            body["token"] = fresh
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    def _message(self, m: Shown, chat_id: str) -> dict[str, Any]:
        if not m.is_file:
            buttons = [[{"label": c.label, "data": c.data} for c in row] for row in m.choices]
            return {"seq": m.seq, "text": m.text, "buttons": buttons}
        signature = self.signer.file_signature(m.id, chat_id)
        return {"seq": m.seq, "file": {
            "name": m.filename, "type": m.mime_type, "size": m.size, "image": m.mime_type in PHOTO_TYPES,
            "url": f"files/{m.id}/{signature}/{quote(m.filename)}",  # relative to /webchat/
        }}  # fmt: skip

    def routes(self) -> list[BaseRoute]:
        """Every route of the web chat (the API mounted with CORS for ``allowed_origins``)."""
        cors = Middleware(CORSMiddleware, allow_origins=self.settings.allowed_origins, allow_methods=["GET", "POST"],
                          allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"], max_age=600)
        api = Starlette(routes=[
            Route("/config", self.config, methods=["GET"]),
            Route("/session", self.new_session, methods=["POST"]),
            Route("/messages", self.post_message, methods=["POST"]),
            Route("/messages", self.get_messages, methods=["GET"]),
        ], middleware=[cors])  # fmt: skip
        return [
            Route(f"{PATH}/", self.page, methods=["GET"]),
            Route(f"{PATH}/widget.js", self.widget_js, methods=["GET"]),
            Route(f"{PATH}/widget.css", self.widget_css, methods=["GET"]),
            Route(f"{PATH}/files/{{message_id}}/{{signature}}/{{name}}", self.file, methods=["GET"]),
            Mount(f"{PATH}/api", app=api),
        ]

    async def stop(self) -> None:
        """Let the worker threads go (when the server stops)."""
        self.workers.shutdown(wait=False)


def _static(name: str, media_type: str) -> Response:
    return FileResponse(STATIC / name, media_type=media_type, headers={
        "Cache-Control": _STATIC_CACHE, "Cross-Origin-Resource-Policy": "cross-origin"})  # fmt: skip

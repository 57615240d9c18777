"""The webhook server: one Starlette app that every channel adds its routes to, served by uvicorn.

``create_app(routes)`` always serves ``GET /healthz``; each channel contributes a ``WebChannels`` part —
its routes and what to do when the server starts and stops (e.g. register the webhook with the platform) —
and ``create_web_app`` puts the parts together. Requests are authenticated by the channel's secret header,
compared in constant time, and bodies are size-limited before they are parsed. The app is stateless
between requests (conversation state, processed updates, tokens and outbox live in the database), so
several replicas can run behind a reverse proxy sharing PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

MAX_BODY_BYTES = 1_000_000
#: Deepest nesting of objects/lists accepted in a request body (platform updates nest about 8 deep).
MAX_JSON_DEPTH = 32
#: A webhook secret the server checks: 16-256 characters of A-Z, a-z, 0-9, ``_`` and ``-`` (Telegram's
#: alphabet; long enough not to be guessed).
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body exceeds the limit."""


class BadJson(ValueError):
    """A request body that is not JSON, or nests deeper than ``MAX_JSON_DEPTH``."""


def secret_problem(name: str, value: str) -> str:
    """What is wrong with the webhook secret in environment variable ``name`` ('' when it is acceptable)."""
    if not value:
        return f"{name} is not set"
    if SECRET_RE.fullmatch(value):
        return ""
    return (
        f"{name} is not a usable webhook secret ({len(value)} characters): use 16-256 characters of "
        "A-Z, a-z, 0-9, _ and - (e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
    )


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of ``body``; ``BadJson`` when malformed, not UTF-8 or nested deeper than ``max_depth``.

    The C decoder stops at the interpreter's recursion limit (``RecursionError``); shallower values are
    measured without recursion."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadJson("malformed JSON") from exc
    if body.count(b"[") + body.count(b"{") > max_depth and _depth_over(value, max_depth):
        raise BadJson(f"nested deeper than {max_depth}")
    return value


def _depth_over(value: Any, max_depth: int) -> bool:
    level: list[Any] = [value]
    for _ in range(max_depth):
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, dict | list)]
        if not level:
            return False
    return True


def create_app(routes: Sequence[BaseRoute] = ()) -> Starlette:
    """An ASGI app with ``GET /healthz`` plus the channels' ``routes``."""
    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *routes])


async def healthz(request: Request) -> Response:
    """Liveness probe for the reverse proxy / orchestrator."""
    return PlainTextResponse("ok")


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret header with the configured secret."""
    if given is None or not expected:
        return False
    return hmac.compare_digest(given.encode("latin-1", "replace"), expected.encode("utf-8"))


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, or ``BodyTooLarge`` as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


async def secret_json(request: Request, header: str, secret: str, max_body: int) -> dict[str, Any] | Response:
    """The JSON object of a webhook request whose ``header`` carries ``secret``, or the error response:
    403 for a missing/wrong secret (nothing else is read), 413 over ``max_body``, 400 if not a JSON object
    (or nested deeper than ``MAX_JSON_DEPTH``)."""
    if not secret_matches(request.headers.get(header), secret):
        log.warning("webhook %s: request with a missing or wrong secret refused", request.url.path)
        return PlainTextResponse("forbidden", status_code=403)
    try:
        data = parse_json(await read_body(request, max_body))
    except BodyTooLarge:
        return PlainTextResponse("payload too large", status_code=413)
    except BadJson as exc:
        return PlainTextResponse(str(exc), status_code=400)
    if not isinstance(data, dict):
        return PlainTextResponse("not a JSON object", status_code=400)
    return data


Hook = Callable[[], Awaitable[Any]]
#: What a webhook route does with a verified request's content: record it (a ``Response`` to answer
#: instead of 200 when it could not be recorded) or, in tests and polling, answer it.
Accept = Callable[[Any], Awaitable[object]]


@dataclass
class WebChannels:
    """Routes of one or more channels and what to do when the server starts and stops."""

    routes: list[BaseRoute] = field(default_factory=list)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)


def combine(parts: Iterable[WebChannels]) -> WebChannels:
    """All parts' routes and hooks together."""
    web = WebChannels()
    for part in parts:
        web.routes += part.routes
        web.on_start += part.on_start
        web.on_stop += part.on_stop
    return web


def create_web_app(channels: WebChannels) -> Starlette:
    """The ASGI app: ``/healthz`` plus the channels' routes; their start/stop hooks run in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for start in channels.on_start:
            await start()
        try:
            yield
        finally:
            for stop in reversed(channels.on_stop):
                try:
                    await stop()
                except Exception:
                    log.exception("web app: shutdown step failed")

    return Starlette(routes=list(create_app(channels.routes).routes), lifespan=lifespan)


class _SignallessServer(uvicorn.Server):
    """A uvicorn server that leaves SIGTERM/SIGINT to its caller (who stops it through an event)."""

    def install_signal_handlers(self) -> None:  # uvicorn before 0.29
        return None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # uvicorn 0.29 and later
        yield


async def serve(app: Starlette, host: str, port: int, *, stop: asyncio.Event | None = None) -> None:
    """Serve ``app`` with uvicorn (its lifespan hooks included) until interrupted or ``stop`` is set (then
    the signals are the caller's, and requests in progress finish before it returns)."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True,
                            timeout_graceful_shutdown=20)  # fmt: skip
    if stop is None:
        await uvicorn.Server(config).serve()
        return
    server = _SignallessServer(config)

    async def stop_when_asked() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_asked())
    try:
        await server.serve()
    finally:
        watcher.cancel()

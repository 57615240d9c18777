"""The webhook server: a small Starlette app that channels add their routes to, served by uvicorn.

``create_app(routes)`` always serves ``GET /healthz``; each channel contributes its own routes (Telegram's
is ``telegram_route``; Zalo can add one the same way). Requests are authenticated by the channel's secret
header, compared in constant time, and bodies are size-limited before they are parsed.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

MAX_BODY_BYTES = 1_000_000
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body exceeds the limit."""


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
    403 for a missing/wrong secret (nothing else is read), 413 over ``max_body``, 400 if not a JSON object."""
    if not secret_matches(request.headers.get(header), secret):
        log.warning("webhook %s: request with a missing or wrong secret refused", request.url.path)
        return PlainTextResponse("forbidden", status_code=403)
    try:
        data = json.loads(await read_body(request, max_body))
    except BodyTooLarge:
        return PlainTextResponse("payload too large", status_code=413)
    except (ValueError, UnicodeDecodeError):
        return PlainTextResponse("malformed JSON", status_code=400)
    if not isinstance(data, dict):
        return PlainTextResponse("not a JSON object", status_code=400)
    return data


def telegram_route(
    application: Application, secret: str, path: str = "/telegram/webhook", max_body: int = MAX_BODY_BYTES
) -> Route:
    """``POST path``: Telegram updates, checked against ``secret``, processed by ``application``.

    Answers 403 for a missing/wrong secret, 413 for a body over ``max_body``, 400 for anything that is not
    an update; 200 once the update has been processed (the application must be initialized).
    """
    if not secret:
        raise ValueError("a webhook secret is required")

    async def receive(request: Request) -> Response:
        data = await secret_json(request, TELEGRAM_SECRET_HEADER, secret, max_body)
        if isinstance(data, Response):
            return data
        if not isinstance(data.get("update_id"), int):
            return PlainTextResponse("not a Telegram update", status_code=400)
        try:
            update = Update.de_json(data, application.bot)
        except (KeyError, TypeError, ValueError):
            return PlainTextResponse("not a Telegram update", status_code=400)
        await application.process_update(update)
        return PlainTextResponse("ok")

    return Route(path, receive, methods=["POST"])


async def serve(app: Starlette, host: str, port: int, *, stop: asyncio.Event | None = None) -> None:
    """Serve ``app`` with uvicorn until the process is interrupted or ``stop`` is set."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    if stop is None:
        await server.serve()
        return

    async def stop_when_asked() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_asked())
    try:
        await server.serve()
    finally:
        watcher.cancel()

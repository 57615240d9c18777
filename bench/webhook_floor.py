"""The floor of the webhook benchmark: a bare ASGI endpoint doing the webhook's I/O and nothing else.

``POST /zalo/bot``: the secret header compared in constant time, the JSON body parsed, ONE insert of the
update (channel, chat, update id, payload) through the raw driver (sqlite3 or psycopg) on one thread of its
own, committed, then 200. Same stack as the product (Starlette + uvicorn, one worker). The database is
``FLOOR_DATABASE_URL`` (``sqlite:///path`` or a ``postgresql://`` URL, its ``options`` honoured).

Run by ``bench/webhook_bench.py``: ``uvicorn --app-dir bench webhook_floor:app``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SECRET = os.environ.get("FLOOR_SECRET", "")
URL = os.environ.get("FLOOR_DATABASE_URL", "sqlite:///floor.db")
TABLE = ("CREATE TABLE IF NOT EXISTS floor_inbox (id {pk}, channel VARCHAR(32) NOT NULL, chat_id VARCHAR(64) NOT NULL, "
         "update_id VARCHAR(255) NOT NULL, payload TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL, "
         "UNIQUE (channel, update_id))")  # fmt: skip
_writer = ThreadPoolExecutor(max_workers=1)


def _connect() -> Any:
    if URL.startswith("sqlite:///"):
        conn = sqlite3.connect(URL.removeprefix("sqlite:///"), check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(TABLE.format(pk="INTEGER PRIMARY KEY"))
        conn.commit()
        return conn, "?"
    import psycopg

    parts = urlsplit(URL)
    options = parse_qs(parts.query).get("options", [""])[0]
    conn = psycopg.connect(parts._replace(query="").geturl(), options=options)
    conn.execute(TABLE.format(pk="SERIAL PRIMARY KEY"))
    conn.commit()
    return conn, "%s"


CONN, MARK = _connect()
INSERT = (f"INSERT INTO floor_inbox (channel, chat_id, update_id, payload, received_at) "
          f"VALUES ({', '.join([MARK] * 5)}) ON CONFLICT DO NOTHING")  # fmt: skip


def _insert(chat: str, update: str, payload: str, at: float) -> None:
    CONN.execute(INSERT, ("zalo_bot", chat, update, payload, at))
    CONN.commit()


async def receive(request: Request) -> Response:
    given = request.headers.get("x-bot-api-secret-token", "")
    if not hmac.compare_digest(given.encode(), SECRET.encode()):
        return PlainTextResponse("forbidden", status_code=403)
    data = json.loads(await request.body())
    message = data["message"]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(_writer, _insert, str(message["chat"]["id"]), str(message["message_id"]),
                               json.dumps(message, ensure_ascii=False), loop.time())  # fmt: skip
    return JSONResponse({"ok": True})


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/zalo/bot", receive, methods=["POST"]), Route("/healthz", healthz)])

"""Web chat: questions answered inline and idle polls, one uvicorn process, the full catalog.

Run: .venv/bin/python bench/webchat_bench.py [--requests 3000] [--seconds 10] [--concurrency 16] [--visitors 3000]

What runs where (all on 127.0.0.1):
- the server: ``uvicorn --factory bot.service:app_from_env``, ONE worker process, the real Assistant over the
  full ``procedures_catalog``, SQLite in a temporary folder, only the web chat enabled;
- the load generator in its own process (the raw keep-alive HTTP/1.1 client of ``webhook_bench.py``), with
  the sessions opened before the clock starts.

Three closed-loop measurements:
1. baseline: ``GET /healthz`` on the same server;
2. questions: ``POST /webchat/api/messages`` with a realistic Vietnamese question, each from another visitor
   (``--visitors`` sessions); the answer is stored in
   the visitor's mailbox and returned in the same response (token check, JSON, de-duplication write, search,
   conversation state write, rendering, mailbox write, mailbox read);
3. polls: ``GET /webchat/api/messages?after=N`` with nothing new (200 visitors), what an open widget sends every
   ``poll_seconds`` (10 s by default): the polls/s one worker answers, divided by the interval, is the number of
   open widgets it can keep up to date.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from webhook_bench import _http, _questions, free_port, line, measure, run_load, start_app, wait_healthy

POLL_SECONDS = 10


def _payloads(kind: str, tokens: list[str], requests: int, seed: int) -> list[bytes]:
    """Raw requests: questions each from the next visitor (so the answer is all that comes back), or polls
    from visitors who have nothing new."""
    if kind == "healthz":
        return [_http("GET", "/healthz")] * requests
    rng = random.Random(seed)
    questions = _questions()
    payloads = []
    for number in range(requests):
        token = tokens[number % len(tokens)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if kind == "poll":
            payloads.append(_http("GET", "/webchat/api/messages?after=0", headers=headers))
        else:
            body = {"id": f"bench-{seed}-{number:07d}", "text": rng.choice(questions), "after": 0}
            payloads.append(_http("POST", "/webchat/api/messages", json.dumps(body, ensure_ascii=False).encode(),
                                  headers))  # fmt: skip
    return payloads


async def _load(url: str, kind: str, tokens: list[str], requests: int, concurrency: int, seconds: float,
                seed: int) -> dict[str, Any]:  # fmt: skip
    return await measure(url, _payloads(kind, tokens, requests, seed), concurrency, 0.0, seconds)


def run(*args: Any) -> dict[str, Any]:
    """One measurement from a separate load-generating process."""
    return run_load(*args, job=_load)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement (bound)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="connections")
    parser.add_argument("--visitors", type=int, default=3000, help="visitors asking (one question each)")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="webchat-bench-") as tmp:
        channels = f"[channels.webchat]\nenabled = true\nsessions_per_hour = {args.visitors + 1000}\n"
        server = start_app(Path(tmp), port, channels, {})
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            with httpx.Client(base_url=url) as client:
                tokens = [client.post("/webchat/api/session").json()["token"] for _ in range(args.visitors + 300)]
            askers, warm, idle = tokens[: args.visitors], tokens[args.visitors : args.visitors + 100], tokens[-200:]
            print(f"command: {sys.executable} bench/webchat_bench.py --requests {args.requests} "
                  f"--seconds {args.seconds} --concurrency {args.concurrency} --visitors {args.visitors}")
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; server: "
                  f"1 uvicorn worker, SQLite, full catalog; {len(_questions())} distinct questions")  # fmt: skip
            c = args.concurrency
            run(url, "question", warm, 100, 4, 30.0, 99)  # warm-up (not reported)
            asked = min(args.requests, args.visitors)
            results = [
                (f"baseline GET /healthz, c={c}", run(url, "healthz", [], args.requests, c, args.seconds, 1)),
                (f"web chat question, c={c}", run(url, "question", askers, asked, c, args.seconds, 2)),
                (f"web chat idle poll, c={c}", run(url, "poll", idle, args.requests, c, args.seconds, 3)),
            ]
            for name, result in results:
                print(line(name, result))
            polls = results[2][1]["rps"]
            print(f"open widgets one worker keeps up to date at one poll per {POLL_SECONDS} s: "
                  f"{polls * POLL_SECONDS:,.0f}")
            return 0 if all(set(r["statuses"]) == {200} for _, r in results) else 1
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    sys.exit(main())

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
import asyncio
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from webhook_bench import ROOT, _http, _questions, free_port, line, measure, wait_healthy  # the script's folder

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


def _load_process(args: tuple[Any, ...], out: Any) -> None:
    url, kind, tokens, requests, concurrency, seconds, seed = args
    out.put(asyncio.run(measure(url, _payloads(kind, tokens, requests, seed), concurrency, 0.0, seconds)))


def run_load(*args: Any) -> dict[str, Any]:
    """Generate load from a separate process; its summary."""
    out: Any = mp.Queue()
    proc = mp.Process(target=_load_process, args=(args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def start_server(tmp: Path, port: int, visitors: int) -> subprocess.Popen[bytes]:
    """The web app in one uvicorn worker with only the web chat enabled."""
    config = tmp / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///{tmp / 'bench.db'}"
[catalog]
path = "{ROOT / 'procedures_catalog'}"
cache_path = "{tmp / 'catalog-cache.pickle'}"
reload_seconds = 3600
[channels.telegram]
enabled = false
[channels.webchat]
enabled = true
sessions_per_hour = {visitors + 1000}
""", encoding="utf-8")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ASSISTANT_"))}
    env |= {"ASSISTANT_CONFIG": str(config), "ASSISTANT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "PYTHONPATH": str(ROOT)}  # fmt: skip
    command = [sys.executable, "-m", "uvicorn", "--factory", "bot.service:app_from_env", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--log-level", "warning", "--timeout-keep-alive", "60",
               "--no-access-log"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement (bound)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="connections")
    parser.add_argument("--visitors", type=int, default=3000, help="visitors asking (one question each)")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="webchat-bench-") as tmp:
        server = start_server(Path(tmp), port, args.visitors)
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
            run_load(url, "question", warm, 100, 4, 30.0, 99)  # warm-up (not reported)
            asked = min(args.requests, args.visitors)
            results = [
                (f"baseline GET /healthz, c={c}", run_load(url, "healthz", [], args.requests, c, args.seconds, 1)),
                (f"web chat question, c={c}", run_load(url, "question", askers, asked, c, args.seconds, 2)),
                (f"web chat idle poll, c={c}", run_load(url, "poll", idle, args.requests, c, args.seconds, 3)),
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

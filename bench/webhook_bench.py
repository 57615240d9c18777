"""Webhook throughput: Zalo Bot text messages answered from the full catalog, one uvicorn process.

Run: .venv/bin/python bench/webhook_bench.py [--requests 3000] [--rates 150,300] [--seconds 10]

What runs where (all on 127.0.0.1):
- the server: ``uvicorn --factory bot.service:app_from_env``, ONE worker process, the real
  Assistant over the full ``procedures_catalog``, SQLite in a temporary folder, Zalo Bot channel enabled;
- a fake Zalo Bot API in its own process that answers every call instantly (the replies go there);
- the load generator in its own process: asyncio with raw keep-alive HTTP/1.1 connections (cheap
  enough not to compete with the server for the CPU), Zalo ``message.text.received`` events with the
  right secret header, distinct message ids, realistic Vietnamese questions (``bench/queries_extra.tsv``
  and ``../shared/eval/dev_queries.tsv``) from 2,000 distinct chat ids.

The webhook answers 200 only AFTER the question was answered and the reply delivered to the (fake) Zalo
API, so a request's latency is the whole job: secret check, JSON, de-duplication write, search,
conversation state write, rendering, the ``sendMessage`` call(s). Nothing is queued behind the response.

Extra uvicorn options for the server can be given in BENCH_UVICORN_ARGS (e.g. "--loop asyncio").

Three measurements:
1. baseline: ``GET /healthz`` on the same server, closed loop (framework + HTTP ceiling of this setup);
2. capacity: webhook events, closed loop with a fixed number of concurrent connections (max req/s);
3. target: webhook events sent open loop at fixed arrival rates (default 150/s and 300/s); latency is measured
   from each request's scheduled time, so a server falling behind shows up in p99 (no coordinated
   omission).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-webhook-secret-0123"
TOKEN = "9999:bench-token"
CHATS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the instant fake Zalo API


def _fake_api(port: int, ready: Any) -> None:
    """A minimal HTTP/1.1 keep-alive server answering every POST with ``{"ok": true, …}`` at once."""
    answer = json.dumps({"ok": True, "result": {"message_id": "m1", "date": 0}}).encode()
    response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(answer), answer)  # fmt: skip

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                writer.write(response)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(client, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --------------------------------------------------------------------------- the load generator


def _questions() -> list[str]:
    questions: list[str] = []
    for path in (ROOT / "bench" / "queries_extra.tsv", ROOT.parent / "shared" / "eval" / "dev_queries.tsv"):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    questions.append(line.split("\t", 1)[0].strip())
    return [q for q in questions if q] or ["đăng ký khai sinh", "làm căn cước", "cấp lại sổ đỏ bị mất"]


def _event(number: int, question: str, rng: random.Random) -> dict[str, Any]:
    chat = f"bench-{rng.randrange(CHATS)}"
    message = {"message_id": f"b{number}", "from": {"id": chat, "display_name": "Người dân"},
               "chat": {"id": chat, "chat_type": "PRIVATE"}, "date": 1_700_000_000_000, "text": question}  # fmt: skip
    return {"event_name": "message.text.received", "message": message}


class _Connection:
    """One keep-alive HTTP/1.1 connection speaking raw bytes: the generator must cost far less CPU than
    the server it measures (an httpx client costs ~1.5 ms of CPU per request on this machine)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return int(head.split(b" ", 2)[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _http(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _load(url: str, mode: str, requests: int, concurrency: int, rate: float, seconds: float,
                first_id: int) -> dict[str, Any]:  # fmt: skip
    rng = random.Random(first_id)
    questions = _questions()
    headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    if mode == "healthz":
        payloads = [_http("GET", "/healthz")] * requests
    else:  # built before the clock starts: every request a distinct message id, question and chat
        payloads = [_http("POST", "/zalo/bot", json.dumps(_event(first_id + n, rng.choice(questions), rng),
                                                          ensure_ascii=False).encode(), headers)
                    for n in range(requests)]  # fmt: skip
    return await measure(url, payloads, concurrency, rate, seconds)


async def measure(url: str, payloads: list[bytes], concurrency: int, rate: float, seconds: float) -> dict[str, Any]:
    """Send the raw requests ``payloads`` in order: open loop at ``rate``/s, or closed loop over
    ``concurrency`` connections when ``rate`` is 0; stop after ``seconds``. Throughput and latencies."""
    host, port = url.removeprefix("http://").split(":")
    requests = len(payloads)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    idle: list[_Connection] = [_Connection(host, int(port)) for _ in range(concurrency)]

    async def one(number: int, scheduled: float) -> None:
        connection = idle.pop() if idle else _Connection(host, int(port))
        try:
            status: int | str = await connection.request(payloads[number])
            idle.append(connection)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:  # counted, never hidden
            status = type(exc).__name__
            connection.close()
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    deadline = started + seconds
    if rate > 0:  # open loop: request i is due at start + i / rate, whatever happened before
        tasks = []
        for number in range(requests):
            due = started + number / rate
            if due > deadline:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(number, due)))
        await asyncio.gather(*tasks)
    else:  # closed loop: ``concurrency`` workers, each sending its next request when the last is answered
        counter = iter(range(requests))

        async def worker() -> None:
            for number in counter:
                if time.perf_counter() > deadline:
                    return
                await one(number, time.perf_counter())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    for connection in idle:
        connection.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "max_ms": 1000 * latencies[-1],
        "statuses": statuses,
    }


def _load_process(job: Callable[..., Awaitable[dict[str, Any]]], args: tuple[Any, ...], out: Any) -> None:
    out.put(asyncio.run(job(*args)))


def run_load(*args: Any, job: Callable[..., Awaitable[dict[str, Any]]] = _load) -> dict[str, Any]:
    """Generate load from a separate process (``job(*args)``, by default Zalo events); its summary."""
    out: Any = mp.Queue()
    proc = mp.Process(target=_load_process, args=(job, args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


# --------------------------------------------------------------------------- the server


def start_server(tmp: Path, api_port: int, port: int) -> subprocess.Popen[bytes]:
    """The webhook app in one uvicorn worker, configured for the Zalo Bot channel only."""
    channels = f'[channels.zalo_bot]\nenabled = true\nbase_url = "http://127.0.0.1:{api_port}"\n'
    return start_app(tmp, port, channels, {"ZALO_BOT_TOKEN": TOKEN, "ZALO_BOT_WEBHOOK_SECRET": SECRET})


def start_app(tmp: Path, port: int, channels: str, secrets: dict[str, str]) -> subprocess.Popen[bytes]:
    """``bot.service:app_from_env`` in one uvicorn worker: full catalog, SQLite in ``tmp``, Telegram off, the
    ``channels`` TOML tables, ``secrets`` in the environment."""
    config = tmp / "config.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{tmp / 'bench.db'}"
[catalog]
path = "{ROOT / 'procedures_catalog'}"
cache_path = "{tmp / 'catalog-cache.pickle'}"
state_dir = "{tmp / 'var'}"
reload_seconds = 3600
[channels.telegram]
enabled = false
{channels}""",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ASSISTANT_"))}
    env |= {"ASSISTANT_CONFIG": str(config), "ASSISTANT_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "PYTHONPATH": str(ROOT), **secrets}  # fmt: skip
    command = [sys.executable, "-m", "uvicorn", "--factory", "bot.service:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
               "--timeout-keep-alive", "60",
               "--no-access-log", *os.environ.get("BENCH_UVICORN_ARGS", "").split()]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_healthy(url: str, timeout: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy in time")


def line(name: str, r: dict[str, Any]) -> str:
    return (f"{name:<40} {r['requests']:>5} req in {r['seconds']:5.1f} s {r['rps']:6.0f} req/s  "
            f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  "
            f"{r['statuses']}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement (bound)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time bound per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in the closed-loop runs")
    parser.add_argument("--rates", default="150,300", help="arrival rates of the open-loop runs (req/s)")
    parser.add_argument("--target", type=float, default=300.0, help="the rate that must be sustained")
    args = parser.parse_args()

    api_port, port = free_port(), free_port()
    ready = mp.Event()
    api = mp.Process(target=_fake_api, args=(api_port, ready), daemon=True)
    api.start()
    ready.wait(10)
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        server = start_server(Path(tmp), api_port, port)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            rates = [float(r) for r in args.rates.split(",") if r]
            print(f"command: {sys.executable} bench/webhook_bench.py --requests {args.requests} "
                  f"--seconds {args.seconds} --concurrency {args.concurrency} --rates {args.rates}")  # fmt: skip
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; server: "
                  f"1 uvicorn worker, SQLite, full catalog; {len(_questions())} distinct questions, "
                  f"{CHATS} chats")  # fmt: skip
            run_load(url, "zalo", 200, 4, 0.0, 30.0, 10_000_000)  # warm-up (not reported)
            c = args.concurrency
            results = [
                (f"baseline GET /healthz, closed loop c={c}",
                 run_load(url, "healthz", args.requests, c, 0.0, args.seconds, 0)),
                (f"Zalo webhook, closed loop c={c}",
                 run_load(url, "zalo", args.requests, c, 0.0, args.seconds, 0)),
            ]  # fmt: skip
            for number, rate in enumerate(rates, 1):
                count = min(args.requests, int(rate * args.seconds))
                results.append((f"Zalo webhook, open loop at {rate:.0f}/s",
                                run_load(url, "zalo", count, c, rate, args.seconds, number * 1_000_000)))  # fmt: skip
            for name, result in results:
                print(line(name, result))
            at_target = [r for name, r in results if name.endswith(f"at {args.target:.0f}/s")]
            ok = bool(at_target) and all(r["rps"] >= 0.97 * args.target and r["p99_ms"] <= 50
                                         and set(r["statuses"]) == {200} for r in at_target)  # fmt: skip
            print(f"target ≥ {args.target:.0f} req/s with p99 ≤ 50 ms: {'MET' if ok else 'NOT MET'}")
            return 0 if ok else 1
        finally:
            server.terminate()
            server.wait(10)
            api.terminate()


if __name__ == "__main__":
    sys.exit(main())

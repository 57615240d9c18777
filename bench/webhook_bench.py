"""Webhook benchmark: acknowledgements and replies of the Zalo Bot webhook, beside a bare endpoint's floor.

Run: .venv/bin/python bench/webhook_bench.py [--rates 1000] [--seconds 5] [--runs 3] [--delay 0.15]
     [--databases sqlite,postgres]

What runs where (all on 127.0.0.1, each in its own process):
- the server: ``python -m bot serve`` — the real service in ONE process: the webhook (uvicorn), the inbox
  worker, the outbox dispatcher and the scheduler, the full ``procedures_catalog``, SQLite in a temporary
  folder or a fresh PostgreSQL schema (``$TEST_DATABASE_URL``). The outbox budget is lifted
  (``[outbox] rate = 10000``, no per-chat spacing) to measure the assistant, not the platform's limit:
  against the real Telegram API (about 30 messages/s) replies/s would be capped by the platform;
- the floor: ``bench/webhook_floor.py`` — a bare Starlette endpoint on the same uvicorn doing the same I/O
  (secret check, JSON parse, ONE insert committed per request through the raw driver, 200), same database;
- a fake Zalo Bot API answering every call after ``--delay`` seconds (default 0.15: a real platform round
  trip); it notes when the first reply to each chat arrives;
- the load generator: raw keep-alive HTTP/1.1 (cheap next to the server), open loop at fixed rates: request
  i is due at start + i/rate whatever happened before, and its latency counts from that moment (no
  coordinated omission). Every request is a new citizen (a new chat) asking a question never seen before:
  generated from the catalog's procedure names with templates and phone-typed variants (no diacritics,
  "dk" for "đăng ký", cut names, swapped letters), all distinct.

Reported, min / median / max over ``--runs`` runs (each run a fresh server and database):
- ack: the webhook's 200 — achieved rate, p50 and p99 latency; the floor's figures beside them;
- reply: from the moment a request was due to its reply reaching the fake platform (p50, p99), and
  replies/s (answers need the search, which takes CPU: replies/s is lower than acks/s, and at an arrival
  rate above it the backlog — and the reply latency — grows for as long as the burst lasts).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
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
import tomllib
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Target, spread

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-webhook-secret-0123"
TOKEN = "9999:bench-token"
CHATS = 2000
#: The target: this arrival rate acknowledged with p99 ≤ 50 ms, and ≥ 30% of the floor's rate.
TARGET_RATE, TARGET_P99_MS, TARGET_SHARE = 1000.0, 50.0, 0.30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- questions never seen before

_TEMPLATES = ("{name}", "thủ tục {name}", "{name} cần giấy tờ gì", "{name} mất bao lâu", "lệ phí {name}",
              "cho hỏi {name} làm ở đâu", "tôi muốn {name}", "hồ sơ {name} gồm những gì",
              "làm {name} online được không", "{name} thì nộp ở đâu ạ")  # fmt: skip
_PHONE = (("đăng ký", "dk"), ("không", "ko"), ("giấy tờ", "gt"), ("được", "dc"), ("giấy chứng nhận", "gcn"))


def _plain(text: str) -> str:
    """Without diacritics, as typed on a phone without a Vietnamese keyboard."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _variants(name: str, rng: random.Random) -> list[str]:
    words = name.lower().split()[:10]  # nobody types a 40-word official name
    full, short = " ".join(words), " ".join(words[: max(3, len(words) // 2)])
    typed = full
    for long, abbr in _PHONE:
        typed = typed.replace(long, abbr)
    swapped = list(short)
    if len(swapped) > 4:
        i = rng.randrange(1, len(swapped) - 2)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    return [full, short, typed, _plain(short), _plain(typed), "".join(swapped)]


@functools.cache
def _names() -> tuple[str, ...]:
    """Every procedure's name and aliases in the catalog."""
    names: list[str] = []
    for path in sorted((ROOT / "procedures_catalog" / "procedures").rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        names += [str(data.get("name", ""))] + [str(a) for a in data.get("aliases", [])]
    return tuple(n for n in names if n)


def questions(count: int, seed: int) -> list[str]:
    """``count`` distinct questions from the catalog's procedure names: each name's variants, each put in a
    template drawn at random (seeded), in a random order."""
    rng = random.Random(seed)
    names = list(_names())
    rng.shuffle(names)
    found: set[str] = set()
    out: list[str] = []
    for _ in range(len(_TEMPLATES)):  # passes: a variant gets another template in the next pass
        for name in names:
            for variant in _variants(name, rng):
                question = rng.choice(_TEMPLATES).format(name=variant)
                if question not in found:
                    found.add(question)
                    out.append(question)
                    if len(out) == count:
                        rng.shuffle(out)
                        return out
    raise SystemExit(f"only {len(out)} distinct questions could be generated, {count} asked")


def _questions() -> list[str]:
    """Questions for ``bench/webchat_bench.py`` (distinct, generated as above)."""
    return questions(5000, 7)


# --------------------------------------------------------------------------- the fake Zalo API (with a delay)


def _fake_api(port: int, delay: float, ready: Any) -> None:
    """HTTP/1.1 keep-alive server: every POST answered ``{"ok": true}`` after ``delay`` s; the first
    ``sendMessage`` to each chat is noted (``time.monotonic()``), ``GET /_stats`` returns them as JSON."""
    answer = json.dumps({"ok": True, "result": {"message_id": "m1", "date": 0}}).encode()
    first: dict[str, float] = {}
    counts = {"calls": 0}

    def respond(body: bytes, content_type: bytes = b"application/json") -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s" % (
            content_type, len(body), body)  # fmt: skip

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                if head.startswith(b"GET /_stats"):
                    writer.write(respond(json.dumps({"first": first, **counts}).encode()))
                    continue
                arrived = time.monotonic()
                counts["calls"] += 1
                if b"/sendMessage" in head.split(b"\r\n", 1)[0]:
                    chat = str(json.loads(body).get("chat_id"))
                    first.setdefault(chat, arrived)
                await asyncio.sleep(delay)
                writer.write(respond(answer))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(client, "127.0.0.1", port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def api_stats(api_port: int) -> dict[str, Any]:
    return httpx.get(f"http://127.0.0.1:{api_port}/_stats", timeout=30).json()  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- the load generator


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


def _event(chat: str, message_id: str, question: str) -> dict[str, Any]:
    message = {"message_id": message_id, "from": {"id": chat, "display_name": "Người dân"},
               "chat": {"id": chat, "chat_type": "PRIVATE"}, "date": 1_700_000_000_000, "text": question}  # fmt: skip
    return {"event_name": "message.text.received", "message": message}


def zalo_payloads(prefix: str, asked: list[str]) -> list[bytes]:
    """One webhook request per question, each from a new chat ``<prefix>-<n>``."""
    headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    return [_http("POST", "/zalo/bot", json.dumps(_event(f"{prefix}-{n}", f"{prefix}-m{n}", q),
                                                  ensure_ascii=False).encode(), headers)
            for n, q in enumerate(asked)]  # fmt: skip


async def _load(url: str, prefix: str, asked: list[str], rate: float, seconds: float) -> dict[str, Any]:
    payloads = zalo_payloads(prefix, asked)  # built before the clock starts
    return await measure(url, payloads, 64, rate, seconds)


async def measure(url: str, payloads: list[bytes], concurrency: int, rate: float, seconds: float) -> dict[str, Any]:
    """Send the raw requests ``payloads`` in order: open loop at ``rate``/s, or closed loop over
    ``concurrency`` connections when ``rate`` is 0; stop after ``seconds``. Throughput, latencies, and when
    each accepted request was due (``accepted``: number → ``time.monotonic()``, the same clock in every
    process on Linux)."""
    host, port = url.removeprefix("http://").split(":")
    requests = len(payloads)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    idle: list[_Connection] = [_Connection(host, int(port)) for _ in range(concurrency)]
    accepted: dict[int, float] = {}  # request number → its scheduled time on CLOCK_MONOTONIC
    offset = time.perf_counter() - time.monotonic()

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
        if status == 200:
            accepted[number] = scheduled - offset

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
        "accepted": accepted,
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


# --------------------------------------------------------------------------- the servers


def write_config(tmp: Path, url: str, extra: str) -> Path:
    """``tmp/config.toml``: ``url``, the full catalog with its state in ``tmp``, Telegram off, then ``extra``."""
    config = tmp / "config.toml"
    config.write_text(f"""
[database]
url = "{url}"
[catalog]
path = "{ROOT / 'procedures_catalog'}"
cache_path = "{tmp / 'catalog-cache.pickle'}"
state_dir = "{tmp / 'var'}"
reload_seconds = 3600
[channels.telegram]
enabled = false
{extra}""", encoding="utf-8")  # fmt: skip
    return config


def bench_env(**extra: str) -> dict[str, str]:
    """This environment without the platform's or the assistant's own variables, a fixed secret key, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ASSISTANT_"))}
    return env | {"ASSISTANT_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PYTHONPATH": str(ROOT), **extra}


def serve_service(tmp: Path, url: str, api_port: int, port: int) -> subprocess.Popen[bytes]:
    """``python -m bot serve``: Zalo Bot by webhook only, the outbox budget lifted, nothing scheduled."""
    config = write_config(tmp, url, f"""[channels.zalo_bot]
enabled = true
webhook_url = "https://bot.example.gov.vn/zalo/bot"
base_url = "http://127.0.0.1:{api_port}"
[outbox]
rate = 10000
per_chat_seconds = 0
batch_size = 1000
[alerts]
enabled = false
[reports]
weekly_enabled = false
[handoff]
weekly_gaps = false
""")  # fmt: skip
    env = bench_env(ZALO_BOT_TOKEN=TOKEN, ZALO_BOT_WEBHOOK_SECRET=SECRET)
    command = [sys.executable, "-m", "bot", "--config", str(config), "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def serve_floor(url: str, port: int) -> subprocess.Popen[bytes]:
    """The bare endpoint (``bench/webhook_floor.py``) in one uvicorn worker."""
    env = {**os.environ, "FLOOR_DATABASE_URL": url, "FLOOR_SECRET": SECRET}
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "webhook_floor:app",
               "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
               "--timeout-keep-alive", "60", "--no-access-log"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


# --------------------------------------------------------------------------- one run


def replies(api_port: int, prefix: str, due: dict[int, float], timeout: float) -> dict[str, Any]:
    """Wait (up to ``timeout`` s) for a reply to every accepted request; reply latencies and replies/s."""
    deadline = time.monotonic() + timeout
    while True:
        first = api_stats(api_port)["first"]
        got = {n: first[f"{prefix}-{n}"] for n in due if f"{prefix}-{n}" in first}
        if len(got) == len(due) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    latencies = sorted(got[n] - due[n] for n in got)
    if not latencies:
        return {"replied": 0, "expected": len(due), "p50_ms": float("nan"), "p99_ms": float("nan"), "rps": 0.0}
    span = max(got.values()) - min(due.values())
    return {"replied": len(got), "expected": len(due), "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "rps": len(got) / span}  # fmt: skip


def one_run(kind: str, floor: bool, rate: float, seconds: float, api_port: int, number: int,
            drain: float) -> dict[str, Any]:  # fmt: skip
    """A fresh server (or floor) and database: warm-up, then ``rate``/s for ``seconds``; its figures."""
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        target = Target(kind, Path(tmp))
        port = free_port()
        server = serve_floor(target.url, port) if floor else serve_service(Path(tmp), target.url, api_port, port)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            count = int(rate * seconds)
            asked = questions(count + 200, seed=number)
            warm = f"w{number}{'f' if floor else ''}{kind[0]}"
            run_load(url, warm, asked[:200], 100.0, 10.0)  # warm-up (not reported)
            if not floor:
                replies(api_port, warm, {n: 0.0 for n in range(200)}, 120)
            prefix = f"r{number}{'f' if floor else ''}{kind[0]}"
            ack = run_load(url, prefix, asked[200:], rate, seconds)
            result = {"ack": {k: v for k, v in ack.items() if k != "accepted"}}
            if not floor:
                result["reply"] = replies(api_port, prefix, ack["accepted"], drain)
            return result
        finally:
            _stop(server)
            target.drop()


def start_app(tmp: Path, port: int, channels: str, secrets: dict[str, str]) -> subprocess.Popen[bytes]:
    """``bot.service:app_from_env`` in one uvicorn worker: full catalog, SQLite in ``tmp``, Telegram off, the
    ``channels`` TOML tables, ``secrets`` in the environment."""
    config = write_config(tmp, f"sqlite:///{tmp / 'bench.db'}", channels)
    env = bench_env(ASSISTANT_CONFIG=str(config), **secrets)
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
    parser.add_argument("--rates", default="1000", help="arrival rates of the open-loop runs (req/s)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each open-loop run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (fresh server and database each)")
    parser.add_argument("--delay", type=float, default=0.15, help="the fake platform's round trip (s)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--drain", type=float, default=240.0, help="longest wait for the replies of a run (s)")
    args = parser.parse_args()

    print(f"command: {sys.executable} bench/webhook_bench.py --rates {args.rates} --seconds {args.seconds} "
          f"--runs {args.runs} --delay {args.delay} --databases {args.databases}")  # fmt: skip
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; platform round trip "
          f"{1000 * args.delay:.0f} ms; every request a new chat with a question never seen before")  # fmt: skip
    api_port = free_port()
    ready = mp.Event()
    api = mp.Process(target=_fake_api, args=(api_port, args.delay, ready), daemon=True)
    api.start()
    ready.wait(10)
    rates = [float(r) for r in args.rates.split(",") if r]
    met = True
    try:
        for kind in args.databases.split(","):
            for rate in rates:
                floors = [one_run(kind, True, rate, args.seconds, api_port, n, 0) for n in range(args.runs)]
                runs = [one_run(kind, False, rate, args.seconds, api_port, n, args.drain) for n in range(args.runs)]
                met &= report(kind, rate, floors, runs)
            print(f"load average after {kind}: {os.getloadavg()[0]:.2f}")
    finally:
        api.terminate()
    print(f"target (≥ {TARGET_RATE:.0f}/s acknowledged at p99 ≤ {TARGET_P99_MS:.0f} ms, ≥ {TARGET_SHARE:.0%} of the "
          f"floor, every database): {'MET' if met else 'NOT MET'}")  # fmt: skip
    return 0 if met else 1


def _ack_line(name: str, runs: list[dict[str, Any]]) -> str:
    acks = [r["ack"] for r in runs]
    statuses: dict[str, int] = {}
    for a in acks:
        for status, n in a["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    return (f"  {name:<26} rate {spread([a['rps'] for a in acks], '{:.0f}', '/s')}; "
            f"p50 {spread([a['p50_ms'] for a in acks], '{:.1f}', ' ms')}; "
            f"p99 {spread([a['p99_ms'] for a in acks], '{:.1f}', ' ms')}; statuses {statuses}")  # fmt: skip


def report(kind: str, rate: float, floors: list[dict[str, Any]], runs: list[dict[str, Any]]) -> bool:
    """Print one database's figures at one rate; whether the target is met there."""
    print(f"{kind}, open loop at {rate:.0f}/s, {len(runs)} runs (min / median / max):")
    print(_ack_line("floor (bare endpoint) ack", floors))
    print(_ack_line("webhook ack", runs))
    got = [r["reply"] for r in runs]
    done = [f"{g['replied']}/{g['expected']}" for g in got]
    print(f"  {'reply (due → platform)':<26} p50 {spread([g['p50_ms'] for g in got], '{:.0f}', ' ms')}; "
          f"p99 {spread([g['p99_ms'] for g in got], '{:.0f}', ' ms')}; replies/s "
          f"{spread([g['rps'] for g in got], '{:.0f}')}; replied {', '.join(done)}")  # fmt: skip
    acks = [r["ack"] for r in runs]
    share = statistics.median(a["rps"] for a in acks) / statistics.median(f["ack"]["rps"] for f in floors)
    ok = all(a["rps"] >= 0.97 * rate and a["p99_ms"] <= TARGET_P99_MS and set(a["statuses"]) == {200} for a in acks)
    print(f"  webhook/floor rate {share:.0%}; {'met' if ok and share >= TARGET_SHARE else 'NOT met'} at {rate:.0f}/s")
    return ok and share >= TARGET_SHARE and rate >= TARGET_RATE


if __name__ == "__main__":
    sys.exit(main())

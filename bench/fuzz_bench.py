"""20,000 generated inputs through the real assistant, the three webhooks and the importers.

    .venv/bin/python bench/fuzz_bench.py [--count 20000] [--seed 1]

Inputs (shares of --count): typed texts and button data through the router and every handler (the real
catalog), bodies for the Telegram, Zalo Bot and Zalo OA webhooks through one ASGI app (fake platform servers
on 127.0.0.1), CSV and JSON exports through the importer (dry run, SQLite). Prints crashes (an exception, or
the assistant's "handler failed" log), 5xx answers, replies longer than a channel's limit after that
channel's own splitting, and the slowest input of each kind. Targets: 0 crashes, 0 5xx, 0 over-long.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bot.app import Assistant, build_assistant  # noqa: E402
from bot.channels import registry  # noqa: E402
from bot.channels.base import Text, render  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.contract.messages import Incoming, Kind  # noqa: E402
from bot.dossiers.importer import import_dossiers  # noqa: E402
from bot.dossiers.sources import SourceFileError  # noqa: E402
from tests.bot.channels.webhook_targets import Webhooks, paths, replaced, templates, webhooks  # noqa: E402

SHARES = {"text": 0.30, "button": 0.25, "telegram": 0.10, "zalo_bot": 0.10, "zalo_oa": 0.10, "csv": 0.075,
          "json": 0.075}  # fmt: skip
WORDS = ["đăng ký", "kết hôn", "khai sinh", "căn cước", "hộ kinh doanh", "tạm trú", "lệ phí", "bao lâu", "ở đâu",
         "/start", "/help", "/hoso", "/danhgia", "/trehan", "/traloi 1 ok", "/lang en", "1", "2", "9", "xin chào",
         "cảm ơn", "000.00.10.H40-260302-0001", "0912345678", "<b>x</b>", "\u200b", "🙏", "1.000894", "a" * 500]
PIECES = ["p", "d", "g", "0", "1", "5", "9", "x", "s", "c", "y", "n", "1.001193", "1.000894", "2.000884",
          "9.999999", "99999999999", "docs", "steps", "all", "fees", "time", "where", "due", "tw", "a", "vi", "en",
          "search", "dossier", "deadbeef", "-1", "", " ", "١", "%", "\n"]
ACTIONS = ["p", "s", "fl", "f", "m", "l", "h", "ds", "du", "th", "tc", "fa", "fr", "fc", "fk", "rp", "ru", "d", "a",
           "zz", ""]  # fmt: skip
CELLS = ["", "Đang xử lý", "Đã trả kết quả", "02/03/2026 09:15:00", "31/02/2026", "1.001193", "A-1", '"', "\r", "\n",
         ";", ",", "\ufeff", "x" * 300, "1e400", "-1", "1700000000000", "2026-03-02T09:00:00+07:00"]
HEADER = ["dossierNo", "procedureCode", "acceptedDate", "appointmentDate", "dossierStatusName", "returnedDate"]


class Crashes(logging.Handler):
    """Counts the assistant's 'handler failed' records (it answers with an apology instead of raising)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
    if kind < 0.8:
        return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0x80, 0x2FFF), rng.randint(0, 31)]))
                       for _ in range(rng.randint(0, 60)))  # fmt: skip
    return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 20))).encode(
        "utf-8", "replace").decode("utf-8", "replace")  # fmt: skip


def _button(rng: random.Random) -> str:
    args = [rng.choice(PIECES) if rng.random() < 0.8 else _text(rng)[:6] for _ in range(rng.randint(0, 4))]
    return ":".join([rng.choice(ACTIONS), *args])


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 7 if depth < 3 else 4)
    simple = [None, rng.random() < 0.5, rng.randint(-(2**65), 2**65), rng.random() * 1e10, _text(rng)[:20]]
    if kind <= 4:
        return simple[kind]
    if kind == 5:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng)[:8]: _json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _body(rng: random.Random, platform: str, hooks: Webhooks) -> bytes:
    kind = rng.random()
    if kind < 0.1:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200)))
    if kind < 0.2:
        n = rng.randint(1, 100)
        return b'{"a":' * n + b"1" + b"}" * n
    event = rng.choice(templates(hooks.oa)[platform])
    path = rng.choice(list(paths(event)))
    return json.dumps(replaced(event, path, _json_value(rng)), ensure_ascii=rng.random() < 0.5).encode()


def _csv(rng: random.Random) -> bytes:
    rows = [[f"F-{i}", "1.001193", "02/03/2026 09:15:00", "05/03/2026", "Đang xử lý", ""] for i in range(5)]
    for cells in rows:
        for _ in range(rng.randint(0, 3)):
            cells[rng.randrange(len(cells))] = rng.choice(CELLS) if rng.random() < 0.7 else _text(rng)[:12]
    text = "\r\n".join(",".join(c) for c in [HEADER, *rows]) + "\r\n"
    data = text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16"]))
    return data[: rng.randint(0, len(data))] if rng.random() < 0.4 else data


def _json_export(rng: random.Random) -> bytes:
    records: list[Any] = [{"dossierNo": f"J-{i}", "acceptedDate": "02/03/2026", "dossierStatusName": "Đang xử lý"}
                          for i in range(4)]  # fmt: skip
    for record in records:
        if rng.random() < 0.5:
            record[rng.choice(["dossierNo", "acceptedDate", "dossierStatusName", "procedure"])] = _json_value(rng)
    if rng.random() < 0.3:
        records.append(_json_value(rng))
    data = json.dumps({"content": records} if rng.random() < 0.5 else records, ensure_ascii=False).encode()
    return data[: rng.randint(0, len(data))] if rng.random() < 0.4 else data


class Bench:
    def __init__(self, assistant: Assistant, hooks: Webhooks, workdir: Path, rng: random.Random) -> None:
        self.assistant, self.hooks, self.workdir, self.rng = assistant, hooks, workdir, rng
        self.crash_log = Crashes()
        logging.getLogger("bot.app").addHandler(self.crash_log)
        self.crashes: Counter[str] = Counter()
        self.server_errors: Counter[str] = Counter()
        self.over_long: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.slowest: dict[str, tuple[float, str]] = {}
        self.examples: list[str] = []
        self.n = 0

    def run(self, target: str) -> None:
        self.n += 1
        if target in ("text", "button"):
            label, action = self._chat_input(target)
        elif target in ("csv", "json"):
            label, action = self._import_input(target)
        else:
            label, action = self._webhook_input(target)
        before = self.crash_log.count
        start = time.perf_counter()
        try:
            action()
        except Exception as exc:
            self.crashes[target] += 1
            self.examples.append(f"{target}: {type(exc).__name__}: {exc} ← {label[:120]}")
        seconds = time.perf_counter() - start
        if self.crash_log.count > before:
            self.crashes[target] += 1
            self.examples.append(f"{target}: handler failed ← {label[:120]}")
        self.times[target].append(seconds)
        if seconds > self.slowest.get(target, (0.0, ""))[0]:
            self.slowest[target] = (seconds, label[:100])

    def _chat_input(self, target: str) -> tuple[str, Callable[[], None]]:
        value = _text(self.rng) if target == "text" else _button(self.rng)
        channel = self.rng.choice(list(registry.CHANNELS))
        kind = Kind.TEXT if target == "text" else Kind.CHOICE
        incoming = Incoming(channel=channel, chat_id=f"fz{self.n}", user_id=f"fz{self.n}", kind=kind,
                            text=value if kind is Kind.TEXT else "", choice=value if kind is Kind.CHOICE else "")

        def action() -> None:
            caps = registry.capabilities(channel)
            for reply in self.assistant.handle(incoming):
                for part in render(reply, caps, "fuzz"):
                    if isinstance(part, Text) and len(part.text) > caps.max_text:
                        self.over_long[channel] += 1
                        self.examples.append(f"{target}: {len(part.text)} > {caps.max_text} on {channel}: {value!r}")

        return repr(value), action

    def _webhook_input(self, target: str) -> tuple[str, Callable[[], None]]:
        body = _body(self.rng, target, self.hooks)

        def action() -> None:
            status = self.hooks.post(target, body)
            if status >= 500:
                self.server_errors[target] += 1
                self.examples.append(f"{target}: HTTP {status} ← {body[:120]!r}")

        return repr(body), action

    def _import_input(self, target: str) -> tuple[str, Callable[[], None]]:
        data = _csv(self.rng) if target == "csv" else _json_export(self.rng)
        path = self.workdir / f"fuzz.{target}"

        def action() -> None:
            path.write_bytes(data)
            with contextlib.suppress(SourceFileError):  # the importer's own clear error is no crash
                import_dossiers(self.assistant.db, path, settings=self.assistant.settings, dry_run=True)

        return repr(data), action


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("command:", shlex.join(["python", "bench/fuzz_bench.py", *sys.argv[1:]]), flush=True)
    logging.basicConfig(level=logging.CRITICAL)
    rng = random.Random(args.seed)
    plan = [t for t, share in SHARES.items() for _ in range(round(args.count * share))]
    rng.shuffle(plan)
    with tempfile.TemporaryDirectory(prefix="fuzz-bench-") as tmp:
        settings = Settings.model_validate({"database": {"url": f"sqlite:///{Path(tmp) / 'fuzz.db'}"},
                                            "catalog": {"cache_path": str(Path(tmp) / "catalog.pickle")}})
        assistant = build_assistant(settings)
        print(f"catalog: {len(assistant.knowledge.procedures)} procedures", flush=True)
        started = time.perf_counter()
        with webhooks(assistant) as hooks:
            bench = Bench(assistant, hooks, Path(tmp), rng)
            for i, target in enumerate(plan, 1):
                bench.run(target)
                if i % 2000 == 0 or i == len(plan):
                    elapsed = time.perf_counter() - started
                    print(f"  {i:>6} inputs, {elapsed:.0f} s: crashes {sum(bench.crashes.values())}, "
                          f"5xx {sum(bench.server_errors.values())}, over-long {sum(bench.over_long.values())}",
                          flush=True)  # fmt: skip
        assistant.close()
    print(f"\n{'target':<10} {'inputs':>7} {'crashes':>8} {'5xx':>5} {'median ms':>10} {'max ms':>8}  slowest input")
    for target in SHARES:
        times = bench.times[target]
        slow = bench.slowest.get(target, (0.0, ""))
        print(f"{target:<10} {len(times):>7} {bench.crashes[target]:>8} {bench.server_errors[target]:>5} "
              f"{statistics.median(times) * 1000:>10.1f} {slow[0] * 1000:>8.0f}  {slow[1][:70]}")
    print(f"total: {bench.n} inputs, {sum(bench.crashes.values())} crashes, {sum(bench.server_errors.values())} 5xx, "
          f"{sum(bench.over_long.values())} over-long replies {dict(bench.over_long)}; targets 0 / 0 / 0")
    for line in bench.examples[:20]:
        print("  " + line)
    return 0 if not bench.examples else 1


if __name__ == "__main__":
    raise SystemExit(main())

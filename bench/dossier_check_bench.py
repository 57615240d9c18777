"""Benchmark: the citizen's dossier check, one turn at a time, at 1,000,000 dossiers (SQLite and PostgreSQL).

    .venv/bin/python bench/dossier_check_bench.py                     # 1,000,000 dossiers, both databases
    .venv/bin/python bench/dossier_check_bench.py --rows 100000 --databases sqlite --turns 500
    .venv/bin/python bench/dossier_check_bench.py --keep /tmp/bench-keep   # generate once, reuse after

A check is two turns, each timed on its own: the code (``handlers.dossier.ask_verification``: the counters
are peeked, the question asked) and the answer (``check_answer``: the counters locked, the dossier looked up
by code, the answer verified, the status card rendered with its subscription button, committed). Every
answer here is right (the dossiers looked up carry the digest of the answer given), each check from a new
chat, so nobody gets blocked. Each run is a fresh process (``bench/measure.py``); ``--runs`` runs.

FLOOR, same run, same indexes: the same reads and writes through the raw driver on one open connection —
turn 1 the counter peek; turn 2 the counter upsert + lock, the dossier by its unique code, its
subscription and apologies, commit — with no ORM, no pool checkout, no rendering.
Data: ``bot/reports/sample.py`` rows (executemany on SQLite, COPY on PostgreSQL). PostgreSQL:
``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("ASSISTANT_SECRET_KEY", "bench-dossier-check-secret-key-0123456789")

from measure import Case, analyze, bench_main, percentile, spread  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.contract.messages import Incoming  # noqa: E402
from bot.conversation import Context  # noqa: E402
from bot.dossiers import guesses  # noqa: E402
from bot.knowledge import Knowledge  # noqa: E402
from bot.reports.sample import SampleSpec, insert_sample  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.security import digest, secret_key  # noqa: E402
from bot.storage.conversations import ChatState  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from handlers import dossier  # noqa: E402

ANSWER = "0912345678"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SETTINGS = Settings()


# --------------------------------------------------------------------------- the application's turns


def _app_turns(db: Database, codes: list[str]) -> tuple[list[float], list[float]]:
    knowledge = Knowledge.build([], [], SETTINGS.office.levels)
    asks, answers = [], []
    for number, code in enumerate(codes):
        incoming = Incoming(channel="telegram", chat_id=f"bench-{number}", user_id=f"bench-{number}")
        ctx = Context(incoming=incoming, settings=SETTINGS, knowledge=knowledge, state=ChatState("vi"), db=db,
                      clock=lambda: NOW)
        began = time.perf_counter()
        dossier.ask_verification(ctx, code)
        middle = time.perf_counter()
        replies = dossier.check_answer(ctx, code, ANSWER)
        asks.append(middle - began)
        answers.append(time.perf_counter() - middle)
        assert replies[0].text.startswith("📂"), replies[0].text
    return asks, answers


# --------------------------------------------------------------------------- the floor: the raw driver


def _floor_turns(db: Database, codes: list[str]) -> tuple[list[float], list[float]]:
    raw = db.engine.raw_connection()
    postgres = db.engine.dialect.name == "postgresql"

    def sql(statement: str) -> str:
        return statement.replace("?", "%s") if postgres else statement

    rules, key = guesses.policies(SETTINGS.dossiers), secret_key(SETTINGS)
    now = NOW.isoformat() if not postgres else NOW
    asks, answers = [], []
    cur = raw.cursor()
    for number, code in enumerate(codes):
        began = time.perf_counter()
        scopes = sorted([guesses.scope(guesses.CHAT, f"telegram:bench-{number}", rules[guesses.CHAT], key).key,
                         guesses.scope(guesses.CODE, code, rules[guesses.CODE], key).key,
                         guesses.scope(guesses.CHANNEL, "telegram", rules[guesses.CHANNEL], key).key])
        cur.execute(sql("SELECT * FROM verification_counters WHERE scope IN (?, ?, ?)"), scopes)
        cur.fetchall()
        raw.commit()
        middle = time.perf_counter()
        values = ", ".join(["(?, 'x', 0.0, ?)"] * 3)
        cur.execute(sql(f"INSERT INTO verification_counters (scope, kind, level, updated_at) VALUES {values} "
                        "ON CONFLICT (scope) DO NOTHING"), (scopes[0], now, scopes[1], now, scopes[2], now))
        cur.execute(sql("SELECT * FROM verification_counters WHERE scope IN (?, ?, ?) ORDER BY scope"
                        + (" FOR UPDATE" if postgres else "")), scopes)
        cur.fetchall()
        cur.execute(sql("SELECT * FROM dossiers WHERE code = ?"), (code.upper(),))
        row = cur.fetchone()
        assert row is not None
        cur.execute(sql("SELECT id FROM dossier_subscriptions WHERE dossier_id = ? AND channel = ? AND chat_id = ? "
                        "AND active"), (row[0], "telegram", f"bench-{number}"))
        cur.fetchall()
        cur.execute(sql("SELECT * FROM apologies WHERE dossier_id = ? ORDER BY id"), (row[0],))
        cur.fetchall()
        raw.commit()
        asks.append(middle - began)
        answers.append(time.perf_counter() - middle)
    cur.close()
    raw.close()
    return asks, answers


def measure(case: Case, what: str) -> dict[str, Any]:
    """Child process: time every turn; p50/p99 of each turn kind."""
    db = Database(case.url)
    codes = (case.data / CODES).read_text().split()
    warm, timed = codes[:50], codes[50:]
    turns = _floor_turns if what == "floor" else _app_turns
    turns(db, warm)
    asks, answers = turns(db, timed)
    db.dispose()
    both = [a + b for a, b in zip(asks, answers, strict=True)]
    return {name: {"p50": 1000 * percentile(samples, 0.5), "p99": 1000 * percentile(samples, 0.99)}
            for name, samples in (("code", asks), ("answer", answers), ("check", both))}  # fmt: skip


# --------------------------------------------------------------------------- data and the parent process

CODES = "codes.txt"


def fill(case: Case) -> str:
    """``--rows`` sample dossiers; ``--turns`` random ones get the answer's digest; their codes to a side file."""
    rows, turns = case.args.rows, case.args.turns
    db = Database(case.url)
    create_schema(db)
    spec = SampleSpec(dossiers=rows, ratings=0, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    ids = random.Random(13).sample(range(1, rows + 1), turns)
    phone = digest(ANSWER[-4:], "phone_last4", secret_key(SETTINGS))
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        conn.execute(text("UPDATE dossiers SET phone_digest = :d WHERE id = :i"), [{"d": phone, "i": i} for i in ids])
        codes = list(conn.execute(text("SELECT code FROM dossiers WHERE phone_digest = :d"), {"d": phone}).scalars())
    analyze(db.engine)
    random.Random(14).shuffle(codes)
    (case.data / CODES).write_text("\n".join(c.lower() if i % 2 else c for i, c in enumerate(codes)))  # any case
    db.dispose()
    return f"load {rows:,} dossiers: {time.perf_counter() - began:.1f} s"


def _row(label: str, results: list[dict[str, Any]]) -> str:
    parts = [f"{name} p99 {spread([r[name]['p99'] for r in results], unit=' ms')}" for name in ("code", "answer")]
    checks = [r["check"] for r in results]
    return (f"  {label:<28} turn p50 {spread([c['p50'] for c in checks], unit=' ms')}; "
            f"{'; '.join(parts)}; peak RSS {spread([r['peak_rss_mb'] for r in results], '{:.0f}', ' MB')}")


def compare(case: Case) -> None:
    """The application's turns and the raw driver's, ``--runs`` fresh processes each, and the verdict."""
    app, floor = case.runs("app"), case.runs("floor")
    print(_row("application (handlers)", app))
    print(_row("FLOOR: raw driver", floor))
    worst = max(max(r["code"]["p99"], r["answer"]["p99"]) for r in app)
    print(f"  target p99 ≤ 3 ms per turn: {'OK' if worst <= 3 else 'NOT MET'} (worst run {worst:.2f} ms)")


def main() -> int:
    """Parse arguments and run the benchmark."""
    return bench_main(
        __file__, __doc__ or "", sizes={"rows": 1_000_000, "turns": 2000}, fill=fill, measure=measure,
        compare=compare,
        headline=lambda a: (f"dossier check at {a.rows:,} dossiers, {a.turns - 50:,} timed checks per run (code turn "
                            f"+ answer turn), {a.runs} runs in fresh processes; target p99 ≤ 3 ms per turn"),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

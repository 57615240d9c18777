"""Benchmark: the real morning alert job (500 officers of one unit each, 5 administrators) over open dossiers.

    .venv/bin/python bench/morning_bench.py                      # 1,000,000 open dossiers, both databases
    .venv/bin/python bench/morning_bench.py --rows 100000 --databases sqlite

Times ``bot.late.job.enqueue_morning_alerts`` — every officer's and administrator's alert composed and
enqueued in the outbox — in a fresh process per run (``bench/measure.py``; the outbox is emptied first, so
each run composes all 505 alerts), with that process's own peak memory (VmHWM). FLOOR, same run, same
index: one grouped scan of the open dossiers by unit (counts of overdue and due today) through the raw
driver — what a one-pass job cannot go below. Data: ``bot/reports/sample.py`` rows, all open, in 500
units (executemany on SQLite, COPY on PostgreSQL). Targets: ≤ 3 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from measure import Target, peak_mb, print_command, repeat, spread  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.late.job import enqueue_morning_alerts  # noqa: E402
from bot.officers.models import Officer, Role  # noqa: E402
from bot.reports.sample import SampleSpec, insert_sample  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.storage.db import Database  # noqa: E402

UNITS = [f"UBND xã Mẫu {i:03d}" for i in range(500)]
NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # a Monday, 07:30 in Vietnam
FLOOR_SQL = ("SELECT unit, count(*), sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END) FROM dossiers "
             "WHERE is_open GROUP BY unit")  # fmt: skip


def measure(url: str, floor: bool) -> None:
    """Child process: one run of the job (or the floor), printed as JSON with this process's peak memory."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
    began = time.perf_counter()
    if floor:
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        postgres = db.engine.dialect.name == "postgresql"
        cur.execute(FLOOR_SQL.replace("?", "%s") if postgres else FLOOR_SQL, (NOW if postgres else NOW.isoformat(),))
        added = len(cur.fetchall())
        raw.close()
    else:
        added = enqueue_morning_alerts(db, Settings(), NOW)
    print(json.dumps({"seconds": time.perf_counter() - began, "peak_rss_mb": peak_mb(), "added": added}))
    db.dispose()


def _fill(url: str, rows: int) -> float:
    db = Database(url)
    create_schema(db)
    spec = SampleSpec(dossiers=rows, ratings=0, start=datetime(2026, 6, 1, tzinfo=UTC),
                      end=datetime(2026, 11, 23, tzinfo=UTC), units=UNITS, open_share=1.0)  # fmt: skip
    began = time.perf_counter()
    officers = [{"channel": "telegram", "user_id": f"o{i}", "chat_id": f"o{i}", "name": "", "role": Role.OFFICER.value,
                 "units": [unit], "language": "vi", "active": True} for i, unit in enumerate(UNITS)]  # fmt: skip
    officers += [{"channel": "telegram", "user_id": f"a{i}", "chat_id": f"a{i}", "name": "", "role": Role.ADMIN.value,
                  "units": [], "language": "vi", "active": True} for i in range(5)]  # fmt: skip
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        conn.execute(insert(Officer.__table__), officers)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
    db.dispose()
    return time.perf_counter() - began


def _row(label: str, results: list[dict]) -> str:  # type: ignore[type-arg]
    return (f"  {label:<40} {spread([r['seconds'] for r in results], unit=' s')}; peak RSS "
            f"{spread([r['peak_rss_mb'] for r in results], '{:.0f}', ' MB')}; rows {results[0]['added']}")  # fmt: skip


def main() -> int:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    p.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        measure(args.measure, args.floor)
        return 0
    os.environ.setdefault("ASSISTANT_SECRET_KEY", "bench-morning-secret-key-0123456789")
    print_command("bench/morning_bench.py")
    print(f"morning job at {args.rows:,} open dossiers, 500 officers + 5 administrators, {args.runs} fresh runs; "
          "target ≤ 3 s, ≤ 300 MB")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            print(f"\n[{kind}]")
            target = Target(kind, Path(folder))
            try:
                print(f"  load {args.rows:,} open dossiers: {_fill(target.url, args.rows):.1f} s")
                job = repeat(args.runs, __file__, "--measure", target.url)
                floor = repeat(args.runs, __file__, "--measure", target.url, "--floor")
                print(_row("enqueue_morning_alerts (real job)", job))
                print(_row("FLOOR: one grouped scan, raw driver", floor))
                ok = max(r["seconds"] for r in job) <= 3 and max(r["peak_rss_mb"] for r in job) <= 300
                print(f"  target ≤ 3 s, ≤ 300 MB: {'OK' if ok else 'NOT MET'}")
                sys.stdout.flush()
            finally:
                target.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

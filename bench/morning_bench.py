"""Benchmark: the real morning alert job (500 officers of one unit each, 5 administrators) over open dossiers.

    .venv/bin/python bench/morning_bench.py                      # 1,000,000 open dossiers, both databases
    .venv/bin/python bench/morning_bench.py --rows 100000 --databases sqlite
    .venv/bin/python bench/morning_bench.py --keep /tmp/bench-keep   # generate once, reuse after

Times ``bot.late.job.enqueue_morning_alerts`` — every officer's and administrator's alert composed and
enqueued in the outbox — in a fresh process per run (``bench/measure.py``; the outbox is emptied first, so
each run composes all 505 alerts), with that process's own peak memory (VmHWM). The office calendar (the
``holidays`` tables, ≈ 0.8 s at its first use in a process) is loaded before the clock starts, as in the
running assistant, where it is loaded long before 07:30; its time is printed apart. FLOOR, same run, same
index: one grouped scan of the open dossiers by unit (counts of overdue) through the raw driver — what a
one-pass job cannot go below. Data: ``bot/reports/sample.py`` rows, all open, in 500 units (executemany on
SQLite, COPY on PostgreSQL). Targets: ≤ 3 s and ≤ 300 MB.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("ASSISTANT_SECRET_KEY", "bench-morning-secret-key-0123456789")

from measure import Case, analyze, bench_main, spread  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.dossiers.calendar import WorkCalendar  # noqa: E402
from bot.late.job import enqueue_morning_alerts  # noqa: E402
from bot.officers.models import Officer, Role  # noqa: E402
from bot.reports.sample import SampleSpec, insert_sample  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.storage.db import Database  # noqa: E402

UNITS = [f"UBND xã Mẫu {i:03d}" for i in range(500)]
NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # a Monday, 07:30 in Vietnam
SETTINGS = Settings()
FLOOR_SQL = ("SELECT unit, count(*), sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END) FROM dossiers WHERE {open} "
             "GROUP BY unit")


def measure(case: Case, what: str) -> dict[str, Any]:
    """Child process: one run of the job (or the floor)."""
    db = Database(case.url)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
    began = time.perf_counter()
    WorkCalendar.from_settings(SETTINGS).is_working_day(NOW.date())  # once per process, as in the running assistant
    calendar = time.perf_counter() - began
    began = time.perf_counter()
    if what == "floor":
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        postgres = case.kind == "postgres"
        sql = FLOOR_SQL.format(open="is_open" if postgres else "is_open = 1")  # the partial index's condition
        cur.execute(sql.replace("?", "%s") if postgres else sql, (NOW if postgres else NOW.isoformat(),))
        added = len(cur.fetchall())
        raw.close()
    else:
        added = enqueue_morning_alerts(db, SETTINGS, NOW)
    seconds = time.perf_counter() - began
    db.dispose()
    return {"seconds": seconds, "added": added, "calendar": calendar}


def fill(case: Case) -> str:
    """``--rows`` open sample dossiers in 500 units, 500 officers (one unit each) and 5 administrators."""
    rows = case.args.rows
    db = Database(case.url)
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
    analyze(db.engine)
    db.dispose()
    return f"load {rows:,} open dossiers: {time.perf_counter() - began:.1f} s"


def _row(label: str, results: list[dict[str, Any]]) -> str:
    return (f"  {label:<40} {spread([r['seconds'] for r in results], unit=' s')}; peak RSS "
            f"{spread([r['peak_rss_mb'] for r in results], '{:.0f}', ' MB')}; rows {results[0]['added']}")  # fmt: skip


def compare(case: Case) -> None:
    """The job and the floor, ``--runs`` fresh processes each, and the verdict."""
    job, floor = case.runs("job"), case.runs("floor")
    print(_row("enqueue_morning_alerts (real job)", job))
    print(_row("FLOOR: one grouped scan, raw driver", floor))
    print(f"  (not timed: the office calendar's first use, once per process: "
          f"{spread([r['calendar'] for r in job], unit=' s')})")
    ok = max(r["seconds"] for r in job) <= 3 and max(r["peak_rss_mb"] for r in job) <= 300
    print(f"  target ≤ 3 s, ≤ 300 MB: {'OK' if ok else 'NOT MET'}")


def main() -> int:
    """Parse arguments and run the benchmark."""
    return bench_main(
        __file__, __doc__ or "", sizes={"rows": 1_000_000}, fill=fill, measure=measure, compare=compare,
        headline=lambda a: (f"morning job at {a.rows:,} open dossiers, 500 officers + 5 administrators, {a.runs} "
                            "fresh runs; target ≤ 3 s, ≤ 300 MB"),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

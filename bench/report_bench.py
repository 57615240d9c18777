"""Benchmark: the monthly report over 1,000,000 dossiers and 200,000 ratings, on SQLite and PostgreSQL.

    .venv/bin/python bench/report_bench.py                      # 1,000,000 dossiers, 200,000 ratings
    .venv/bin/python bench/report_bench.py --dossiers 100000 --databases sqlite

Data: SAMPLE rows spread over 2026 (``bot/reports/sample.py``), bulk-inserted (executemany on SQLite, COPY
on PostgreSQL). The report (October 2026, grouped by unit) is timed in a fresh child process, so its peak
RSS is the report's own. A NAIVE BASELINE — every row of the period loaded into Python and aggregated
there — runs on a smaller dataset (``--naive-dossiers``), next to the SQL report on that same dataset.
PostgreSQL: ``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text

from bot.config import Settings
from bot.dossiers.models import Apology, Dossier
from bot.feedback.models import Rating
from bot.reports.compute import compute_report
from bot.reports.periods import period_of
from bot.reports.sample import SampleSpec, insert_sample
from bot.schema import create_schema
from bot.storage.db import Database

MONTH = date(2026, 10, 1)
SETTINGS = Settings()
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_report(db: Database) -> dict[str, list[int]]:
    """BASELINE: load the period's rows into Python and count there (what the SQL version avoids)."""
    period = period_of("month", MONTH)
    start, end = period.utc_bounds(ZoneInfo(SETTINGS.office.timezone))
    out: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    with db.session() as s:
        apologised = set(s.scalars(select(Apology.dossier_id)))
        rows = s.execute(select(Dossier.id, Dossier.unit, Dossier.received_at, Dossier.due_at, Dossier.finished_at,
                                Dossier.returned_at, Dossier.supplements)).all()
        ratings = s.execute(select(Rating.unit, Rating.score, Rating.created_at)).all()

    def utc(v: datetime | None) -> datetime | None:
        return None if v is None else (v.replace(tzinfo=UTC) if v.tzinfo is None else v)

    for dossier_id, unit, received, due, finished, returned, supplements in rows:
        f = out[unit]
        received, due, done = utc(received), utc(due), utc(finished or returned)
        f[0] += received is not None and start <= received < end
        if done is not None and start <= done < end:
            late = (due is not None and done > due) or (supplements or 0) >= 2
            f[1] += 1
            f[2 + late] += 1
            f[4] += late and dossier_id in apologised
        if received is not None and received < end and (done is None or done >= end):  # open at the month's end
            overdue = (due is not None and due < end) or (supplements or 0) >= 2
            f[4] += overdue and dossier_id in apologised
    for unit, score, created in ratings:
        created = utc(created)
        if start <= created < end:
            out[unit][5] += 1
            out[unit][6] += score >= 4
    return {k: v for k, v in out.items() if any(v)}


def _figures(report) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    return {r.key: [r.figures.received, r.figures.finished, r.figures.on_time, r.figures.finished_late,
                    r.figures.late_with_apology, r.figures.ratings, r.figures.satisfied] for r in report.rows}


def measure(url: str, naive: bool) -> None:
    """Child process: time one report (SQL, or the naive baseline) and print JSON."""
    db = Database(url)
    with db.session() as s:  # connect first, so the baseline memory includes the driver
        s.execute(text("SELECT 1"))
    before = _peak_mb()
    began = time.perf_counter()
    if naive:
        figures = naive_report(db)
    else:
        with db.session() as s:
            figures = _figures(compute_report(s, period="month", start=MONTH, settings=SETTINGS))
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "peak_rss_mb": _peak_mb(), "growth_mb": _peak_mb() - before,
                      "figures": figures}))
    db.dispose()


def _child(url: str, naive: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", url] + (["--naive"] if naive else []),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class _Target:
    """A fresh database: a SQLite file or a private PostgreSQL schema."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        else:
            self.schema = "bench_" + uuid.uuid4().hex[:10]
            self.admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
            with self.admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            sep = "&" if "?" in PG_URL else "?"
            self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"

    def drop(self) -> None:
        if self.kind == "postgres":
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()


def _fill(url: str, dossiers: int, ratings: int) -> float:
    db = Database(url)
    create_schema(db)
    spec = SampleSpec(dossiers=dossiers, ratings=ratings, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        conn.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - began
    db.dispose()
    return seconds


def _row(label: str, result: dict) -> str:
    return (f"  {label:<52} {result['seconds']:8.2f} s   peak RSS {result['peak_rss_mb']:5.0f} MB"
            f" (+{result['growth_mb']:.0f} MB for the report)")


def main() -> int:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--ratings", type=int, default=200_000)
    p.add_argument("--naive-dossiers", type=int, default=100_000)
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    p.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        measure(args.measure, args.naive)
        return 0
    print("command: .venv/bin/python bench/report_bench.py " + " ".join(sys.argv[1:]))
    print(f"monthly report (October 2026, by unit); target ≤ 5 s for {args.dossiers:,} dossiers")
    small_ratings = args.naive_dossiers * args.ratings // max(args.dossiers, 1)
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            print(f"\n[{kind}]")
            big, small = _Target(kind, Path(folder)), _Target(kind, Path(folder))
            try:
                fill = _fill(big.url, args.dossiers, args.ratings)
                print(f"  bulk insert {args.dossiers:,} dossiers + {args.ratings:,} ratings: {fill:.1f} s")
                cold, warm = _child(big.url, False), _child(big.url, False)
                print(_row(f"SQL report, {args.dossiers:,} dossiers (first run)", cold))
                print(_row(f"SQL report, {args.dossiers:,} dossiers (second run)", warm))
                _fill(small.url, args.naive_dossiers, small_ratings)
                sql_small, naive_small = _child(small.url, False), _child(small.url, True)
                assert sql_small["figures"] == naive_small["figures"], "baseline and SQL disagree"
                print(_row(f"SQL report, {args.naive_dossiers:,} dossiers", sql_small))
                print(_row(f"NAIVE BASELINE (rows into Python), {args.naive_dossiers:,} dossiers", naive_small))
                verdict = "OK" if max(cold["seconds"], warm["seconds"]) <= 5 else "SLOWER THAN TARGET"
                print(f"  target ≤ 5 s: {verdict}")
            finally:
                big.drop()
                small.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

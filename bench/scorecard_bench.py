"""Benchmark: the 766 scorecard (October 2026, every unit) over 1,000,000 dossiers and 200,000 ratings.

    .venv/bin/python bench/scorecard_bench.py                         # 1,000,000 dossiers, both databases
    .venv/bin/python bench/scorecard_bench.py --dossiers 200000 --databases sqlite
    .venv/bin/python bench/scorecard_bench.py --keep /tmp/scorecard-bench   # generate once, reuse after

With ``--keep FOLDER`` the generated data is kept (SQLite: ``FOLDER/scorecard-<dossiers>-<ratings>.db``;
PostgreSQL: schema ``scorecard_<dossiers>_<ratings>``) and reused by the next run with the same sizes; the
schema is upgraded to the newest revision (new indexes included) and ANALYZEd before measuring.

Data: SAMPLE rows spread over 2026 (``bot/reports/sample.py``: supplements, filing channel, payment and
digitisation included), bulk-inserted (executemany on SQLite, COPY on PostgreSQL), plus a complaint for every
rating of 1 or 2 (answered after 0–30 days, or not yet). Each measurement runs in a FRESH child process and
reports wall time and VmHWM (peak resident memory of that process, from /proc/self/status); three runs each,
min / median / max. Beside it, in the same run and the same kind of child process:

- FLOOR: one raw SQL aggregate (the dossiers received in the month counted by unit, ``SELECT unit, count(*),
  sum(...) … GROUP BY unit``) — the least any scorecard must do;
- EMPTY: a child that imports the scorecard code and connects, then computes nothing (the memory floor).

Every child connects and loads the office's holiday calendar before the clock starts (once per process, as in
the running assistant; about 0.6 s at its first use).

PostgreSQL: ``$TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test), in a private schema.
Target: ≤ 2 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, inspect, select, text

from bench.report_bench import PG_URL, _Target
from bot.config import Settings
from bot.dossiers.calendar import WorkCalendar
from bot.feedback.models import Complaint, Rating
from bot.reports.periods import period_of
from bot.reports.sample import SampleSpec, insert_sample
from bot.reports.scorecard import compute_scorecard
from bot.schema import create_schema
from bot.storage.db import Database

MONTH = date(2026, 10, 1)
SETTINGS = Settings()
RUNS = 3
TARGET_S, TARGET_MB = 2.0, 300


def _vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _floor(db: Database) -> int:
    """FLOOR: the raw aggregate every scorecard needs at least (one pass over the month's dossiers)."""
    start, end = period_of("month", MONTH).utc_bounds(SETTINGS.zone)
    sql = text("SELECT unit, count(*), sum(CASE WHEN finished_at <= due_at THEN 1 ELSE 0 END) FROM dossiers "
               "WHERE received_at >= :start AND received_at < :end GROUP BY unit")
    with db.session() as s:
        return len(s.execute(sql, {"start": start, "end": end}).all())


def measure(url: str, what: str) -> None:
    """Child process: one measurement, printed as JSON."""
    db = Database(url)
    with db.session() as s:
        s.execute(text("SELECT 1"))
    # once per process, as in the running assistant: the holiday table (≈ 0.6 s at its first use)
    calendar = WorkCalendar.from_settings(SETTINGS)
    calendar.add_working_days(datetime(2026, 10, 1, tzinfo=UTC), 1)
    began = time.perf_counter()
    result: object = None
    if what == "scorecard":
        with db.session() as s:
            card = compute_scorecard(s, period_of("month", MONTH), SETTINGS, now=datetime(2026, 11, 23, tzinfo=UTC),
                                     calendar=calendar)
        result = {"units": len(card.units), "points": card.office.points,
                  "components": [[c.numerator, c.denominator] for c in card.office.components]}
    elif what == "floor":
        result = _floor(db)
    seconds = time.perf_counter() - began
    db.dispose()
    print(json.dumps({"seconds": seconds, "vm_hwm_mb": _vm_hwm_mb(), "result": result}))


def _child(url: str, what: str) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([sys.executable, __file__, "--measure", url, "--what", what], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _fill(url: str, dossiers: int, ratings: int) -> float:
    db = Database(url)
    create_schema(db)
    spec = SampleSpec(dossiers=dossiers, ratings=ratings, start=datetime(2026, 1, 1, tzinfo=UTC),
                      end=datetime(2027, 1, 1, tzinfo=UTC))
    began = time.perf_counter()
    with db.engine.begin() as conn:
        insert_sample(conn, spec)
        rnd = random.Random(5)
        bad = conn.execute(select(Rating.id, Rating.unit, Rating.created_at).where(Rating.score <= 2)
                           .order_by(Rating.id)).all()
        rows = [{"rating_id": i, "unit": unit, "kind": "complaint", "status": "answered",
                 "created_at": created, "answered_at": created + timedelta(days=rnd.randint(0, 30))}
                for i, unit, created in bad]
        for row in rows[::4]:
            row.update(status="open", answered_at=None)
        if rows:
            conn.execute(insert(Complaint.__table__), rows)
        conn.exec_driver_sql("ANALYZE")
    seconds = time.perf_counter() - began
    db.dispose()
    return seconds


def _has_data(url: str) -> bool:
    """The fill commits in one transaction: dossiers present means the whole data set is."""
    db = Database(url)
    try:
        if not inspect(db.engine).has_table("dossiers"):
            return False
        with db.session() as s:
            return s.execute(text("SELECT 1 FROM dossiers LIMIT 1")).first() is not None
    finally:
        db.dispose()


def _upgrade(url: str) -> None:
    """A kept database: brought to the newest revision and its statistics refreshed."""
    db = Database(url)
    create_schema(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()


@contextmanager
def _database(kind: str, folder: Path, keep: Path | None, dossiers: int, ratings: int) -> Iterator[tuple[str, bool]]:
    """The URL of the database to measure and whether it already holds the data (kept from an earlier run)."""
    if keep is None:
        target = _Target(kind, folder)
        try:
            yield target.url, False
        finally:
            target.drop()
        return
    name = f"scorecard_{dossiers}_{ratings}"
    if kind == "sqlite":
        keep.mkdir(parents=True, exist_ok=True)
        path = keep / f"{name}.db"
        url = f"sqlite:///{path}"
        ready = path.exists() and _has_data(url)
    else:
        admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
        admin.dispose()
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{name}"
        ready = _has_data(url)
    yield url, ready


def _stats(label: str, runs: list[dict]) -> str:  # type: ignore[type-arg]
    s = sorted(r["seconds"] for r in runs)
    m = sorted(r["vm_hwm_mb"] for r in runs)
    return (f"  {label:<34} time min/median/max {s[0]:6.2f} / {statistics.median(s):6.2f} / {s[-1]:6.2f} s"
            f"   VmHWM {m[0]:4.0f} / {statistics.median(m):4.0f} / {m[-1]:4.0f} MB")


def _measure_all(url: str) -> None:
    runs = {what: [_child(url, what) for _ in range(RUNS)] for what in ("scorecard", "floor", "empty")}
    print(_stats("766 scorecard (all components)", runs["scorecard"]))
    print(_stats("FLOOR: one raw SQL aggregate", runs["floor"]))
    print(_stats("EMPTY: imports + connection only", runs["empty"]))
    office = runs["scorecard"][0]["result"]
    print(f"  office: {office['points'][0]:.1f}/{office['points'][1]:g} points over {office['units']} "
          f"units; components {office['components']}")
    worst_s = max(r["seconds"] for r in runs["scorecard"])
    worst_mb = max(r["vm_hwm_mb"] for r in runs["scorecard"])
    ok = worst_s <= TARGET_S and worst_mb <= TARGET_MB
    print(f"  target ≤ {TARGET_S:g} s and ≤ {TARGET_MB} MB (worst run {worst_s:.2f} s, {worst_mb:.0f} MB): "
          + ("OK" if ok else "MISSED"))


def main() -> int:
    """Parse arguments and run the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--ratings", type=int, default=200_000)
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--keep", type=Path, help="keep the generated databases here and reuse them")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    p.add_argument("--what", default="scorecard", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        measure(args.measure, args.what)
        return 0
    print("command: .venv/bin/python bench/scorecard_bench.py " + " ".join(sys.argv[1:]))
    print(f"766 scorecard, October 2026, every unit; {args.dossiers:,} dossiers, {args.ratings:,} ratings; "
          f"{RUNS} fresh processes each; target ≤ {TARGET_S:g} s, ≤ {TARGET_MB} MB")
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            print(f"\n[{kind}]")
            with _database(kind, Path(folder), args.keep, args.dossiers, args.ratings) as (url, ready):
                if ready:
                    _upgrade(url)
                    print("  reusing the data kept by an earlier run (schema upgraded, ANALYZE)")
                else:
                    fill = _fill(url, args.dossiers, args.ratings)
                    print(f"  bulk insert (dossiers, apologies, ratings, complaints): {fill:.1f} s")
                _measure_all(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Dossier store benchmarks: import, morning alert, status lookup — each next to a naive baseline.

    .venv/bin/python bench/dossier_bench.py [--rows 1000000] [--backend sqlite|postgres|both]

PostgreSQL: $TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test, in a private schema dropped
afterwards. Targets: alert over 1,000,000 open dossiers in 500 units ≤ 10 s and ≤ 500 MB peak RSS; import
of 1,000,000 rows ≤ 5 min; lookup p99 ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "samples"), str(ROOT / "bench")]

from generate import REFERENCE_DATE, iter_records, write_csv  # noqa: E402
from measure import peak_mb  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.dossiers.calendar import WorkCalendar  # noqa: E402
from bot.dossiers.importer import import_dossiers  # noqa: E402
from bot.dossiers.models import Dossier  # noqa: E402
from bot.dossiers.store import find_by_code  # noqa: E402
from bot.late.query import alert_report  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.storage.db import Database  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UNITS = [f"UBND xã Mẫu {i:03d}" for i in range(500)]
COLUMNS = (
    "dossierNo", "procedureCode", "procedureName", "sectorName", "agencyName", "applicantPhone", "acceptedDate",
    "appointmentDate", "dossierStatusName", "apologySentDate", "newAppointmentDate", "apologyReason",
)  # fmt: skip
NOW = datetime.combine(REFERENCE_DATE, dtime(7, 30), WorkCalendar().tz)


@contextmanager
def _database(backend: str, workdir: Path) -> Iterator[tuple[str, Database]]:
    """A fresh database: a SQLite file, or a private PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        db = Database(url)
        create_schema(db)
        try:
            yield url, db
        finally:
            db.dispose()
        return
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    db = Database(url)
    create_schema(db)
    try:
        yield url, db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _child(mode: str, url: str, extra: list[str]) -> dict:  # type: ignore[type-arg]
    """Run one measurement in a fresh process so its peak RSS is its own."""
    cmd = [sys.executable, __file__, f"--{mode}-child", url, *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _alert_child(url: str, units: str) -> None:
    db = Database(url)
    calendar = WorkCalendar()
    chosen = None if units == "all" else UNITS[: int(units)]
    start = time.perf_counter()
    with db.session() as session:
        report = alert_report(session, units=chosen, now=NOW, calendar=calendar, soon_days=2, top=10)
    seconds = time.perf_counter() - start
    counts = {k: getattr(report, k) for k in ("open_total", "overdue", "due_today", "due_soon", "late_without_apology")}
    print(json.dumps({"seconds": seconds, "rss_mb": peak_mb(), "counts": counts}))


def _naive_child(url: str, limit: str) -> None:
    """Baseline: load open dossiers as ORM objects and classify each one with the calendar in Python."""
    db = Database(url)
    calendar = WorkCalendar()
    start = time.perf_counter()
    kinds: dict[str, int] = {}
    with db.session() as session:
        rows = session.execute(select(Dossier).where(Dossier.is_open.is_(True)).limit(int(limit))).scalars()
        for d in rows:
            if d.due_at is not None:
                kind = calendar.classify(d.due_at, NOW, 2).kind
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == "overdue" and not d.apologies:  # lazy load per dossier, as naive code does
                    kinds["late_without_apology"] = kinds.get("late_without_apology", 0) + 1
    kinds.pop("late_without_apology", None)
    print(json.dumps({"seconds": time.perf_counter() - start, "rss_mb": peak_mb(), "rows": sum(kinds.values())}))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def _lookups(db: Database, codes: list[str], find: Callable) -> tuple[float, float]:  # type: ignore[type-arg]
    """p50/p99 of one lookup in its own session, as the chat layer does it (after a short warm-up)."""
    for code in codes[:20]:
        with db.session() as session:
            find(session, code)
    timings = []
    for code in codes:
        start = time.perf_counter()
        with db.session() as session:
            assert find(session, code) is not None
        timings.append(time.perf_counter() - start)
    return _percentiles(timings)


def _like_scan(session, code: str):  # type: ignore[no-untyped-def]
    """Baseline lookup: case-insensitive LIKE on the code (no index can serve it)."""
    return session.execute(select(Dossier).where(Dossier.code.ilike(code.lower()))).scalar_one_or_none()


def _analyze(db: Database, backend: str) -> None:
    if backend == "postgres":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE dossiers"))
            conn.execute(text("VACUUM ANALYZE apologies"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def bench_backend(backend: str, csv_path: Path, rows: int, args: argparse.Namespace, workdir: Path) -> list[tuple]:  # type: ignore[type-arg]
    """Every measurement on one backend, as table rows (what, figure, baseline, target)."""
    out: list[tuple] = []  # type: ignore[type-arg]
    settings = Settings()
    with _database(backend, workdir) as (url, db):
        start = time.perf_counter()
        first = import_dossiers(db, csv_path, settings=settings)
        t_import = time.perf_counter() - start
        assert first.applied and first.inserted == rows, (first.inserted, first.rejected[:3])
        start = time.perf_counter()
        again = import_dossiers(db, csv_path, settings=settings)
        t_again = time.perf_counter() - start
        assert again.unchanged == rows
        out.append((f"import {rows:,} rows (new)", f"{t_import:.1f} s ({rows / t_import:,.0f} rows/s)", "", "≤ 300 s"))
        out.append((f"re-import same file ({again.unchanged:,} unchanged)", f"{t_again:.1f} s", "", "≤ 300 s"))
        _analyze(db, backend)

        naive = _child("naive", url, [str(args.naive_rows)])
        factor = rows / max(naive["rows"], 1)
        naive_text = (
            f"naive ORM load+classify {naive['rows']:,} rows: {naive['seconds']:.2f} s, {naive['rss_mb']:.0f} MB "
            f"→ extrapolated ×{factor:.0f}: {naive['seconds'] * factor:.0f} s"
        )
        for units in ("all", "500"):
            res = _child("alert", url, [units])
            label = "alert, all units" if units == "all" else "alert, list of 500 units"
            c = res["counts"]
            out.append(
                (
                    f"{label} ({c['open_total']:,} open: {c['overdue']:,} overdue, {c['due_today']:,} today, "
                    f"{c['due_soon']:,} soon, {c['late_without_apology']:,} w/o apology)",
                    f"{res['seconds']:.2f} s, peak RSS {res['rss_mb']:.0f} MB",
                    naive_text,
                    "≤ 10 s, ≤ 500 MB",
                )
            )
        with db.session() as session:
            total = session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1)) or 0
            rng = random.Random(7)
            ids = rng.sample(range(1, total + 1), min(args.lookups, total))
            codes = list(session.scalars(select(Dossier.code).where(Dossier.id.in_(ids))))
        rng.shuffle(codes)
        codes = [c.lower() if i % 2 else c for i, c in enumerate(codes)]  # citizens type codes in any case
        p50, p99 = _lookups(db, codes, find_by_code)
        b50, b99 = _lookups(db, codes[: args.baseline_lookups], _like_scan)
        out.append(
            (
                f"status lookup by code, {len(codes):,} random codes",
                f"p50 {p50:.2f} ms, p99 {p99:.2f} ms",
                f"ILIKE scan ({args.baseline_lookups} codes): p50 {b50:.1f} ms, p99 {b99:.1f} ms",
                "p99 ≤ 5 ms",
            )
        )
    return out


def _print_table(title: str, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    print(f"\n{title}")
    for r in rows:
        print("  " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the figures with the command that produced them."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--naive-rows", type=int, default=50_000)
    p.add_argument("--lookups", type=int, default=10_000)
    p.add_argument("--baseline-lookups", type=int, default=50)
    p.add_argument("--alert-child", metavar="URL")
    p.add_argument("--naive-child", metavar="URL")
    p.add_argument("child_args", nargs="*")
    args = p.parse_args(argv)
    if args.alert_child:
        _alert_child(args.alert_child, args.child_args[0])
        return 0
    if args.naive_child:
        _naive_child(args.naive_child, args.child_args[0])
        return 0

    print("$ .venv/bin/python bench/dossier_bench.py " + shlex.join(argv if argv is not None else sys.argv[1:]))
    print(f"now = {NOW.isoformat()}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    workdir = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        csv_path = workdir / "export.csv"
        start = time.perf_counter()
        records = iter_records(args.rows, units=UNITS, open_only=True)
        write_csv(records, csv_path, headers={c: c for c in COLUMNS})
        size = csv_path.stat().st_size / 1e6
        took = time.perf_counter() - start
        print(f"generated {args.rows:,} open dossiers in 500 units: {size:.0f} MB CSV in {took:.0f} s")
        backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
        for backend in backends:
            rows = bench_backend(backend, csv_path, args.rows, args, workdir)
            _print_table(backend, [("measure", "figure", "baseline (same run)", "target"), *rows])
            sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: importing a dossier export (new rows, then the same file again: unchanged rows) beside a floor.

    .venv/bin/python bench/import_bench.py                          # 200,000 rows, both databases, 3 runs
    .venv/bin/python bench/import_bench.py --rows 1000000 --databases postgres

The export is the sample generator's CSV (``samples/generate.py``) with the columns of
``bench/dossier_bench.py`` (``--all-columns``: every column the generator writes). Each run is a fresh
process on a fresh database (``bench/measure.py``), reporting its own peak memory (VmHWM) and the CPU time
of the Python process beside the wall time (the database server's work is not in it: on a shared machine
the CPU figure shows what the code costs, the wall figure what was waited for).

FLOOR, same run, same file: PostgreSQL a bare ``COPY … (FORMAT csv)`` of the file into an unindexed table of
text columns; SQLite a bare ``executemany`` of the ``csv`` module's rows into a table without indexes, in
one transaction. PROFILE, same run: the file only read (``bot.dossiers.sources``), then read and checked
(``import_rows.RowReader``: dates, digests, hash) without a database — the rest of an import's time is the
writing. BASELINE, same run, with ``--previous DIR``: the importer of another checkout on the same file, in
the same fresh-process way (the one before the staged load:
``mkdir /tmp/prev && git archive 08f75cb bot | tar -x -C /tmp/prev``, then ``--previous /tmp/prev``).
Targets (issue 13): ≥ 50,000 rows/s on PostgreSQL, ≥ 25,000 rows/s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "samples")]

from dossier_bench import COLUMNS, UNITS  # noqa: E402
from generate import CSV_HEADERS, iter_records, write_csv  # noqa: E402
from measure import Target, fresh, peak_mb, print_command, spread  # noqa: E402

from bot.config import ENV_SECRET_KEY, Settings  # noqa: E402
from bot.dossiers.calendar import WorkCalendar  # noqa: E402
from bot.dossiers.import_rows import RowReader  # noqa: E402
from bot.dossiers.importer import import_dossiers  # noqa: E402
from bot.dossiers.mapping import load_mapping  # noqa: E402
from bot.dossiers.sources import open_source  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.security import secret_key  # noqa: E402
from bot.storage.db import Database  # noqa: E402

TARGETS = {"postgres": 50_000, "sqlite": 25_000}
#: The children use this key (no key file is created in any checkout).
BENCH_KEY = "import-bench-secret-key-0123456789abcdef"
#: Run in a fresh interpreter inside the ``--previous`` checkout: its importer on a new database, twice.
PREVIOUS = """
import json, sys, time
from pathlib import Path
from bot.config import Settings
from bot.dossiers.importer import import_dossiers
from bot.schema import create_schema
from bot.storage.db import Database
db = Database(sys.argv[1])
create_schema(db)
out = {}
for label in ("new", "again"):
    wall, cpu = time.perf_counter(), time.process_time()
    result = import_dossiers(db, Path(sys.argv[2]), settings=Settings())
    assert result.applied and not result.rejected
    out[label + "_rows_s"] = result.rows / (time.perf_counter() - wall)
    out[label + "_cpu_rows_s"] = result.rows / (time.process_time() - cpu)
hwm = [line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")]
out["peak_mb"] = int(hwm[0].split()[1]) / 1024
db.dispose()
print(json.dumps(out))
"""


def _timed(work):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process) of ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _floor(url: str, path: Path) -> int:
    """Bare load of the same file into a table without indexes; the rows loaded."""
    db = Database(url)
    raw = db.engine.raw_connection()
    cur = raw.cursor()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    cur.execute(f"CREATE TABLE floor_rows ({columns})")
    if db.engine.dialect.name == "postgresql":
        with cur.copy("COPY floor_rows FROM STDIN (FORMAT csv, HEADER)") as copy, path.open("rb") as fh:
            fh.read(3)  # the BOM
            while block := fh.read(1 << 20):
                copy.write(block)
        cur.execute("SELECT count(*) FROM floor_rows")
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            cur.executemany(f"INSERT INTO floor_rows VALUES ({', '.join('?' * len(header))})", reader)
        cur.execute("SELECT count(*) FROM floor_rows")
    (rows,) = cur.fetchone()
    raw.commit()
    raw.close()
    db.dispose()
    return int(rows)


def _profile(path: Path) -> dict[str, float]:
    """Rows/s of reading the file alone, and of reading and checking it (no database)."""
    settings = Settings()

    def read() -> int:
        return sum(1 for _ in open_source(path).rows)

    def check() -> int:
        reader = RowReader(load_mapping(None), settings.zone, WorkCalendar(), None, secret_key(settings))
        return sum(1 for row in open_source(path).rows if reader.read(row))

    rows, wall, cpu = _timed(read)
    out = {"read_rows_s": rows / wall, "read_cpu_rows_s": rows / cpu}
    rows, wall, cpu = _timed(check)
    out.update(check_rows_s=rows / wall, check_cpu_rows_s=rows / cpu)
    return out


def child(kind: str, url: str, path: Path) -> None:
    """One run in this fresh process, printed as JSON."""
    out: dict[str, float] = {}
    if kind == "floor":
        rows, wall, cpu = _timed(lambda: _floor(url, path))
        out.update(rows=rows, rows_s=rows / wall, cpu_rows_s=rows / cpu)
    elif kind == "profile":
        out.update(_profile(path))
    else:
        db = Database(url)
        create_schema(db)
        settings = Settings()
        for label in ("new", "again"):
            result, wall, cpu = _timed(lambda: import_dossiers(db, path, settings=settings))
            assert result.applied and not result.rejected, result.rejected[:3]
            assert (result.inserted if label == "new" else result.unchanged) == result.rows
            out.update({f"{label}_rows_s": result.rows / wall, f"{label}_cpu_rows_s": result.rows / cpu})
        db.dispose()
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


def _run(kind: str, backend: str, path: Path, folder: Path, previous: Path | None = None) -> dict[str, float]:
    target = Target(backend, folder)
    try:
        if previous is None:
            return fresh(__file__, "--child", kind, target.url, str(path))
        env = {**os.environ, "PYTHONPATH": str(previous)}
        cmd = [sys.executable, "-c", PREVIOUS, target.url, str(path)]
        out = subprocess.run(cmd, cwd=previous, env=env, check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        target.drop()


def main() -> int:
    """Generate the file, run the floor, the profile and the import in fresh processes, print the figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--databases", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--all-columns", action="store_true", help="every column of the sample generator")
    p.add_argument("--previous", type=Path, help="a checkout whose importer runs as the baseline")
    p.add_argument("--child", nargs=3, metavar=("KIND", "URL", "FILE"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return 0
    print_command("bench/import_bench.py")
    os.environ[ENV_SECRET_KEY] = BENCH_KEY
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        path = folder / "export.csv"
        headers = {k: k for k in CSV_HEADERS} if args.all_columns else {c: c for c in COLUMNS}
        write_csv(iter_records(args.rows, units=UNITS, open_only=True), path, headers=headers)
        print(f"file: {args.rows:,} rows, {len(headers)} columns, {path.stat().st_size / 1e6:.0f} MB CSV")
        print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
        backends = ("sqlite", "postgres") if args.databases == "both" else (args.databases,)
        profile = [_run("profile", "sqlite", path, folder) for _ in range(args.runs)]
        print(f"\nprofile, no database (rows/s; wall | per CPU-second of the process), {args.runs} runs:")
        for key, label in (("read", "read the file"), ("check", "read + check every row")):
            wall = spread([r[f"{key}_rows_s"] for r in profile], "{:,.0f}")
            cpu = statistics.median(r[f"{key}_cpu_rows_s"] for r in profile)
            print(f"  {label:<24} {wall} | CPU median {cpu:,.0f}")
        for backend in backends:
            runs = []
            for _ in range(args.runs):  # floor, import and baseline alternate, so they see the same load
                run = [_run("floor", backend, path, folder), _run("import", backend, path, folder)]
                if args.previous:
                    run.append(_run("import", backend, path, folder, args.previous.resolve()))
                runs.append(run)
            print(f"\n{backend} ({args.runs} fresh-process runs; rows/s, wall | CPU of the Python process):")
            rows = [
                ("FLOOR bare load", 0, "rows_s", "cpu_rows_s"),
                ("import, new rows", 1, "new_rows_s", "new_cpu_rows_s"),
                ("re-import, unchanged", 1, "again_rows_s", "again_cpu_rows_s"),
            ]
            if args.previous:
                rows += [
                    ("BASELINE previous, new", 2, "new_rows_s", "new_cpu_rows_s"),
                    ("BASELINE previous, same", 2, "again_rows_s", "again_cpu_rows_s"),
                ]
            for label, index, wall_key, cpu_key in rows:
                wall = spread([r[index][wall_key] for r in runs], "{:,.0f}")
                cpu = statistics.median(r[index][cpu_key] for r in runs)
                print(f"  {label:<22} {wall} | CPU median {cpu:,.0f}")
            ratio = statistics.median(r[1]["new_rows_s"] / r[0]["rows_s"] for r in runs)
            print(f"  import / floor (median of runs): {ratio:.0%}")
            print(f"  peak memory of the import process: {spread([r[1]['peak_mb'] for r in runs], '{:.0f}', ' MB')}")
            if args.previous:
                ratio = statistics.median(r[1]["new_rows_s"] / r[2]["new_rows_s"] for r in runs)
                print(f"  import / previous importer (median of runs): {ratio:.2f}×")
                memory = spread([r[2]["peak_mb"] for r in runs], "{:.0f}", " MB")
                print(f"  peak memory of the previous importer: {memory}")
            print(f"  target: ≥ {TARGETS[backend]:,} rows/s")
        print(f"\nload after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

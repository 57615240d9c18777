"""Peak memory of importing a large JSON export: the streamed importer beside a whole-file read.

    .venv/bin/python bench/import_memory_bench.py [--mb 200] [--runs 3]

Generates a JSON export of at least ``--mb`` MB (the sample generator's dossiers, iGate shape), then in a
fresh process per run: the floor (Python with the importer loaded, nothing read), the baseline (the file read
and decoded whole with ``json.loads``, as the importer did before streaming), and the import itself into a new
SQLite database. Peak memory is VmHWM of that process. Target: import ≤ 300 MB for a 200 MB file.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "samples")]

from generate import LABEL, iter_records  # noqa: E402


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def _child(kind: str, path: Path, db_path: Path) -> None:
    """One measurement in this (fresh) process; prints peak MB, seconds and what was done."""
    from bot.config import DatabaseSettings, Settings
    from bot.dossiers.importer import import_dossiers
    from bot.schema import create_schema
    from bot.storage.db import Database

    start = time.perf_counter()
    what = ""
    if kind == "baseline":
        data = json.loads(path.read_bytes().decode("utf-8"))
        what = f"{len(data['content'])} records decoded"
    elif kind == "import":
        settings = Settings(database=DatabaseSettings(url=f"sqlite:///{db_path}"))
        db = Database(settings.database_url)
        create_schema(db)
        result = import_dossiers(db, path, settings=settings)
        db.dispose()
        what = f"{result.inserted} inserted, {len(result.rejected)} rejected, applied={result.applied}"
    print(json.dumps({"mb": _vm_hwm_mb(), "s": time.perf_counter() - start, "what": what}))


def _generate(path: Path, mb: int) -> int:
    """A ``{"content": [...]}`` export of at least ``mb`` MB; returns the number of records."""
    target = mb * 1_000_000
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'{{\n"_comment": "{LABEL}",\n"content": [\n')
        batch = 0
        while fh.tell() < target:
            batch += 1
            for rec in iter_records(5_000, seed=batch):
                rec["dossierNo"] = f"{rec['dossierNo']}-{batch}"
                fh.write(("," if n else "") + json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
        fh.write("]\n}\n")
    return n


def _run(kind: str, path: Path, db_path: Path) -> dict[str, float | str]:
    db_path.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", kind, str(path), str(db_path)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return 0
    print("command:", shlex.join([Path(sys.executable).name, "bench/import_memory_bench.py", *sys.argv[1:]]))
    with tempfile.TemporaryDirectory(prefix="import-memory-") as tmp:
        path, db_path = Path(tmp) / "export.json", Path(tmp) / "bench.db"
        records = _generate(path, args.mb)
        print(f"file: {path.stat().st_size / 1e6:.0f} MB, {records:,} records")
        print(f"{'peak memory (VmHWM) of a fresh process':<44} {'min':>8} {'median':>8} {'max':>8}   time (median)")
        for kind, label in (
            ("floor", "floor: Python + importer loaded"),
            ("baseline", "baseline: file decoded whole (json.loads)"),
            ("import", "streamed import into SQLite"),
        ):
            runs = [_run(kind, path, db_path) for _ in range(args.runs)]
            mbs = [float(r["mb"]) for r in runs]
            secs = statistics.median(float(r["s"]) for r in runs)
            print(
                f"{label:<44} {min(mbs):>6.0f}MB {statistics.median(mbs):>6.0f}MB {max(mbs):>6.0f}MB"
                f"   {secs:.1f} s  {runs[-1]['what']}"
            )
        print("target: streamed import ≤ 300 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

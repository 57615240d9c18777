"""What keeping the last good catalog costs a start, and how fast a start during a broken edit is.

Run: .venv/bin/python bench/catalog_start_bench.py [--runs 3]

Each measurement is a fresh Python process over a copy of ``procedures_catalog/`` (2,642 procedures) in a
temporary folder, with the parsed-catalog cache warm (a normal restart):
- baseline: ``load_catalog`` alone, what a start did before the last good catalog existed;
- start, snapshot up to date: ``CatalogHolder`` over the files the snapshot came from (the snapshot served
  as kept: no TOML parsed, no parse cache read, nothing written);
- start, snapshot written: the same after an edit (the digest changed, the snapshot is rewritten);
- start during a broken edit: one file broken, the last good catalog read from disk and served.
Figures are min / median / max seconds of ``--runs`` processes each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, sys, time
from pathlib import Path
from bot.catalog.loader import load_catalog
from bot.catalog.reload import CatalogHolder
root, cache, state, mode = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
t = time.perf_counter()
if mode == "baseline":
    n, fallback = len(load_catalog(root, cache).procedures), False
else:
    holder = CatalogHolder(root, cache, state_dir=state)
    n, fallback = len(holder.catalog.procedures), holder.status().fallback
print(json.dumps({"seconds": time.perf_counter() - t, "procedures": n, "fallback": fallback}))
"""


def _probe(root: Path, cache: Path, state: Path, mode: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(root), str(cache), str(state), mode], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    result: dict[str, float] = json.loads(out)
    return result


def _row(label: str, samples: list[dict[str, float]]) -> None:
    seconds = sorted(s["seconds"] for s in samples)
    counts = {int(s["procedures"]) for s in samples}
    fallback = {bool(s["fallback"]) for s in samples}
    print(f"{label:<40} {seconds[0]:6.2f} / {statistics.median(seconds):6.2f} / {seconds[-1]:6.2f} s   "
          f"procedures={','.join(map(str, counts))} fallback={','.join(map(str, fallback))}")  # fmt: skip


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = max(3, parser.parse_args().runs)
    print(f"command: {sys.executable} bench/catalog_start_bench.py --runs {runs}")
    with tempfile.TemporaryDirectory() as tmp:
        root, cache, state = Path(tmp) / "catalog", Path(tmp) / "cache.pickle", Path(tmp) / "var"
        shutil.copytree(ROOT / "procedures_catalog", root)
        _probe(root, cache, state, "holder")  # warm the parse cache and write the snapshot once
        print(f"{'':<40} {'min / median / max':>26}")
        _row("baseline: load_catalog (warm cache)", [_probe(root, cache, state, "baseline") for _ in range(runs)])
        _row("start, snapshot up to date", [_probe(root, cache, state, "holder") for _ in range(runs)])
        written = []
        for _ in range(runs):
            shutil.rmtree(state)
            written.append(_probe(root, cache, state, "holder"))
        _row("start, snapshot written", written)
        path = next(root.rglob("*.toml"))
        path.write_text(path.read_text(encoding="utf-8") + "\nname = \n", encoding="utf-8")
        _row("start during a broken edit (snapshot)", [_probe(root, cache, state, "holder") for _ in range(runs)])
        print(f"snapshot size: {(state / 'catalog-last-good.pickle').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

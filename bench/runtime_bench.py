"""Catalog load time and resident memory of the running assistant, next to baselines.

Run: .venv/bin/python bench/runtime_bench.py

Each measurement runs in a fresh Python process so imports, caches and memory are those of a real start:
- catalog load, cold: parse and validate every TOML file (no cache file);
- catalog load, warm: unchanged files served from the parsed-catalog cache (a normal restart);
- baseline: reading the raw portal export (jsonl.gz) with the json module, no validation;
- resident memory of a process that builds the whole assistant (catalog, search index, SQLite storage)
  and answers 200 questions: its peak (VmHWM) and what it holds afterwards (VmRSS), for a warm start (the
  parsed-catalog cache is there, the normal restart) and a cold one (first start after a deploy: every
  file parsed and the cache written), next to a bare interpreter that only imports the libraries.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data" / "dvc_procedures.jsonl.gz"

_LOAD = """
import json, resource, sys, time
from pathlib import Path
from bot.catalog.loader import load_catalog
cache = Path(sys.argv[1]) if sys.argv[1] != "-" else None
t = time.perf_counter()
cat = load_catalog(Path("procedures_catalog"), cache_path=cache)
print(json.dumps({"seconds": time.perf_counter() - t, "procedures": len(cat.procedures)}))
"""

_RAW = """
import gzip, json, sys, time
t = time.perf_counter()
rows = [json.loads(line) for line in gzip.open(sys.argv[1], "rt", encoding="utf-8")]
print(json.dumps({"seconds": time.perf_counter() - t, "procedures": len(rows)}))
"""

_ASSISTANT = """
import json, sys, time
from bot.config import Settings
from bot.app import Assistant
from bot.contract.messages import Incoming
settings = Settings.model_validate({"database": {"url": "sqlite:///" + sys.argv[1]},
                                    "catalog": {"cache_path": sys.argv[2]}})
t = time.perf_counter()
a = Assistant(settings)
start = time.perf_counter() - t
questions = ["đăng ký khai sinh", "lam cccd", "sổ đỏ bị mất", "phí bao nhiêu", "dk ket hon", "xin chào"]
for i in range(200):
    a.handle(Incoming(channel="bench", chat_id=str(i % 20), user_id="u", text=questions[i % len(questions)]))
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
mb = lambda key: int(status[key].split()[0]) / 1024
print(json.dumps({"start_seconds": start, "peak_rss_mb": mb("VmHWM"), "rss_mb": mb("VmRSS")}))
"""

_BARE = """
import json
import telegram, sqlalchemy, pydantic, rapidfuzz, babel, apscheduler, rich, holidays  # noqa: F401
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({"peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024}))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run every measurement and print the table."""
    print("command: .venv/bin/python bench/runtime_bench.py")
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "cache.pickle")
        cold = min(_run(_LOAD, "-")["seconds"] for _ in range(3))
        _run(_LOAD, cache)  # fill the cache
        warm = min(_run(_LOAD, cache)["seconds"] for _ in range(3))
        raw = min(_run(_RAW, str(RAW))["seconds"] for _ in range(3)) if RAW.exists() else float("nan")
        cold_cache = str(Path(tmp) / "cold.pickle")
        cold_start = _run(_ASSISTANT, str(Path(tmp) / "b.db"), cold_cache)  # writes its cache
        assistant = _run(_ASSISTANT, str(Path(tmp) / "a.db"), cold_cache)  # warm: the usual restart
        bare = _run(_BARE)
    rows = [
        ("catalog load, cold (parse + validate all files)", f"{cold:.2f} s", "≤ 1.5 s"),
        ("catalog load, warm (cache of unchanged files)", f"{warm:.2f} s", "≤ 1.5 s"),
        ("baseline: json.loads of the raw portal export", f"{raw:.2f} s", ""),
        ("assistant start, warm (catalog + index + storage)", f"{assistant['start_seconds']:.2f} s", ""),
        ("assistant RSS after 200 questions, warm start", f"{assistant['rss_mb']:.0f} MB", "≤ 250 MB"),
        ("assistant peak RSS, warm start", f"{assistant['peak_rss_mb']:.0f} MB", "≤ 250 MB"),
        ("assistant start, cold (no cache yet)", f"{cold_start['start_seconds']:.2f} s", ""),
        ("assistant RSS after 200 questions, cold start", f"{cold_start['rss_mb']:.0f} MB", "≤ 250 MB"),
        ("assistant peak RSS, cold start", f"{cold_start['peak_rss_mb']:.0f} MB", "≤ 250 MB"),
        ("baseline: interpreter + libraries only", f"{bare['peak_rss_mb']:.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")


if __name__ == "__main__":
    main()

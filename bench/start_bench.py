"""How fast the assistant starts and how much memory it holds: cold, from the stored catalog and search index,
and without the stored index (the build the cache replaces).

Run: .venv/bin/python bench/start_bench.py [--runs 3]

Every figure is a fresh process over a copy of ``procedures_catalog/`` (2,642 procedures) in a temporary
folder with its own config and state folder, ``--runs`` times (min / median / max):
- ``chat``: ``python -m bot --config CFG chat`` answering one question piped on stdin (the greeting, then the
  answer), timed from the spawn to the exit; the child's own CPU time and peak memory (VmHWM of
  /proc/self/status) are read at its exit; ``search``: ``python -m bot --config CFG search QUESTION``, the
  same way (the lighter entry point answering one question: no database, no conversation);
- ``phases``: the same start step by step in one process: imports, catalog ready (``open_catalog``), search
  ready (``catalog_knowledge``), first answer (``engine.search``), and VmHWM after the answer.
States: ``cold`` = empty state folder (every TOML file parsed, index built, both kept); ``warm`` = the state
folder of a previous start (the default restart); ``no index`` = warm but without ``search-index.pickle``
(the index rebuilt: the start before the cache). Floor in the same run: ``python -c pass`` and the bare
imports of ``python -m bot chat``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import product
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measure import spread  # noqa: E402

QUESTION = "dk ket hon"

_WRAPPED = """
import atexit, json, sys, time
out = sys.argv.pop()
def report():
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    with open(out, "w") as fh:
        json.dump({"hwm_mb": hwm / 1024, "cpu": time.process_time()}, fh)
atexit.register(report)
from bot.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

_PHASES = """
import json, sys, time
marks = [(time.perf_counter(), time.process_time())]
from pathlib import Path
from bot.knowledge import catalog_knowledge, open_catalog
from bot.config import load_settings
marks.append((time.perf_counter(), time.process_time()))
settings = load_settings(Path(sys.argv[1]))
holder = open_catalog(settings)
marks.append((time.perf_counter(), time.process_time()))
knowledge = catalog_knowledge(holder, settings)
marks.append((time.perf_counter(), time.process_time()))
result = knowledge.engine.search(sys.argv[2])
marks.append((time.perf_counter(), time.process_time()))
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
figures = {"hwm_mb": hwm / 1024, "answer_code": result.answer}
for name, (wall, cpu) in zip(("imports", "catalog", "search", "answer"), marks[1:]):
    figures[name], figures[name + "_cpu"] = wall - marks[0][0], cpu  # cpu: the process's, from its start
print(json.dumps(figures))
"""

_FLOOR_IMPORTS = "import bot.cli.main, bot.service, bot.app, handlers.router"


def _config(folder: Path) -> Path:
    """A config for a copy of the catalog in ``folder`` with its own state folder and database."""
    shutil.copytree(ROOT / "procedures_catalog", folder / "catalog")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('path = "procedures_catalog"', f'path = "{folder / "catalog"}"')
    text = text.replace('cache_path = "var/catalog-cache.pickle"', f'cache_path = "{folder / "var" / "parse.pickle"}"')
    text = text.replace('state_dir = "var"', f'state_dir = "{folder / "var"}"')
    text = text.replace('url = "sqlite:///var/assistant.db"', f'url = "sqlite:///{folder / "assistant.db"}"')
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSISTANT_SECRET_KEY="bench-" + "k" * 32)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, from the child's own rusage) of a fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{args} failed ({child.returncode})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def _command(config: Path, folder: Path, command: list[str], stdin: str = "") -> dict[str, Any]:
    """``python -m bot --config CONFIG <command>`` in a fresh process: wall seconds to its exit, its CPU and
    VmHWM (read by the child at exit); the answer to :data:`QUESTION` must be in its output."""
    out = folder / "command.json"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPED, "--config", str(config), *command, str(out)],
                          input=stdin, text=True, check=True, capture_output=True, cwd=ROOT, env=_env())  # fmt: skip
    seconds = time.perf_counter() - start
    if "1.000894" not in done.stdout:  # the marriage registration: the answer must be there
        raise RuntimeError(f"no answer in the output:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return {"seconds": seconds, **result}


def _phases(config: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _PHASES, str(config), QUESTION], text=True, check=True,
                          capture_output=True, cwd=ROOT, env=_env())  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _prepare(state: str, config: Path, var: Path) -> None:
    """Bring the state folder to ``state`` before a run."""
    if state == "cold":
        shutil.rmtree(var, ignore_errors=True)
    elif state == "no index":
        (var / "search-index.pickle").unlink(missing_ok=True)


def _runs(runs: int, state: str, config: Path, var: Path, probe: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    samples = []
    for _ in range(runs):
        _prepare(state, config, var)
        samples.append(probe())
    return samples


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = max(3, parser.parse_args().runs)
    print(f"command: .venv/bin/python bench/start_bench.py --runs {runs}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config, var = _config(folder), folder / "var"
        for label, code in (("python -c pass", "pass"), ("imports of python -m bot chat", _FLOOR_IMPORTS)):
            samples = [_timed([sys.executable, "-c", code]) for _ in range(runs)]
            print(f"{'floor: ' + label:<44} {spread([w for w, _ in samples], unit=' s')}   "
                  f"CPU {spread([c for _, c in samples], unit=' s')}")  # fmt: skip
        _phases(config)  # one start: the state folder holds the snapshot and the index
        commands = {"chat": (["chat"], QUESTION + "\n"), "search": (["search", QUESTION], "")}
        for (label, (command, stdin)), state in product(commands.items(), ("cold", "warm", "no index")):
            samples = _runs(runs, state, config, var, partial(_command, config, folder, command, stdin))
            print(f"{label + ', first answer, ' + state:<44} {spread([s['seconds'] for s in samples], unit=' s')}   "
                  f"CPU {spread([s['cpu'] for s in samples], unit=' s')}   "
                  f"VmHWM {spread([s['hwm_mb'] for s in samples], fmt='{:.0f}', unit=' MB')}")  # fmt: skip
        for state in ("cold", "warm", "no index"):
            samples = _runs(runs, state, config, var, lambda: _phases(config))
            codes = {s["answer_code"] for s in samples}
            print(f"phases, {state} (answer {','.join(map(str, codes))}):")
            for key in ("imports", "catalog", "search", "answer"):
                print(f"  {key + ' ready at':<42} {spread([s[key] for s in samples], unit=' s')}   "
                      f"CPU {spread([s[key + '_cpu'] for s in samples], unit=' s')}")  # fmt: skip
            print(f"  {'VmHWM':<42} {spread([s['hwm_mb'] for s in samples], fmt='{:.0f}', unit=' MB')}")
        sizes = {p.name: p.stat().st_size / 1e6 for p in sorted(var.iterdir()) if p.suffix == ".pickle"}
        print("state folder: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in sizes.items()))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

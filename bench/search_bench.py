"""Benchmark the search engine against a plain bm25s baseline on gold question sets.

Usage: .venv/bin/python bench/search_bench.py [--queries FILE.tsv ...] [--reps N] [--misses]
Scores with the same rules as ../shared/eval/score.py (imported from there by path).
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.catalog.model import Level, LexiconEntry, Procedure  # noqa: E402
from bot.catalog.situations import SituationBook  # noqa: E402
from bot.search.batch import answer_line  # noqa: E402
from bot.search.engine import SearchEngine  # noqa: E402
from bot.search.lexicon import read_lexicon  # noqa: E402
from bot.search.normalize import tokenize  # noqa: E402
from bot.search.rawdata import procedures_from_jsonl  # noqa: E402

SHARED = ROOT.parent / "shared"
SCORE_PY = SHARED / "eval" / "score.py"
RAW_DATA = SHARED / "data" / "dvc_procedures.jsonl.gz"
CATALOG = ROOT / "procedures_catalog"
DEFAULT_QUERIES = [SHARED / "eval" / "dev_queries.tsv", ROOT / "bench" / "queries_extra.tsv"]
PREFERRED = [Level.PROVINCE, Level.COMMUNE]

Row = dict[str, Any]


def load_scorer() -> ModuleType:
    """Import score.py from the shared eval folder by path."""
    if not SCORE_PY.exists():
        raise SystemExit(f"error: scorer not found at {SCORE_PY} (expected the shared eval checkout)")
    spec = importlib.util.spec_from_file_location("shared_score", SCORE_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_data() -> tuple[list[Procedure], list[LexiconEntry], SituationBook, str]:
    """Procedures, lexicon and situations: the generated catalog when present, else the raw dump + lexicon.toml."""
    if any((CATALOG / "procedures").rglob("*.toml")):
        from bot.catalog.loader import load_catalog

        catalog = load_catalog(CATALOG)
        procs = list(catalog.procedures.values())
        return procs, list(catalog.lexicon), catalog.situations, f"catalog {CATALOG}"
    lexicon = read_lexicon(CATALOG / "lexicon.toml")
    return list(procedures_from_jsonl(RAW_DATA)), lexicon, SituationBook(), f"raw {RAW_DATA.name} + lexicon.toml"


class Bm25Baseline:
    """bm25s over name + field, diacritics folded; top-1 is always the answer unless the score is 0."""

    def __init__(self, procedures: list[Procedure]) -> None:
        import bm25s

        self.codes = [p.code for p in procedures]
        self.names = [p.name for p in procedures]
        corpus = [" ".join(tokenize(f"{p.name} {p.field}")) for p in procedures]
        self.model = bm25s.BM25()
        self.model.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)
        self._bm25s = bm25s

    def answer(self, query: str) -> Row:
        text = " ".join(tokenize(query)) or "_"
        toks = self._bm25s.tokenize([text], stopwords=None, show_progress=False)
        k = min(5, len(self.codes))
        docs, scores = self.model.retrieve(toks, k=k, show_progress=False)
        results = [
            {"code": self.codes[d], "name": self.names[d], "score": float(s)}
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0
        ]
        return {"query": query, "answer": results[0]["code"] if results else None, "results": results}


def latency(fn: Callable[[str], Any], queries: list[str], reps: int) -> tuple[float, float]:
    """p50 and p99 per-query latency in ms (single thread, warmed up, ``reps`` passes)."""
    for q in queries:
        fn(q)
    samples: list[float] = []
    for _ in range(reps):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def evaluate(scorer: ModuleType, gold: list, rows: list[Row]) -> dict[str, Any]:
    stats, misses = scorer.score(gold, rows)
    stats["wrong_pct"] = round(100.0 * stats["wrong_answers"] / len(gold), 1)
    stats["misses"] = misses
    return stats


def print_table(title: str, columns: dict[str, dict[str, Any]]) -> None:
    names = list(columns)
    metrics = [
        ("questions (in / out of scope)", lambda s: f"{s['in_scope']} / {s['out_of_scope']}"),
        ("top1", lambda s: f"{s['top1']:.3f}"),
        ("top3", lambda s: f"{s['top3']:.3f}"),
        ("answered_correct", lambda s: f"{s['answered_correct']:.3f}"),
        ("wrong answers (% of questions)", lambda s: f"{s['wrong_answers']} ({s['wrong_pct']}%)"),
        ("oos_rejected", lambda s: "n/a" if s["oos_rejected"] is None else f"{s['oos_rejected']:.3f}"),
        ("latency p50 ms", lambda s: f"{s['p50']:.3f}"),
        ("latency p99 ms", lambda s: f"{s['p99']:.3f}"),
        ("build time s", lambda s: f"{s['build']:.3f}"),
    ]
    width = max(len(m[0]) for m in metrics) + 2
    print(f"\n## {title}")
    print("metric".ljust(width) + "".join(n.rjust(16) for n in names))
    for label, fmt in metrics:
        print(label.ljust(width) + "".join(fmt(columns[n]).rjust(16) for n in names))


def read_queries(path: Path) -> list[str]:
    return [
        line.rstrip("\n").split("\t")[0]
        for line in path.open(encoding="utf-8")
        if line.strip() and not line.startswith("#")
    ]


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, action="append", help="gold TSV (repeatable)")
    parser.add_argument("--reps", type=int, default=30, help="latency repetitions per question")
    parser.add_argument("--misses", action="store_true", help="list the engine's misses")
    args = parser.parse_args(list(argv) if argv is not None else None)
    exe = Path(sys.executable)
    shown = exe.relative_to(Path.cwd()) if exe.is_relative_to(Path.cwd()) else exe
    print("$ " + shlex.join([str(shown), *sys.argv]))
    scorer = load_scorer()
    procedures, lexicon, situations, source = load_data()
    t0 = time.perf_counter()
    engine = SearchEngine.build(procedures, lexicon, PREFERRED, situations)
    build_engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline = Bm25Baseline(procedures)
    build_base = time.perf_counter() - t0
    print(
        f"data: {source}: {len(procedures)} procedures, {len(lexicon)} lexicon terms; "
        f"preferred levels: {', '.join(PREFERRED)}"
    )
    for path in args.queries or DEFAULT_QUERIES:
        gold = scorer.load_gold(str(path))
        queries = read_queries(path)
        columns: dict[str, dict[str, Any]] = {}
        systems: list[tuple[str, Callable[[str], Row], float]] = [
            ("engine", lambda q: answer_line(engine, q), build_engine),
            ("bm25s baseline", baseline.answer, build_base),
        ]
        for name, fn, build in systems:
            stats = evaluate(scorer, gold, [fn(q) for q in queries])
            stats["p50"], stats["p99"] = latency(fn, queries, args.reps if name == "engine" else 3)
            stats["build"] = build
            columns[name] = stats
        print_table(str(path), columns)
        if args.misses:
            for miss in columns["engine"]["misses"]:
                print("  ", *miss, sep=" | ")


if __name__ == "__main__":
    main()

"""Benchmark the search engine against a plain bm25s baseline and a previous engine (git ref, default ``main``).

Usage: .venv/bin/python bench/search_bench.py [--queries FILE.tsv ...] [--reps N] [--misses] [--no-previous]
       [--previous-ref REF]
Default sets: the held-out parts bench/data/{short,long,offtopic}{,2,...,11}_test.tsv, english{7,...,2}_test.tsv,
english_heldout.tsv and english.tsv (asked in English mode: lexicon_en.toml first; the baseline and main get the
English text as is), then ../shared/eval's dev sets (validation only) and bench/queries_extra.tsv. Scores with the
rules of ../shared/eval/score.py (imported by path). Latency: every question ``--reps`` times, one thread; p50/p99 per
question. The previous engine runs in a subprocess from ``git archive REF bot procedures_catalog``: the release as
shipped, its code over its own catalog (a newer catalog may use what older code cannot read, as ``to = ["NONE"]``).
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.catalog.model import Level, LexiconEntry, Procedure  # noqa: E402
from bot.catalog.situations import SituationBook  # noqa: E402
from bot.search.batch import answer_line  # noqa: E402
from bot.search.engine import SearchEngine  # noqa: E402
from bot.search.english import EnglishReader  # noqa: E402
from bot.search.lexicon import read_lexicon  # noqa: E402
from bot.search.memory import QuestionMemory  # noqa: E402
from bot.search.normalize import tokenize  # noqa: E402
from bot.search.rawdata import procedures_from_jsonl  # noqa: E402

SHARED = ROOT.parent / "shared"
SCORE_PY = SHARED / "eval" / "score.py"
RAW_DATA = SHARED / "data" / "dvc_procedures.jsonl.gz"
CATALOG = ROOT / "procedures_catalog"
DATA = ROOT / "bench" / "data"
DEFAULT_QUERIES = [
    DATA / "short_test.tsv",
    DATA / "long_test.tsv",
    DATA / "offtopic_test.tsv",
    DATA / "short2_test.tsv",
    DATA / "long2_test.tsv",
    DATA / "offtopic2_test.tsv",
    DATA / "short3_test.tsv",
    DATA / "long3_test.tsv",
    DATA / "offtopic3_test.tsv",
    DATA / "short4_test.tsv",
    DATA / "long4_test.tsv",
    DATA / "offtopic4_test.tsv",
    DATA / "short5_test.tsv",
    DATA / "long5_test.tsv",
    DATA / "offtopic5_test.tsv",
    DATA / "short6_test.tsv",
    DATA / "long6_test.tsv",
    DATA / "offtopic6_test.tsv",
    DATA / "short8_test.tsv",
    DATA / "long8_test.tsv",
    DATA / "offtopic8_test.tsv",
    DATA / "short7_test.tsv",
    DATA / "long7_test.tsv",
    DATA / "offtopic7_test.tsv",
    DATA / "short12_test.tsv",
    DATA / "long12_test.tsv",
    DATA / "offtopic12_test.tsv",
    DATA / "short11_test.tsv",
    DATA / "long11_test.tsv",
    DATA / "offtopic11_test.tsv",
    DATA / "short10_test.tsv",
    DATA / "long10_test.tsv",
    DATA / "offtopic10_test.tsv",
    DATA / "short9_test.tsv",
    DATA / "long9_test.tsv",
    DATA / "offtopic9_test.tsv",
    DATA / "english7_test.tsv",
    DATA / "english6_test.tsv",
    DATA / "english5_test.tsv",
    DATA / "english4_test.tsv",
    DATA / "english3_test.tsv",
    DATA / "english2_test.tsv",
    DATA / "english_heldout.tsv",
    DATA / "english.tsv",
    SHARED / "eval" / "long_dev_queries.tsv",
    SHARED / "eval" / "dev_queries.tsv",
    ROOT / "bench" / "queries_extra.tsv",
]
PREVIOUS_DRIVER = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from bot.catalog.loader import load_catalog
from bot.catalog.model import Level
from bot.search.batch import answer_line
from bot.search.engine import SearchEngine
cat = load_catalog(__import__("pathlib").Path(sys.argv[2]))
situations = getattr(cat, "situations", None)  # engines before the situation lexicon take three arguments
levels = [Level.PROVINCE, Level.COMMUNE]
examples = {"questions": [(e.question, e.codes) for e in cat.questions]} if getattr(cat, "questions", ()) else {}
eng = (SearchEngine.build(cat.procedures.values(), cat.lexicon, levels, situations, **examples)
       if situations is not None else SearchEngine.build(cat.procedures.values(), cat.lexicon, levels))
queries, reps = json.load(sys.stdin), int(sys.argv[3])
rows = [answer_line(eng, q) for q in queries]
samples, cpu = [], []
for _ in range(reps):
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time(); eng.search(q, limit=5)
        cpu.append((time.process_time() - c0) * 1000); samples.append((time.perf_counter() - t0) * 1000)
samples.sort(); cpu.sort()
k = min(len(samples) - 1, int(len(samples) * 0.99))
json.dump({"rows": rows, "p50": statistics.median(samples), "p99": samples[k],
           "cpu50": statistics.median(cpu), "cpu99": cpu[k]}, sys.stdout)
"""
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


Examples = list[tuple[str, tuple[str, ...]]]


def load_data() -> tuple[list[Procedure], list[LexiconEntry], SituationBook, Examples, str]:
    """Procedures, lexicon, situations and example questions: the generated catalog when present, else the raw
    dump + lexicon.toml."""
    if any((CATALOG / "procedures").rglob("*.toml")):
        from bot.catalog.loader import load_catalog

        catalog = load_catalog(CATALOG)
        procs = list(catalog.procedures.values())
        examples = [(e.question, e.codes) for e in catalog.questions]
        return procs, list(catalog.lexicon), catalog.situations, examples, f"catalog {CATALOG}"
    lexicon = read_lexicon(CATALOG / "lexicon.toml")
    raw = list(procedures_from_jsonl(RAW_DATA))
    return raw, lexicon, SituationBook(), [], f"raw {RAW_DATA.name} + lexicon.toml"


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


def without_examples(engine: SearchEngine, examples: Examples, queries: list[str]) -> SearchEngine:
    """``engine`` recalling none of ``queries`` (folded): a set is never measured on questions it recalls word for
    word (the test parts share none with the examples; a validation set's short question may)."""
    asked = {" ".join(tokenize(q)) for q in queries}
    kept = [(q, codes) for q, codes in examples if " ".join(tokenize(q)) not in asked]
    return engine if len(kept) == len(examples) else engine.with_memory(QuestionMemory(kept))


def latency(fn: Callable[[str], Any], queries: list[str], reps: int) -> tuple[float, float, float, float]:
    """p50 and p99 per-query latency in ms (single thread, warmed up, ``reps`` passes): wall clock, then
    CPU time of this process (what one core spends; unaffected by other processes on a loaded machine)."""
    for q in queries:
        fn(q)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(reps):
        for q in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            fn(q)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)
    wall.sort()
    cpu.sort()
    p99 = min(len(wall) - 1, int(len(wall) * 0.99))
    return statistics.median(wall), wall[p99], statistics.median(cpu), cpu[p99]


def evaluate(scorer: ModuleType, gold: list, rows: list[Row]) -> dict[str, Any]:
    if all(g is None for _q, g in gold):  # an off-topic set: only rejection counts (score.py needs in-scope rows)
        wrong = sum(1 for r in rows if r.get("answer") is not None)
        stats: dict[str, Any] = {"in_scope": 0, "out_of_scope": len(gold), "top1": 0.0, "top3": 0.0,
                                 "answered_correct": 0.0, "wrong_answers": wrong,
                                 "oos_rejected": round(1 - wrong / len(gold), 3)}
        misses = [("OOS-answered", r["query"], r["answer"]) for r in rows if r.get("answer") is not None]
    else:
        stats, misses = scorer.score(gold, rows)
    stats["wrong_pct"] = round(100.0 * stats["wrong_answers"] / len(gold), 1)
    stats["misses"] = misses
    return stats


def previous_engine(queries: list[str], reps: int, ref: str = "main") -> dict[str, Any] | None:
    """Rows and latency of the engine at git ``ref`` over its own catalog — the release as shipped: its code, its
    lexicons, situations and example questions (None when git or the ref is unavailable)."""
    import json
    import subprocess
    import tarfile
    import tempfile
    from io import BytesIO

    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "bot", CATALOG.name], capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        out = subprocess.run(
            [sys.executable, "-c", PREVIOUS_DRIVER, tmp, str(Path(tmp) / CATALOG.name), str(reps)],
            input=json.dumps(queries), capture_output=True, text=True, check=True, cwd=tmp,
        )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


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
        ("CPU time p50 ms", lambda s: f"{s['cpu50']:.3f}"),
        ("CPU time p99 ms", lambda s: f"{s['cpu99']:.3f}"),
        ("build time s", lambda s: f"{s['build']:.3f}"),
    ]
    width = max(len(m[0]) for m in metrics) + 2
    print(f"\n## {title}")
    print("metric".ljust(width) + "".join(n.rjust(20) for n in names))
    for label, fmt in metrics:
        print(label.ljust(width) + "".join(fmt(columns[n]).rjust(20) for n in names))


def read_queries(path: Path) -> list[str]:
    return [
        line.rstrip("\n").split("\t")[0]
        for line in path.open(encoding="utf-8")
        if line.strip() and not line.startswith("#")
    ]


LONGEST = 1000  # the latency target holds for questions of up to this many characters


def thousand_character_messages(count: int) -> list[str]:
    """``count`` messages of about 1,000 characters for the latency target (longer than any labelled question): a
    long training question followed by the next ones until the length is reached, cut at a word."""
    questions = [q for path in sorted(DATA.glob("long*_train.tsv")) for q in read_queries(path)]
    out = []
    for i in range(min(count, len(questions))):
        text, j = questions[i], i
        while len(text) < LONGEST:
            j += 1
            text += " " + questions[j % len(questions)]
        out.append(text[:LONGEST].rsplit(" ", 1)[0])
    return out


def longest_latency(engine: SearchEngine, reps: int, ref: str | None) -> None:
    """Latency (no accuracy) on messages of 1,000 characters: the engine and the previous one."""
    texts = thousand_character_messages(150)
    print(f"\n## latency on {len(texts)} messages of {LONGEST} characters (long training questions run together)")
    p50, p99, cpu50, cpu99 = latency(lambda q: engine.search(q, limit=5), texts, reps)
    print(f"engine: p50 {p50:.3f} ms, p99 {p99:.3f} ms; CPU time p50 {cpu50:.3f} ms, p99 {cpu99:.3f} ms")
    prev = None if ref is None else previous_engine(texts, reps, ref)
    if prev is not None:
        print(f"previous ({ref[:10]}): p50 {prev['p50']:.3f} ms, p99 {prev['p99']:.3f} ms; "
              f"CPU time p50 {prev['cpu50']:.3f} ms, p99 {prev['cpu99']:.3f} ms")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, action="append", help="gold TSV (repeatable)")
    parser.add_argument("--reps", type=int, default=30, help="latency repetitions per question")
    parser.add_argument("--misses", action="store_true", help="list the engine's misses")
    parser.add_argument("--no-previous", action="store_true", help="skip the previous engine")
    parser.add_argument("--previous-ref", default="main", help="git commit or branch of the previous engine (main)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    exe = Path(sys.executable)
    shown = exe.relative_to(Path.cwd()) if exe.is_relative_to(Path.cwd()) else exe
    print("$ " + shlex.join([str(shown), *sys.argv]))
    scorer = load_scorer()
    t0 = time.perf_counter()
    procedures, lexicon, situations, examples, source = load_data()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = SearchEngine.build(procedures, lexicon, PREFERRED, situations, examples)
    build_engine = time.perf_counter() - t0
    import resource

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"catalog load (no parse cache) {load_s:.2f} s; engine build {build_engine:.2f} s; "
        f"peak RSS after build {rss_mb:.0f} MB (before the baseline is built)"
    )
    t0 = time.perf_counter()
    baseline = Bm25Baseline(procedures)
    build_base = time.perf_counter() - t0
    print(
        f"data: {source}: {len(procedures)} procedures, {len(lexicon)} lexicon terms, "
        f"{len(situations.situations)} situations, {len(examples)} example questions; "
        f"preferred levels: {', '.join(PREFERRED)}"
    )
    from bot.catalog.loader import load_english

    english = EnglishReader(load_english(CATALOG)[0])

    def in_english_mode(measured: SearchEngine, q: str) -> Row:
        """The assistant's path for a chat in English: lexicon_en.toml, then the engine."""
        text = english.translate(q) if english.is_english(q, expected=True) else ""
        return {**answer_line(measured, text or q, translated=bool(text)), "query": q}

    for path in args.queries or DEFAULT_QUERIES:
        gold = scorer.load_gold(str(path))
        queries = read_queries(path)
        measured = without_examples(engine, examples, queries)
        columns: dict[str, dict[str, Any]] = {}
        english_set = path.name.startswith("english")
        systems: list[tuple[str, Callable[[str], Row], float]] = [
            ("engine", partial(in_english_mode if english_set else answer_line, measured), build_engine),
            ("bm25s baseline", baseline.answer, build_base),
        ]
        for name, fn, build in systems:
            stats = evaluate(scorer, gold, [fn(q) for q in queries])
            stats["p50"], stats["p99"], stats["cpu50"], stats["cpu99"] = latency(
                fn, queries, args.reps if name == "engine" else 3
            )
            stats["build"] = build
            columns[name] = stats
        prev = None if args.no_previous else previous_engine(queries, args.reps, args.previous_ref)
        if prev is not None:
            stats = evaluate(scorer, gold, prev["rows"])
            stats["p50"], stats["p99"], stats["build"] = prev["p50"], prev["p99"], float("nan")
            stats["cpu50"], stats["cpu99"] = prev.get("cpu50", float("nan")), prev.get("cpu99", float("nan"))
            columns[f"previous ({args.previous_ref[:10]})"] = stats
        print_table(str(path), columns)
        if args.misses:
            for miss in columns["engine"]["misses"]:
                print("  ", *miss, sep=" | ")
    if not args.queries:
        longest_latency(engine, args.reps, None if args.no_previous else args.previous_ref)


if __name__ == "__main__":
    main()

"""Fit the learned part of the ranking (bot/search/ranking.toml) on the training parts of the labelled sets.

Usage: .venv/bin/python bench/fit_ranking.py [--write]   (then refit the decision: bench/fit_search.py --write)

Every long training question (``corrected``: the correction applies to long messages) is ranked by the
hand-weighted score alone, each round's questions recalling only the other rounds' example questions (as the
decision's fit does). For each question whose right procedure is among
the first ``NEGATIVES`` groups, the right group is paired with every other group among them; a logistic
regression without intercept over the differences of their features (``RANK_FEATURES`` and the hand score)
learns which comes first. The weights are divided by the hand score's, so the correction adds to the hand score
in its own units. Each round is also ranked by weights fitted without it (leave one round out): the counts
printed beside the hand ranking's are on questions those weights never saw. Only ``*_train.tsv`` files are read.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from fit_search import TRAIN, read_gold, round_engines, round_of, start  # noqa: E402

from bot.search.engine import SearchEngine  # noqa: E402
from bot.search.learned import RANK_FEATURES, RANKING_FILE, RankWeights, corrected  # noqa: E402

NEGATIVES = 20  # the right group is paired with the others among this many best (by the hand score)
C = 1.0  # regularisation of the logistic regression

# One question: (round, [(hand score, features, right?) for each of its best groups]).
Question = tuple[int, list[tuple[float, tuple[float, ...], bool]]]


def collect(engines: dict[int, SearchEngine]) -> list[Question]:
    """The best groups of every in-scope long training question, ranked by the hand score alone; ``engines``:
    round → the engine recalling the other rounds' examples (``fit_search.round_engines``; left as they are)."""
    hand_only: dict[int, SearchEngine] = {}
    for r, engine in engines.items():
        hand_only[r] = engine.with_memory(engine.parts.memory)  # the same memory, its own ranking weights
        hand_only[r].ranking = RankWeights.none()
    out: list[Question] = []
    for path in TRAIN:
        if path.name.startswith("offtopic"):
            continue
        round_ = round_of(path)
        eng = hand_only[round_]
        for query, gold in read_gold(path):
            if not gold:
                continue
            parsed, intent, situations = eng.parse(query)
            if parsed.codes or not parsed.slots or not corrected(parsed.words):
                continue
            ranked = eng.rank(parsed, intent, situations)[:NEGATIVES]
            right = [eng.representative(g, intent.who) in gold for g, _sc in ranked]
            out.append((round_, [(sc.score, sc.features, r) for (_g, sc), r in zip(ranked, right, strict=True)]))
    return out


def fit(questions: Sequence[Question]) -> tuple[float, ...]:
    """Weights of ``RANK_FEATURES`` in the hand score's units, fitted on ``questions``."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    diffs: list[list[float]] = []
    for _round, groups in questions:
        right = next((g for g in groups if g[2]), None)
        if right is None:
            continue
        for other in groups:
            if not other[2]:
                diffs.append([a - b for a, b in zip((*right[1], right[0]), (*other[1], other[0]), strict=True)])
    x = np.array(diffs + [[-v for v in d] for d in diffs])
    y = np.array([1] * len(diffs) + [0] * len(diffs))
    coef = LogisticRegression(C=C, fit_intercept=False, max_iter=5000).fit(x, y).coef_[0]
    if coef[-1] <= 0:
        raise SystemExit("the hand score came out with no positive weight: the data cannot be right")
    return tuple(float(w / coef[-1]) for w in coef[:-1])


def without_each_round(questions: Sequence[Question]) -> dict[int, RankWeights]:
    """Round → the weights fitted on the other rounds' questions (a round is never ranked by itself)."""
    rounds = sorted({r for r, _ in questions})
    return {r: RankWeights(fit([q for q in questions if q[0] != r])) for r in rounds}


def placed(questions: Sequence[Question], weights: Sequence[float] | None) -> tuple[int, int]:
    """How many questions have their right procedure first and in the first three, ranked by the hand score
    plus the correction of ``weights`` (None: the hand score alone)."""
    correction = RankWeights(tuple(weights)) if weights is not None else None
    first = three = 0
    for _round, groups in questions:
        def score(g: tuple[float, tuple[float, ...], bool]) -> float:
            return g[0] + (correction.correction(g[1]) if correction else 0.0)

        order = sorted(groups, key=score, reverse=True)
        first += bool(order and order[0][2])
        three += any(g[2] for g in order[:3])
    return first, three


def main() -> None:
    write, engine, source = start(__doc__ or "", RANKING_FILE)
    questions = collect(round_engines(engine))
    rounds = sorted({r for r, _ in questions})
    print(f"{len(questions)} in-scope long training questions from {source}; rounds {rounds}")
    hand = held_out = (0, 0)
    left_out = without_each_round(questions)
    for r in rounds:
        part = [q for q in questions if q[0] == r]
        h = placed(part, None)
        o = placed(part, left_out[r].weights)
        print(f"  round {r} ({len(part)}): first {h[0]} → {o[0]}, top three {h[1]} → {o[1]} "
              "(weights fitted without it)")
        hand, held_out = (hand[0] + h[0], hand[1] + h[1]), (held_out[0] + o[0], held_out[1] + o[1])
    weights = fit(questions)
    seen = placed(questions, weights)
    print(f"all rounds: first {hand[0]} → {held_out[0]} left out, {seen[0]} fitted on all; "
          f"top three {hand[1]} → {held_out[1]} left out, {seen[1]} fitted on all")
    lines = [
        "# Fitted by bench/fit_ranking.py on the long questions of bench/data/*_train.tsv (the correction applies",
        f"# to long messages): pairwise logistic regression, C = {C}, each right procedure against the others among",
        f"# the {NEGATIVES} best by the hand score; weights in the hand score's units. Leave one round out, the right",
        f"# procedure first for {hand[0]} → {held_out[0]} and in the top three for {hand[1]} → {held_out[1]} "
        f"of {len(questions)} questions.",
        "",
        "[weights]",
        *(f"{name} = {w:.6f}" for name, w in zip(RANK_FEATURES, weights, strict=True)),
    ]
    print("\n".join(lines))
    if write:
        RANKING_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written: {RANKING_FILE}")


if __name__ == "__main__":
    main()

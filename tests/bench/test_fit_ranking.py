"""The ranking's fit (bench/fit_ranking.py): it learns which evidence puts the right procedure first."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bot.search.learned import RANK_FEATURES

BENCH = Path(__file__).resolve().parents[2] / "bench"
RECALL = RANK_FEATURES.index("recall")


@pytest.fixture(scope="module")
def fit_ranking() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("fit_ranking")
    finally:
        sys.path.remove(str(BENCH))


def _features(recall: float) -> tuple[float, ...]:
    values = [0.0] * len(RANK_FEATURES)
    values[RECALL] = recall
    return tuple(values)


def _questions(n: int) -> list:
    """Questions whose hand score puts a wrong group first half of the time, while the right group is always
    the one an example question recalls."""
    out = []
    for i in range(n):
        right = (1.0, _features(0.8), True)
        wrong = (1.0 + (0.2 if i % 2 else -0.2), _features(0.1), False)
        other = (0.5, _features(0.0), False)
        out.append((i % 3 + 1, [right, wrong, other]))
    return out


def test_the_fit_learns_the_evidence_that_puts_the_right_procedure_first(fit_ranking: ModuleType) -> None:
    questions = _questions(60)
    assert fit_ranking.placed(questions, None) == (30, 60)  # the hand score alone: half first
    weights = fit_ranking.fit(questions)
    assert weights[RECALL] > 0.3
    assert fit_ranking.placed(questions, weights) == (60, 60)
    left_out = fit_ranking.without_each_round(questions)
    assert sorted(left_out) == [1, 2, 3]
    assert all(fit_ranking.placed([q for q in questions if q[0] == r], w.weights)[0] == 20 for r, w in left_out.items())

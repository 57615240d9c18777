"""The calibrated decision: answer, answer with alternatives, or ask.

A logistic model over ranking features gives the probability that the best result is right; its weights and
the two thresholds are fitted on labelled training questions by ``bench/fit_search.py`` and stored in
``decision.toml`` beside this module (pure Python at run time).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.search.ranking import Scored

DECISION_FILE = Path(__file__).with_name("decision.toml")
LONG_WORDS = 20  # a message this many words long is a long question (the labelled long sets' shortest length)
FEATURES: tuple[str, ...] = (
    "score",
    "margin",
    "coverage",
    "name_coverage",
    "situation",
    "situation_margin",
    "names_exactly",
    "length",
    "situation_long",
    "margin_long",
    "agrees",
    "learned",
)


def features(
    ranked: Sequence[tuple[int, Scored]], n_slots: int, names_exactly: bool, agrees: bool
) -> dict[str, float]:
    """Features of the best group of ``ranked`` (non-empty) against the runner-up; ``agrees``: the second
    opinion (:mod:`bot.search.second_opinion`) prefers the best group too."""
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else None
    length = min(n_slots, 40) / 40
    margin = top.score - (second.score if second else 0.0)
    return {
        "score": top.score,
        "margin": margin,
        "coverage": top.coverage,
        "name_coverage": top.name_coverage,
        "situation": top.situation,
        "situation_margin": top.situation - (second.situation if second else 0.0),
        "names_exactly": 1.0 if names_exactly else 0.0,
        "length": length,
        "situation_long": top.situation * length,
        "margin_long": margin * length,
        "agrees": 1.0 if agrees else 0.0,
        "learned": top.learned,
    }


@dataclass(frozen=True, slots=True)
class Decision:
    """Logistic weights and the thresholds: answer alone at ≥ ``answer_at``, with alternatives at ≥
    ``alternatives_at`` (those within ``alternative_gap`` of the best score), else ask. A message of
    ``long_words`` words or more is answered with alternatives at ≥ ``alternatives_long_at`` (long questions
    are calibrated on their own: their wrong answers are judged against their own limit). A question translated
    from English (fewer words reach the search, so the same probability is less often right) is answered at
    ≥ ``translated_at`` only."""

    weights: dict[str, float]
    bias: float
    answer_at: float
    alternatives_at: float
    alternative_gap: float
    translated_at: float
    alternatives_long_at: float
    long_words: int

    def answers_at(self, words: int, translated: bool = False) -> float:
        """The probability from which a message of ``words`` words is answered (with alternatives)."""
        if translated:
            return self.translated_at
        return self.alternatives_long_at if words >= self.long_words else self.alternatives_at

    def probability(self, values: dict[str, float]) -> float:
        """Calibrated probability that the best result is right."""
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def read(cls, path: Path = DECISION_FILE) -> Decision:
        """Read the fitted decision (a small TOML file)."""
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            answer_at=float(data["thresholds"]["answer"]),
            alternatives_at=float(data["thresholds"]["alternatives"]),
            alternative_gap=float(data["thresholds"]["alternative_gap"]),
            translated_at=float(data["thresholds"].get("translated", data["thresholds"]["alternatives"])),
            alternatives_long_at=float(data["thresholds"].get("alternatives_long", data["thresholds"]["alternatives"])),
            long_words=int(data["thresholds"].get("long_words", LONG_WORDS)),
        )


DECISION = Decision.read()

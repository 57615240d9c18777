"""The learned part of the ranking: a linear correction to the hand-weighted score of a long message's candidates.

The hand-weighted score (coverage, BM25, name, situations, example questions; :mod:`bot.search.engine`) was set
on short questions; in a long message (a story around its question) weights over the same evidence, fitted on
labelled long training questions by ``bench/fit_ranking.py`` (pairwise logistic regression: the right procedure
against the others ranked near it), correct how much each kind of evidence counts. They are stored in
``ranking.toml`` beside this module, relative to the hand score (pure Python at run time).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul
from pathlib import Path
from typing import Any

from bot.search.decision import LONG_WORDS
from bot.search.ranking import Scored

RANKING_FILE = Path(__file__).with_name("ranking.toml")
RANK_FEATURES: tuple[str, ...] = (
    "coverage",  # share of the message the candidate explains
    "bm25",  # BM25 against the best candidate's
    "name_coverage",  # share of its name's head words the message says
    "fuzzy",  # character similarity of the message and its name
    "unstated_cases",  # special cases its name carries that the message does not state
    "stated_case",  # the message states a special case its name carries
    "asking",  # share of the sentence that asks which it explains
    "not_served",  # filed at no level this office serves
    "organisation",  # only organisations file it (and the asker is not said to be one)
    "customs",  # customs declarants file it (idem)
    "staff",  # only police or army staff file it (idem)
    "situation_share",  # a situation calls for it, times its share of the message next to the best candidate's
    "situation",  # how specifically a situation of the message calls for it
    "recall",  # recall of the example questions most like the message
)


def corrected(words: int) -> bool:
    """Whether a message of ``words`` words gets the learned correction: a long one, a story around its
    question (short ones keep the hand weights, which were set on them: the correction fitted on short
    training questions put the right procedure first for under 1% more of them and made generic ones such as
    "lam cccd" less sure)."""
    return words >= LONG_WORDS


def candidate_features(
    sc: Scored, *, situation_share: float, recall: float, not_served: bool, audience: str | None
) -> tuple[float, ...]:
    """The values of :data:`RANK_FEATURES` for one candidate; ``audience``: who alone files it when the message
    does not say the asker is one of them ("organisation", "customs", "staff"), else None."""
    return (
        sc.coverage,
        sc.bm25_share,
        sc.name_coverage,
        sc.fuzzy,
        float(min(sc.unstated, 3)),
        1.0 if sc.stated_case else 0.0,
        sc.asking,
        1.0 if not_served else 0.0,
        1.0 if audience == "organisation" else 0.0,
        1.0 if audience == "customs" else 0.0,
        1.0 if audience == "staff" else 0.0,
        situation_share,
        sc.situation,
        recall,
    )


@dataclass(frozen=True, slots=True)
class RankWeights:
    """Weights of :data:`RANK_FEATURES`, in the hand score's units: a candidate's score is its hand score plus
    :meth:`correction`."""

    weights: tuple[float, ...]

    def correction(self, values: Sequence[float]) -> float:
        """What the learned weights add to a candidate's hand score."""
        total: float = sum(map(mul, self.weights, values))  # one C-level pass over up to ~100 candidates
        return total

    @classmethod
    def none(cls) -> RankWeights:
        """No correction: the hand-weighted ranking alone (the fit reads the evidence through it)."""
        return cls((0.0,) * len(RANK_FEATURES))

    @classmethod
    def read(cls, path: Path = RANKING_FILE) -> RankWeights:
        """Read the fitted weights (a small TOML file); a feature it does not name weighs nothing."""
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
        weights = data["weights"]
        unknown = set(weights) - set(RANK_FEATURES)
        if unknown:
            raise ValueError(f"{path}: unknown ranking features {sorted(unknown)}")
        return cls(tuple(float(weights.get(name, 0.0)) for name in RANK_FEATURES))


RANKING = RankWeights.read()

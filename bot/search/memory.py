"""Recalling example questions (``questions.tsv``) like a new message: which procedures answered them.

A message is compared with every example by the cosine of their TF-IDF vectors over folded syllables and
syllable pairs (stop words left out). The procedures of the ``NEIGHBOURS`` most similar examples, at least
``MIN_SIMILARITY`` alike, are recalled, each with the similarity of its closest example times its share of the
neighbours' similarity (a sibling procedure one neighbour of five answered counts little); ranking adds a bonus
for them (:func:`bot.search.engine.SearchEngine.rank`). An example labelled ``NONE`` (what the catalog lacks)
recalls that label like a code. Citizens ask about the same procedures in the same words again
and again, so a question like one an officer already labelled is most often about the same procedure.

Only a message's ``QUERY_TERMS`` most telling terms found in at most ``COMMON_SHARE`` of the examples (or
``COMMON_AT_LEAST`` of them) are looked up: the rest carry little weight and would make a long message slow.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

from bot.search.normalize import tokenize
from bot.search.stopwords import STOPWORDS

NEIGHBOURS = 5
MIN_SIMILARITY = 0.2
QUERY_TERMS = 40
COMMON_SHARE = 0.05
COMMON_AT_LEAST = 20  # a few examples (a new office's own): a term is common only past this many
SAME_QUESTION = 1.0  # the recall of the procedures of an example that is the message itself (folded)


def _terms(syllables: list[str]) -> Counter[str]:
    """Folded syllables (no stop words) and the pairs of syllables next to each other once those are gone."""
    toks = [t for t in syllables if t not in STOPWORDS]
    return Counter(toks + [f"{a} {b}" for a, b in pairwise(toks)])


class QuestionMemory:
    """Example questions with their procedure codes, indexed for recall."""

    def __init__(self, examples: Iterable[tuple[str, Sequence[str]]] = ()) -> None:
        counted: list[Counter[str]] = []
        self._codes: list[tuple[str, ...]] = []
        self._exact: dict[str, tuple[str, ...]] = {}
        for question, codes in examples:
            syllables = tokenize(question)
            terms = _terms(syllables)
            if terms and codes:
                counted.append(terms)
                self._codes.append(tuple(codes))
                key = " ".join(syllables)
                self._exact[key] = tuple(dict.fromkeys((*self._exact.get(key, ()), *codes)))
        n = len(counted)
        df = Counter(t for terms in counted for t in terms)
        self._idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(n + 1) if n else 0.0
        limit = max(COMMON_SHARE * n, COMMON_AT_LEAST)
        lists: dict[str, tuple[array[int], array[float]]] = {}
        for i, terms in enumerate(counted):
            for term, weight in _unit(terms, self._idf, self._unknown_idf).items():
                if df[term] <= limit:  # a common term is never looked up: its list is not kept
                    entry = lists.setdefault(term, (array("I"), array("f")))
                    entry[0].append(i)
                    entry[1].append(weight)
        self._postings = lists

    def __len__(self) -> int:
        return len(self._codes)

    def recall(self, text: str) -> dict[str, float]:
        """The codes of the examples most like ``text``: each with the similarity of its closest example times its
        share of the neighbours' similarity (a procedure most neighbours answered counts fully; one a single
        neighbour of five answered, a fifth) — or ``SAME_QUESTION`` for those of an example that is the message
        itself, word for word once folded."""
        if not self._codes:
            return {}
        syllables = tokenize(text)
        vector = _unit(_terms(syllables), self._idf, self._unknown_idf)
        looked = sorted((w, t) for t, w in vector.items() if t in self._postings)[-QUERY_TERMS:]
        sims: dict[int, float] = {}
        for weight, term in looked:
            ids, weights = self._postings[term]
            for i, w in zip(ids, weights, strict=True):
                sims[i] = sims.get(i, 0.0) + weight * w
        best = [(i, sim) for i, sim in sorted(sims.items(), key=lambda kv: kv[1], reverse=True)[:NEIGHBOURS]
                if sim >= MIN_SIMILARITY]
        total = sum(sim for _i, sim in best)
        votes: dict[str, float] = {}
        closest: dict[str, float] = {}
        for i, sim in best:
            for code in self._codes[i]:
                votes[code] = votes.get(code, 0.0) + sim
                closest[code] = max(closest.get(code, 0.0), sim)
        recalled = {code: closest[code] * votes[code] / total for code in votes}
        for code in self._exact.get(" ".join(syllables), ()):  # the message is an example, word for word folded
            recalled[code] = SAME_QUESTION
        return recalled


def _unit(terms: Counter[str], idf: dict[str, float], unknown: float) -> dict[str, float]:
    """Log-scaled TF-IDF weights of ``terms``, scaled to unit length."""
    weights = {t: (1.0 + math.log(n)) * idf.get(t, unknown) for t, n in terms.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}

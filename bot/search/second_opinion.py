"""A second opinion for the decision: plain BM25 over each procedure's name and field.

It reads the message as typed (syllables with diacritics folded; no lexicon, situations, spelling fixes or
weights), so it errs differently from the engine. When its best procedure is the engine's best group, the
engine is more often right: the agreement is one of the decision's features (``agrees``), fitted like the others.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from bot.catalog.model import Procedure
from bot.search.normalize import tokenize

K1 = 1.5
B = 0.75
MAX_CHARS = 2000  # a longer message is read this far (as the situations read it)


class PlainBm25:
    """Okapi BM25 (Lucene's idf) over the folded syllables of each procedure's name and field."""

    def __init__(self, procedures: Sequence[Procedure]) -> None:
        docs = [tokenize(f"{p.name} {p.field}") for p in procedures]
        avg = (sum(map(len, docs)) / len(docs) if docs else 0.0) or 1.0
        lists: dict[str, tuple[array[int], array[float]]] = {}
        for doc_id, toks in enumerate(docs):
            norm = K1 * (1.0 - B + B * len(toks) / avg)
            for term, tf in Counter(toks).items():
                entry = lists.setdefault(term, (array("I"), array("f")))
                entry[0].append(doc_id)
                entry[1].append(tf / (tf + norm))
        n = len(docs)
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        for term, (ids, parts) in lists.items():
            idf = math.log(1.0 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self._postings[term] = (ids, array("f", [idf * w for w in parts]))

    def scores(self, text: str, doc_ids: Sequence[int]) -> list[float]:
        """BM25 of ``text`` (its first ``MAX_CHARS`` characters) for each of ``doc_ids``, looked up per syllable:
        cheap for a few candidates."""
        out = [0.0] * len(doc_ids)
        for term, count in Counter(tokenize(text[:MAX_CHARS])).items():
            entry = self._postings.get(term)
            if entry is None:
                continue
            ids, weights = entry
            for k, d in enumerate(doc_ids):
                i = bisect_left(ids, d)
                if i < len(ids) and ids[i] == d:
                    out[k] += count * weights[i]
        return out

"""Candidate retrieval: BM25F over the inverted index, computed with numpy over the index's flat arrays.

Each slot of the message contributes its best alternative (its best wording for each document), each
alternative the sum of its terms' weights times its factor. Rare terms select the candidates through their
postings; frequent terms (``index.common``) only add to the candidates selected, unless no rare term matched,
when they select too. A long message's rare terms reach hundreds of documents: the ``PRESELECT`` best by the
selecting terms are scored in full.

The work is a handful of array operations whatever the message's length (a 90-word letter has some 200
wordings of 1,000 terms): every posting the message reaches is gathered once, summed per wording and
document with ``bincount``, reduced per slot with ``maximum.reduceat``.
"""

from __future__ import annotations

import weakref
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.search.index import InvertedIndex
from bot.search.query import ParsedQuery

CANDIDATES = 25
PRESELECT = 60  # documents the rare terms select before frequent terms are added (caps work per message)

Floats = NDArray[Any]  # float64 (numpy's stubs type the results of most operations loosely)
Ints = NDArray[Any]  # int64


@dataclass(frozen=True, slots=True)
class _Arrays:
    """The index's postings seen as numpy arrays (no copy), and its frequent terms' dense rows (one matrix)."""

    position: dict[str, int]
    offsets: array[int]  # read one by one per term: the array itself, not a numpy view (no scalar objects)
    docs: NDArray[np.uint32]
    weights: NDArray[np.float32]
    common_row: dict[str, int]
    common: NDArray[np.float32]  # frequent term × document (the index's own matrix)


_ARRAYS: weakref.WeakKeyDictionary[InvertedIndex, _Arrays] = weakref.WeakKeyDictionary()


def _arrays(index: InvertedIndex) -> _Arrays:
    found = _ARRAYS.get(index)
    if found is None:
        position, offsets, docs, weights = index.postings.flat()
        found = _Arrays(
            position,
            offsets,
            np.frombuffer(docs, dtype=np.uint32),
            np.frombuffer(weights, dtype=np.float32),
            index.common,
            index.common_weights,
        )
        _ARRAYS[index] = found
    return found


@dataclass(slots=True)
class _Wordings:
    """What a message's wordings reach: each slot's first wording, every wording's factor, the stretches of the
    postings its rare terms own and the rows of its frequent terms."""

    slot_starts: list[int]
    factors: list[float]
    rare_of: list[int]  # wording of each rare stretch
    starts: list[int]
    ends: list[int]
    common_of: list[int]  # wording of each frequent term
    common_rows: list[int]


def _wordings(arrays: _Arrays, query: ParsedQuery) -> _Wordings:
    w = _Wordings([], [], [], [], [], [], [])
    position, offsets, common_row = arrays.position, arrays.offsets, arrays.common_row
    for slot in query.slots:
        w.slot_starts.append(len(w.factors))
        for alt in slot.alternatives:
            k = len(w.factors)
            w.factors.append(alt.factor)
            for term in alt.terms:
                row = common_row.get(term)
                if row is not None:
                    w.common_of.append(k)
                    w.common_rows.append(row)
                    continue
                i = position.get(term)
                if i is not None:
                    w.rare_of.append(k)
                    w.starts.append(offsets[i])
                    w.ends.append(offsets[i + 1])
    return w


def _gather(arrays: _Arrays, w: _Wordings) -> tuple[Ints, Floats, Ints]:
    """Every rare posting reached: its document, its weight times its wording's factor, its wording."""
    starts = np.asarray(w.starts, dtype=np.int64)
    lengths = np.asarray(w.ends, dtype=np.int64) - starts
    total = int(lengths.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    ends = np.cumsum(lengths)
    at = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)
    wording = np.repeat(np.asarray(w.rare_of, dtype=np.int64), lengths)
    factors = np.asarray(w.factors)
    return arrays.docs[at].astype(np.int64), arrays.weights[at] * factors[wording], wording


def _best_per_slot(per_wording: Floats, slot_starts: list[int]) -> Floats:
    """Each slot's best wording per candidate (rows: wordings, columns: candidates), summed over the slots."""
    best: Floats = np.maximum.reduceat(per_wording, slot_starts, axis=0)
    total: Floats = best.sum(axis=0)
    return total


def _selecting(
    doc: Ints, weight: Floats, wording: Ints, slot_of: Ints, n_docs: int
) -> tuple[Ints, Ints, Floats, Floats]:
    """The rare postings summed per wording and document (pairs: wording, document, weight), and what selects
    each document: per slot its best wording's weight, summed (dense over the documents)."""
    pairs, at = np.unique(wording * n_docs + doc, return_inverse=True)
    summed: Floats = np.bincount(at.reshape(-1), weights=weight)
    pair_wording, pair_doc = np.divmod(pairs, n_docs)
    by_slot = slot_of[pair_wording] * n_docs + pair_doc
    order = np.argsort(by_slot, kind="stable")
    by_slot = by_slot[order]
    heads = np.flatnonzero(np.concatenate(([True], by_slot[1:] != by_slot[:-1])))
    best = np.maximum.reduceat(summed[order], heads)
    selects: Floats = np.bincount(by_slot[heads] % n_docs, weights=best, minlength=n_docs)
    return pair_wording, pair_doc, summed, selects


def _top(docs: Ints, scores: Floats, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document, score) with a positive score, best first; ties in document order."""
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order if scores[i] > 0.0]


def retrieve(index: InvertedIndex, query: ParsedQuery, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """Top documents by BM25F, each slot contributing its best alternative (see the module's docstring)."""
    if not query.slots:
        return []
    arrays = _arrays(index)
    n_docs = len(index.docs)
    w = _wordings(arrays, query)
    n_wordings = len(w.factors)
    doc, weight, wording = _gather(arrays, w)
    if len(doc):
        slot_of = np.repeat(np.arange(len(w.slot_starts)), np.diff([*w.slot_starts, n_wordings]))
        pair_wording, pair_doc, summed, selects = _selecting(doc, weight, wording, slot_of, n_docs)
        cands = np.flatnonzero(selects > 0.0)
        if len(cands) > PRESELECT:  # the best by the selecting terms alone
            cands = np.sort(cands[np.lexsort((cands, -selects[cands]))[:PRESELECT]])
        column = np.full(n_docs, -1, dtype=np.int64)
        column[cands] = np.arange(len(cands))
        kept = column[pair_doc] >= 0
        scores = np.zeros((n_wordings, len(cands)))
        scores[pair_wording[kept], column[pair_doc[kept]]] = summed[kept]
    elif w.common_rows:  # only frequent terms matched: they select too (all are scored: few messages)
        cands = np.flatnonzero(arrays.common[np.unique(w.common_rows)].any(axis=0)).astype(np.int64)
        scores = np.zeros((n_wordings, len(cands)))
    else:
        return []
    if w.common_rows:  # frequent terms add their dense weights, wording by wording (in order)
        of = np.asarray(w.common_of)
        added = arrays.common[np.ix_(np.asarray(w.common_rows), cands)] * np.asarray(w.factors)[of][:, None]
        heads = np.flatnonzero(np.concatenate(([True], of[1:] != of[:-1])))
        scores[of[heads]] += np.add.reduceat(added, heads, axis=0)
    return _top(cands, _best_per_slot(scores, w.slot_starts), limit)

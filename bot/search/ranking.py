"""Scoring candidates: BM25F retrieval, then re-ranking by how well each explains the query."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

from bot.search.index import DocInfo, InvertedIndex
from bot.search.query import Alternative, ParsedQuery, similarity

CANDIDATES = 25
SECONDARY_CREDIT = 0.5  # a syllable found only in the result document / field counts half
ORIGINAL_COVERAGE = 0.8  # a lexicon term matched by its own words (not its official wording)
W_COVERAGE, W_BM25, W_NAME, W_FUZZY = 0.55, 0.2, 0.15, 0.1
MARKER_PENALTY, MAX_MARKER_PENALTY = 0.03, 0.09
MARKER_STATED_BONUS = 0.05  # the message states the special case ("đăng ký lại", "lưu động"): prefer that member


@dataclass(slots=True)
class Scored:
    """One candidate procedure with its ranking features."""

    doc_id: int
    bm25: float
    coverage: float = 0.0
    name_coverage: float = 0.0
    fuzzy: float = 0.0
    score: float = 0.0
    situation: float = 0.0  # how specifically a situation of the message calls for this procedure (0..1)


def retrieve(index: InvertedIndex, query: ParsedQuery, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """Top documents by BM25F, each slot contributing its best alternative.

    Rare terms select the candidates through their postings; frequent terms (``index.common``) are
    then only looked up for those candidates. When no rare term matches, frequent ones select too.
    """
    alts = [alt for slot in query.slots for alt in slot.alternatives]
    scores: list[dict[int, float]] = [{} for _ in alts]
    deferred: list[tuple[int, str]] = []
    for k, alt in enumerate(alts):
        acc = scores[k]
        for term in alt.terms:
            if term in index.common:
                deferred.append((k, term))
                continue
            entry = index.postings.get(term)
            if entry is None:
                continue
            if not acc:  # the first term: one C-level dict build instead of a loop
                acc.update(zip(*entry, strict=True))
                continue
            for doc, w in zip(*entry, strict=True):
                acc[doc] = acc.get(doc, 0.0) + w
    candidates = {d for acc in scores for d in acc}
    for k, term in deferred:
        acc = scores[k]
        weights = index.common[term]
        if candidates:
            docs, posted = index.postings[term]
            if len(docs) < len(candidates):  # walk the shorter of the two: same sums
                for doc, w in zip(docs, posted, strict=True):
                    if doc in candidates:
                        acc[doc] = acc.get(doc, 0.0) + w
            else:
                for doc in candidates:
                    w = weights[doc]
                    if w:
                        acc[doc] = acc.get(doc, 0.0) + w
        else:
            for doc, w in zip(*index.postings[term], strict=True):
                acc[doc] = acc.get(doc, 0.0) + w
    total: dict[int, float] = {}
    k = 0
    for slot in query.slots:
        best: dict[int, float] = {}
        for alt in slot.alternatives:
            acc = scores[k]
            k += 1
            f = alt.factor
            if not best and f == 1.0:  # the first alternative at full weight: copy what scored
                best = {doc: sc for doc, sc in acc.items() if sc > 0.0}
                continue
            for doc, sc in acc.items():
                sc *= f
                if sc > best.get(doc, 0.0):
                    best[doc] = sc
        if not total:
            total = best
            continue
        for doc, sc in best.items():
            total[doc] = total.get(doc, 0.0) + sc
    return heapq.nlargest(limit, total.items(), key=_second)


def _second(kv: tuple[int, float]) -> float:
    return kv[1]


def _alt_coverage(doc: DocInfo, alt: Alternative) -> float:
    got = mass = 0.0
    for u in alt.units:
        mass += u.weight
        if u.accented is None:
            if u.folded in doc.primary:
                got += u.weight
            elif u.folded in doc.secondary:
                got += SECONDARY_CREDIT * u.weight
        elif u.accented in doc.primary:
            got += u.weight
        elif u.accented in doc.secondary:
            got += SECONDARY_CREDIT * u.weight
    cov = got / mass if mass else 0.0
    return cov * ORIGINAL_COVERAGE if alt.factor != 1.0 else cov


def coverage(doc: DocInfo, query: ParsedQuery) -> float:
    """Share of the query's evidence (weighted by rarity) that this procedure's text contains."""
    total = query.weight
    if total <= 0:
        return 0.0
    got = sum(s.weight * max(_alt_coverage(doc, a) for a in s.alternatives) for s in query.slots)
    return got / total


def query_terms(query: ParsedQuery) -> frozenset[str]:
    """Every folded informative syllable the query (with its expansions) mentions."""
    return frozenset(u.folded for s in query.slots for a in s.alternatives for u in a.units)


def stated(marker: tuple[str, ...], terms: frozenset[str]) -> bool:
    """Whether the query says a special-case phrase, its syllables side by side."""
    if len(marker) == 1:
        return marker[0] in terms
    return all(f"{a} {b}" in terms for a, b in itertools.pairwise(marker))


def rerank(index: InvertedIndex, query: ParsedQuery, found: list[tuple[int, float]]) -> list[Scored]:
    """Score retrieved candidates by coverage, BM25, name coverage and fuzzy similarity."""
    if not found:
        return []
    top_bm25 = found[0][1] or 1.0
    terms = query_terms(query)
    qtext = " ".join(sorted(terms))
    all_terms = terms | frozenset(t for s in query.slots for a in s.alternatives for t in a.terms)
    out: list[Scored] = []
    for doc_id, bm25 in found:
        doc = index.docs[doc_id]
        sc = Scored(doc_id, bm25)
        sc.coverage = coverage(doc, query)
        name_mass = sum(doc.name_terms.values())
        got = sum(w for t, w in doc.name_terms.items() if t in terms)
        sc.name_coverage = got / name_mass if name_mass else 0.0
        sc.fuzzy = similarity(qtext, doc.name_folded)
        sc.score = (
            W_COVERAGE * sc.coverage
            + W_BM25 * min(bm25 / top_bm25, 1.0)
            + W_NAME * sc.name_coverage
            + W_FUZZY * sc.fuzzy
            - min(MAX_MARKER_PENALTY, MARKER_PENALTY * sum(not stated(m, all_terms) for m in doc.markers))
            + MARKER_STATED_BONUS * any(stated(m, all_terms) for m in doc.markers)
        )
        out.append(sc)
    out.sort(key=lambda s: s.score, reverse=True)
    return out

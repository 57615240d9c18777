"""Scoring candidates: BM25F retrieval, then re-ranking by how well each explains the query."""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import add, itemgetter

from bot.search.index import DocInfo, InvertedIndex
from bot.search.query import Alternative, ParsedQuery, Slot, similarity

CANDIDATES = 25
PRESELECT = 60  # documents the rare terms select before frequent terms are added (caps work per message)
SECONDARY_CREDIT = 0.5  # a syllable found only in the result document / field counts half
ORIGINAL_COVERAGE = 0.8  # a lexicon term matched by its own words (not its official wording)
W_COVERAGE, W_BM25, W_NAME, W_FUZZY = 0.55, 0.2, 0.15, 0.1
MARKER_PENALTY, MAX_MARKER_PENALTY = 0.03, 0.09
W_ASKING = 0.15  # the share of the sentence that asks which a candidate explains, added again (a long message)
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
    bm25_share: float = 0.0  # BM25 against the best candidate's (0..1)
    asking: float = 0.0  # share of the sentence that asks which it explains (0 when there is none)
    unstated: int = 0  # special cases its name carries that the message does not state ("lưu động")
    stated_case: bool = False  # the message states a special case its name carries
    features: tuple[float, ...] = ()  # what the learned part of the ranking reads (bot.search.learned)
    learned: float = 0.0  # what the learned part added to its score (a long message's candidates only)


def retrieve(index: InvertedIndex, query: ParsedQuery, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """Top documents by BM25F, each slot contributing its best alternative.

    Rare terms select the candidates through their postings (each slot through its best wording for each
    document, as in scoring: "mất" read as *lost* or *died* selects by one meaning, not both); frequent
    terms (``index.common``) are then only looked up for those candidates. When no rare term matches,
    frequent ones select too.
    Scores are vectors over the sorted candidates: a frequent term, a slot's best alternative and the
    slot sum are each one C-level ``map`` instead of a loop of per-document dictionary updates.
    """
    alts = [alt for slot in query.slots for alt in slot.alternatives]
    postings = index.postings
    common = index.common
    selecting: dict[int, float] = {}
    for slot in query.slots:
        if len(slot.alternatives) == 1:
            _select(selecting, slot.alternatives[0], postings, common)
            continue
        strongest: dict[int, float] = {}  # a slot's wordings compete: each document keeps its best one
        for alt in slot.alternatives:
            one: dict[int, float] = {}
            _select(one, alt, postings, common)
            for doc, w in one.items():
                if w > strongest.get(doc, 0.0):
                    strongest[doc] = w
        for doc, w in strongest.items():
            selecting[doc] = selecting.get(doc, 0.0) + w
    if not selecting:  # only frequent terms matched: they select too
        for alt in alts:
            for term in alt.terms:
                if term in common:
                    selecting.update(dict.fromkeys(postings[term][0], 0.0))
    if not selecting:
        return []
    if len(selecting) > PRESELECT:  # a long message's rare words reach hundreds of documents: keep the best
        selecting = dict(heapq.nlargest(PRESELECT, selecting.items(), key=_second))
    cands = sorted(selecting)
    n = len(cands)
    pos = {doc: i for i, doc in enumerate(cands)}
    pick = _picker(cands)
    total = [0.0] * n
    for slot in query.slots:
        alts_ = slot.alternatives
        if len(alts_) == 1 and alts_[0].factor == 1.0:  # the usual slot: add straight into the total
            total = _add_terms(total, alts_[0].terms, postings, common, pos, pick)
            continue
        best: list[float] | None = None
        for alt in alts_:
            vec = _add_terms([0.0] * n, alt.terms, postings, common, pos, pick)
            if alt.factor != 1.0:
                vec = [x * alt.factor for x in vec]
            best = vec if best is None else list(map(max, best, vec))
        if best is not None:
            total = list(map(add, total, best))
    scored = [(doc, sc) for doc, sc in zip(cands, total, strict=True) if sc > 0.0]
    return heapq.nlargest(limit, scored, key=_second)


def _select(
    into: dict[int, float],
    alt: Alternative,
    postings: Mapping[str, tuple[array[int], array[float]]],
    common: dict[str, array[float]],
) -> None:
    """Adds the BM25F weights of ``alt``'s rare terms (times its factor) to ``into``."""
    for term in alt.terms:
        if term not in common:
            entry = postings.get(term)
            if entry is not None:
                for doc, w in zip(*entry, strict=True):
                    into[doc] = into.get(doc, 0.0) + w * alt.factor


def _picker(cands: list[int]) -> Callable[[array[float]], Iterable[float]]:
    """Reads the candidates' weights out of a dense per-document array in one C-level call."""
    if len(cands) == 1:
        only = cands[0]
        return lambda dense: (dense[only],)
    getter: Callable[[array[float]], Iterable[float]] = itemgetter(*cands)
    return getter


def _add_terms(
    vec: list[float],
    terms: tuple[str, ...],
    postings: Mapping[str, tuple[array[int], array[float]]],
    common: dict[str, array[float]],
    pos: dict[int, int],
    pick: Callable[[array[float]], Iterable[float]],
) -> list[float]:
    """``vec`` (scores over the candidates) plus the BM25F weights of ``terms``."""
    for term in terms:
        dense = common.get(term)
        if dense is not None:
            vec = list(map(add, vec, pick(dense)))
            continue
        entry = postings.get(term)
        if entry is None:
            continue
        for doc, w in zip(*entry, strict=True):
            i = pos.get(doc)
            if i is not None:
                vec[i] += w
    return vec


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


class Evidence:
    """A query's evidence prepared once for scoring many candidates.

    Most slots are one word typed by the user (one alternative, one syllable): their weights are pooled
    by syllable so that a document's share of them is two set intersections. Other slots are scored one
    by one.
    """

    __slots__ = ("complex", "simple", "total")

    def __init__(self, query: ParsedQuery) -> None:
        self.total = query.weight
        self.simple: dict[str, float] = {}
        self.complex: list[Slot] = []
        for s in query.slots:
            alt = s.alternatives[0]
            if len(s.alternatives) == 1 and len(alt.units) == 1 and alt.factor == 1.0:
                u = alt.units[0]
                key = u.folded if u.accented is None else u.accented
                self.simple[key] = self.simple.get(key, 0.0) + s.weight
            else:
                self.complex.append(s)

    def coverage(self, doc: DocInfo) -> float:
        """Share of the query's evidence (weighted by rarity) that this procedure's text contains."""
        if self.total <= 0:
            return 0.0
        simple = self.simple
        got = 0.0
        if simple:
            primary = doc.primary.intersection(simple)
            for key in primary:
                got += simple[key]
            for key in doc.secondary.intersection(simple):
                if key not in primary:
                    got += SECONDARY_CREDIT * simple[key]
        for s in self.complex:
            got += s.weight * max(_alt_coverage(doc, a) for a in s.alternatives)
        return got / self.total


def coverage(doc: DocInfo, query: ParsedQuery) -> float:
    """Share of the query's evidence (weighted by rarity) that this procedure's text contains."""
    return Evidence(query).coverage(doc)


def query_terms(query: ParsedQuery) -> frozenset[str]:
    """Every folded informative syllable the query (with its expansions) mentions."""
    return frozenset(u.folded for s in query.slots for a in s.alternatives for u in a.units)


def stated(marker: tuple[str, ...], terms: frozenset[str]) -> bool:
    """Whether the query says a special-case phrase, its syllables side by side."""
    if len(marker) == 1:
        return marker[0] in terms
    return all(f"{a} {b}" in terms for a, b in itertools.pairwise(marker))


def rerank(
    index: InvertedIndex, query: ParsedQuery, found: list[tuple[int, float]], implied: frozenset[str] = frozenset()
) -> list[Scored]:
    """Score retrieved candidates by coverage (of the whole message and again of the sentence that asks), BM25,
    name coverage and fuzzy similarity; ``implied``: words the message states in other words (a country it names
    states "yếu tố nước ngoài"), read for names and special cases."""
    if not found:
        return []
    top_bm25 = found[0][1] or 1.0
    terms = query_terms(query)
    qtext = " ".join(sorted(terms))
    said = terms | implied
    all_terms = said | frozenset(t for s in query.slots for a in s.alternatives for t in a.terms)
    evidence = Evidence(query)
    asking = Evidence(query.asking) if query.asking is not None and query.asking.slots else None
    out: list[Scored] = []
    for doc_id, bm25 in found:
        doc = index.docs[doc_id]
        sc = Scored(doc_id, bm25)
        sc.coverage = evidence.coverage(doc)
        name_mass = sum(doc.name_terms.values())
        got = sum(w for t, w in doc.name_terms.items() if t in said)
        sc.name_coverage = got / name_mass if name_mass else 0.0
        sc.fuzzy = similarity(qtext, doc.name_folded)
        sc.bm25_share = min(bm25 / top_bm25, 1.0)
        sc.unstated = sum(not stated(m, all_terms) for m in doc.markers)
        sc.stated_case = any(stated(m, all_terms) for m in doc.markers)
        sc.score = (
            W_COVERAGE * sc.coverage
            + W_BM25 * sc.bm25_share
            + W_NAME * sc.name_coverage
            + W_FUZZY * sc.fuzzy
            - min(MAX_MARKER_PENALTY, MARKER_PENALTY * sc.unstated)
            + MARKER_STATED_BONUS * sc.stated_case
        )
        if asking is not None:  # the question outweighs the story: "… đã khóa VNeID. Nay muốn mở khóa …"
            sc.asking = asking.coverage(doc)
            sc.score += W_ASKING * sc.asking
        out.append(sc)
    out.sort(key=lambda s: s.score, reverse=True)
    return out

"""Scoring candidates (found by :mod:`bot.search.retrieval`): re-ranking by how well each explains the query."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.search.index import DocInfo, InvertedIndex
from bot.search.query import Alternative, ParsedQuery, Slot, similarity

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


def said_terms(query: ParsedQuery) -> frozenset[str]:
    """Every syllable and pair of syllables the query's wordings say, what :func:`stated` reads."""
    return frozenset(t for s in query.slots for a in s.alternatives for t in a.terms)


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
    all_terms = said | said_terms(query)
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

"""The search engine: procedures + lexicon in, ranked and grouped results with a confidence out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.catalog.model import Level, LexiconEntry, Procedure
from bot.search.grouping import group_key, level_rank, pick_representative
from bot.search.index import InvertedIndex
from bot.search.lexicon import LexiconMatcher
from bot.search.query import ParsedQuery, QueryParser
from bot.search.ranking import Scored, query_terms, rerank, retrieve
from bot.search.stopwords import STOPWORDS

Confidence = Literal["confident", "ambiguous", "none"]

# Confidence rules (coverage = share of the query's informative words the best result explains).
MIN_COVERAGE = 0.55  # below: nothing relevant
# Answer directly when the best result explains most of the query and clearly beats the next one:
# (coverage, margin over the second group) pairs, any of which suffices.
SUGGEST_COVERAGE = 0.4  # below MIN_COVERAGE but at least this, with a phrase match: offer choices
PHRASE_CHECK_DEPTH = 5  # candidates checked for two query words side by side
CONFIDENT_RULES: tuple[tuple[float, float], ...] = ((0.8, 0.045), (0.7, 0.1))
NON_PREFERRED_FACTOR = 0.95  # groups not served at this office's levels rank slightly lower
ORGANISATIONS_ONLY_FACTOR = 0.96  # citizens ask; procedures only organisations file rank lower
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: a procedure (at the preferred level) and its codes at other levels."""

    code: str
    name: str
    score: float
    variants: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked hits, the code to present directly (if any) and how sure the engine is."""

    results: list[Hit]
    answer: str | None
    confidence: Confidence


@dataclass(slots=True)
class _Group:
    members: list[int]
    representative: int


def _name_words(name_folded: str) -> frozenset[str]:
    """The words of a procedure name that a question naming it must contain (no "thủ tục", no filler)."""
    words = name_folded.split()
    if words[:2] == ["thu", "tuc"]:
        words = words[2:]
    return frozenset(w for w in words if w not in STOPWORDS)


class SearchEngine:
    """Finds procedures for citizens' free-text questions. Build once, query many times."""

    def __init__(
        self,
        procedures: Sequence[Procedure],
        index: InvertedIndex,
        parser: QueryParser,
        groups: list[_Group],
        preferred: list[Level],
    ) -> None:
        self._procedures = procedures
        self._preferred = preferred
        self._index = index
        self._parser = parser
        self._groups = groups
        self._by_code = {p.code: i for i, p in enumerate(procedures)}
        self._group_of = [0] * len(procedures)
        for g, grp in enumerate(groups):
            for m in grp.members:
                self._group_of[m] = g

    @classmethod
    def build(
        cls,
        procedures: Iterable[Procedure],
        lexicon: list[LexiconEntry],
        preferred_levels: list[Level],
    ) -> SearchEngine:
        """Index ``procedures`` (any source) with ``lexicon``; ``preferred_levels`` = levels served here."""
        procs = list({p.code: p for p in procedures}.values())
        keys: dict[str, int] = {}
        members: list[list[int]] = []
        assignment: list[int] = []
        for i, p in enumerate(procs):
            g = keys.setdefault(group_key(p.name) or p.code, len(members))
            if g == len(members):
                members.append([])
            members[g].append(i)
            assignment.append(g)
        groups = []
        for mem in members:
            rep = pick_representative([procs[i] for i in mem], preferred_levels)
            groups.append(_Group(mem, next(i for i in mem if procs[i] is rep)))
        index = InvertedIndex(procs, assignment)
        parser = QueryParser(index, LexiconMatcher(lexicon))
        return cls(procs, index, parser, groups, list(preferred_levels))

    def __len__(self) -> int:
        return len(self._procedures)

    def get(self, code: str) -> Procedure | None:
        """The procedure with this code, if indexed."""
        i = self._by_code.get(code)
        return None if i is None else self._procedures[i]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Search ``query``; at most ``limit`` hits, best first, scores in 0..1."""
        limit = max(0, min(limit, MAX_LIMIT))
        parsed = self._parser.parse(query)
        direct = [self._by_code[c] for c in dict.fromkeys(parsed.codes) if c in self._by_code]
        if direct:
            return self._code_result(direct, parsed, limit)
        if not parsed.slots:
            return SearchResult([], None, "none")
        ranked = self._rank_groups(parsed)
        hits = [self._hit(g, s.score) for g, s in ranked[:limit]]
        return SearchResult(hits, *self._decide(ranked, parsed))

    # -- internals --------------------------------------------------------------------------------
    def _rank_groups(self, parsed: ParsedQuery) -> list[tuple[int, Scored]]:
        best: dict[int, Scored] = {}
        for sc in rerank(self._index, parsed, retrieve(self._index, parsed)):
            g = self._group_of[sc.doc_id]
            if not self._serves(g):
                sc.score *= NON_PREFERRED_FACTOR
            if not self._index.docs[sc.doc_id].for_people:
                sc.score *= ORGANISATIONS_ONLY_FACTOR
            if g not in best or sc.score > best[g].score:
                best[g] = sc
        return sorted(best.items(), key=lambda kv: kv[1].score, reverse=True)

    def _serves(self, g: int) -> bool:
        n_pref = len(self._preferred)
        return not n_pref or any(
            level_rank(self._procedures[i].levels, self._preferred) < n_pref for i in self._groups[g].members
        )

    def _names_exactly(self, ranked: list[tuple[int, Scored]], parsed: ParsedQuery) -> bool:
        """The question contains every word of the best procedure's name ("dk ket hon" → "Thủ tục đăng ký
        kết hôn") and not all words of the runner-up's ("đăng ký lại kết hôn"): answer directly."""
        said = query_terms(parsed)
        top = _name_words(self._index.docs[ranked[0][1].doc_id].name_folded)
        if not top or not top <= said:
            return False
        return len(ranked) < 2 or not _name_words(self._index.docs[ranked[1][1].doc_id].name_folded) <= said

    def _has_phrase(self, doc_id: int, parsed: ParsedQuery) -> bool:
        """Whether the procedure contains two of the query's words side by side (any query bigram)."""
        for slot in parsed.slots:
            for alt in slot.alternatives:
                for term in alt.terms:
                    if " " not in term:
                        continue
                    dense = self._index.common.get(term)
                    if dense is not None:
                        if dense[doc_id]:
                            return True
                    elif doc_id in self._index.postings.get(term, ((), ()))[0]:
                        return True
        return False

    def _decide(self, ranked: list[tuple[int, Scored]], parsed: ParsedQuery) -> tuple[str | None, Confidence]:
        if not ranked:
            return None, "none"
        if ranked[0][1].coverage < MIN_COVERAGE:
            # part of the question matched: offer the closest procedures only when two of its words
            # stand together in the best one ("sửa họ tên trong giấy khai sinh"), never for scattered hits
            partial = ranked[0][1].coverage >= SUGGEST_COVERAGE and len(parsed.slots) >= 2
            if partial and self._has_phrase(ranked[0][1].doc_id, parsed):
                return None, "ambiguous"
            return None, "none"
        if len(parsed.slots) >= 2 and not any(
            self._has_phrase(sc.doc_id, parsed) for _g, sc in ranked[:PHRASE_CHECK_DEPTH]
        ):
            # several words, each found somewhere but never two together: scattered, not a procedure
            return None, "none"
        top = ranked[0][1]
        margin = top.score - ranked[1][1].score if len(ranked) > 1 else 1.0
        if top.coverage >= CONFIDENT_RULES[0][0] and self._names_exactly(ranked, parsed):
            return self._procedures[self._groups[ranked[0][0]].representative].code, "confident"
        if any(top.coverage >= cov and margin >= gap for cov, gap in CONFIDENT_RULES):
            return self._procedures[self._groups[ranked[0][0]].representative].code, "confident"
        return None, "ambiguous"

    def _hit(self, g: int, score: float) -> Hit:
        grp = self._groups[g]
        rep = self._procedures[grp.representative]
        variants = [self._procedures[i].code for i in grp.members if i != grp.representative]
        return Hit(rep.code, rep.name, round(min(max(score, 0.0), 1.0), 4), variants)

    def _code_result(self, direct: list[int], parsed: ParsedQuery, limit: int) -> SearchResult:
        """A typed code names its procedure exactly: present it (at the level typed) directly."""
        hits: list[Hit] = []
        seen: set[int] = set()
        for i in direct:
            g = self._group_of[i]
            if g in seen:
                continue
            seen.add(g)
            variants = [self._procedures[j].code for j in self._groups[g].members if j != i]
            hits.append(Hit(self._procedures[i].code, self._procedures[i].name, 1.0, variants))
        return SearchResult(hits[:limit], hits[0].code, "confident")

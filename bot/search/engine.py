"""The search engine: procedures + lexicon in, ranked and grouped results with a confidence out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, overload

from bot.catalog.model import Level, LexiconEntry, Procedure
from bot.catalog.questions import NO_PROCEDURE
from bot.catalog.situations import SituationBook
from bot.search.decision import DECISION, features
from bot.search.grouping import (
    group_key,
    level_rank,
    pick_at_commune,
    pick_for_organisations,
    pick_representative,
)
from bot.search.index import FOREIGN_ELEMENT, DocInfo, InvertedIndex, core_terms, files_for_people
from bot.search.intent import Intent, IntentReader
from bot.search.learned import RANKING, candidate_features, corrected
from bot.search.lexicon import LexiconMatcher
from bot.search.memory import SAME_QUESTION, QuestionMemory
from bot.search.normalize import bigrams, canon
from bot.search.query import ParsedQuery, QueryParser, window
from bot.search.ranking import Scored, query_terms, rerank, said_terms, stated
from bot.search.retrieval import retrieve
from bot.search.second_opinion import PlainBm25
from bot.search.situations import SituationHit, SituationMatcher

Confidence = Literal["confident", "ambiguous", "none"]

# Confidence rules (coverage = share of the query's informative words the best result explains).
MIN_COVERAGE = 0.55  # below: nothing relevant
SUGGEST_COVERAGE = 0.4  # below MIN_COVERAGE but at least this, with a phrase match: offer choices
PHRASE_CHECK_DEPTH = 5  # candidates checked for two query words side by side
# A message with this many informative words and a sentence that asks about something (names a situation: "sổ
# đỏ", "thẻ bảo hiểm") tells a story around its question: the share of it a procedure explains says little (the
# story's places, dates and relatives are in none), so it is not judged off-topic by that share; two of its words
# side by side in a candidate still have to show it is about a procedure, and the decision then answers it or
# offers the list. A long rant naming nothing (football, a barking dog) is judged as before.
NARRATIVE_SLOTS = 20
NON_PREFERRED_FACTOR = 0.95  # groups not served at this office's levels rank slightly lower
# Citizens ask; procedures only organisations, customs declarants or police/army staff file rank lower
# unless the message says the asker is one of them.
AUDIENCE_FACTORS = {"organisation": 0.93, "customs": 0.85, "staff": 0.7}
STAFF_STATED = 1.1  # police or army staff's own procedure when the message says the asker is one of them
# A message naming another country states the foreign element ("có yếu tố nước ngoài") of a family's member:
# the marker's syllables and pairs, as the ranking reads a marker and a name.
_FOREIGN = [canon(t) for t in FOREIGN_ELEMENT.split()]
ABROAD_TERMS = frozenset(_FOREIGN) | frozenset(bigrams(_FOREIGN))
ABROAD_NAME = frozenset(_FOREIGN[-2:])  # "nước ngoài" in a name: a member for foreigners or for abroad
SITUATION_BONUS = 0.45  # a procedure the message's situation calls for (scaled by how specific the match is
# and by how much of the message the procedure explains, next to the candidate explaining most)…
# …but never below this share of that: a message in everyday words only ("tiệm tạp hóa dẹp luôn rồi") uses none of
# its procedure's words, and its situation is then the only evidence for it (leave-one-round-out on the training
# parts: 0 and 0.3 the same, 0.6 two more short questions in the top three and answered, 1.0 eleven more wrong)
SITUATION_FLOOR = 0.6
PATTERN_FLOOR = 0.8  # the same, in a short message, for a pattern of several parts ("dẹp + @tiem")
RECALL_BONUS = 0.4  # a procedure that answered an example question like the message (times the similarity)
# The message is an example question, word for word once folded (an office added the question a citizen asked):
# its procedures come first whatever the words alone say.
SAME_QUESTION_BONUS = 1.0
GAP_AT = 0.3  # the recall of "no procedure" from which a message like those examples is not answered directly
MAX_ALTERNATIVES = 3
SECOND_OPINION_GROUPS = 5  # the decision's second opinion chooses among the members of this many best groups
MIN_QUERY_CHARS = 2  # messages this short name no procedure (a code has 8 characters)
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
    alternatives: list[str] = field(default_factory=list)  # offered beside the answer ("Hoặc bạn cần: …")
    probability: float = 0.0  # calibrated chance that the best result is the right one
    intent: Intent = field(default_factory=Intent)


@dataclass(slots=True)
class _Group:
    members: list[int]
    representative: int  # presented to people (citizens, households, foreigners)
    served: bool  # some member is filed at a level this office serves (or the office names none)
    for_organisations: int  # presented when the message says an organisation asks (the company's member)
    at_commune: int  # presented when the message names the commune's authorities (the commune's member)


@dataclass(slots=True)
class EngineParts:
    """What :meth:`SearchEngine.build` computes from a catalog: everything but the procedures themselves,
    which it names by code (kept by :mod:`bot.search.stored` and given back to :meth:`SearchEngine.assemble`)."""

    codes: list[str]
    index: InvertedIndex
    lexicon: LexiconMatcher
    groups: list[_Group]
    preferred: list[Level]
    book: SituationBook
    situations: SituationMatcher
    plain: PlainBm25
    memory: QuestionMemory = field(default_factory=QuestionMemory)


def _leading_markers(doc: DocInfo) -> list[tuple[str, ...]]:
    """The special cases a procedure's name opens with ("Cấp lại …", "Thủ tục đăng ký lại …"), not those of a
    name covering several cases ("Thông báo thành lập/thay đổi …")."""
    words = doc.name_folded.split()
    if words[:2] == ["thu", "tuc"]:
        words = words[2:]
    return [m for m in doc.markers if tuple(words[: len(m)]) == m]


def _add_candidates(found: list[tuple[int, float]], docs: Iterable[int]) -> None:
    """Appends each of ``docs`` not among ``found`` yet, in order, with no BM25 weight of its own."""
    seen = {d for d, _ in found}
    for d in docs:
        if d not in seen:
            seen.add(d)
            found.append((d, 0.0))


class _ByPosition(Sequence[Procedure]):
    """The indexed procedures in index order, looked up by code on use (a packed catalog stays packed)."""

    __slots__ = ("_codes", "_procedures")

    def __init__(self, codes: list[str], procedures: Mapping[str, Procedure]) -> None:
        self._codes, self._procedures = codes, procedures

    @overload
    def __getitem__(self, i: int) -> Procedure: ...
    @overload
    def __getitem__(self, i: slice) -> list[Procedure]: ...
    def __getitem__(self, i: int | slice) -> Procedure | list[Procedure]:
        if isinstance(i, slice):
            return [self._procedures[c] for c in self._codes[i]]
        return self._procedures[self._codes[i]]

    def __len__(self) -> int:
        return len(self._codes)


class SearchEngine:
    """Finds procedures for citizens' free-text questions. Build once, query many times."""

    def __init__(self, procedures: Sequence[Procedure], parts: EngineParts) -> None:
        self._procedures = procedures
        self.parts = parts
        self.decision = DECISION  # replaceable (tests, experiments); fitted by bench/fit_search.py
        self.ranking = RANKING  # replaceable likewise; fitted by bench/fit_ranking.py
        self._situations = parts.situations
        self._intents = IntentReader(parts.book)
        self._preferred = parts.preferred
        self._index = parts.index
        self._parser = QueryParser(parts.index, parts.lexicon)
        self._parser.know_narrative(self._situations.words)
        self._groups = parts.groups
        self._by_code = {c: i for i, c in enumerate(parts.codes)}
        self._group_of = [0] * len(parts.codes)
        for g, grp in enumerate(parts.groups):
            for m in grp.members:
                self._group_of[m] = g
        self._served = [grp.served for grp in parts.groups]  # read per candidate of every message

    @classmethod
    def build(
        cls,
        procedures: Iterable[Procedure],
        lexicon: list[LexiconEntry],
        preferred_levels: list[Level],
        situations: SituationBook | None = None,
        questions: Iterable[tuple[str, Sequence[str]]] = (),
    ) -> SearchEngine:
        """Index ``procedures`` (any source) with ``lexicon``, ``situations`` and example ``questions`` (question,
        codes); ``preferred_levels`` = levels served here."""
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
            variants = [procs[i] for i in mem]
            rep = pick_representative(variants, preferred_levels, files_for_people)
            org = pick_for_organisations(variants, preferred_levels, files_for_people)
            served = not preferred_levels or any(
                level_rank(procs[i].levels, preferred_levels) < len(preferred_levels) for i in mem
            )
            position = {id(procs[i]): i for i in mem}
            commune = pick_at_commune(variants, rep, files_for_people)
            groups.append(_Group(mem, position[id(rep)], served, position[id(org)], position[id(commune)]))
        book = situations or SituationBook()
        parts = EngineParts([p.code for p in procs], InvertedIndex(procs, assignment), LexiconMatcher(lexicon), groups,
                            list(preferred_levels), book, SituationMatcher(book, procs, lexicon), PlainBm25(procs),
                            QuestionMemory(questions))  # fmt: skip
        return cls(procs, parts)

    def with_memory(self, memory: QuestionMemory) -> SearchEngine:
        """The same engine recalling another set of example questions (the fit leaves a round's own out)."""
        engine = type(self)(self._procedures, replace(self.parts, memory=memory))
        engine.decision = self.decision
        engine.ranking = self.ranking
        return engine

    @classmethod
    def assemble(cls, parts: EngineParts, procedures: Mapping[str, Procedure]) -> SearchEngine:
        """The engine of stored ``parts`` over ``procedures`` (holding every code the parts name)."""
        return cls(_ByPosition(parts.codes, procedures), parts)

    def __len__(self) -> int:
        return len(self._procedures)

    def get(self, code: str) -> Procedure | None:
        """The procedure with this code, if indexed."""
        i = self._by_code.get(code)
        return None if i is None else self._procedures[i]

    def search(self, query: str, limit: int = 5, *, translated: bool = False) -> SearchResult:
        """Search ``query``; at most ``limit`` hits, best first, scores in 0..1. ``translated``: the query is an
        English question in the lexicon's Vietnamese words (answered directly on stronger evidence only)."""
        limit = max(0, min(limit, MAX_LIMIT))
        if len(query.strip()) <= MIN_QUERY_CHARS:
            return SearchResult([], None, "none")  # "i", "4", "ok": never a procedure
        query = window(query)
        parsed = self._parser.parse(query)
        direct = [self._by_code[c] for c in dict.fromkeys(parsed.codes) if c in self._by_code]
        if direct:
            return self._code_result(direct, parsed, limit)
        if not parsed.slots:
            return SearchResult([], None, "none")
        intent, situations = self._read(parsed, query)
        ranked = self.rank(parsed, intent, situations)
        hits = [self._hit(g, s.score, intent.who, intent.commune) for g, s in ranked[:limit]]
        if self.names_a_gap(parsed, situations):  # told that no procedure was found, and offered an officer
            return SearchResult(hits, None, "none", intent=intent)
        return self._decide(ranked, parsed, hits, intent, query, translated)

    def rank(self, parsed: ParsedQuery, intent: Intent, situations: list[SituationHit]) -> list[tuple[int, Scored]]:
        """Groups ranked for a parsed message, its intent and its situations (best first)."""
        found = retrieve(self._index, parsed)
        strength: dict[int, float] = {}
        implied = ABROAD_TERMS if intent.abroad else frozenset()  # special cases the message states in other words
        called = [hit for hit in situations if not hit.gap]  # a gap calls for no procedure (names_a_gap)
        terms = said_terms(parsed) | implied if called else frozenset()  # the special cases it can state
        floor: dict[int, float] = {}  # the least share of its bonus a called procedure keeps
        for hit in called:
            for member in self._called_members(hit, terms):
                strength[member] = max(strength.get(member, 0.0), hit.strength(called[0]))
                if hit.parts > 1:  # a pattern of several parts matched in one sentence is specific
                    floor[member] = max(floor.get(member, SITUATION_FLOOR), PATTERN_FLOOR)
        recalled = self._recalled_groups(parsed)
        # an example's or a situation's procedure is a candidate even when the message's words miss it
        examples = [d for c in parsed.recalled if (d := self._by_code.get(c)) is not None]
        _add_candidates(found, [*examples, *strength])
        if strength:
            self._share_with_stated_members(found, strength, terms, bool(implied))
        best: dict[int, Scored] = {}
        scored = rerank(self._index, parsed, found, implied)
        # a situation's bonus shrinks with the share of the message its procedure explains next to the
        # candidate explaining most: "mở khoá căn cước điện tử" names a procedure more fully than a broader
        # situation's
        most = max((sc.coverage for sc in scored), default=0.0) or 1.0
        long = corrected(parsed.words)
        for sc in scored:
            g = self._group_of[sc.doc_id]
            if not self._served[g]:
                sc.score *= NON_PREFERRED_FACTOR
            audience = self._index.docs[sc.doc_id].audience
            other = audience if audience != intent.who and audience in AUDIENCE_FACTORS else None
            if other is not None:
                sc.score *= AUDIENCE_FACTORS[other]
            elif audience == intent.who == "staff":  # "vợ công an mất thẻ bhyt": the police's own card first
                sc.score *= STAFF_STATED
            sc.situation = strength.get(sc.doc_id, 0.0)
            recall = recalled.get(g, 0.0)
            least = SITUATION_FLOOR if long else floor.get(sc.doc_id, SITUATION_FLOOR)
            share = sc.situation * max(sc.coverage / most, least)
            sc.score += SITUATION_BONUS * share + RECALL_BONUS * recall
            if long:  # the learned correction (bench/fit_ranking.py) of how much each kind of evidence counts
                sc.features = candidate_features(sc, situation_share=share, recall=recall,
                                                 not_served=not self._served[g], audience=other)
                sc.learned = self.ranking.correction(sc.features)
                sc.score += sc.learned
            if recall >= SAME_QUESTION:
                sc.score += SAME_QUESTION_BONUS
            if g not in best or sc.score > best[g].score:
                best[g] = sc
        return sorted(best.items(), key=lambda kv: kv[1].score, reverse=True)

    def _called_members(self, hit: SituationHit, terms: frozenset[str]) -> list[int]:
        """The procedures a situation calls for: all its codes, but when it names a family by a fragment of its
        names ("đăng ký tàu cá") and the plain member is among them, not the members named by a special case
        the message does not state ("Cấp lại …", "Xóa đăng ký …")."""
        docs = [d for c in hit.codes if (d := self._by_code.get(c)) is not None]
        if len(docs) < 2 or all(self._index.docs[d].markers for d in docs):
            return docs
        return [d for d in docs if all(stated(m, terms) for m in _leading_markers(self._index.docs[d]))]

    def _share_with_stated_members(
        self, found: list[tuple[int, float]], strength: dict[int, float], terms: frozenset[str], abroad: bool
    ) -> None:
        """A situation names the plain procedure ("đăng ký kết hôn"); when the message states a special case
        ("đăng ký lại", "lưu động") — ``terms``, with what a named country implies — the member of the family
        carrying it (and no other special case) is called for as strongly."""
        docs = self._index.docs
        for d, _bm25 in found:
            doc = docs[d]
            if d in strength:
                continue
            # a member for foreigners ("… của người nước ngoài") is a special case a message naming another
            # country states, as a marker it says; any other special case of the member must be stated too
            foreign = abroad and doc.name_terms.keys() >= ABROAD_NAME
            if not (doc.markers or foreign) or not all(stated(m, terms) for m in doc.markers):
                continue
            for target, value in list(strength.items()):
                if value > strength.get(d, 0.0) and self._same_thing(docs[target], doc):
                    strength[d] = value

    @staticmethod
    def _same_thing(target: DocInfo, member: DocInfo) -> bool:
        """``member`` is ``target``'s procedure in a special case: its name holds the head of ``target``'s, or
        the part of it before its qualifying clause when ``member`` carries a special case ``target`` does not
        ("Cấp lại Chứng chỉ hành nghề luật sư trong trường hợp bị mất" beside "Cấp Chứng chỉ hành nghề luật sư
        đối với người đạt yêu cầu kiểm tra…")."""
        head = target.name_terms
        if head and all(t in member.primary for t in head):
            return True
        core = core_terms(target.name_folded)
        return bool(core) and core <= member.primary and not set(member.markers) <= set(target.markers)

    @staticmethod
    def names_a_gap(parsed: ParsedQuery, situations: Sequence[SituationHit]) -> bool:
        """The message asks for what the catalog has no procedure for: like the example questions about it
        (:meth:`like_a_gap`), or in the words of a situation saying so (``to = ["NONE"]``: disability allowance,
        military service) that no situation of a procedure read in the asking sentence matches as specifically."""
        if SearchEngine.like_a_gap(parsed):
            return True
        gaps = [h.parts for h in situations if h.gap and not h.story]
        return bool(gaps) and not any(not h.gap and not h.story and h.parts >= max(gaps) for h in situations)

    @staticmethod
    def like_a_gap(parsed: ParsedQuery) -> bool:
        """The example questions most like the message are about what the catalog has no procedure for (their
        codes are NONE: the unemployment benefit a labour office pays): no procedure is presented as its answer."""
        gap = parsed.recalled.get(NO_PROCEDURE, 0.0)
        return gap >= GAP_AT and gap >= max((v for c, v in parsed.recalled.items() if c != NO_PROCEDURE), default=0.0)

    def _recalled_groups(self, parsed: ParsedQuery) -> dict[int, float]:
        """Group → the best recall (:meth:`QuestionMemory.recall`) of the procedures it holds."""
        out: dict[int, float] = {}
        for code, sim in parsed.recalled.items():
            d = self._by_code.get(code)
            if d is not None:
                g = self._group_of[d]
                out[g] = max(out.get(g, 0.0), sim)
        return out

    def representative(self, g: int, who: str = "citizen", commune: bool = False) -> str:
        """The code presented for group ``g`` to one who asks as ``who`` (:attr:`Intent.who`): the member people
        file, the one organisations file when the message says an organisation asks, the commune's when it names
        the commune's authorities (:attr:`Intent.commune`)."""
        return self._procedures[self._presented(g, who, commune)].code

    def _presented(self, g: int, who: str, commune: bool = False) -> int:
        grp = self._groups[g]
        if who == "organisation":
            return grp.for_organisations
        return grp.at_commune if commune else grp.representative

    def parse(self, query: str) -> tuple[ParsedQuery, Intent, list[SituationHit]]:
        """The message as evidence, its intent and its situations (for the fit script and reports)."""
        query = window(query)
        parsed = self._parser.parse(query)
        return (parsed, *self._read(parsed, query))

    def _read(self, parsed: ParsedQuery, query: str) -> tuple[Intent, list[SituationHit]]:
        """The rest of reading a message whose evidence is ``parsed`` (the search and the fit read it alike): in a
        message of several sentences the sentence that asks, parsed alone (ranked on again); the intent; the
        situations."""
        sentence = self._situations.asking(query) or _after_then(query)
        if sentence is not None:
            parsed.asking = self._parser.parse(sentence)
        parsed.recalled = self.parts.memory.recall(query)
        return self._intents.read(query), self._situations.match(query)

    # -- internals --------------------------------------------------------------------------------

    def _names_exactly(self, ranked: list[tuple[int, Scored]], parsed: ParsedQuery) -> bool:
        """The question contains every word of the best procedure's name or of one of its aliases ("dk ket hon"
        → "Thủ tục đăng ký kết hôn") and of none of the runner-up's ("đăng ký lại kết hôn"): answer directly."""
        said = query_terms(parsed)
        docs = self._index.docs
        if not any(words <= said for words in docs[ranked[0][1].doc_id].named_by):
            return False
        return len(ranked) < 2 or not any(words <= said for words in docs[ranked[1][1].doc_id].named_by)

    def _has_phrase(self, doc_id: int, parsed: ParsedQuery) -> bool:
        """Whether the procedure contains two of the query's words side by side (any query bigram)."""
        for slot in parsed.slots:
            for alt in slot.alternatives:
                for term in alt.terms:
                    if " " not in term:
                        continue
                    row = self._index.common.get(term)
                    if row is not None:
                        if self._index.common_weights[row, doc_id]:
                            return True
                    elif doc_id in self._index.postings.get(term, ((), ()))[0]:
                        return True
        return False

    def off_topic(self, ranked: list[tuple[int, Scored]], parsed: ParsedQuery) -> bool:
        """Nothing relevant: weak or scattered evidence and no known situation."""
        if not ranked:
            return True
        top = ranked[0][1]
        if top.situation > 0:
            return False
        if len(parsed.slots) >= NARRATIVE_SLOTS and parsed.asking is not None:  # a letter that asks about something
            return not any(self._has_phrase(sc.doc_id, parsed) for _g, sc in ranked[:PHRASE_CHECK_DEPTH])
        if top.coverage < MIN_COVERAGE:
            # part of the question matched: offer the closest procedures only when two of its words
            # stand together in the best one ("sửa họ tên trong giấy khai sinh"), never for scattered hits
            partial = top.coverage >= SUGGEST_COVERAGE and len(parsed.slots) >= 2
            return not (partial and self._has_phrase(top.doc_id, parsed))
        # several words, each found somewhere but never two together: scattered, not a procedure
        return len(parsed.slots) >= 2 and not any(
            self._has_phrase(sc.doc_id, parsed) for _g, sc in ranked[:PHRASE_CHECK_DEPTH]
        )

    def features(self, ranked: list[tuple[int, Scored]], parsed: ParsedQuery, query: str) -> dict[str, float]:
        """The decision's features for the best group of ``ranked`` (non-empty), parsed from ``query``."""
        agrees = self._agrees(ranked, window(query))
        return features(ranked, len(parsed.slots), self._names_exactly(ranked, parsed), agrees)

    def _agrees(self, ranked: list[tuple[int, Scored]], query: str) -> bool:
        """Plain BM25 over names and fields, among the members of the best few groups, prefers the best group."""
        members = [(g, m) for g, _sc in ranked[:SECOND_OPINION_GROUPS] for m in self._groups[g].members]
        scores = self.parts.plain.scores(query, [m for _g, m in members])
        best = max(range(len(members)), key=lambda i: (scores[i], -i))
        return scores[best] > 0 and members[best][0] == ranked[0][0]

    def _decide(
        self,
        ranked: list[tuple[int, Scored]],
        parsed: ParsedQuery,
        hits: list[Hit],
        intent: Intent,
        query: str,
        translated: bool,
    ) -> SearchResult:
        if self.off_topic(ranked, parsed):
            return SearchResult(hits, None, "none", intent=intent)
        p = self.decision.probability(self.features(ranked, parsed, query))
        if p < self.decision.answers_at(len(query.split()), translated):
            return SearchResult(hits, None, "ambiguous", probability=p, intent=intent)
        answer = self.representative(ranked[0][0], intent.who, intent.commune)
        alternatives: list[str] = []
        if p < self.decision.answer_at:
            top = ranked[0][1].score
            alternatives = [
                self.representative(g, intent.who, intent.commune)
                for g, sc in ranked[1 : 1 + MAX_ALTERNATIVES]
                if sc.score >= top - self.decision.alternative_gap
            ]
        return SearchResult(hits, answer, "confident", alternatives, p, intent)

    def _hit(self, g: int, score: float, who: str, commune: bool = False) -> Hit:
        shown = self._presented(g, who, commune)
        rep = self._procedures[shown]
        variants = [self._procedures[i].code for i in self._groups[g].members if i != shown]
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


_THEN = frozenset({"rồi", "roi", "xong"})


def _after_then(query: str) -> str | None:
    """For a message with no sentence that asks (:meth:`SituationMatcher.asking`: one sentence, or none naming
    anything), what follows its last "rồi" or "xong" ("đổi cccd rồi sửa tên sổ đỏ", "học xong thừa phát lại, tập sự
    đâu"): what happened comes first, what is asked after it. None when fewer than two words follow or the word
    opens the message."""
    words = query.split()
    for k in range(len(words) - 3, 0, -1):
        if words[k].lower().strip(",.") in _THEN:
            return " ".join(words[k + 1 :])
    return None

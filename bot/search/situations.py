"""Finding the situations of ``situations.toml`` in a message, sentence by sentence.

A pattern matches when all its parts occur in one sentence. Phrases match folded ("so do" finds
"sổ đỏ"), but a syllable typed with diacritics must agree with the phrase's own ("mặt" ≠ "mất").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.catalog.model import LexiconEntry, Procedure
from bot.catalog.situations import Situation, SituationBook, name_key, targets_of
from bot.search.normalize import accented_tokens, canon, fold, lengths_by_first
from bot.search.stopwords import COST_PHRASES

# "Mất" that means "takes" or "costs": read as one phrase, so "mất bao lâu" is never a loss ("làm hộ chiếu
# lần đầu mất bao lâu" is not "mất hộ chiếu"). No situation uses them; they only hold their syllables.
_NOT_A_LOSS = COST_PHRASES
_SENTENCE = re.compile(r"[.?!;:\n]+(?:\s|$)|\?")
# A situation only the story tells ("mua đất" years ago, "đã khóa VNeID" before asking to unlock it) calls for its
# procedures half as strongly as one found in the sentence that asks.
STORY_FACTOR = 0.5
CLAUSE_BREAK: tuple[str, str | None] = (",", None)
MAX_CHARS = 2000  # longer messages are cut: nobody writes a situation after this
ABBREVIATION_CHARS = 5  # a lexicon term this short, one word, for a phrase of several syllables: an abbreviation
_ABBREVIATION = re.compile(rf"[a-zđ][a-z0-9đ]{{1,{ABBREVIATION_CHARS - 1}}}")


@dataclass(frozen=True, slots=True)
class SituationHit:
    """A situation found in a message: its index, how many parts its pattern has, its procedure codes."""

    index: int
    parts: int
    codes: tuple[str, ...]
    span: int = 0  # syllables between the first and the last part matched (closer = surer)
    story: bool = False  # found only before the sentence that asks: the story the citizen tells, not the ask
    gap: bool = False  # a situation the catalog has no procedure for (its codes are empty)

    def strength(self, best: SituationHit) -> float:
        """How strongly this hit calls for its procedures next to the best hit of the message (0..1]."""
        told = STORY_FACTOR if self.story else 1.0
        return told * (self.parts / best.parts) * min(1.0, (best.span + 4) / (self.span + 4))


def _phrase(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    acc = tuple(accented_tokens(text))
    return tuple(canon(fold(t)) for t in acc), acc


@lru_cache(maxsize=8)
def sentences(text: str) -> tuple[tuple[tuple[str, str | None], ...], ...]:
    """The message's sentences as (folded, typed-with-diacritics or None) syllables (cached: the intent
    reader and the situation matcher read the same message)."""
    out = []
    for piece in _SENTENCE.split(text[:MAX_CHARS]):
        toks: list[tuple[str, str | None]] = []
        for clause in piece.split(","):
            if toks:
                toks.append(CLAUSE_BREAK)  # no phrase spans a comma: "sổ mới, mất bao lâu" is not "mới mất"
            for word in accented_tokens(clause):
                f = canon(fold(word))
                toks.append((f, word if word != f else None))
        if toks:
            out.append(tuple(toks))
    return tuple(out)


class PhraseFinder:
    """Which of a fixed set of phrases occur in a sentence, longest match first, left to right; ``aliases``:
    other wordings (abbreviation → phrases) found as the phrases they stand for; ``nested``: phrases also found
    inside a longer one ("khai sinh" in "làm khai sinh"), where the others are not ("mất" in "ăn mất")."""

    def __init__(
        self,
        phrases: Iterable[str],
        aliases: Mapping[str, tuple[str, ...]] | None = None,
        nested: Iterable[str] = (),
    ) -> None:
        self._nested = frozenset(nested)
        self._table: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}
        for text in phrases:
            key, acc = _phrase(text)
            if key:
                self._table.setdefault(key, []).append((text, acc))
        for alias, texts in (aliases or {}).items():
            key, acc = _phrase(alias)
            if key and key not in self._table:  # a phrase of the file keeps its own meaning
                self._table[key] = [(text, acc) for text in texts]
        self.max_len = max((len(k) for k in self._table), default=0)
        self._lengths = lengths_by_first(self._table)

    def find(self, sentence: Sequence[tuple[str, str | None]]) -> dict[str, list[int]]:
        """The phrases (as written in the file) present in ``sentence`` and where they start."""
        found: dict[str, list[int]] = {}
        folded = tuple(f for f, _ in sentence)
        table = self._table
        lengths = self._lengths
        nested = self._nested
        covered = 0  # the end of the last match: a phrase starting before it is inside that match
        for i in range(len(folded)):
            inside = i < covered
            if inside and not nested:
                continue
            for n in lengths.get(folded[i], ()):  # longest first: "ăn mất" is not "mất"
                if i + n > len(folded) or (inside and i + n > covered):  # inside one: wholly
                    continue
                variants = table.get(folded[i : i + n])
                if not variants:
                    continue
                texts = self._texts(variants, [t for _, t in sentence[i : i + n]])
                if inside:
                    texts = [text for text in texts if text in nested]
                if texts:
                    for text in texts:
                        found.setdefault(text, []).append(i)
                    covered = max(covered, i + n)  # (a nested phrase ends within it)
                    if not nested:
                        break
                    inside = True  # the shorter phrases starting here are inside this one
        return found

    @staticmethod
    def _texts(variants: list[tuple[str, tuple[str, ...]]], typed: list[str | None]) -> list[str]:
        return [
            text
            for text, acc in variants
            if all(t is None or canon(t) == a or fold(a) == a for t, a in zip(typed, acc, strict=True))
        ]


class SituationMatcher:
    """All situations of a book, with their target codes resolved against the indexed procedures."""

    def __init__(
        self, book: SituationBook, procedures: Sequence[Procedure], lexicon: Sequence[LexiconEntry] = ()
    ) -> None:
        names = [(p.code, name_key(p.name)) for p in procedures]
        known = {p.code for p in procedures}
        self.situations: tuple[Situation, ...] = book.situations
        self._codes = [tuple(c for c in targets_of(s, names) if c in known) for s in book.situations]
        phrases = {ph for s in book.situations for pat in s.patterns for part in pat for ph in part}
        groups = {ph for _table, _name, group in book.groups for ph in group}
        events = {ph for table, _name, group in book.groups if table == "events" for ph in group}
        # a phrase of several syllables that tells no event is found inside a longer one too ("khai sinh" in "làm
        # khai sinh kèm nhận cha"); an event's never is ("mất" in "ăn mất" or "mất bao lâu")
        nested = {ph for ph in phrases if ph not in events and len(_phrase(ph)[0]) > 1}
        self.finder = PhraseFinder(phrases | set(_NOT_A_LOSS), abbreviations(lexicon, phrases), nested)
        self.words: frozenset[str] = frozenset(t for ph in phrases | groups for t in _phrase(ph)[0])
        # each pattern's parts as sets: "is some part nowhere in the message?" is one C-level set test
        self._part_sets = [[tuple(frozenset(part) for part in pat) for pat in s.patterns] for s in book.situations]
        # phrase → the patterns (situation, pattern) whose rarest part holds it — the part whose phrases the fewest
        # patterns use: a pattern matches only if that part is in the message, so common words ("cho", "làm",
        # "đăng ký") never make a pattern worth looking at on their own
        live = [i for i, sit in enumerate(book.situations) if self._codes[i] or sit.gap]
        uses = Counter(ph for i in live for pat in book.situations[i].patterns for part in pat for ph in set(part))
        self._by_phrase: dict[str, list[tuple[int, int]]] = {}
        for index in live:
            for number, pat in enumerate(book.situations[index].patterns):
                rarest = min(pat, key=lambda part: sum(uses[ph] for ph in part))
                for ph in rarest:
                    self._by_phrase.setdefault(ph, []).append((index, number))

    def __len__(self) -> int:
        return len(self.situations)

    def match(self, text: str) -> list[SituationHit]:
        """Situations whose pattern matches within one sentence, most specific (most parts) first; those found
        only before the sentence that asks are the story's (:attr:`SituationHit.story`)."""
        if not self.situations:
            return []
        found_by_sentence, asking = _read(self.finder, text)
        # without a sentence naming anything, the last one where a phrase is found asks
        ask = asking if asking is not None else max((k for k, f in enumerate(found_by_sentence) if f), default=0)
        anywhere = {ph for found in found_by_sentence for ph in found}
        hits: list[SituationHit] = []
        candidates: dict[int, set[int]] = {}  # situation → the patterns to look at
        for ph in anywhere:
            for index, number in self._by_phrase.get(ph, ()):
                candidates.setdefault(index, set()).add(number)
        for index in sorted(candidates):
            sit = self.situations[index]
            best: tuple[bool, int, int] | None = None  # (in the asking sentence, parts, -span)
            for number in sorted(candidates[index]):
                pattern, part_sets = sit.patterns[number], self._part_sets[index][number]
                if any(part.isdisjoint(anywhere) for part in part_sets):
                    continue  # cheap test first: some part is nowhere in the message
                for k, found in enumerate(found_by_sentence):
                    span = _span(pattern, found) if found else None
                    if span is not None and (best is None or (k == ask, len(pattern), -span) > best):
                        best = (k == ask, len(pattern), -span)
            if best is not None:
                hits.append(SituationHit(index, best[1], self._codes[index], -best[2], not best[0], sit.gap))
        hits.sort(key=lambda h: (-h.parts, h.span))
        return hits

    def asking(self, text: str) -> str | None:
        """The sentence that asks, in a message of several sentences (None otherwise, or when none names
        anything)."""
        said = sentences(text)
        _found, k = _read(self.finder, text)
        if len(said) < 2 or k is None:
            return None
        return " ".join(acc or folded for folded, acc in said[k] if (folded, acc) != CLAUSE_BREAK)


def abbreviations(lexicon: Sequence[LexiconEntry], phrases: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The lexicon's abbreviations of phrases of several syllables the situations use ("gks" for "giấy khai
    sinh", "gplx" for "giấy phép lái xe"): one word of letters without diacritics (but "đ"), at most
    ``ABBREVIATION_CHARS`` long, and the phrases among its meanings (folded alike). An administrator's abbreviation
    in the lexicon is read by the situations too."""
    by_key: dict[tuple[str, ...], str] = {}
    for text in phrases:
        key = _phrase(text)[0]
        if len(key) >= 2:
            by_key.setdefault(key, text)
    out: dict[str, tuple[str, ...]] = {}
    for entry in lexicon:
        term = entry.term.strip().lower()
        if not _ABBREVIATION.fullmatch(term):
            continue
        meant = tuple(dict.fromkeys(p for m in entry.means if (p := by_key.get(_phrase(m)[0])) is not None))
        if meant:
            out[term] = meant
    return out


@lru_cache(maxsize=8)
def _read(finder: PhraseFinder, text: str) -> tuple[tuple[dict[str, list[int]], ...], int | None]:
    """The phrases found in each sentence of ``text`` and the sentence that asks: the last one naming something
    (a phrase of two syllables or more, "sổ đỏ", "mở khóa"; not a bare verb such as "làm", "xin", nor "mất bao
    lâu"), None when none does. A long message tells its story first and asks last (cached: the situations and
    the ranking read the same message)."""
    found = tuple(finder.find(s) for s in sentences(text))
    for k in range(len(found) - 1, -1, -1):
        if any(" " in ph and ph not in _NOT_A_LOSS for ph in found[k]):
            return found, k
    return found, None


def _span(pattern: tuple[tuple[str, ...], ...], found: dict[str, list[int]]) -> int | None:
    """Syllables spanned by the pattern's parts in one sentence (nearest occurrences), None if a part is missing."""
    positions = []
    for part in pattern:
        pos = [i for ph in part for i in found.get(ph, ())]
        if not pos:
            return None
        positions.append(pos)
    best: int | None = None
    for start in positions[0]:
        picked = [start] + [min(pos, key=lambda i: abs(i - start)) for pos in positions[1:]]
        width = max(picked) - min(picked)
        best = width if best is None else min(best, width)
    return best

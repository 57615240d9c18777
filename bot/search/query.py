"""Turning a citizen's message into weighted evidence: typo fixes, lexicon expansion, stop words.

A parsed query is a list of *slots*. A slot is one piece of evidence with one or more alternative
wordings (the user's own words, or the official wordings a lexicon term stands for); a procedure
gets the best alternative of each slot. Each alternative has *units* (informative syllables, used for
coverage) and *terms* (unigrams and bigrams, used for BM25 scoring).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.search.index import InvertedIndex
from bot.search.lexicon import LexiconMatcher
from bot.search.normalize import CODE_RE, accented_tokens, bigrams, canon, fold
from bot.search.stopwords import STOP_ACCENTED, STOP_FOLDED, STOP_PHRASES

_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
MAX_TOKENS = 90  # a longer message keeps its start (what it is about) and its end (where the ask usually is);
# reader letters run to 60-100 words and often name their object in the middle, so 90 reads almost all of them
ORIGINAL_FACTOR = 0.6  # weight of a lexicon term's own words next to its official wordings
UNKNOWN_WEIGHT = 4.5  # evidence mass of a word found nowhere in the catalog
# Spellings people confuse (regional pronunciation): first consonants, then last consonants. A syllable is
# re-spelt only when it stands beside neither neighbour anywhere in the catalog and a re-spelling does, in at
# least RESPELL_MIN_DOCS procedures ("say dung" → "xây dựng"). Unknown words try the same swaps first.
_ONSET_SWAPS = (("tr", "ch"), ("ch", "tr"), ("s", "x"), ("x", "s"), ("gi", "d"), ("d", "gi"), ("r", "d"),
                ("d", "r"), ("r", "gi"), ("gi", "r"), ("l", "n"), ("n", "l"))  # fmt: skip
_CODA_SWAPS = (("ng", "n"), ("n", "ng"), ("c", "t"), ("t", "c"))
RESPELL_MIN_DOCS = 3
RESPELL_SHARE = 0.3  # ... and the re-spelt pair is a set phrase: this share of the rarer word's procedures use it


@dataclass(frozen=True, slots=True)
class Unit:
    """One informative syllable: folded form, and the accented form when the user typed one."""

    folded: str
    accented: str | None
    weight: float


@dataclass(frozen=True, slots=True)
class Alternative:
    """One wording of a slot."""

    units: tuple[Unit, ...]
    terms: tuple[str, ...]
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class Slot:
    """One piece of evidence in the query and its alternative wordings."""

    alternatives: tuple[Alternative, ...]
    weight: float


@dataclass(slots=True)
class ParsedQuery:
    """The query as evidence, plus any procedure codes typed in it."""

    slots: list[Slot] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)
    asking: ParsedQuery | None = None  # a message of several sentences: the sentence that asks, parsed alone
    recalled: dict[str, float] = field(default_factory=dict)  # codes of example questions like it → similarity
    words: int = 0  # words of the message as read (a long question has LONG_WORDS or more)

    @property
    def weight(self) -> float:
        """Total evidence mass."""
        return sum(s.weight for s in self.slots)


@dataclass(frozen=True, slots=True)
class _Tok:
    folded: str
    accented: str | None  # None: typed without diacritics (or changed by a typo fix)


class QueryParser:
    """Parses messages against one index and one lexicon; typo corrections are cached."""

    def __init__(self, index: InvertedIndex, lexicon: LexiconMatcher) -> None:
        self.index = index
        self.lexicon = lexicon
        stop_forms = {canon(fold(w)) for w in STOP_ACCENTED} | {t for p in STOP_PHRASES for t in p}
        self._known = index.vocab | lexicon.terms | STOP_FOLDED | stop_forms
        self._spelled = index.spelled | lexicon.spelled | STOP_ACCENTED
        self._vocab_list = sorted(t for t in index.vocab if len(t) >= 2 and not t.isdigit())
        self._narrative: frozenset[str] = frozenset()
        self._situation_words: frozenset[str] = frozenset()
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        self._meanings = lru_cache(maxsize=4096)(self._meaning_alternative)

    def know_narrative(self, words: frozenset[str]) -> None:
        """Words the situations read ("cướp", "ngập", "chuột") that no procedure contains: never "corrected"
        into a catalog word ("cuop" is not "cuoc"), and no evidence for ranking (the situations use them)."""
        self._narrative = words - self.index.vocab
        self._situation_words = words
        self._known = self._known | self._narrative
        self._correct.cache_clear()

    def parse(self, text: str) -> ParsedQuery:
        """Parse a message into slots (and codes)."""
        parsed = ParsedQuery(codes=CODE_RE.findall(text), words=len(text.split()))
        toks = self._tokens(text, parsed)
        toks = _drop_stop_phrases(toks)
        folded = [t.folded for t in toks]
        cursor = 0
        for exp in self.lexicon.find(folded, [t.accented for t in toks]):
            self._add_run(parsed, toks[cursor : exp.start], toks[exp.start].folded)
            self._add_lexicon_slot(parsed, toks[exp.start : exp.end], exp.meanings)
            cursor = exp.end
        self._add_run(parsed, toks[cursor:])
        return parsed

    # -- tokens -----------------------------------------------------------------------------------
    def _tokens(self, text: str, parsed: ParsedQuery) -> list[_Tok]:
        out: list[_Tok] = []
        words = accented_tokens(text)
        if len(words) > MAX_TOKENS:
            words = words[: MAX_TOKENS // 2] + words[-(MAX_TOKENS // 2) :]
        for word in words:
            if CODE_RE.fullmatch(word):
                continue
            f = canon(fold(word))
            if not _ASCII_WORD.match(f):
                continue
            # a form the catalog never spells that way is a mistyped tone ("thai sãn"): read it unaccented
            acc = word if word != f and word in self._spelled else None
            if f in self._known or f.isdigit():
                out.append(_Tok(f, acc))
                continue
            fixed = self._correct(f)
            if fixed:
                parsed.corrected[f] = " ".join(fixed)
                out.extend(_Tok(x, None) for x in fixed)
            else:
                out.append(_Tok(f, acc))
        return out

    def _correct_uncached(self, token: str) -> tuple[str, ...]:
        """Closest index syllable(s) for an unknown token: a commonly confused consonant swapped, else one
        edit away, or two glued syllables ("anninh", "100m2"), or two edits away in a longer word."""
        if len(token) < 4 or token.isdigit():
            return ()
        swapped = [w for w in _respellings(token) if w in self.index.vocab]
        if swapped:  # a confused consonant ("chang" → "trang", "chuoc" → "truoc") before any edit distance
            return (min(swapped, key=lambda w: (self.index.idf.get(w, 99.0), w)),)
        best = None
        if not any(ch.isdigit() for ch in token):
            best = process.extractOne(
                token, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=1 if len(token) <= 5 else 2
            )
        if best is None or best[1] == 2:
            for cut in range(2, len(token) - 1):
                left, right = token[:cut], token[cut:]
                if left in self.index.vocab and right in self.index.vocab:
                    return (left, right)
        if best is None:
            return ()
        candidates = [
            w for w in self._vocab_list if abs(len(w) - len(token)) <= 2 and Levenshtein.distance(w, token) == best[1]
        ]
        # Prefer the most common of equally close words (rarer words are likelier false fixes).
        return (min(candidates, key=lambda w: (self.index.idf.get(w, 99.0), w)),)

    # -- slots ------------------------------------------------------------------------------------
    def _unit(self, tok: _Tok, *, scaffolding: bool = False) -> Unit | None:
        """The evidence of one token (None for scaffolding, unless ``scaffolding`` keeps it)."""
        stop = tok.accented in STOP_ACCENTED if tok.accented is not None else tok.folded in STOP_FOLDED
        if stop and not scaffolding:
            return None
        idf = self.index.idf.get(tok.folded)
        if idf is None and tok.folded in self._narrative:
            return None
        return Unit(tok.folded, tok.accented, UNKNOWN_WEIGHT if idf is None else _clip(idf))

    def _respell(self, parsed: ParsedQuery, toks: list[_Tok]) -> list[_Tok]:
        """A syllable that stands beside neither neighbour in the catalog, re-spelt where a common confusion
        (tr/ch, s/x, d/gi/r, l/n, n/ng, c/t) makes with a neighbour a pair procedures use."""
        idf = self.index.idf
        out = list(toks)
        stop = [self._unit(t) is None for t in toks]
        for i, tok in enumerate(toks):
            if stop[i] or len(tok.folded) < 2 or tok.accented is not None or tok.folded in self._situation_words:
                continue  # typed as the catalog spells it, or a word the situations read ("trôi", "cướp")
            neighbours: list[tuple[str, bool]] = []  # (word, it stands on the left)
            if i and not stop[i - 1]:
                neighbours.append((toks[i - 1].folded, True))
            if i + 1 < len(toks) and not stop[i + 1]:
                neighbours.append((toks[i + 1].folded, False))
            if not neighbours or any(_pair(tok.folded, *n) in idf for n in neighbours):
                continue
            best: tuple[float, str] | None = None
            for variant in _respellings(tok.folded):
                if variant not in self.index.vocab:
                    continue
                for word, on_left in neighbours:
                    share = self._share(_pair(variant, word, on_left), variant, word)
                    if share >= RESPELL_SHARE and (best is None or share > best[0]):
                        best = (share, variant)
            if best is not None:
                parsed.corrected[tok.folded] = best[1]
                out[i] = _Tok(best[1], None)
        return out

    def _share(self, pair: str, first: str, second: str) -> float:
        """How much of a set phrase ``pair`` is: the share of the rarer word's procedures using it (0 when
        fewer than ``RESPELL_MIN_DOCS`` procedures do)."""
        together = self._df(pair)
        apart = min(self._df(first), self._df(second))
        return together / apart if together >= RESPELL_MIN_DOCS and apart else 0.0

    def _df(self, term: str) -> int:
        """Number of procedures containing ``term``."""
        return self.index.postings.count(term)

    def _add_run(self, parsed: ParsedQuery, toks: list[_Tok], following: str | None = None) -> None:
        """User words outside lexicon terms: one slot per informative syllable, bigrams for order; ``following``:
        the first syllable of the lexicon term after the run, which the last word still pairs with ("thay" +
        "đổi tên" keeps "thay đổi")."""
        if len(toks) > 1:
            toks = self._respell(parsed, toks)
        folded = [t.folded for t in toks]
        pairs = bigrams(folded if following is None else [*folded, following])
        units = [self._unit(t) for t in toks]
        for i, tok in enumerate(toks):
            unit = units[i]
            # a scaffolding word opening a set phrase of the catalog is evidence there: "moi truong" is
            # "môi trường", not "mọi"; "nguoi nuoc ngoai" is "người nước ngoài"
            opens_phrase = unit is None and i + 1 < len(toks) and units[i + 1] is not None
            if opens_phrase and self._share(pairs[i], tok.folded, folded[i + 1]) >= RESPELL_SHARE:
                unit = self._unit(tok, scaffolding=True)
            if unit is None:
                continue
            terms = [tok.folded]
            if i < len(pairs):
                terms.append(pairs[i])
            parsed.slots.append(Slot((Alternative((unit,), tuple(terms)),), unit.weight))

    def _add_lexicon_slot(self, parsed: ParsedQuery, toks: list[_Tok], meanings: tuple[str, ...]) -> None:
        alts = [a for a in (self._meanings(m) for m in meanings) if a.units]
        if meanings and not alts:
            return  # shorthand for scaffolding ("ko", "j", "dc", "ntn"): no evidence, as the word it stands for
        own_units = tuple(u for u in (self._unit(t) for t in toks) if u is not None)
        folded = [t.folded for t in toks]
        if own_units:
            alts.append(Alternative(own_units, (*folded, *bigrams(folded)), ORIGINAL_FACTOR))
        if not alts:
            return
        weight = sum(_clip(self.index.idf.get(t.folded, UNKNOWN_WEIGHT)) for t in toks)
        weight = min(weight, max(sum(u.weight for u in a.units) for a in alts))
        parsed.slots.append(Slot(tuple(alts), weight))

    def _meaning_alternative(self, meaning: str) -> Alternative:
        toks = [_Tok(canon(fold(w)), w) for w in accented_tokens(meaning)]
        units = tuple(u for u in (self._unit(t) for t in toks) if u is not None)
        folded = [t.folded for t in toks]
        return Alternative(units, (*folded, *bigrams(folded)))


def window(text: str) -> str:
    """The part of a message that is read: all of it up to ``MAX_TOKENS`` words, else its first and last half of
    that, the cut marked as a sentence end (no phrase spans it). The whole search reads this part alike (words,
    situations, intent, second opinion), so a 1,000-character letter costs about what a 90-word one does."""
    words = text.split()
    if len(words) <= MAX_TOKENS:
        return text
    half = MAX_TOKENS // 2
    return " ".join(words[:half]) + ". " + " ".join(words[-half:])


def _pair(word: str, neighbour: str, on_left: bool) -> str:
    """The bigram of ``word`` with a neighbour standing on its left or right."""
    return f"{neighbour} {word}" if on_left else f"{word} {neighbour}"


def _respellings(word: str) -> list[str]:
    """``word`` with one commonly confused first or last consonant swapped."""
    out = [new + word[len(old) :] for old, new in _ONSET_SWAPS if word.startswith(old)]
    out += [word[: -len(old)] + new for old, new in _CODA_SWAPS if word.endswith(old) and len(word) > len(old)]
    return out


def _clip(idf: float) -> float:
    return min(max(idf, 1.0), 6.0)


_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _p in STOP_PHRASES:
    _PHRASES_BY_FIRST.setdefault(_p[0], []).append(_p)


def _drop_stop_phrases(toks: list[_Tok]) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        for phrase in _PHRASES_BY_FIRST.get(toks[i].folded, ()):
            n = len(phrase)
            if tuple(t.folded for t in toks[i : i + n]) == phrase:
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def similarity(a: str, b: str) -> float:
    """Order-insensitive similarity of two folded strings in 0..1."""
    return fuzz.token_set_ratio(a, b) / 100.0

"""Finding the situations of ``situations.toml`` in a message, sentence by sentence.

A pattern matches when all its parts occur in one sentence. Phrases match folded ("so do" finds
"sổ đỏ"), but a syllable typed with diacritics must agree with the phrase's own ("mặt" ≠ "mất").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.catalog.model import Procedure
from bot.catalog.situations import Situation, SituationBook, name_key, targets_of
from bot.search.normalize import accented_tokens, canon, fold

_SENTENCE = re.compile(r"[.?!;:\n]+(?:\s|$)|\?")
MAX_CHARS = 2000  # longer messages are cut: nobody writes a situation after this


@dataclass(frozen=True, slots=True)
class SituationHit:
    """A situation found in a message: its index, how many parts its pattern has, its procedure codes."""

    index: int
    parts: int
    codes: tuple[str, ...]


def _phrase(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    acc = tuple(accented_tokens(text))
    return tuple(canon(fold(t)) for t in acc), acc


def sentences(text: str) -> list[list[tuple[str, str | None]]]:
    """The message's sentences as (folded, typed-with-diacritics or None) syllables."""
    out = []
    for piece in _SENTENCE.split(text[:MAX_CHARS]):
        toks = []
        for word in accented_tokens(piece):
            f = canon(fold(word))
            toks.append((f, word if word != f else None))
        if toks:
            out.append(toks)
    return out


class PhraseFinder:
    """Which of a fixed set of phrases occur in a sentence (longest phrase of ≤ ``max_len`` syllables)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._table: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}
        for text in phrases:
            key, acc = _phrase(text)
            if key:
                self._table.setdefault(key, []).append((text, acc))
        self.max_len = max((len(k) for k in self._table), default=0)

    def find(self, sentence: Sequence[tuple[str, str | None]]) -> set[str]:
        """The phrases (as written in the file) present in ``sentence``."""
        found: set[str] = set()
        folded = [f for f, _ in sentence]
        for i in range(len(folded)):
            for n in range(1, min(self.max_len, len(folded) - i) + 1):
                variants = self._table.get(tuple(folded[i : i + n]))
                if not variants:
                    continue
                typed = [t for _, t in sentence[i : i + n]]
                for text, acc in variants:
                    if all(t is None or canon(t) == a or fold(a) == a for t, a in zip(typed, acc, strict=True)):
                        found.add(text)
        return found


class SituationMatcher:
    """All situations of a book, with their target codes resolved against the indexed procedures."""

    def __init__(self, book: SituationBook, procedures: Sequence[Procedure]) -> None:
        names = [(p.code, name_key(p.name)) for p in procedures]
        known = {p.code for p in procedures}
        self.situations: tuple[Situation, ...] = book.situations
        self._codes = [tuple(c for c in targets_of(s, names) if c in known) for s in book.situations]
        phrases = {ph for s in book.situations for pat in s.patterns for part in pat for ph in part}
        self.finder = PhraseFinder(phrases)

    def __len__(self) -> int:
        return len(self.situations)

    def match(self, text: str) -> list[SituationHit]:
        """Situations whose pattern matches within one sentence, most specific (most parts) first."""
        if not self.situations:
            return []
        found_by_sentence = [self.finder.find(s) for s in sentences(text)]
        hits: list[SituationHit] = []
        for index, sit in enumerate(self.situations):
            best = 0
            for pattern in sit.patterns:
                if len(pattern) > best and any(
                    all(any(ph in found for ph in part) for part in pattern) for found in found_by_sentence
                ):
                    best = len(pattern)
            if best and self._codes[index]:
                hits.append(SituationHit(index, best, self._codes[index]))
        hits.sort(key=lambda h: -h.parts)
        return hits

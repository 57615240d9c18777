"""The everyday-term lexicon: reading ``lexicon.toml`` and finding its terms inside a query."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.model import LexiconEntry
from bot.search.normalize import accented_tokens, canon, fold, lengths_by_first, tokenize


def read_lexicon(path: str | Path) -> list[LexiconEntry]:
    """Read repeated ``[[term]]`` tables (``term``, ``means``, optional ``note``) from a TOML file."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return [LexiconEntry(**row) for row in data.get("term", [])]


@dataclass(frozen=True, slots=True)
class Expansion:
    """One lexicon term found in a query: where it is and the official wordings it stands for."""

    start: int
    end: int
    meanings: tuple[str, ...]


class LexiconMatcher:
    """Greedy longest-match lookup of lexicon terms over query tokens.

    Terms match folded (so "so do" finds "sổ đỏ"), except that a syllable the user typed with
    diacritics must agree with the term's own diacritics ("cho" ≠ "chó"), and a one-syllable term
    that needs diacritics only matches when typed with them ("bò", not "bo").
    """

    def __init__(self, entries: Iterable[LexiconEntry]) -> None:
        self._phrases: dict[tuple[str, ...], list[tuple[tuple[str, ...], list[str]]]] = {}
        for entry in entries:
            key = tuple(tokenize(entry.term))
            acc = tuple(accented_tokens(entry.term))
            if not key or len(acc) != len(key):
                continue
            if all(tuple(accented_tokens(m)) == acc for m in entry.means):
                continue  # a spelling the reading already treats alike ("kí" = "ký"): matching it would only cut
                # "đăng ký lại" into "đăng" and "ký lại", losing the phrase
            variants = self._phrases.setdefault(key, [])
            for form, means in variants:
                if form == acc:
                    means.extend(m for m in entry.means if m not in means)
                    break
            else:
                variants.append((acc, list(entry.means)))
        self.max_len = max((len(k) for k in self._phrases), default=0)
        self._lengths = lengths_by_first(self._phrases)
        self.terms: frozenset[str] = frozenset(t for k in self._phrases for t in k)
        self.spelled: frozenset[str] = frozenset(t for v in self._phrases.values() for form, _ in v for t in form)

    def __len__(self) -> int:
        return sum(len(v) for v in self._phrases.values())

    def find(self, tokens: list[str], typed: list[str | None] | None = None) -> list[Expansion]:
        """Non-overlapping lexicon terms in ``tokens`` (folded), longest match first, left to right.

        ``typed`` gives, per token, the form the user typed with diacritics (None when typed without).
        """
        typed = typed or [None] * len(tokens)
        found: list[Expansion] = []
        i = 0
        while i < len(tokens):
            for n in self._lengths.get(tokens[i], ()):
                if i + n > len(tokens):
                    continue
                means = self._match(tuple(tokens[i : i + n]), typed[i : i + n])
                if means is not None:
                    found.append(Expansion(i, i + n, tuple(means)))
                    i += n
                    break
            else:
                i += 1
        return found

    def _match(self, key: tuple[str, ...], typed: list[str | None]) -> list[str] | None:
        variants = self._phrases.get(key)
        if not variants:
            return None
        means: list[str] = []
        for form, meanings in variants:
            needs_marks = len(form) == 1 and form[0] != key[0]
            if needs_marks and typed[0] is None:
                continue
            if all(t is None or canon(t) == f or fold(t) == t for t, f in zip(typed, form, strict=True)):
                means.extend(m for m in meanings if m not in means)
        return means or None

"""English questions in Vietnamese words: the phrases of ``lexicon_en.toml``, longest first.

"I lost my ID card" → "mất thẻ căn cước": every known phrase is replaced by its Vietnamese wording, in
the order written; words with no entry ("I", "my", "the") are dropped. The search then runs as usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.catalog.english import EnglishTerm, english_words

MAX_PHRASE_WORDS = 8
# English function words that tell an English message from unaccented Vietnamese ("the can cuoc" is not).
_ENGLISH = frozenset(
    ["i", "my", "me", "we", "our", "you", "your", "the", "a", "an", "is", "are", "am", "was", "do", "does", "did",
        "can", "could", "how", "what", "which", "where", "when", "who", "why", "to", "for", "of", "in", "on", "at",
        "with", "and", "or", "it", "this", "that", "have", "has", "need", "want", "please", "hello", "hi"]
)
# A syllable Vietnamese could spell (diacritics folded): "the", "can", "my" are; "lost", "card", "id" are not.
_VOWEL = re.compile(r"[aeiou]")
_SYLLABLE = re.compile(r"(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]+(ch|ng|nh|[cmnpt])?")


class EnglishReader:
    """Translates English questions with one lexicon; an empty lexicon translates nothing."""

    def __init__(self, terms: Iterable[EnglishTerm] = ()) -> None:
        self._phrases: dict[tuple[str, ...], str] = {}
        for term in terms:
            for phrase in term.en:
                self._phrases.setdefault(tuple(phrase.split()), term.vi)
        self._vocabulary = frozenset(w for key in self._phrases for w in key) | _ENGLISH

    def is_english(self, text: str, *, expected: bool = False) -> bool:
        """True when ``text`` is written in English; ``expected`` (the chat is in English) asks for less proof.

        Proof: most words are English ones this lexicon or grammar knows, and at least one of them cannot be
        an unaccented Vietnamese syllable ("lost", "card" — but not "the", "can").
        """
        if not text.isascii():
            return False  # Vietnamese with diacritics
        words = english_words(text)
        if not words:
            return False
        # Vietnamese typed without diacritics in the lexicon's phrases ("ho khau", "tam tru") is no English
        known = [w for w in words if w in _ENGLISH or (w in self._vocabulary and not _SYLLABLE.fullmatch(w))]
        # proof: a word Vietnamese could not spell, vowels and all ("cccd", "bhxh" are Vietnamese shorthand)
        foreign = [w for w in known if not _SYLLABLE.fullmatch(w) and _VOWEL.search(w)]
        share = len(known) / len(words)
        return bool(foreign) and share >= (0.4 if expected else 0.6)

    def translate(self, text: str) -> str:
        """The Vietnamese wording of the known phrases of ``text``, in order ("" when none is known)."""
        words = english_words(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                vi = self._phrases.get(tuple(words[i : i + size]))
                if vi is not None:
                    out.append(vi)
                    i += size
                    break
            else:
                i += 1
        return " ".join(out)

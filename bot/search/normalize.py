"""Text normalisation for Vietnamese search: cleaning, diacritic folding, syllable tokens and codes.

Vietnamese words are built from syllables separated by spaces, so a token here is one syllable
(folded to ASCII: "hộ khẩu" → ["ho", "khau"]). Procedure codes such as ``1.001193`` are kept whole.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

CODE_RE = re.compile(r"(?<![\d.])(\d\.\d{6})(?![\d])")
_TOKEN_RE = re.compile(r"\d\.\d{6}(?!\d)|[a-z0-9]+")
_WORD_RE = re.compile(r"\d\.\d{6}(?!\d)|[^\W_]+")
# Characters dropped outright: format/control chars (zero-width, BOM, bidi marks), private use,
# surrogates, and symbols of the "other symbol" class (emoji, pictographs, dingbats).
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "So", "Sk", "Mn"})
_KEEP_CONTROL = frozenset("\t\n\r")
_SPACE_LIKE = frozenset("\u200b\u2028\u2029\u3000")


class _CleanTable(dict[int, str | None]):
    """``str.translate`` table built lazily: each character's replacement is decided once."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch.isascii():
            value: str | None = None if ch.isprintable() or ch in _KEEP_CONTROL else " "
        else:
            cat = unicodedata.category(ch)
            if cat not in _DROP_CATEGORIES:
                value = None  # keep
            elif ch in _SPACE_LIKE or cat not in ("Cf", "Mn"):
                value = " "  # emoji, symbols, separators: a word boundary
            else:
                value = ""  # zero-width/format characters and stray combining marks: removed
        if value is None:
            value = ch
        self[code] = value
        return value


_CLEAN_TABLE = _CleanTable()


def clean(text: str) -> str:
    """NFC-normalise, lowercase and drop invisible/control characters and emoji (diacritics kept)."""
    return unicodedata.normalize("NFC", text).lower().translate(_CLEAN_TABLE)


class _FoldTable(dict[int, str]):
    """``str.translate`` table mapping each character to its letter without diacritics."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "đĐ":
            value = "d"
        elif ch.isascii():
            value = ch
        else:
            value = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        self[code] = value
        return value


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Remove Vietnamese diacritics ("hộ khẩu" → "ho khau", "đ" → "d"); expects cleaned text."""
    return text if text.isascii() else text.translate(_FOLD)


@lru_cache(maxsize=16384)
def _fold_word(word: str) -> str:
    return fold(word)


# Spelling variants of the same syllable: "ký"/"kí", "lý"/"lí", "mỹ"/"mĩ", "sỹ"/"sĩ" (consonant + y/i).
_Y_TO_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")
_Y_CONSONANTS = frozenset("bdhklmnstv")


# Tone marks (as combining characters): grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Open syllables ending in these vowel pairs carry their tone on either vowel, as people were taught
# ("hoà"/"hòa", "thuỷ"/"thủy", "khoẻ"/"khỏe"); "qu" + "y" is one consonant and a vowel ("quý").
_TONE_PAIRS = ("oa", "oe", "uy")


def _tone_on_first_vowel(token: str) -> str:
    """``token`` with the tone of a final "oa", "oe" or "uy" on its first vowel ("hoà" → "hòa")."""
    folded = fold(token)
    if not folded.endswith(_TONE_PAIRS) or folded.startswith("qu"):
        return token
    chars = list(unicodedata.normalize("NFD", token))
    tones = [i for i, c in enumerate(chars) if c in _TONES]
    if len(tones) != 1:
        return token
    letters = [i for i, c in enumerate(chars) if not unicodedata.combining(c)]
    if len(letters) < 2 or tones[0] < letters[-1]:
        return token  # already on the first vowel (or on none)
    tone = chars.pop(tones[0])
    chars.insert(letters[-2] + 1, tone)
    return unicodedata.normalize("NFC", "".join(chars))


@lru_cache(maxsize=1 << 16)  # a message is read several times (words, sentences, situations)
def canon(token: str) -> str:
    """Canonical spelling of one syllable: y→i after a single consonant, numbers without leading zeros, the
    tone of an open "oa", "oe", "uy" on its first vowel ("hoà" as "hòa")."""
    if len(token) == 2 and token[0] in _Y_CONSONANTS and token[1] in "yýỳỷỹỵ":
        token = token.translate(_Y_TO_I)
    elif token.isdigit() and token.startswith("0") and len(token) > 1:
        token = token.lstrip("0") or "0"
    elif not token.isascii():
        token = _tone_on_first_vowel(token)
    return sys.intern(token)


def tokenize(text: str) -> list[str]:
    """Clean, fold and split ``text`` into syllable tokens; procedure codes stay one token."""
    cleaned = clean(text)
    folded = " ".join(_fold_word(w) for w in cleaned.split())
    return [canon(t) for t in _TOKEN_RE.findall(folded)]


def accented_tokens(text: str) -> list[str]:
    """Syllables of ``text`` with their diacritics kept (lowercase, cleaned), for exact-form checks."""
    return [canon(t) for t in _WORD_RE.findall(clean(text))]


def has_diacritics(text: str) -> bool:
    """Whether the text carries Vietnamese diacritics (the user typed with tone marks)."""
    cleaned = clean(text)
    return fold(cleaned) != cleaned


def extract_codes(text: str) -> list[str]:
    """Procedure codes (``d.dddddd``) typed anywhere in ``text``, in order of appearance."""
    return CODE_RE.findall(clean(text))


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent syllable pairs joined with a space ("dang ky" from ["dang", "ky"])."""
    return [f"{a} {b}" for a, b in pairwise(tokens)]


def lengths_by_first(keys: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    """For each first syllable, the lengths of the phrases starting with it, longest first."""
    lengths: dict[str, set[int]] = {}
    for key in keys:
        lengths.setdefault(key[0], set()).add(len(key))
    return {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}

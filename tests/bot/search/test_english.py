"""English questions in Vietnamese words, and telling English from unaccented Vietnamese."""

from __future__ import annotations

import pytest

from bot.catalog.english import EnglishTerm
from bot.search.english import EnglishReader

READER = EnglishReader([
    EnglishTerm(en=["id card", "identity card"], vi="thẻ căn cước"),
    EnglishTerm(en=["lost", "i lost"], vi="mất"),
    EnglishTerm(en=["card"], vi="thẻ"),
    EnglishTerm(en=["driving licence", "driver s license"], vi="giấy phép lái xe"),
])


def test_the_longest_phrase_wins_and_unknown_words_are_dropped():
    assert READER.translate("I lost my ID card") == "mất thẻ căn cước"
    assert READER.translate("lost card") == "mất thẻ"
    assert READER.translate("I lost my driver's license!") == "mất giấy phép lái xe"
    assert READER.translate("hello there") == ""


@pytest.mark.parametrize("text", ["I lost my ID card", "identity card lost", "driving licence"])
def test_english_is_recognised(text):
    assert READER.is_english(text)


@pytest.mark.parametrize("text", ["the can cuoc", "mat the can cuoc", "lam cccd", "mất thẻ căn cước", "i", ""])
def test_vietnamese_with_or_without_diacritics_is_not_english(text):
    assert not READER.is_english(text)
    assert not READER.is_english(text, expected=True) or text == "i"


def test_vietnamese_shorthand_the_lexicon_knows_is_no_proof_of_english():
    reader = EnglishReader([EnglishTerm(en=["cccd"], vi="căn cước"), EnglishTerm(en=["lost"], vi="mất")])
    assert not reader.is_english("cccd")
    assert not reader.is_english("cccd", expected=True)
    assert reader.is_english("lost cccd")
    assert reader.translate("I lost my cccd") == "mất căn cước"


def test_an_empty_lexicon_translates_nothing():
    assert EnglishReader().translate("I lost my ID card") == ""

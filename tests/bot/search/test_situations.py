"""Reading the situations of the shipped situations.toml in messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.search.situations import PhraseFinder, SituationMatcher, abbreviations, sentences

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def matcher() -> SituationMatcher:
    catalog = load_catalog(ROOT / "procedures_catalog")
    return SituationMatcher(catalog.situations, list(catalog.procedures.values()))


def _says(matcher: SituationMatcher, text: str) -> list[str]:
    return [matcher.situations[h.index].say for h in matcher.match(text)]


def test_mat_that_means_takes_is_not_a_loss(matcher):
    assert not any("mất hộ chiếu" in s for s in _says(matcher, "làm hộ chiếu lần đầu mất bao lâu"))
    assert any("mất hộ chiếu" in s for s in _says(matcher, "bị mất hộ chiếu thì làm sao"))


def test_a_phrase_inside_a_longer_one_is_found_unless_it_tells_an_event():
    finder = PhraseFinder(["làm khai sinh", "khai sinh", "nhận cha", "ăn mất", "mất", "giấy xác nhận",
                           "xác nhận độc thân"], nested=["khai sinh", "xác nhận độc thân"])
    assert set(finder.find(sentences("làm khai sinh kèm nhận cha")[0])) == {"làm khai sinh", "khai sinh", "nhận cha"}
    assert set(finder.find(sentences("mối ăn mất một góc")[0])) == {"ăn mất"}  # "mất" is not nested
    # only wholly inside: a phrase running past the longer one's end is not read across it
    assert set(finder.find(sentences("giấy xác nhận độc thân")[0])) == {"giấy xác nhận"}
    # nor one starting where the longer one starts ("khai sinh" in "khai sinh cho con")
    finder = PhraseFinder(["khai sinh cho con", "khai sinh", "chưa kết hôn"], nested=["khai sinh"])
    said = finder.find(sentences("khai sinh cho con khi chưa kết hôn")[0])
    assert set(said) == {"khai sinh cho con", "khai sinh", "chưa kết hôn"}


def test_a_situation_a_nested_phrase_completes_is_read(matcher):
    assert "khai sinh kèm nhận cha cho con" in _says(matcher, "lam khai sinh kem nhan cha cho be")


def test_a_robbery_is_a_loss(matcher):
    assert any("căn cước" in s for s in _says(matcher, "bi cuop giat het giay to, trong do co can cuoc"))


def test_a_situation_only_the_story_tells_calls_half_as_strongly_as_the_ask(matcher):
    text = "Năm 2015 tôi mua đất của hàng xóm, đã sang tên sổ đỏ. Nay tôi muốn xin giấy phép xây dựng thì làm sao?"
    hits = {matcher.situations[h.index].say: h for h in matcher.match(text)}
    story, ask = hits["mua đất, sang tên sổ đỏ"], hits["xin giấy phép xây nhà"]
    assert story.story and not ask.story
    best = matcher.match(text)[0]
    assert story.strength(best) == pytest.approx(0.5 * dataclasses.replace(story, story=False).strength(best))
    # asked in one sentence, both are the ask
    assert not any(h.story for h in matcher.match("mua đất rồi muốn xin giấy phép xây dựng"))


def test_a_question_naming_nothing_leaves_the_story_as_the_ask(matcher):
    # the last sentence only asks ("làm", "mất bao lâu"): the damaged land certificate is what is asked about
    text = "Sổ đỏ nhà tôi bị mối ăn mất một góc. Tôi phải làm thủ tục gì để có sổ mới, mất bao lâu?"
    hits = {matcher.situations[h.index].say: h for h in matcher.match(text)}
    assert not hits["sổ đỏ rách, mờ, hư"].story


def test_no_phrase_spans_a_comma(matcher):
    # "sổ mới, mất bao lâu" holds no "mới mất" (died recently); without the comma it would
    assert "mới mất" not in matcher.finder.find(sentences("làm sổ mới, mất bao lâu")[0])
    assert "mới mất" in matcher.finder.find(sentences("bố tôi mới mất")[0])


def test_the_sentence_that_asks_is_the_last_naming_something(matcher):
    story = "Tôi bị mất điện thoại nên đã khóa tài khoản VNeID. Giờ có điện thoại mới rồi, muốn mở khóa thì làm sao?"
    assert matcher.asking(story) == "giờ có điện thoại mới rồi muốn mở khóa thì làm sao"
    # a closing question naming nothing ("mất bao lâu") leaves the sentence before it as the ask
    assert matcher.asking("Sổ đỏ nhà tôi bị mối ăn. Mất bao lâu?") == "sổ đỏ nhà tôi bị mối ăn"
    assert matcher.asking("mở khóa vneid thế nào") is None  # one sentence: the whole message asks


def test_the_lexicon_s_abbreviations_are_read_by_the_situations():
    catalog = load_catalog(ROOT / "procedures_catalog")
    procedures = list(catalog.procedures.values())
    plain = SituationMatcher(catalog.situations, procedures)
    reading = SituationMatcher(catalog.situations, procedures, list(catalog.lexicon))
    says = [reading.situations[h.index].say for h in reading.match("gks sai năm sinh sửa sao")]
    assert "sai thông tin trên giấy khai sinh" in says  # "gks": giấy khai sinh, by the lexicon
    assert not plain.match("gks sai năm sinh sửa sao")
    # a phrase the situations use keeps its own meaning; a word with diacritics is no abbreviation
    assert abbreviations(catalog.lexicon, ["giấy khai sinh", "kết hôn"]) == {"gks": ("giấy khai sinh",)}

"""The full committed catalog (2,642 procedures) with the real lexicon."""

from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.model import Level
from bot.search.engine import SearchEngine
from bot.search.lexicon import read_lexicon

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def full() -> SearchEngine:
    catalog = load_catalog(ROOT / "procedures_catalog")
    return SearchEngine.build(catalog.procedures.values(), catalog.lexicon, [Level.PROVINCE, Level.COMMUNE])


def test_lexicon_file_is_broad_and_valid():
    entries = read_lexicon(ROOT / "procedures_catalog" / "lexicon.toml")
    terms = {e.term for e in entries}
    assert len(entries) >= 200
    assert {"sổ đỏ", "hộ khẩu", "cccd", "bằng lái", "dk", "ko", "j"} <= terms


@pytest.mark.parametrize(
    ("q", "code"),
    [("dk ket hon", "1.000894"), ("lam giay khai sinh", "1.001193"), ("ly lich tu phap", "3.000333")],
)
def test_everyday_questions(full, q, code):
    assert full.search(q).results[0].code == code


def test_out_of_scope(full):
    for q in ("xin chào", "mua vé máy bay đi đà nẵng"):
        assert full.search(q).answer is None


@pytest.mark.parametrize(
    "q", ["thoi tiet ha noi", "an com chua", "quan an ngon gan day", "gia vang hom nay", "may gio roi"]
)
def test_off_topic_chat_without_diacritics_is_not_a_procedure(full, q):
    # words found here and there in the catalog, never two side by side: not found, no junk choices
    result = full.search(q)
    assert result.confidence == "none" and result.answer is None


def test_partial_match_offers_choices_instead_of_nothing(full):
    result = full.search("sửa họ tên trong giấy khai sinh")
    assert result.confidence == "ambiguous" and result.results[0].code == "1.004859"


def test_naming_a_procedure_in_full_answers_it_directly(full):
    # every word of "Thủ tục đăng ký kết hôn" is in the question, not every word of "… đăng ký lại kết hôn"
    result = full.search("dk ket hon")
    assert result.confidence == "confident" and result.answer == "1.000894"


def test_a_generic_question_still_asks_which_one(full):
    # "làm CCCD" could be a first card, a renewal or a re-issue: the assistant asks
    result = full.search("lam cccd")
    assert result.confidence == "ambiguous" and result.answer is None

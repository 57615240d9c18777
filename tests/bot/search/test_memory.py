"""Recalling example questions: the procedures of the examples most like a message, and what ranking makes of
them."""

from __future__ import annotations

from bot.catalog.model import Level
from bot.search import memory
from bot.search.engine import SearchEngine
from bot.search.memory import QuestionMemory
from tests.bot.search.conftest import LEXICON, PROCEDURES

EXAMPLES = [
    ("làm khai sinh cho bé ở bản vùng cao xa xã", ("1.003583",)),
    ("đăng ký kết hôn cần mang giấy gì", ("1.000894",)),
    ("mất sổ đỏ phải làm sao", ("1.012786",)),
]


def test_a_message_like_an_example_recalls_its_procedures_with_the_similarity():
    recalled = QuestionMemory(EXAMPLES).recall("khai sinh cho bé ở bản vùng cao")
    assert set(recalled) == {"1.003583"}
    assert 0.6 < recalled["1.003583"] <= 1.0
    assert QuestionMemory(EXAMPLES).recall("làm khai sinh cho bé ở bản vùng cao xa xã")["1.003583"] > 0.999


def test_nothing_is_recalled_for_an_unrelated_message_an_empty_one_or_an_empty_memory():
    assert QuestionMemory(EXAMPLES).recall("xin chào, hôm nay trời mưa to quá") == {}
    assert QuestionMemory(EXAMPLES).recall("") == {}
    assert QuestionMemory().recall("mất sổ đỏ") == {}
    assert len(QuestionMemory([("", ("1.000894",)), ("kết hôn", ())])) == 0  # no words or no codes: no example


def test_only_the_nearest_examples_count_and_only_when_alike_enough(monkeypatch):
    places = ["Tân Lập", "An Bình", "Hòa Phú", "Đông Sơn", "Mỹ Hưng", "Phước Long", "Yên Thế", "Quảng Lợi"]
    many = [(f"đăng ký kết hôn ở xã {p}", (f"9.{n:06d}",)) for n, p in enumerate(places)]
    many += [(f"mất sổ đỏ thửa số {n}", ("1.012786",)) for n in range(40)]  # the words of marriage are rare
    recalled = QuestionMemory(many).recall("đăng ký kết hôn")
    assert len(recalled) == memory.NEIGHBOURS and "1.012786" not in recalled
    monkeypatch.setattr(memory, "MIN_SIMILARITY", 0.99)
    assert QuestionMemory(many).recall("đăng ký kết hôn") == {}


def test_an_example_lifts_its_procedure_above_the_one_the_words_alone_prefer():
    levels = [Level.PROVINCE, Level.COMMUNE]
    plain = SearchEngine.build(PROCEDURES, LEXICON, levels)
    taught = SearchEngine.build(PROCEDURES, LEXICON, levels, None, EXAMPLES)
    query = "khai sinh cho bé ở bản vùng cao"
    assert plain.search(query).results[0].code == "1.001193"  # the plain member: "lưu động" is not said
    assert taught.search(query).results[0].code == "1.003583"
    assert plain.with_memory(QuestionMemory(EXAMPLES)).search(query).results[0].code == "1.003583"
    assert taught.with_memory(QuestionMemory()).search(query).results[0].code == "1.001193"


def test_a_code_the_engine_has_not_indexed_is_ignored():
    engine = SearchEngine.build(PROCEDURES, LEXICON, [Level.COMMUNE], None, [("kết hôn ở xã", ("9.999999",))])
    assert engine.search("kết hôn ở xã").results[0].code == "1.000894"


def test_an_example_brings_in_a_procedure_the_words_never_select_and_its_own_question_answers_it():
    levels = [Level.PROVINCE, Level.COMMUNE]
    query = "giấy tờ cho người ở nhà thuê"
    plain = SearchEngine.build(PROCEDURES, LEXICON, levels)
    assert "1.004194" not in [h.code for h in plain.search(query).results]
    near = SearchEngine.build(PROCEDURES, LEXICON, levels, None, [("giấy tờ cho người ở nhà thuê trọ", ("1.004194",))])
    assert "1.004194" in [h.code for h in near.search(query).results]  # a candidate now, without its words
    same = SearchEngine.build(PROCEDURES, LEXICON, levels, None, [("Giấy tờ cho người ở nhà thuê?", ("1.004194",))])
    result = same.search(query)
    assert result.results[0].code == "1.004194"  # the question itself, folded: its procedure comes first


def test_a_procedure_few_neighbours_answered_counts_for_its_share_of_them():
    examples = [
        ("xin phép xây nhà ở quê", ("1.013225",)),
        ("xin phép xây nhà 3 tầng", ("1.013225",)),
        ("xin phép xây nhà trên đất vườn", ("1.013225",)),
        ("xin phép xây nhà cấp 4", ("1.013225",)),
        ("xin phép xây nhà tạm trên đất nông nghiệp", ("1.013226",)),  # one neighbour of five
        *((f"mất sổ đỏ thửa số {n}", ("1.012786",)) for n in range(40)),  # the words of building are rare
    ]
    recalled = QuestionMemory(examples).recall("xin phép xây nhà")
    assert set(recalled) == {"1.013225", "1.013226"}
    assert recalled["1.013225"] > 5 * recalled["1.013226"] > 0


def test_a_message_like_the_examples_about_what_the_catalog_lacks_is_not_answered_with_a_procedure():
    levels = [Level.PROVINCE, Level.COMMUNE]
    query = "đăng ký hộ kinh doanh online"
    plain = SearchEngine.build(PROCEDURES, LEXICON, levels)
    assert plain.search(query).answer == "1.001612"
    gaps = [("đăng ký hộ kinh doanh online qua sàn", ("NONE",)), ("hộ kinh doanh online trên sàn", ("NONE",))]
    declined = SearchEngine.build(PROCEDURES, LEXICON, levels, None, gaps)
    result = declined.search(query)
    assert result.answer is None and result.confidence == "none"  # "not found", with an officer offered
    assert declined.like_a_gap(declined.parse(query)[0])
    taught = SearchEngine.build(PROCEDURES, LEXICON, levels, None, [*gaps, (query, ("1.001612",))])
    assert taught.search(query).answer == "1.001612"  # a closer example naming a procedure wins

"""Conversations about real procedures: the shipped catalog, situations and fitted decision."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.questions import Example
from bot.knowledge import Knowledge
from bot.search.decision import DECISION
from tests.handlers.conftest import SETTINGS, Chat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real() -> Knowledge:
    catalog = load_catalog(ROOT / "procedures_catalog")
    return Knowledge.build(catalog.procedures.values(), catalog.lexicon, SETTINGS.office.levels, catalog.situations,
                           catalog.english, catalog.questions)


def test_a_question_an_office_added_as_an_example_is_answered_with_its_procedure():
    """"xe bị trộm mất muốn hủy giấy tờ" names neither the registration nor its revocation; once an office adds the
    question with the procedure an officer chose, the citizen who asks it again gets that card."""
    catalog = load_catalog(ROOT / "procedures_catalog")
    question = "xe bị trộm mất muốn hủy giấy tờ"
    taught = (Example("Xe bị trộm mất, muốn hủy giấy tờ!", ("1.013065",), 1),)
    before, after = (
        Chat(Knowledge.build(catalog.procedures.values(), catalog.lexicon, SETTINGS.office.levels, catalog.situations,
                             catalog.english, examples)).send(question)[0].text
        for examples in ((), taught)
    )
    assert "Tôi tìm thấy vài thủ tục" in before and not before.split("\n")[1].startswith("1. Thu hồi")
    assert after.startswith("<b>Thu hồi chứng nhận đăng ký xe") and "1.013065" in after


def test_a_question_asked_again_in_the_words_of_an_example_gets_its_card_among_all_the_shipped_examples(real):
    """The example's closest neighbours share the recall; the example that is the message itself does not."""
    question = "Xe bị trộm mất rồi, muốn hủy đăng ký thì làm sao?"
    catalog = load_catalog(ROOT / "procedures_catalog")
    taught = (*catalog.questions, Example(question, ("1.013065",), 0))
    knowledge = Knowledge.build(catalog.procedures.values(), catalog.lexicon, SETTINGS.office.levels,
                                catalog.situations, catalog.english, taught)
    assert len(knowledge.engine.parts.memory) > 3000
    reply = Chat(knowledge).send("xe bi trom mat roi muon huy dang ky thi lam sao")[0].text
    assert reply.startswith("<b>Thu hồi chứng nhận đăng ký xe") and "1.013065" in reply


def _datas(replies) -> list[str]:
    return [c.data for r in replies for c in r.flat_choices()]


def test_a_long_narrative_question_is_answered_directly(real):
    chat = Chat(real)
    replies = chat.send(
        "Vợ tôi vừa sinh cháu được một tuần ở bệnh viện huyện, đã có giấy chứng sinh. Tôi muốn làm giấy khai "
        "sinh cho cháu thì cần mang theo giấy tờ gì và làm ở đâu ạ?"
    )
    assert "Thủ tục đăng ký khai sinh" in replies[0].text and "1.001193" in replies[0].text
    assert "Tôi tìm thấy vài thủ tục" not in "".join(r.text for r in replies)
    assert any("Giấy tờ" in r.text for r in replies[1:])  # the narrative's ask is answered too


def test_a_narrative_the_engine_is_less_sure_of_still_puts_the_right_procedure_first(real):
    chat = Chat(real)
    replies = chat.send(
        "Năm ngoái lũ về cuốn trôi hết đồ đạc, sổ đỏ nhà tôi cũng bị trôi mất. Bố tôi đứng tên sổ, "
        "giờ muốn xin cấp lại thì cần giấy tờ gì?"
    )
    first = replies[0].text
    if "Tôi tìm thấy vài thủ tục" in first:  # the list to choose from, this procedure first
        assert "1. Cấp lại Giấy chứng nhận do bị mất" in first
    else:  # its card
        assert "Cấp lại Giấy chứng nhận do bị mất" in first and "1.012786" in first


def test_a_letter_whose_story_outweighs_its_question_is_never_told_nothing_was_found(real):
    """Places, ages and relatives fill a reader's letter: the share of it any procedure explains is small, which
    is no sign that it is off-topic."""
    chat = Chat(real)
    replies = chat.send(
        "Chào anh chị, nhà tôi ở xóm Bãi, xã Minh Tân, bố tôi năm nay 71 tuổi, trước làm công nhân lâm trường rồi "
        "nghỉ từ năm 1995. Tuần trước ông đi khám ở bệnh viện huyện thì người ta bảo thẻ bảo hiểm y tế đã hết hạn "
        "từ tháng trước, cả nhà không ai để ý. Xin hỏi giờ gia hạn thẻ cho ông thì làm ở đâu, có phải đóng thêm "
        "tiền không?"
    )
    text = "".join(r.text for r in replies)
    assert "chưa tìm thấy" not in text
    assert "thẻ bảo hiểm y tế" in text.lower()


def test_answer_with_alternatives_then_choosing_one(real):
    # a decision that never answers alone: the card comes with the close alternatives as buttons
    real.engine.decision = dataclasses.replace(
        DECISION, answer_at=1.01, alternatives_at=0.0, alternatives_long_at=0.0, alternative_gap=1.0
    )
    try:
        chat = Chat(real)
        replies = chat.send("đổi bằng lái xe")
        assert "Đổi giấy phép lái xe" in replies[0].text and "3.000347" in replies[0].text
        offer = replies[-1]
        assert offer.text.startswith("Hoặc bạn cần:")
        datas = _datas([offer])
        assert datas and all(d.startswith("p:") for d in datas) and "p:3.000347" not in datas
        # pressing the button of an alternative opens it
        [card] = chat.press(datas[0])
        assert datas[0][2:] in card.text
        # typing its number selects it too
        chat.send("đổi bằng lái xe")
        [card] = chat.send("1")
        assert datas[0][2:] in card.text
    finally:
        real.engine.decision = DECISION


@pytest.mark.parametrize("text", ["i", "4", "?", "a1", "<b>i</b>", " <p> 4 </p> "])
def test_one_or_two_characters_never_open_a_card(real, text):
    chat = Chat(real)
    [reply] = chat.send(text)
    assert "Tin nhắn ngắn quá" in reply.text
    assert not reply.choices


def test_a_number_not_offered_never_opens_a_card(real):
    chat = Chat(real)
    first = chat.send("chứng thực")  # a list of choices
    offered = len(_datas(first))
    [reply] = chat.send(str(offered + 1) if offered < 9 else "99")
    assert "không còn hiệu lực" in reply.text
    assert "Mã thủ tục" not in reply.text


def _titles(replies) -> list[str]:
    return [r.text.split("\n", 1)[0] for r in replies]


def test_a_two_part_question_answers_both_parts(real):
    chat = Chat(real)
    replies = chat.send("đăng ký khai sinh cần giấy tờ gì và mất bao lâu")
    assert "Mã thủ tục" in replies[0].text or "khai sinh" in replies[0].text.lower()
    titles = _titles(replies[1:])
    assert any(t.startswith("<b>Giấy tờ cần mang</b>") for t in titles)
    assert any(t.startswith("<b>Thời hạn giải quyết</b>") for t in titles)


def test_three_parts_asked_after_a_card_answer_three_sections_in_card_order(real):
    chat = Chat(real)
    chat.send("đăng ký khai sinh")
    replies = chat.send("cần gì, lệ phí bao nhiêu, nộp ở đâu")
    assert [t.split("</b>")[0] for t in _titles(replies)] == [
        "<b>Giấy tờ cần mang", "<b>Phí, lệ phí", "<b>Nơi nộp hồ sơ"]


@pytest.mark.parametrize("text", ["bao lâu thì xong", "khi nào xong", "mất mấy ngày", "bao lâu thì xong ạ?"])
def test_time_follow_ups_answer_the_time_of_the_procedure_in_context(real, text):
    chat = Chat(real)
    chat.send("đăng ký khai sinh")
    [reply] = chat.send(text)
    assert reply.text.startswith("<b>Thời hạn giải quyết</b>")
    assert "khai sinh" in reply.text.split("\n", 1)[0].lower()


@pytest.mark.parametrize(("text", "title"), [
    ("ở đâu", "Nơi nộp hồ sơ"), ("nộp ở đâu", "Nơi nộp hồ sơ"), ("làm online thế nào", "Cách nộp và nộp trực tuyến"),
    ("phí bao nhiêu", "Phí, lệ phí"), ("cần mang gì", "Giấy tờ cần mang"),
])
def test_common_follow_ups_answer_that_section(real, text, title):
    chat = Chat(real)
    chat.send("đăng ký kết hôn")
    [reply] = chat.send(text)
    assert reply.text.startswith(f"<b>{title}</b>") and "kết hôn" in reply.text.lower()


def test_a_new_question_after_a_card_is_recognised_as_new(real):
    chat = Chat(real)
    chat.send("đăng ký khai sinh")
    replies = chat.send("mất sổ đỏ thì làm lại mất bao lâu")
    assert "1.012786" in replies[0].text and "khai sinh" not in replies[0].text.lower()
    assert any(t.startswith("<b>Thời hạn giải quyết</b>") and "1.012786" in t for t in _titles(replies))


@pytest.mark.parametrize(("text", "codes"), [
    ("I lost my ID card", {"2.001194", "1.000757", "1.014064"}),
    ("birth registration", {"1.001193"}),
    ("land use right certificate lost", {"1.012786"}),
])
def test_an_english_question_in_english_mode_finds_the_procedure(real, text, codes):
    chat = Chat(real)
    chat.state.language = "en"
    replies = chat.send(text)
    assert any(code in replies[0].text for code in codes), replies[0].text
    assert "I couldn't find" not in replies[0].text


def test_an_english_follow_up_in_english_mode_answers_the_section(real):
    chat = Chat(real)
    chat.state.language = "en"
    first = chat.send("marriage registration")[0]
    if "Procedure code: 1.000894" not in first.text:  # not the card: a translated question below the English
        assert "1. Thủ tục đăng ký kết hôn" in first.text  # threshold gets the list, the plain procedure first;
        chat.send("1")  # the citizen picks it
    [reply] = chat.send("how long does it take?")
    assert "1.000894" in reply.text.split("\n", 1)[0]


def test_a_clearly_english_question_is_understood_in_a_vietnamese_chat(real):
    chat = Chat(real)
    replies = chat.send("I lost my driver's license")
    assert "3.000348" in replies[0].text


def test_a_follow_up_after_a_list_of_candidates_is_not_about_the_card_before_it(real):
    chat = Chat(real)
    chat.send("lam cccd")
    # a decision that always asks: the narrative question gets a list of candidates
    real.engine.decision = dataclasses.replace(
        DECISION, answer_at=1.01, alternatives_at=1.01, alternatives_long_at=1.01
    )
    try:
        listed = chat.send("Tôi đi làm xa mấy năm, nay về thì sổ đỏ bị mối ăn mất một góc, không đọc được số "
                           "thửa. Tôi phải làm thủ tục gì để có sổ mới, mất bao lâu?")
    finally:
        real.engine.decision = DECISION
    assert "Bạn cần thủ tục nào?" in listed[0].text
    replies = chat.send("bao lâu thì xong")
    assert "căn cước" not in replies[0].text.lower()
    assert "Bạn muốn hỏi về thủ tục nào?" in replies[0].text

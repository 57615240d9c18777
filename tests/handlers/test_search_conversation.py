"""Conversations about real procedures: the shipped catalog, situations and fitted decision."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.knowledge import Knowledge
from bot.search.decision import DECISION
from tests.handlers.conftest import SETTINGS, Chat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real() -> Knowledge:
    catalog = load_catalog(ROOT / "procedures_catalog")
    return Knowledge.build(catalog.procedures.values(), catalog.lexicon, SETTINGS.office.levels, catalog.situations)


def _datas(replies) -> list[str]:
    return [c.data for r in replies for c in r.flat_choices()]


def test_a_long_narrative_question_is_answered_directly(real):
    chat = Chat(real)
    replies = chat.send(
        "Năm ngoái lũ về cuốn trôi hết đồ đạc, sổ đỏ nhà tôi cũng bị trôi mất. Bố tôi đứng tên sổ, "
        "giờ muốn xin cấp lại thì cần giấy tờ gì?"
    )
    assert "Cấp lại Giấy chứng nhận do bị mất" in replies[0].text and "1.012786" in replies[0].text
    assert "Tôi tìm thấy vài thủ tục" not in "".join(r.text for r in replies)


def test_answer_with_alternatives_then_choosing_one(real):
    # a decision that never answers alone: the card comes with the close alternatives as buttons
    real.engine.decision = dataclasses.replace(DECISION, answer_at=1.01, alternatives_at=0.0, alternative_gap=1.0)
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


@pytest.mark.parametrize("text", ["i", "4", "?", "a1"])
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

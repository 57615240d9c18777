"""The decision's second opinion (plain BM25 over names and fields) and its length-dependent thresholds."""

from __future__ import annotations

import dataclasses

from bot.catalog.model import Level
from bot.search.decision import DECISION
from bot.search.engine import SearchEngine
from bot.search.second_opinion import PlainBm25
from tests.bot.search.conftest import LEXICON, PROCEDURES


def _position(code: str) -> int:
    return next(i for i, p in enumerate(PROCEDURES) if p.code == code)


def test_plain_bm25_reads_the_words_as_typed():
    plain = PlainBm25(PROCEDURES)
    everyone = list(range(len(PROCEDURES)))
    for q, code in [("dang ky ket hon", "1.000894"), ("đăng ký tạm trú", "1.004194")]:
        scores = plain.scores(q, everyone)
        assert max(everyone, key=lambda i: scores[i]) == _position(code)
    # no lexicon: shorthand and unknown words are not read
    assert not any(plain.scores("dk kh", everyone))
    assert not any(plain.scores("", everyone))
    # a huge message is read as far as the situations read it
    assert plain.scores("xin chao " * 2000 + "kết hôn", everyone) == plain.scores("xin chao", everyone)


def test_candidate_scores_order_like_the_full_ranking():
    plain = PlainBm25(PROCEDURES)
    marry, stay, birth = _position("1.000894"), _position("1.004194"), _position("1.001193")
    scores = plain.scores("đăng ký kết hôn", [stay, marry, birth])
    assert scores[1] > scores[0] > 0 and scores[1] > scores[2]
    assert plain.scores("xin chao", [stay, marry]) == [0.0, 0.0]


def _agrees(engine: SearchEngine, q: str) -> float:
    parsed, intent, situations = engine.parse(q)
    return engine.features(engine.rank(parsed, intent, situations), parsed, q)["agrees"]


def test_agreement_is_a_feature_of_the_decision(engine):
    assert _agrees(engine, "đăng ký kết hôn") == 1.0
    # the lexicon reads "nhập khẩu" as permanent residence; the plain reading prefers a name saying "cho"
    assert engine.search("nhập khẩu cho con").results[0].code == "1.004222"
    assert _agrees(engine, "nhập khẩu cho con") == 0.0


def test_a_long_message_is_answered_from_its_own_threshold():
    eng = SearchEngine.build(PROCEDURES, LEXICON, [Level.PROVINCE, Level.COMMUNE])
    short_q = "đăng ký kết hôn"
    long_q = ("Tôi muốn đăng ký kết hôn, xin hỏi đăng ký kết hôn thì cần những giấy tờ gì, nộp ở đâu, mất bao "
              "lâu và lệ phí bao nhiêu ạ")
    assert len(long_q.split()) >= DECISION.long_words > len(short_q.split())
    eng.decision = dataclasses.replace(DECISION, answer_at=1.01, alternatives_at=1.01, alternatives_long_at=0.0)
    assert eng.search(short_q).answer is None and eng.search(long_q).answer == "1.000894"
    eng.decision = dataclasses.replace(DECISION, answer_at=1.01, alternatives_at=0.0, alternatives_long_at=1.01)
    assert eng.search(short_q).answer == "1.000894" and eng.search(long_q).answer is None
    assert DECISION.answers_at(3) == DECISION.alternatives_at
    assert DECISION.answers_at(40) == DECISION.alternatives_long_at
    assert DECISION.answers_at(3, translated=True) == DECISION.translated_at

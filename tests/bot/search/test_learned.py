"""The learned correction of a long message's ranking: its file, where it applies, what it adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.search.engine import SearchEngine
from bot.search.learned import RANK_FEATURES, RANKING, RankWeights, corrected

LONG_BIRTH = ("Tôi ở bản xa, vợ tôi vừa sinh cháu được hai tuần, nhà đông con và đường lên xã rất khó đi, "
              "mùa mưa thì bị chia cắt nhiều ngày. Nghe nói cán bộ có thể xuống tận bản để làm giấy tờ cho dân. "
              "Xin hỏi làm khai sinh cho cháu thì chuẩn bị những gì?")


def weights(**named: float) -> RankWeights:
    return RankWeights(tuple(named.get(name, 0.0) for name in RANK_FEATURES))


def test_the_fitted_file_names_only_known_features_and_counts_the_example_questions():
    assert len(RANKING.weights) == len(RANK_FEATURES)
    assert RANKING.weights[RANK_FEATURES.index("recall")] > 0  # an example like the message speaks for its procedure


def test_a_file_naming_an_unknown_feature_is_refused_with_its_name(tmp_path: Path):
    path = tmp_path / "ranking.toml"
    path.write_text("[weights]\ncoverage = 0.5\nshoe_size = 1.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="shoe_size"):
        RankWeights.read(path)
    path.write_text("[weights]\ncoverage = 0.5\n", encoding="utf-8")  # a feature it does not name weighs nothing
    assert RankWeights.read(path).correction([1.0] * len(RANK_FEATURES)) == pytest.approx(0.5)


def test_only_long_messages_are_corrected():
    assert not corrected(6)  # "đăng ký khai sinh cho con"
    assert corrected(len(LONG_BIRTH.split()))


def test_the_correction_moves_a_long_message_and_leaves_a_short_one(engine: SearchEngine):
    # a weight that prefers what the message's words do not cover turns a long message's ranking around,
    # and never touches a short one's
    plain = SearchEngine.build([engine.get(c) for c in ("1.001193", "1.003583", "1.000894")], [], [])
    plain.ranking = RankWeights.none()
    before_long = [h.code for h in plain.search(LONG_BIRTH).results]
    before_short = [h.code for h in plain.search("khai sinh lưu động").results]
    plain.ranking = weights(coverage=-10.0)
    after_long = [h.code for h in plain.search(LONG_BIRTH).results]
    assert after_long != before_long
    assert [h.code for h in plain.search("khai sinh lưu động").results] == before_short

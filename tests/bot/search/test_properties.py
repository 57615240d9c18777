from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.engine import SearchEngine
from tests.bot.search.conftest import LEXICON, PROCEDURES

ENGINE = SearchEngine.build(PROCEDURES, LEXICON, [])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=-3, max_value=12))
def test_search_never_raises_and_respects_limits(text, limit):
    r = ENGINE.search(text, limit=limit)
    assert len(r.results) <= max(limit, 0)
    assert all(0.0 <= h.score <= 1.0 for h in r.results)
    assert r.confidence in {"confident", "ambiguous", "none"}
    assert (r.answer is None) == (r.confidence != "confident")


def test_very_long_message():
    text = "đăng ký kết hôn " * 700 + "x" * 5000
    assert len(text) >= 10_000
    r = ENGINE.search(text)
    assert len(r.results) <= 5

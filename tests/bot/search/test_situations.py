"""Reading the situations of the shipped situations.toml in messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.search.situations import SituationMatcher

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


def test_a_robbery_is_a_loss(matcher):
    assert any("căn cước" in s for s in _says(matcher, "bi cuop giat het giay to, trong do co can cuoc"))

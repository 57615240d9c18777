"""The search engine kept in the state folder: read back when built from the same catalog, levels and search
code; rebuilt (never served) when missing, damaged, of another version or of another catalog."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.catalog.loader import Catalog
from bot.catalog.model import Level
from bot.catalog.packed import PackedProcedures, pack
from bot.knowledge import Knowledge
from bot.search import stored
from bot.search.engine import SearchEngine
from bot.search.stored import SEARCH_FILE, engine_key, load_engine, search_version
from tests.bot.search.conftest import LEXICON, PROCEDURES

LEVELS = [Level.PROVINCE, Level.COMMUNE]
QUESTIONS = ["dk ket hon", "làm sổ đỏ bị mất", "cccd", "đăng ký khai sinh lưu động", "bằng lái", "1.000894", "xyz"]


def _catalog() -> Catalog:
    return Catalog({p.code: p for p in PROCEDURES}, LEXICON, ())


def _answers(knowledge: Knowledge) -> list[object]:
    return [knowledge.engine.search(q) for q in QUESTIONS]


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    real = SearchEngine.build.__func__  # type: ignore[attr-defined]

    def counted(cls: type[SearchEngine], *args: object, **kwargs: object) -> SearchEngine:
        builds.append(1)
        return real(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(SearchEngine, "build", classmethod(counted))
    return builds


def test_a_second_start_reads_the_engine_back_and_answers_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = _count_builds(monkeypatch)
    first = Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    assert builds == [1] and (tmp_path / SEARCH_FILE).is_file()
    again = Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    assert builds == [1]  # read back, not rebuilt
    assert _answers(again) == _answers(first)
    assert again.fields == first.fields
    assert [p.code for p in again.in_field("Hộ tịch")] == [p.code for p in first.in_field("Hộ tịch")]


def test_a_packed_catalog_stays_packed_behind_a_stored_engine(tmp_path: Path) -> None:
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    packed = PackedProcedures(*pack(_catalog().procedures))
    knowledge = Knowledge.of_catalog(Catalog(packed, LEXICON, ()), LEVELS, tmp_path, "digest-1")
    assert packed.unpacked == 0
    result = knowledge.engine.search("dk ket hon")
    assert result.answer == "1.000894"
    assert 0 < packed.unpacked < len(packed)  # only what the answer looked at


@pytest.mark.parametrize(
    ("digest", "levels"),
    [("digest-2", LEVELS), ("digest-1", [Level.COMMUNE])],
    ids=["catalog edited", "other levels served"],
)
def test_an_engine_of_another_catalog_or_levels_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digest: str, levels: list[Level]
) -> None:
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    builds = _count_builds(monkeypatch)
    rebuilt = Knowledge.of_catalog(_catalog(), levels, tmp_path, digest)
    assert builds == [1]
    assert _answers(rebuilt) == _answers(Knowledge.build(PROCEDURES, LEXICON, levels))
    assert load_engine(tmp_path, engine_key(digest, levels)) is not None  # the new build is kept


def test_a_damaged_engine_file_is_ignored_logged_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    path = tmp_path / SEARCH_FILE
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # one flipped byte in the index
    path.write_bytes(bytes(data))
    builds = _count_builds(monkeypatch)
    with caplog.at_level(logging.ERROR):
        knowledge = Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    assert builds == [1] and "damaged" in caplog.text
    assert knowledge.engine.search("dk ket hon").answer == "1.000894"
    path.write_bytes(path.read_bytes()[:100])  # truncated
    assert load_engine(tmp_path, engine_key("digest-1", LEVELS)) is None


def test_an_engine_written_by_other_search_code_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    monkeypatch.setattr(stored, "search_version", lambda: "another-version")
    assert load_engine(tmp_path, engine_key("digest-1", LEVELS)) is None
    builds = _count_builds(monkeypatch)
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "digest-1")
    assert builds == [1]


def test_the_search_version_follows_the_format_number(monkeypatch: pytest.MonkeyPatch) -> None:
    current = search_version()
    search_version.cache_clear()
    monkeypatch.setattr(stored, "SEARCH_FORMAT", stored.SEARCH_FORMAT + 1)
    try:
        assert search_version() != current
    finally:
        search_version.cache_clear()


def test_without_a_state_folder_or_digest_nothing_is_kept(tmp_path: Path) -> None:
    Knowledge.of_catalog(_catalog(), LEVELS, None, "digest-1")
    Knowledge.of_catalog(_catalog(), LEVELS, tmp_path, "")
    assert not (tmp_path / SEARCH_FILE).exists()

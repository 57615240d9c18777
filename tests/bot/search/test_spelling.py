"""Misspellings citizens make: a tone mark the catalog never uses, and confused consonants (tr/ch, s/x…)."""

from __future__ import annotations

import pytest

from bot.catalog.model import Level, Procedure
from bot.search.engine import SearchEngine


def _proc(code: str, name: str) -> Procedure:
    return Procedure(code=code, name=name, levels=[Level.COMMUNE], field="Cư trú")


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    return SearchEngine.build(
        [
            _proc("1.000001", "Đăng ký tạm trú"),
            _proc("1.000002", "Xóa đăng ký tạm trú"),
            _proc("1.000003", "Gia hạn tạm trú"),
            _proc("1.000004", "Xác nhận chủ hộ"),
            _proc("1.000005", "Giải quyết hưởng chế độ thai sản"),
            _proc("1.000006", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
            _proc("1.000007", "Cấp Giấy xác nhận tình trạng hôn nhân"),
        ],
        [],
        [Level.COMMUNE],
    )


def test_a_confused_consonant_is_respelt_into_a_phrase_procedures_use(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("dang ky tam chu")
    assert parsed.corrected == {"chu": "tru"}
    assert engine.search("dang ky tam chu").results[0].code == "1.000001"


def test_an_unknown_word_tries_the_confused_consonants_before_edit_distance(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("xac nhan tinh chang hon nhan")
    assert parsed.corrected == {"chang": "trang"}  # the tr/ch swap, tried before any edit distance
    assert engine.search("xac nhan tinh chang hon nhan").results[0].code == "1.000007"


def test_a_word_that_pairs_with_its_neighbour_is_left_alone(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("xac nhan chu ho")
    assert parsed.corrected == {}


def test_a_word_typed_as_the_catalog_spells_it_is_left_alone(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("đăng ký tạm chủ")
    assert parsed.corrected == {}


def test_a_tone_mark_the_catalog_never_uses_is_read_as_unaccented(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("chế độ thai sãn")
    units = {u.folded: u.accented for s in parsed.slots for a in s.alternatives for u in a.units}
    assert units["san"] is None  # "sãn" is spelt nowhere: it counts as "san", which "sản" contains
    result = engine.search("chế độ thai sãn")
    assert result.results[0].code == "1.000005"


def test_a_correct_tone_mark_still_tells_words_apart(engine: SearchEngine) -> None:
    parsed, _intent, _situations = engine.parse("xây nhà")
    units = {u.folded: u.accented for s in parsed.slots for a in s.alternatives for u in a.units}
    assert units["xay"] == "xây"


@pytest.fixture(scope="module")
def phrases() -> SearchEngine:
    names = ["Cấp giấy phép môi trường", "Cấp điều chỉnh giấy phép môi trường", "Quan trắc môi trường lao động",
             "Cấp mới giấy phép lái xe", "Gia hạn giấy phép môi trường", "Đăng ký thường trú"]
    return SearchEngine.build([_proc(f"2.00000{i}", n) for i, n in enumerate(names)], [], [Level.COMMUNE])


def _terms(engine: SearchEngine, text: str) -> set[str]:
    parsed, _intent, _situations = engine.parse(text)
    return {t for s in parsed.slots for a in s.alternatives for t in a.terms}


def test_a_scaffolding_word_opening_a_set_phrase_of_the_catalog_is_evidence(phrases: SearchEngine) -> None:
    # folded "moi" is usually "mọi" (every), scaffolding; before "truong" it is the catalog's "môi trường"
    assert {"moi", "moi truong"} <= _terms(phrases, "xin giay phep moi truong")
    assert "moi" not in _terms(phrases, "moi nguoi dang ky thuong tru")
    assert phrases.search("xin giay phep moi truong").results[0].name == "Cấp giấy phép môi trường"

import dataclasses

import pytest

from bot.catalog.model import Level
from bot.search.engine import SearchEngine
from tests.bot.search.conftest import LEXICON, PROCEDURES


def top(engine: SearchEngine, q: str) -> str | None:
    r = engine.search(q)
    return r.results[0].code if r.results else None


@pytest.mark.parametrize("q", ["đăng ký kết hôn", "dang ky ket hon", "dk ket hon", "kết hôn đăng ký"])
def test_diacritics_shorthand_and_word_order(engine, q):
    r = engine.search(q)
    assert r.results[0].code == "1.000894"
    assert r.confidence == "confident" and r.answer == "1.000894"


@pytest.mark.parametrize("q", ["dang ky tam truu", "đăng kí tạm trú", "dangky tam tru"])
def test_typos_are_tolerated(engine, q):
    assert top(engine, q) == "1.004194"


def test_lexicon_expands_everyday_terms(engine):
    assert top(engine, "đổi bằng lái") == "3.000347"
    assert top(engine, "cấp lại sổ đỏ bị mất") == "1.012786"
    assert top(engine, "nhập khẩu cho con") == "1.004222"


@pytest.mark.parametrize("q", ["1.001612", "thủ tục 1.001612", "ma thu tuc 1.001612 nop o dau?"])
def test_code_anywhere_in_message(engine, q):
    r = engine.search(q)
    assert r.answer == "1.001612" and r.confidence == "confident"
    assert r.results[0].code == "1.001612" and r.results[0].score == 1.0


def test_unknown_code_falls_back_to_text(engine):
    r = engine.search("9.999999")
    assert r.answer is None


def test_variants_grouped_and_preferred_level_represents(engine):
    r = engine.search("làm cccd cho người từ đủ 14 tuổi")
    first = r.results[0]
    assert first.code == "2.000200"  # Cấp tỉnh is the first preferred level
    assert sorted(first.variants) == ["1.001247", "1.014061"]
    assert all(h.code not in first.variants for h in r.results[1:])


def test_naming_the_communes_authorities_presents_the_communes_variant(engine):
    r = engine.search("công an xã làm cccd cho người từ đủ 14 tuổi")
    assert r.results[0].code == "1.014061" and "2.000200" in r.results[0].variants
    assert engine.search("làm cccd cho người từ đủ 14 tuổi ở xa nhà").results[0].code == "2.000200"  # "xa" = far


def test_level_preference_order_matters():
    eng = SearchEngine.build(PROCEDURES, LEXICON, [Level.COMMUNE])
    assert eng.search("cấp thẻ căn cước từ đủ 14 tuổi").results[0].code == "1.014061"


def test_base_procedure_beats_special_case(engine):
    assert top(engine, "đăng ký khai sinh") == "1.001193"


@pytest.mark.parametrize("q", ["xin chào", "asdkjh qwe zzz", "thời tiết hà nội ngày mai", "", "   ", "😀😀"])
def test_nothing_relevant_gives_none(engine, q):
    r = engine.search(q)
    assert r.answer is None and r.confidence == "none"


def test_stop_words_are_not_evidence(engine):
    r = engine.search("thủ tục làm ở đâu cần giấy tờ gì như thế nào")
    assert r.confidence == "none"


def test_limit_respected(engine):
    assert len(engine.search("đăng ký", limit=2).results) <= 2
    assert engine.search("đăng ký", limit=0).results == []


def test_typo_corrections_are_cached(engine):
    parser = engine._parser
    parser.parse("dang ky tam truu")
    before = parser._correct.cache_info().hits
    parsed = parser.parse("dang ky tam truu")
    assert parser._correct.cache_info().hits > before
    assert parsed.corrected == {"truu": "tru"}


def _ranked_features(eng: SearchEngine, q: str) -> dict[str, float]:
    parsed, intent, situations = eng.parse(q)
    return eng.features(eng.rank(parsed, intent, situations), parsed, q)


def test_a_question_saying_a_whole_alias_names_the_procedure():
    aliased = [p.model_copy(update={"aliases": ["đổi sổ đỏ cũ sang mẫu mới"]}) if p.code == "1.012783" else p
               for p in PROCEDURES]
    eng = SearchEngine.build(aliased, LEXICON, [Level.PROVINCE, Level.COMMUNE])
    assert _ranked_features(eng, "doi so do cu sang mau moi")["names_exactly"] == 1.0
    # the same words without the alias's own procedure saying them: not named
    plain = SearchEngine.build(PROCEDURES, LEXICON, [Level.PROVINCE, Level.COMMUNE])
    assert _ranked_features(plain, "doi so do cu sang mau moi")["names_exactly"] == 0.0


def test_a_translated_question_is_answered_on_stronger_evidence_only(engine):
    r = engine.search("đăng ký kết hôn")
    assert r.answer == "1.000894"
    strict = dataclasses.replace(engine.decision, translated_at=min(r.probability + 0.001, 1.0))
    eng = SearchEngine(engine._procedures, engine.parts)
    eng.decision = strict
    assert eng.search("đăng ký kết hôn").answer == "1.000894"  # a Vietnamese question: the usual threshold
    translated = eng.search("đăng ký kết hôn", translated=True)
    assert translated.answer is None and translated.results[0].code == "1.000894"  # still listed first


@pytest.mark.parametrize("tail", ["ko", "không"])
def test_shorthand_for_a_scaffolding_word_is_no_evidence(engine, tail):
    """"ko" is "không": a phone-typed question ending in it reads like the same question typed in full."""
    parsed = engine._parser.parse(f"đổi bằng lái mất bao lâu {tail}")
    plain = engine._parser.parse("đổi bằng lái mất bao lâu")
    assert [s.alternatives for s in parsed.slots] == [s.alternatives for s in plain.slots]


def test_the_middle_of_a_long_question_is_read(engine):
    """A reader's letter of eighty-odd words names what it is about in its middle as often as at its ends."""
    story = "nhà tôi ở thôn Đông, năm ngoái bố mẹ tôi có chia cho anh em mỗi người một phần ruộng vườn " * 2
    ending = "xin hỏi làm ở đâu, cần những giấy tờ gì và mất bao lâu thì xong, có được làm qua mạng không ạ"
    text = f"{story} nay tôi muốn đổi bằng lái vì bằng cũ sắp hết hạn. {ending}"
    assert 70 <= len(text.split()) <= 90
    parsed = engine._parser.parse(text)
    assert any("lai xe" in a.terms for s in parsed.slots for a in s.alternatives)


def test_a_very_long_message_is_read_by_its_start_and_its_end():
    from bot.search.query import MAX_TOKENS, window

    short = "đổi bằng lái ở đâu"
    assert window(short) == short
    words = [f"w{i}" for i in range(250)]
    cut = window(" ".join(words))
    assert cut.split()[0] == "w0" and cut.split()[-1] == "w249" and "w120" not in cut.split()
    assert len(cut.split()) == MAX_TOKENS and window(cut) == cut  # read once, the same again
    assert f"w{MAX_TOKENS // 2 - 1}." in cut  # the cut is a sentence end: no phrase spans it


def test_the_word_before_a_lexicon_term_still_pairs_with_it():
    """"thay" + the term "đổi tên": the pair "thay đổi" (a special case the ranking reads side by side) is kept."""
    from bot.catalog.model import LexiconEntry

    eng = SearchEngine.build(PROCEDURES, [*LEXICON, LexiconEntry(term="đổi tên", means=["cải chính họ tên"])],
                             [Level.PROVINCE, Level.COMMUNE])
    parsed = eng._parser.parse("xin thay đổi tên cho con")
    terms = {t for s in parsed.slots for a in s.alternatives for t in a.terms}
    assert "thay doi" in terms


@pytest.mark.parametrize("tail", ["mất mấy ngày", "có mất phí không", "mat bao nhieu tien", "mất bao lâu"])
def test_mat_that_means_takes_or_costs_is_no_loss(tail):
    """"Làm hộ chiếu mất mấy ngày" asks the time: "mất" there is neither "cấp lại" (lost) nor "khai tử" (died)."""
    from bot.catalog.model import LexiconEntry

    eng = SearchEngine.build(PROCEDURES, [*LEXICON, LexiconEntry(term="mất", means=["cấp lại", "khai tử"])],
                             [Level.PROVINCE, Level.COMMUNE])
    terms = {t for s in eng._parser.parse(f"đổi bằng lái {tail}").slots for a in s.alternatives for t in a.terms}
    assert "cap lai" not in terms and "khai tu" not in terms
    assert "cap lai" in {t for s in eng._parser.parse("bằng lái bị mất").slots for a in s.alternatives for t in a.terms}

from pathlib import Path

from bot.catalog.model import LexiconEntry
from bot.search.lexicon import LexiconMatcher, read_lexicon
from bot.search.normalize import accented_tokens, tokenize


def find(matcher: LexiconMatcher, text: str) -> list[tuple[str, ...]]:
    folded = tokenize(text)
    typed = [w if w != f else None for w, f in zip(accented_tokens(text), folded, strict=True)]
    return [e.meanings for e in matcher.find(folded, typed)]


MATCHER = LexiconMatcher(
    [
        LexiconEntry(term="sổ đỏ", means=["giấy chứng nhận quyền sử dụng đất"]),
        LexiconEntry(term="sổ đỏ bị mất", means=["cấp lại giấy chứng nhận"]),
        LexiconEntry(term="chó", means=["động vật"]),
        LexiconEntry(term="ko", means=["không"]),
    ]
)


def test_matches_with_or_without_diacritics():
    assert find(MATCHER, "cấp lại sổ đỏ") == [("giấy chứng nhận quyền sử dụng đất",)]
    assert find(MATCHER, "cap lai so do") == [("giấy chứng nhận quyền sử dụng đất",)]


def test_longest_match_wins():
    assert find(MATCHER, "so do bi mat") == [("cấp lại giấy chứng nhận",)]


def test_typed_diacritics_must_agree():
    assert find(MATCHER, "số đo") == []  # "số đo" is not "sổ đỏ"
    assert find(MATCHER, "giấy tờ cho con") == []  # "cho" is not "chó"
    assert find(MATCHER, "tiêm phòng cho chó") == [("động vật",)]


def test_one_syllable_term_needing_marks_is_not_matched_bare():
    assert find(MATCHER, "cho con") == []
    assert find(MATCHER, "ko biet") == [("không",)]


def test_read_lexicon(tmp_path: Path):
    path = tmp_path / "lexicon.toml"
    path.write_text('[[term]]\nterm = "bằng lái"\nmeans = ["giấy phép lái xe"]\nnote = "x"\n', encoding="utf-8")
    (entry,) = read_lexicon(path)
    assert entry.term == "bằng lái" and entry.means == ["giấy phép lái xe"]


def test_a_term_meaning_its_own_spelling_never_cuts_a_phrase():
    """"kí" = "ký" (the reading treats them alike): matching it would cut "đăng ký lại" into "đăng" | "ký lại"."""
    matcher = LexiconMatcher([LexiconEntry(term="kí", means=["ký"]), LexiconEntry(term="liệt sĩ", means=["liệt sỹ"]),
                              LexiconEntry(term="dk", means=["đăng ký"])])
    assert find(matcher, "đăng ký lại việc nuôi con nuôi") == []
    assert find(matcher, "chế độ liệt sỹ") == []
    assert find(matcher, "dk lại khai sinh") == [("đăng ký",)]

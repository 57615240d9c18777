"""Words that carry no evidence about which procedure a citizen means.

Question scaffolding ("thủ tục", "làm", "cần", "giấy tờ gì", "ở đâu", "như thế nào"), pronouns,
particles, politeness and family words. They neither score on their own nor count towards coverage.
Without diacritics many syllables collide ("dau" is "đâu", "đầu" or "dấu"), so there are two lists:
one for syllables typed with diacritics, a stricter one for syllables typed without.
"""

from __future__ import annotations

from bot.search.normalize import canon, fold


def _words(text: str) -> list[str]:
    return text.split()


_ACCENTED = _words(
    """
    a à ạ á ah ak alo ad ạh ơi ừ ừm ok oke vâng dạ nhé nhá nha nhỉ hả hở hen nhen thôi luôn anh chị em
    bạn mình tôi tao tui tớ ông bà bé cháu vợ chồng họ người ta ad shop bot cho của là và với thì mà để
    được đã đang sẽ rồi cũng còn có không chưa phải nên cần muốn làm xin hỏi giúp giùm gì đâu nào sao
    thế vậy như nhưng nếu khi ở tại bị hay hoặc này kia đó ấy những các mọi cái việc cách gì đấy nhỉ ạ
    vui lòng cảm ơn chào xem tìm biết nhiều lắm quá rất thật hơi
    """
)

# Typed without diacritics these are (almost) always scaffolding; ambiguous ones ("dau", "bo", "ba",
# "dang", "the", "can", "ma", "co") are left out: "lần đầu", "cấp bộ", "đăng ký", "thẻ", "căn cước".
_FOLDED = _words(
    """
    a ah ak alo ad oi ok oke vang da nhe nha nhi hen luon anh em minh toi tao tui be chau vo
    nguoi cho cua la va voi thi se roi cung con khong chua phai nen muon lam xin hoi giup gium gi nao
    vay nhu nhung neu hay hoac nay kia ay cac moi viec cach day vui long cam on chao xem tim biet
    nhieu lam qua rat
    """
)

STOP_ACCENTED: frozenset[str] = frozenset(canon(w) for w in _ACCENTED)
STOP_FOLDED: frozenset[str] = frozenset(canon(w) for w in _FOLDED) | frozenset(
    canon(fold(w)) for w in _ACCENTED if fold(w) == w
)
# Any folded form of a stop word: used on procedure names, where everything is accented.
STOPWORDS: frozenset[str] = STOP_FOLDED

# "Mất" that means "takes" or "costs", never a loss or a death: "làm hộ chiếu mất mấy ngày", "có mất phí không".
COST_PHRASES = ("mất bao lâu", "mất mấy ngày", "mất bao nhiêu", "mất phí", "mất thời gian", "mất khoảng", "mất công",
                "mất tiền")

# Multi-syllable scaffolding (folded), removed as whole phrases.
STOP_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        *(fold(c) for c in COST_PHRASES),
        "thu tuc hanh chinh",
        "thu tuc",
        "giay to gi",
        "giay to",
        "ho so gi",
        "ho so",
        "o dau",
        "nhu the nao",
        "the nao",
        "lam sao",
        "bao lau",
        "bao nhieu tien",
        "bao nhieu",
        "le phi",
        "nop o dau",
        "can nhung gi",
        "can gi",
        "phai lam gi",
        "dich vu cong",
        "ma so thu tuc",
        "ma thu tuc",
        "xin hoi",
        "cho hoi",
        "lam on",
        "cam on",
        "huong dan",
        "quy trinh",
        "truc tuyen",
        "online",
        "may ngay",
        "bao gio",
        "khi nao",
        "o nha",
    )
)

"""Follow-up questions about the procedure in context ("phí bao nhiêu?", "cần giấy tờ gì").

Matching works on folded syllables, so "phi bao nhieu" and "phí bao nhiêu" are the same question. A question
may ask several sections at once ("giấy tờ gì và mất bao lâu"): every section asked is returned, in the
order of the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.contract.callbacks import Section
from bot.search.normalize import tokenize

# Checked in order: the first section whose phrase occurs wins ("bao nhiêu ngày" is time, not fees).
_PHRASES: list[tuple[Section, tuple[str, ...]]] = [
    # "Khi nào có kết quả nếu tôi nộp hôm nay?": the expected return date, asked before the time in general.
    (Section.DUE, ("nop hom nay", "khi nao co ket qua", "bao gio co ket qua", "ngay nao co ket qua",
                   "ngay tra ket qua", "hen tra ket qua", "khi nao nhan ket qua", "bao gio nhan ket qua")),
    (Section.TIME, ("bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "thoi han", "khi nao",
                    "bao gio", "lau khong", "mat may", "ngay lam viec", "khi nao co", "bao nhieu lau",
                    "may hom", "may tuan", "bao nhieu hom", "lau ko", "lau k", "khi nao xong", "bao gio xong",
                    "bao lau xong", "may ngay xong", "bao lau thi xong", "bao lau moi xong", "bao lau co")),
    (Section.FEES, ("le phi", "phi", "chi phi", "bao nhieu tien", "het bao nhieu", "ton bao nhieu",
                    "mat bao nhieu", "tien", "gia bao nhieu", "mien phi", "nop tien", "lephi")),
    (Section.DOCUMENTS, ("giay to", "ho so gom", "ho so can", "can gi", "mang gi", "mang theo",
                         "chuan bi", "thanh phan", "can nhung gi", "to khai", "mau don", "giay to gi",
                         "can mang", "nop gi", "giay gi")),
    (Section.ONLINE, ("online", "truc tuyen", "qua mang", "tren mang", "dich vu cong", "vneid",
                      "internet", "buu dien", "buu chinh", "nop qua", "nop tai nha", "tu xa", "onl")),
    (Section.WHERE, ("o dau", "cho nao", "noi nop", "nop o", "dia chi", "co quan nao", "noi nao",
                     "den dau", "lam o", "o dau a", "nop dau", "lam dau", "di dau")),
    (Section.STEPS, ("cac buoc", "trinh tu", "quy trinh", "lam the nao", "lam sao", "the nao",
                     "nhu the nao", "cach lam", "ntn", "huong dan", "buoc")),
    (Section.LEGAL, ("can cu", "phap ly", "luat", "nghi dinh", "thong tu", "van ban", "quy dinh")),
    (Section.RESULT, ("ket qua", "nhan duoc gi", "duoc cap gi", "nhan gi", "duoc gi")),
    (Section.CONDITIONS, ("dieu kien", "yeu cau", "ai duoc", "doi tuong", "ai co the")),
]

# Single syllables that carry no information about *which* procedure is meant.
_FILLER = frozenset(
    [
        "the", "thi", "la", "co", "khong", "ko", "k", "duoc", "dc", "gi", "j", "vay", "a", "ah", "nhe", "nha",
        "oi", "voi", "cho", "toi", "minh", "em", "anh", "chi", "ban", "can", "phai", "nay", "do", "bao",
        "nhieu", "ma", "sao", "hay", "hoi", "xin", "cam", "on", "nhi", "va", "de", "lam", "nop", "het", "mat",
        "ton", "neu", "xong", "ngay", "moi", "roi", "ad", "admin", "ha", "nua", "ra", "them",
        "khi", "luon", "ai", "biet", "giup", "o"
    ]
)
# "Thế nào", "kết quả", "quy định" also qualify another section ("làm online thế nào", "phí theo quy định"):
# they count only when no other section is asked.
_QUALIFIERS = frozenset([Section.STEPS, Section.LEGAL, Section.RESULT])
# Phrases of several syllables with no such information.
_FILLER_PHRASES = ("thu tuc", "ho so", "giay to nay", "thu tuc nay")


# Several sections asked at once are answered in the order of the card.
_CARD_ORDER = [Section.DOCUMENTS, Section.CONDITIONS, Section.STEPS, Section.TIME, Section.DUE, Section.FEES,
               Section.WHERE, Section.ONLINE, Section.RESULT, Section.LEGAL]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A recognised follow-up: the sections asked for (first = main one) and what is left of the question."""

    sections: tuple[Section, ...]
    remainder: tuple[str, ...]

    @property
    def section(self) -> Section:
        """The first section asked."""
        return self.sections[0]

    @property
    def is_bare(self) -> bool:
        """True when the question names no procedure of its own ("phí bao nhiêu?")."""
        return not self.remainder


def detect_follow_up(text: str) -> FollowUp | None:
    """The section a question asks about, or None when it is not a follow-up-style question."""
    tokens = tokenize(text)
    if not tokens or len(tokens) > 25:
        return None
    joined = " " + " ".join(tokens) + " "
    asked = [section for section, phrases in _PHRASES if any(f" {p} " in joined for p in phrases)]
    if not asked:
        return None
    if Section.DUE in asked and Section.TIME in asked:  # "khi nào có kết quả": the date, not the time too
        asked.remove(Section.TIME)
    main = [s for s in asked if s not in _QUALIFIERS] or asked[:1]
    return FollowUp(sections=tuple(sorted(main, key=_CARD_ORDER.index)), remainder=_remainder(joined))


def _remainder(joined: str) -> tuple[str, ...]:
    """Tokens left after removing every intent phrase of every section and filler words."""
    every = [p for _section, phrases in _PHRASES for p in phrases] + list(_FILLER_PHRASES)
    for phrase in sorted(every, key=len, reverse=True):
        while f" {phrase} " in joined:
            joined = joined.replace(f" {phrase} ", " ")
    return tuple(t for t in joined.split() if t not in _FILLER and not t.isdigit())

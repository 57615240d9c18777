"""What a (long) message is about: the event, the object, who asks and what they ask.

Events and objects are the word groups of ``situations.toml`` (``[events]``, ``[objects]``); who asks and
what is asked are fixed vocabularies here. The engine uses ``who`` to rank procedures meant for other
applicants lower; events and objects are reported (``python -m bot search``) and drive the situations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.catalog.situations import SituationBook
from bot.search.situations import PhraseFinder, sentences

Who = Literal["citizen", "organisation", "staff", "foreigner", "customs"]

_WHO: dict[str, tuple[str, ...]] = {
    "staff": (
        "công an nhân dân",
        "cand",
        "quân đội",
        "qđnd",
        "quân nhân",
        "bộ đội",
        "sĩ quan",
        "hạ sĩ quan",
        "chiến sĩ",
        "quân sự",
        "cán bộ công an",
        "công an",
        "ngành công an",
        "lực lượng vũ trang",
        "bộ quốc phòng",
    ),
    "organisation": (
        "công ty",
        "doanh nghiệp",
        "hợp tác xã",
        "htx",
        "cơ quan tôi",
        "đơn vị tôi",
        "đơn vị chúng tôi",
        "tổ chức chúng tôi",
        "ngân hàng chúng tôi",
        "chi nhánh",
        "văn phòng đại diện",
    ),
    "customs": ("hải quan", "tờ khai hải quan", "khai hải quan", "thông quan", "xuất nhập khẩu"),
    "foreigner": ("người nước ngoài", "quốc tịch nước ngoài", "foreigner"),
}
_ASKS: dict[str, tuple[str, ...]] = {
    "documents": ("giấy tờ", "hồ sơ", "mang theo", "cần những gì", "cần gì", "thủ tục gì", "gt gì"),
    "time": ("bao lâu", "mấy ngày", "bao nhiêu ngày", "thời gian", "khi nào", "bao giờ", "thời hạn"),
    "fee": ("lệ phí", "phí", "bao nhiêu tiền", "mất tiền", "chi phí", "tốn"),
    "where": ("ở đâu", "nộp ở", "làm ở", "chỗ nào", "cơ quan nào", "nơi nào", "đến đâu"),
    "online": ("online", "trực tuyến", "qua mạng", "vneid", "dịch vụ công"),
}
# Phrases naming the commune's own authorities (its People's Committee, officials, police) as the ones the
# message deals with: of a procedure published at the province and at the commune, the commune's is presented.
_COMMUNE: tuple[str, ...] = (
    "ủy ban xã", "uỷ ban xã", "ubnd xã", "ủy ban phường", "uỷ ban phường", "ubnd phường", "cấp xã",
    "cán bộ xã", "công chức xã", "cán bộ phường", "công chức phường", "công an xã", "công an phường",
    "chính quyền xã", "chính quyền phường", "chủ tịch xã", "chủ tịch phường", "chính xã", "chính phường",
)
# Who asks, most specific first: a police officer asking about their own card is "staff". "công an" alone counts
# too, though it also names the office a citizen goes to ("làm cccd ở công an"): "staff" only lifts the ranking down
# of police staff's own procedures and puts them slightly first, which the citizens' procedures then still
# outscore on their words; the commune's police ("công an xã", "công an phường") are the longer phrases of
# _COMMUNE and say nothing of who asks.
_WHO_ORDER: tuple[Who, ...] = ("staff", "customs", "foreigner", "organisation")
# The word groups of ``situations.toml`` naming another country or its people ("người Hàn", "bên Nhật",
# "Việt kiều"): the message concerns a foreign element (a marriage, a birth abroad), whoever asks.
ABROAD_GROUPS = ("nuoc_ngoai", "quoc_gia")


@dataclass(frozen=True, slots=True)
class Intent:
    """The understood message."""

    events: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    who: Who = "citizen"
    asks: tuple[str, ...] = ()
    abroad: bool = False  # another country or its people is named (a procedure's foreign element is stated)
    commune: bool = False  # the commune's own authorities are named (:data:`_COMMUNE`)


class IntentReader:
    """Reads intents against one situation book's events and objects."""

    def __init__(self, book: SituationBook) -> None:
        self._groups: dict[str, tuple[str, str]] = {}  # phrase → (table, group)
        for table, name, phrases in book.groups:
            if table in ("events", "objects") or name in ABROAD_GROUPS:
                for ph in phrases:
                    self._groups.setdefault(ph, (table, name))
        self._vocab: dict[str, tuple[str, str]] = {ph: ("who", k) for k, v in _WHO.items() for ph in v}
        self._vocab.update({ph: ("ask", k) for k, v in _ASKS.items() for ph in v})
        self._vocab.update({ph: ("level", "commune") for ph in _COMMUNE})
        self._finder = PhraseFinder([*self._groups, *self._vocab])

    def read(self, text: str) -> Intent:
        """The intent of one message."""
        found: set[str] = set()
        for sentence in sentences(text):
            found.update(self._finder.find(sentence))
        events = sorted({self._groups[p][1] for p in found if p in self._groups and self._groups[p][0] == "events"})
        objects = sorted({self._groups[p][1] for p in found if p in self._groups and self._groups[p][0] == "objects"})
        kinds = {self._vocab[p] for p in found if p in self._vocab}
        who: Who = next((w for w in _WHO_ORDER if ("who", w) in kinds), "citizen")
        asks = tuple(k for k in _ASKS if ("ask", k) in kinds)
        abroad = any(self._groups[p][1] in ABROAD_GROUPS for p in found if p in self._groups)
        return Intent(tuple(events), tuple(objects), who, asks, abroad, ("level", "commune") in kinds)

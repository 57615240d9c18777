"""The optional export columns of the 766 scorecard: how a dossier was filed and paid, supplements, digitisation.

Each reader returns ``None`` (or ``""``) for an empty cell — "the export does not say", which the scorecard
shows as "không có dữ liệu" — and raises ``ValueError`` with a clear message for wording it cannot read.
"""

from __future__ import annotations

from bot.dossiers.mapping import fold_words
from bot.dossiers.models import OnlineFiling

SCORECARD_FIELDS = ("online", "paid_online", "supplements", "digitised")

_ONLINE = (  # checked in order: "không trực tuyến" is not online
    (("truc tiep", "buu chinh", "bcci", "offline", "counter", "khong"), OnlineFiling.NO),
    (("toan trinh", "full"), OnlineFiling.FULL),
    (("mot phan", "partial", "truc tuyen", "online", "dvc"), OnlineFiling.PARTIAL),
)
_YES = {"co", "x", "yes", "y", "true", "1", "da so hoa", "truc tuyen", "online", "da thanh toan truc tuyen"}
_NO = {"khong", "no", "n", "false", "0", "chua so hoa", "truc tiep", "tien mat", "offline", "buu chinh"}
_NO_FEE = {"mien phi", "khong thu phi", "khong co phi", "khong phi", "free", "no fee"}


def read_online(text: str) -> str:
    """"Trực tuyến toàn trình" → ``full``, "một phần" or plain "trực tuyến" → ``partial``, "Trực tiếp" /
    "Bưu chính" → ``no``; ``""`` when empty."""
    folded = fold_words(text)
    if not folded:
        return ""
    for words, kind in _ONLINE:
        if any(f" {w} " in f" {folded} " for w in words):
            return kind.value
    raise ValueError(f"unreadable filing channel {text[:40]!r} (expected trực tuyến toàn trình / một phần / trực tiếp)")


def read_flag(text: str, what: str) -> bool | None:
    """A yes/no cell ("Có", "x", "Không", "Trực tuyến", "Tiền mặt"…); ``None`` when empty."""
    folded = fold_words(text)
    if not folded:
        return None
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValueError(f"unreadable {what} {text[:40]!r} (expected có / không)")


def read_paid_online(text: str) -> bool | None:
    """Paid online (True), paid another way (False), or no fee / not stated (None)."""
    return None if fold_words(text) in _NO_FEE else read_flag(text, "online payment")


def read_supplements(text: str) -> int | None:
    """How many times supplements were requested (a whole number); ``None`` when empty."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 3:
        raise ValueError(f"unreadable number of supplement requests {text[:40]!r}")
    return int(text)


def read_scorecard_columns(raw: dict[str, str]) -> dict[str, object]:
    """The four optional values of one export row (``raw``: our field → cell text)."""
    return {
        "online": read_online(raw.get("online", "")),
        "paid_online": read_paid_online(raw.get("paid_online", "")),
        "supplements": read_supplements(raw.get("supplements", "")),
        "digitised": read_flag(raw.get("digitised", ""), "digitisation"),
    }

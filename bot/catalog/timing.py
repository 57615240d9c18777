"""What a record's texts say about processing time when its time column does not say it all.

The time column is often a bare number ("1") or missing, and the same-day rule ("nếu tiếp nhận hồ sơ sau
15 giờ thì trả kết quả trong ngày làm việc tiếp theo") lives in the steps or the filing-way description.
:func:`time_notes` keeps those sentences verbatim so the time answer can quote the source instead of
guessing.
"""

from __future__ import annotations

import re

from bot.catalog.model import FilingWay
from bot.catalog.text import one_line

MAX_NOTES = 3

_SAME_DAY = re.compile(r"\b15 giờ\b|trong ngày|ngay sau khi|ngay khi nhận|trả ngay|giải quyết ngay", re.I)
_AMOUNT = re.compile(
    r"\b(?:\d{1,3}|một|hai|ba|bốn|năm|mười)\s*(?:\(\w+\)\s*)?(?:ngày làm việc|ngày|giờ làm việc|giờ|tháng)\b", re.I
)
_ABOUT_RESULT = re.compile(r"kết quả|giải quyết|thời hạn|phiếu hẹn|cấp|trả", re.I)
_SENTENCE_END = re.compile(r"(?<=[.;])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [one_line(s) for s in _SENTENCE_END.split(text) if s.strip()]


def _is_time_sentence(sentence: str) -> bool:
    return bool((_SAME_DAY.search(sentence) or _AMOUNT.search(sentence)) and _ABOUT_RESULT.search(sentence))


def time_notes(ways: list[FilingWay], steps_text: str) -> list[str]:
    """Up to three source sentences about processing time: the same-day rules when there are any.

    Only collected when a filing way's time is not a number with a unit, or the texts state a same-day
    rule; a clear time column needs no quotes.
    """
    texts = [w.description for w in ways] + [steps_text]
    sentences = list(dict.fromkeys(s for text in texts for s in _sentences(text) if _is_time_sentence(s)))
    unclear = not ways or any(not w.time.is_structured for w in ways)
    same_day = [s for s in sentences if _SAME_DAY.search(s)]
    if not unclear and not same_day:
        return []
    chosen = same_day or sentences  # a same-day rule says what matters; other sentences only when there is none
    return [s.lstrip("-+•* ").strip() for s in chosen[:MAX_NOTES]]

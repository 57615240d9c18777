"""Removing personal data from a citizen's free text before it is kept anywhere but the assigned unit.

Phone and ID numbers are masked by ``bot.masking``; e-mail addresses, any other long digit run (account,
plate or dossier numbers), and names are replaced. Names are recognised the way citizens write them: two
to four capitalised words in a row ("Nguyễn Văn An"), or the words after "tôi là / tên tôi là / tên là /
họ tên". Lower-case names written without those words cannot be told from ordinary words and stay: the
gaps report is read by administrators only, and it shows the text of a group, never who wrote it.
"""

from __future__ import annotations

import re

from bot.masking import mask_text

NAME = "[tên]"
EMAIL = "[email]"
NUMBER = "[số]"

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS_RE = re.compile(r"\d[\d*.\s-]{5,}\d")
_UPPER = "A-ZÀ-ỸĐ"
_WORD = rf"[{_UPPER}][a-zà-ỹđ]+"
_CAPITALISED_RUN = re.compile(rf"(?<![\w]){_WORD}(?:\s+{_WORD}){{1,3}}(?![\w])")
_NAMED = re.compile(  # "tên tôi là …", "họ tên: …": whatever follows is a name
    r"(?i)(tên tôi là|tên là|tên tôi|họ tên|họ và tên|my name is)\s*:?\s+((?:[^\W\d_]+\s*){1,4})"
)
_INTRODUCED = re.compile(  # "tôi là Nguyễn Văn An": a name only when capitalised ("tôi là người …" is not)
    rf"(tôi là|Tôi là|em là|Em là|cháu là|Cháu là)\s+((?:{_WORD}\s*){{1,4}})"
)


def anonymise(text: str) -> str:
    """``text`` without phone or ID numbers, e-mail addresses, long numbers and names."""
    out = _EMAIL_RE.sub(EMAIL, text)
    for pattern in (_NAMED, _INTRODUCED):
        out = pattern.sub(lambda m: f"{m.group(1)} {NAME}" + (" " if m.group(2)[-1:].isspace() else ""), out)
    out = mask_text(out)
    out = _DIGITS_RE.sub(NUMBER, out)
    out = re.sub(r"\d*\*+\d*", NUMBER, out)
    out = _CAPITALISED_RUN.sub(_name_or_start, out)
    return " ".join(out.split())


def _name_or_start(match: re.Match[str]) -> str:
    """A run of capitalised words is a name unless it only starts the sentence ("Cho hỏi …" is not)."""
    words = match.group(0).split()
    if match.start() == 0 or match.string[:match.start()].rstrip().endswith((".", "?", "!", "\n")):
        rest = words[1:]
        return words[0] + (" " + NAME if len(rest) >= 2 else (" " + " ".join(rest) if rest else ""))
    return NAME

"""Cleaning what users type before anything else sees it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_KEEP_CONTROLS = {"\n", "\t"}
# An HTML/XML tag as pasted from a web page or typed to test the bot ("<b>xin chào</b>", "<br/>"); a bare "<"
# or "< 18 tuổi" is not one.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


@dataclass(frozen=True, slots=True)
class CleanText:
    """User text after cleaning, and whether it had to be shortened."""

    text: str
    truncated: bool


def clean_text(raw: str, max_chars: int) -> CleanText:
    """NFC-normalise, drop control/zero-width/format characters, collapse blank runs, cap the length."""
    text = unicodedata.normalize("NFC", raw or "")
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in _KEEP_CONTROLS:
            kept.append(" " if ch == "\t" else ch)
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    text = "\n".join(" ".join(line.split()) for line in "".join(kept).splitlines())
    text = "\n".join(line for line in text.split("\n") if line).strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    return CleanText(text=text, truncated=truncated)


def without_markup(text: str) -> str:
    """The words of ``text`` without HTML/XML tags, for understanding it (the text itself is kept as typed);
    the text unchanged when it is nothing but tags."""
    plain = " ".join(_TAG.sub(" ", text).split())
    return plain or text

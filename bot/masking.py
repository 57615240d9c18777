"""Masking personal data: chat ids in logs, phones and ID numbers in text, applicants' names on screen."""

from __future__ import annotations

import hashlib
import re

_PHONE_RE = re.compile(r"(?<!\d)(\+?84|0)(\d{2})\d{4,6}(\d{2})(?!\d)")
_ID_RE = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def mask_id(value: str) -> str:
    """A stable pseudonym for a chat or user id: same input, same tag, not reversible."""
    return "u" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]


def mask_text(text: str) -> str:
    """Hide phone numbers and ID-card numbers in free text."""
    text = _PHONE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    return _ID_RE.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 4) + m.group(0)[-2:], text)


def mask_name(name: str) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V** A**``: the family name and initials only."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "**"
    return " ".join([words[0], *(w[0] + "**" for w in words[1:])])

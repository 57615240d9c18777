"""Small text helpers shared by the catalog parsers and files: whitespace, slugs, portal noise."""

from __future__ import annotations

import re
import unicodedata

NO_INFO = "Không có thông tin"

_LETTERS = [chr(c) for c in range(0x00C0, 0x1EFA)]
# Regex character-class bodies for Vietnamese lower- and uppercase letters (``[à-ỹ]`` mixes both cases).
LOWER = "a-z" + "".join(c for c in _LETTERS if c.islower())
UPPER = "A-Z" + "".join(c for c in _LETTERS if c.isupper())

_SPACES = re.compile(r"[ \t\u00a0]+")
_KEYWORDS = re.compile(r"Từ khóa(?P<kw>.*?)(?:Mô tả(?P<desc>.*?))?(?:Chọn cơ quan thực hiện.*)?$", re.S)


def squash(text: str) -> str:
    """Collapse runs of spaces, strip every line and drop blank lines at both ends."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip()


def one_line(text: str) -> str:
    """All whitespace (including newlines) collapsed to single spaces."""
    return " ".join(text.split())


def is_blank(text: str) -> bool:
    """True for empty text and for the portal's "Không có thông tin" placeholder (also typed without
    diacritics in an edited catalog file)."""
    return one_line(text).rstrip(".").casefold() in ("", NO_INFO.casefold(), "khong co thong tin")


def fold(text: str) -> str:
    """Vietnamese text folded to plain lowercase ASCII (đ → d, diacritics removed)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode().lower()


def slugify(text: str) -> str:
    """A file-system friendly slug: ascii, lowercase, words joined by hyphens (``Hộ tịch`` → ``ho-tich``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug or "khac"


def split_portal_noise(text: str) -> tuple[str, str, str]:
    """Split the portal's trailing ``Từ khóa…Mô tả…Chọn cơ quan thực hiện…`` block off a value.

    Returns (value, keywords, description); keywords and description are "" when the portal had none.
    The drop-down labels after "Chọn cơ quan thực hiện" are page chrome and are discarded.
    """
    start = text.find("Từ khóa")
    if start < 0:
        cut = text.find("Chọn cơ quan thực hiện")
        return (text[:cut] if cut >= 0 else text), "", ""
    match = _KEYWORDS.match(text, start)
    if match is None:  # pragma: no cover - the pattern always matches from "Từ khóa"
        return text, "", ""
    keywords = squash(match.group("kw") or "").lstrip(":").strip()
    description = squash(match.group("desc") or "")
    return (
        text[:start],
        "" if is_blank(keywords) else keywords,
        "" if is_blank(description) else description,
    )

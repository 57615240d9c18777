"""Split long replies under a platform's length limit without cutting words or HTML tags."""

from __future__ import annotations

import re

_TAG_RE = re.compile(r"<[^>]*>")
_OPEN_TAG_RE = re.compile(r"<(b|i|a)(\s[^>]*)?>")


def _breaks(text: str, limit: int) -> int:
    """Index at which to cut ``text`` (len > limit): last paragraph, line, then space break."""
    window = text[: limit + 1]
    for sep in ("\n\n", "\n", " "):
        cut = window.rfind(sep)
        if cut > limit // 3:
            return cut
    # A single "word" longer than the limit (a URL, say): cut hard, but never inside a tag.
    cut = limit
    last_open = window.rfind("<", 0, cut)
    if last_open != -1 and window.find(">", last_open, cut) == -1:
        cut = last_open if last_open > 0 else limit
    return cut


def _balance(chunk: str) -> tuple[str, str]:
    """Close tags left open at the end of ``chunk``; return (closed chunk, tags to reopen next)."""
    stack: list[str] = []
    for m in _TAG_RE.finditer(chunk):
        tag = m.group(0)
        if tag.startswith("</"):
            if stack:
                stack.pop()
        elif _OPEN_TAG_RE.match(tag):
            stack.append(tag)
    closing = "".join(f"</{_OPEN_TAG_RE.match(t).group(1)}>" for t in reversed(stack))  # type: ignore[union-attr]
    return chunk + closing, "".join(stack)


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    Cuts at paragraph, then line, then word boundaries; a tag opened in one piece is closed there and
    reopened in the next, so every piece is valid HTML on its own.
    """
    if limit < 20:
        raise ValueError("limit too small")
    pieces: list[str] = []
    rest = text.strip()
    reopen = ""
    while rest:
        rest = reopen + rest
        if len(rest) <= limit:
            pieces.append(rest)
            break
        # leave room for closing tags we may have to add
        cut = _breaks(rest, limit - 16)
        chunk, reopen = _balance(rest[:cut].rstrip())
        if chunk.strip():
            pieces.append(chunk)
        rest = rest[cut:].lstrip()
    return pieces or [""]


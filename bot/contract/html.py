"""Building the small HTML subset replies use; everything dynamic is escaped here."""

from __future__ import annotations

import html
import re

_TAG_RE = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Escape user or catalog text for an HTML reply."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    """Bold, escaped."""
    return f"<b>{esc(text)}</b>"


def italic(text: str) -> str:
    """Italic, escaped."""
    return f"<i>{esc(text)}</i>"


def link(label: str, url: str) -> str:
    """A link; only http(s) URLs become links, anything else is shown as text."""
    if not url.startswith(("https://", "http://")):
        return esc(label)
    return f'<a href="{html.escape(url, quote=True)}">{esc(label)}</a>'


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, adding an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return (cut or text[: limit - 1]) + "…"


def strip_tags(text: str) -> str:
    """Plain text for channels without formatting: drop tags, spell links out, unescape entities."""
    text = re.sub(r'<a href="([^"]*)">([^<]*)</a>', lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG_RE.sub("", text))

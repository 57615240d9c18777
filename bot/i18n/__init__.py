"""Translations through Babel message catalogs (Vietnamese source strings, English catalog).

Source strings in the code are Vietnamese; ``locale/en/LC_MESSAGES/messages.po`` holds the English
translations. Catalogs are read with Babel's PO reader at start-up, so an edited ``.po`` needs no compile
step. Missing translations fall back to the Vietnamese source text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Translator:
    """gettext-style lookups for one language."""

    def __init__(self, language: str, messages: dict[str, str | tuple[str, ...]]) -> None:
        self.language = language
        self._messages = messages

    def gettext(self, message: str) -> str:
        """Translate ``message``; the source text when there is no translation."""
        found = self._messages.get(message)
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural-aware translation (Vietnamese has one form, English two)."""
        found = self._messages.get(singular)
        if isinstance(found, tuple) and all(found):
            return found[0] if n == 1 or len(found) == 1 else found[1]
        return singular if n == 1 else plural


def _read_catalog(language: str) -> dict[str, str | tuple[str, ...]]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    out: dict[str, str | tuple[str, ...]] = {}
    for msg in catalog:
        if not msg.id or msg.fuzzy:
            continue
        key = msg.id if isinstance(msg.id, str) else msg.id[0]
        out[key] = msg.string if isinstance(msg.string, str) else tuple(msg.string or ())
    return out


@cache
def translator(language: str) -> Translator:
    """The translator for ``language`` (unknown languages get Vietnamese)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return Translator(language, _read_catalog(language))

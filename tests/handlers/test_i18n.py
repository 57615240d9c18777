"""Every text a user can see exists in Vietnamese and has an English translation in the catalog.

Messages are found two ways: by Babel's extractor (what ``make i18n`` puts in the catalog) and by walking the
syntax tree of every module, which also sees translation calls inside f-strings — those Babel misses, so
they would stay Vietnamese in English mode. Both sets must agree and be translated.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, translator
from bot.i18n.format import format_date, format_money

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("bot", "handlers")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def _extracted() -> set[str]:
    """What Babel's extractor finds (and ``make i18n`` writes to the catalogs)."""
    found: set[str] = set()
    for folder in FOLDERS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _called() -> dict[str, str]:
    """Every literal passed to ``_``, ``gettext`` or ``ngettext`` anywhere in the code, f-strings included,
    with the file and line it is in."""
    found: dict[str, str] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                first = node.args[0]
                if name in KEYWORDS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _english_catalog() -> dict[str, object]:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in catalog if m.id and not m.fuzzy}


def test_the_extractor_sees_every_translation_call():
    extracted = _extracted()
    hidden = {m: where for m, where in _called().items() if m not in extracted}
    assert not hidden, "translation calls Babel cannot extract (inside an f-string?):\n" + "\n".join(
        f"{where}: {m}" for m, where in sorted(hidden.items(), key=lambda kv: kv[1]))


def test_every_message_is_in_the_english_catalog_and_translated():
    english = _english_catalog()
    untranslated = {
        m: where for m, where in _called().items()
        if not english.get(m) or (isinstance(english[m], tuple) and not all(english[m]))
    }
    assert not untranslated, "run make i18n, then translate in bot/i18n/locale/en/LC_MESSAGES/messages.po:\n" + (
        "\n".join(f"{where}: {m}" for m, where in sorted(untranslated.items(), key=lambda kv: kv[1])))


def test_every_source_text_has_an_english_translation():
    en = translator("en")
    missing = sorted(m for m in _extracted() if en.gettext(m) == m and en.ngettext(m, m, 2) == m)
    assert not missing, "add these to bot/i18n/locale/en/LC_MESSAGES/messages.po (make i18n):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    en = translator("en")
    for m in _called():
        for ph in ("{office}", "{hotline}", "{query}", "{count}", "{code}", "{portal}", "{limit}", "{n}", "{due}",
                   "{case}", "{cutoff}", "{when}", "{fees}", "{time}"):
            if ph in m:
                assert ph in en.gettext(m) or ph in en.ngettext(m, m, 2), (m, ph)


def test_plural_forms_in_english():
    en = translator("en")
    assert en.ngettext("{n} ngày làm việc", "{n} ngày làm việc", 1).format(n=1) == "1 working day"
    assert en.ngettext("{n} ngày làm việc", "{n} ngày làm việc", 2).format(n=5) == "5 working days"


def test_vietnamese_is_the_source_language():
    assert translator("vi").gettext("Miễn phí") == "Miễn phí"
    assert translator("xx").language == "vi"


def test_money_and_dates_by_babel():
    assert format_money(150000, "VND", "vi") == "150.000\xa0₫"
    assert format_money(150000, "VND", "en") == "₫150,000"
    assert format_money(10, "USD", "vi").startswith("10,00")
    assert format_date(date(2026, 2, 17), "vi") == "17/02/2026"
    assert format_date(date(2026, 2, 17), "en") == "17 Feb 2026"

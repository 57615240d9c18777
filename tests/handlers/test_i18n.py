"""Every text a user can see exists in Vietnamese and has an English translation in the catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n import translator
from bot.i18n.format import format_date, format_money

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_source_text_has_an_english_translation():
    en = translator("en")
    missing = sorted(m for m in _source_messages() if en.gettext(m) == m and en.ngettext(m, m, 2) == m)
    assert not missing, "add these to bot/i18n/locale/en/LC_MESSAGES/messages.po (make i18n):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    en = translator("en")
    for m in _source_messages():
        for ph in ("{office}", "{hotline}", "{query}", "{count}", "{code}", "{portal}", "{limit}", "{n}"):
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

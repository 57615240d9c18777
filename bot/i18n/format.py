"""Money, numbers and dates formatted for the user's language by Babel."""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import get_day_names
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as _babel_percent

_LOCALES = {"vi": "vi_VN", "en": "en_US"}
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_DATETIME_PATTERNS = {"vi": "HH:mm dd/MM/yyyy", "en": "d MMM yyyy, HH:mm"}


def babel_locale(language: str) -> str:
    """Babel locale for one of the assistant's languages."""
    return _LOCALES.get(language, "vi_VN")


def format_money(amount: float, currency: str, language: str) -> str:
    """``150000, 'VND'`` → ``150.000 ₫`` (vi) / ``₫150,000`` (en); whole VND, cents for others."""
    loc = babel_locale(language)
    if currency.upper() == "VND":
        return format_currency(round(amount), "VND", locale=loc, format_type="standard")
    return format_currency(amount, currency.upper(), locale=loc)


def format_number(value: float, language: str) -> str:
    """A number with the language's separators (``2,5`` in Vietnamese)."""
    return format_decimal(value, locale=babel_locale(language))


def format_date(value: date, language: str) -> str:
    """``21/11/2026`` (vi) / ``21 Nov 2026`` (en)."""
    return _babel_date(value, _DATE_PATTERNS.get(language, "dd/MM/yyyy"), locale=babel_locale(language))


def format_datetime(value: datetime, language: str) -> str:
    """``07:30 21/11/2026`` (vi) / ``21 Nov 2026, 07:30`` (en)."""
    pattern = _DATETIME_PATTERNS.get(language, "HH:mm dd/MM/yyyy")
    return _babel_datetime(value, pattern, locale=babel_locale(language))


def format_percent(value: float, language: str, decimals: int = 1) -> str:
    """A share 0–1 as a percentage: ``0.975`` → ``97,5%`` (vi) / ``97.5%`` (en)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return _babel_percent(value, pattern, locale=babel_locale(language))


_DAY_PATTERNS = {"vi": "EEEE, dd/MM/yyyy", "en": "EEEE, d MMM yyyy"}


def format_day(value: date, language: str) -> str:
    """``Thứ Hai, 23/11/2026`` (vi) / ``Monday, 23 Nov 2026`` (en)."""
    return _babel_date(value, _DAY_PATTERNS.get(language, "EEEE, dd/MM/yyyy"), locale=babel_locale(language))


def format_moment(value: datetime, language: str) -> str:
    """``17:00, Thứ Hai, 30/11/2026`` (vi) / ``17:00, Monday, 30 Nov 2026`` (en), in ``value``'s own time zone."""
    return f"{format_clock(value.time())}, {format_day(value.date(), language)}"


def weekday_name(weekday: int, language: str) -> str:
    """``0`` → ``Thứ Hai`` (vi) / ``Monday`` (en)."""
    return str(get_day_names("wide", locale=babel_locale(language))[weekday])


def format_clock(value: time) -> str:
    """``07:30`` (the same in both languages)."""
    return f"{value:%H:%M}"

"""Plain-language descriptions of catalog values: processing times, fees, channels, levels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.catalog.model import Channel, Duration, Fee, FilingWay, Level, OnlineMode, Procedure
from bot.catalog.text import is_blank
from bot.contract.html import shorten
from bot.i18n import Translator
from bot.i18n.format import format_money, format_number

T = TypeVar("T")

# A list line shows at most this much of a name: a few official names run to hundreds of words, which fill a
# phone's screen and hide the other items (the card shows the whole name).
LISTED_NAME_CHARS = 200


def listed_name(p: Procedure) -> str:
    """The procedure's name as a line of a list shows it (cut at a word with "…" when very long)."""
    return shorten(p.name, LISTED_NAME_CHARS)


def channel_label(channel: Channel, t: Translator) -> str:
    """"Trực tiếp" / "Trực tuyến" / "Qua bưu chính"."""
    labels = {
        Channel.IN_PERSON: t.gettext("Trực tiếp"),
        Channel.ONLINE: t.gettext("Trực tuyến"),
        Channel.POST: t.gettext("Qua bưu chính"),
    }
    return labels[channel]


def level_label(level: Level, t: Translator) -> str:
    """Level name in the user's language."""
    labels = {
        Level.MINISTRY: t.gettext("Cấp bộ"),
        Level.PROVINCE: t.gettext("Cấp tỉnh"),
        Level.COMMUNE: t.gettext("Cấp xã"),
        Level.OTHER: t.gettext("Cơ quan khác"),
    }
    return labels[level]


def online_mode_label(mode: OnlineMode, t: Translator) -> str:
    """"toàn trình" / "một phần" / "chưa hỗ trợ"."""
    labels = {
        OnlineMode.FULL: t.gettext("trực tuyến toàn trình"),
        OnlineMode.PARTIAL: t.gettext("trực tuyến một phần"),
        OnlineMode.NONE: t.gettext("chưa nhận hồ sơ trực tuyến"),
    }
    return labels[mode]


def duration_text(d: Duration, t: Translator) -> str:
    """"5 ngày làm việc" / "5 working days"; a bare number says its unit is missing; else the source text."""
    if d.is_bare_number:  # the portal often publishes a bare number ("1")
        return t.gettext("{n} (Cổng Dịch vụ công không ghi đơn vị)").format(n=format_number(d.amount or 0, t.language))
    if d.amount is None or d.unit is None:
        return t.gettext("Cổng Dịch vụ công không ghi thời hạn") if is_blank(d.text) else d.text
    n = d.amount
    shown = format_number(n, t.language)
    plural = 1 if n == 1 else 2
    templates = {
        "working_days": t.ngettext("{n} ngày làm việc", "{n} ngày làm việc", plural),
        "days": t.ngettext("{n} ngày", "{n} ngày", plural),
        "hours": t.ngettext("{n} giờ", "{n} giờ", plural),
        "months": t.ngettext("{n} tháng", "{n} tháng", plural),
    }
    return templates[d.unit.value].format(n=shown)


def money_text(fee: Fee, t: Translator) -> str:
    """"135.000 ₫/lần", or "115.000 ₫ – 135.000 ₫ (tùy trường hợp)" when the note names several amounts."""
    low = format_money(fee.amount or 0, fee.currency, t.language)
    if fee.max_amount is None:
        return f"{low}/{fee.per}" if fee.per else low
    high = format_money(fee.max_amount, fee.currency, t.language)
    high = f"{high}/{fee.per}" if fee.per else high
    return t.gettext("{low} – {high} (tùy trường hợp)").format(low=low, high=high)


def fee_text(fee: Fee, t: Translator, note_limit: int = 160) -> str:
    """"150.000 ₫/trang (ghi chú)", "Miễn phí", or "Có thu phí" when the source names no amount.

    A line the portal marked free while its note names a fee is never shown as free (see
    ``bot.catalog.fees``); notes are shortened to ``note_limit``."""
    parts: list[str] = []
    if fee.free:
        parts.append(t.gettext("Miễn phí"))
    elif fee.amount is not None:
        parts.append(money_text(fee, t))
        if fee.exemption:
            parts[-1] += "; " + t.gettext("miễn cho {who}").format(who=shorten(fee.exemption, 90))
    elif fee.portal_said_free:
        parts.append(t.gettext("Có thu phí (Cổng Dịch vụ công không nêu số tiền)"))
    if fee.note and not is_blank(fee.note):
        note = shorten(fee.note, note_limit)
        parts.append(f"({note})" if parts else note)
    return " ".join(parts) if parts else t.gettext("Cổng Dịch vụ công không ghi phí, lệ phí")


def fees_text(fees: list[Fee], t: Translator, note_limit: int = 160) -> str:
    """All fees of one filing way; an empty fee column is said to be unstated, not free."""
    if not fees:
        return t.gettext("Cổng Dịch vụ công không ghi phí, lệ phí")
    return "; ".join(fee_text(f, t, note_limit) for f in fees)


def group_ways(ways: list[FilingWay], key: Callable[[FilingWay], T]) -> list[tuple[T, list[FilingWay]]]:
    """Filing ways with an equal ``key`` (their time, their fees) together, in source order."""
    groups: list[tuple[T, list[FilingWay]]] = []
    for way in ways:
        value = key(way)
        for shared, members in groups:
            if shared == value:
                members.append(way)
                break
        else:
            groups.append((value, [way]))
    return groups


def ways_label(ways: list[FilingWay], t: Translator) -> str:
    """"Trực tuyến, Trực tiếp"."""
    return ", ".join(channel_label(w.channel, t) for w in ways)


def same_for_all(ways: list[FilingWay], key: str) -> bool:
    """Whether every filing way has the same time (``key='time'``) or fees (``key='fees'``)."""
    values = [getattr(w, key) for w in ways]
    return all(v == values[0] for v in values)


def levels_text(p: Procedure, t: Translator) -> str:
    """"Cấp tỉnh, Cấp xã"."""
    return ", ".join(level_label(lv, t) for lv in p.levels)

"""Plain-language descriptions of catalog values: processing times, fees, channels, levels."""

from __future__ import annotations

from bot.catalog.model import Channel, Duration, Fee, FilingWay, Level, OnlineMode, Procedure
from bot.catalog.text import is_blank
from bot.contract.html import shorten
from bot.i18n import Translator
from bot.i18n.format import format_money, format_number


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
    """"5 ngày làm việc" / "5 working days"; the source text when it could not be parsed."""
    if d.amount is not None and d.unit is None:  # the portal often publishes a bare number ("1")
        return t.gettext("{n} (Cổng Dịch vụ công không ghi đơn vị; thường là ngày làm việc)").format(
            n=format_number(d.amount, t.language))
    if d.amount is None or d.unit is None:
        return t.gettext("chưa có thông tin") if is_blank(d.text) else d.text
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


def fee_text(fee: Fee, t: Translator, note_limit: int = 160) -> str:
    """"150.000 ₫/trang (ghi chú)" or "Miễn phí"; notes are shortened to ``note_limit``."""
    parts: list[str] = []
    if fee.free:
        parts.append(t.gettext("Miễn phí"))
    elif fee.amount is not None:
        money = format_money(fee.amount, fee.currency, t.language)
        parts.append(f"{money}/{fee.per}" if fee.per else money)
    if fee.note and not is_blank(fee.note):
        note = shorten(fee.note, note_limit)
        parts.append(f"({note})" if parts else note)
    return " ".join(parts) if parts else t.gettext("chưa có thông tin")


def fees_text(fees: list[Fee], t: Translator, note_limit: int = 160) -> str:
    """All fees of one filing way, or "Miễn phí" when none is listed."""
    if not fees:
        return t.gettext("Không thu phí (theo Cổng Dịch vụ công)")
    return "; ".join(fee_text(f, t, note_limit) for f in fees)


def same_for_all(ways: list[FilingWay], key: str) -> bool:
    """Whether every filing way has the same time (``key='time'``) or fees (``key='fees'``)."""
    values = [getattr(w, key) for w in ways]
    return all(v == values[0] for v in values)


def levels_text(p: Procedure, t: Translator) -> str:
    """"Cấp tỉnh, Cấp xã"."""
    return ", ".join(level_label(lv, t) for lv in p.levels)

"""The 766 scorecard as chat text and as CSV (UTF-8 with BOM, so Excel shows Vietnamese)."""

from __future__ import annotations

import csv
import io

from babel.numbers import format_decimal

from bot.contract.html import bold, esc
from bot.i18n import Translator, translator
from bot.i18n.format import babel_locale, format_date, format_number, format_percent
from bot.reports.scorecard import RULES, Component, Key, Scorecard, UnitScore

MAX_UNITS = 8


def component_name(key: Key, t: Translator) -> str:
    """The component's Vietnamese name (translated)."""
    return {
        Key.PROGRESS: t.gettext("Tiến độ giải quyết (sớm và đúng hạn)"),
        Key.ONLINE: t.gettext("Nộp hồ sơ trực tuyến (toàn trình, một phần)"),
        Key.PAYMENT: t.gettext("Thanh toán trực tuyến (hồ sơ có phí)"),
        Key.DIGITISED: t.gettext("Số hóa hồ sơ, kết quả"),
        Key.COMPLAINTS: t.gettext("Phản ánh, kiến nghị xử lý đúng hạn"),
        Key.SATISFACTION: t.gettext("Hài lòng trong tiếp nhận, giải quyết hồ sơ"),
    }[key]


def no_data(key: Key, t: Translator) -> str:
    """What a component without data says."""
    if key is Key.COMPLAINTS:
        return t.gettext("không có phản ánh, kiến nghị đến hạn trong kỳ")
    if key in (Key.PROGRESS, Key.SATISFACTION):
        return t.gettext("không có hồ sơ trong kỳ")
    return t.gettext("không có dữ liệu")


def points_text(value: float, top: float, language: str) -> str:
    """"11,4/20"."""
    earned = format_decimal(round(value, 1), "#,##0.0", locale=babel_locale(language))
    return f"{earned}/{format_number(top, language)}"


def component_text(c: Component, language: str, t: Translator) -> str:
    """"57,1% (4/7) — 11,4/20 điểm" or "không có dữ liệu"."""
    share, points = c.share, c.points
    if share is None or points is None:
        return no_data(c.key, t)
    rule = RULES[c.key]
    ratio = f"{format_number(c.numerator, language)}/{format_number(c.denominator, language)}"
    if c.key is Key.SATISFACTION:
        ratio = t.gettext("trên {n} hồ sơ").format(n=format_number(c.denominator, language))
    text = t.gettext("{share} ({ratio}) — {points} điểm").format(
        share=format_percent(share, language), ratio=ratio, points=points_text(points, rule.max_points, language))
    return text + (" " + t.gettext("(ước tính)") if rule.estimate else "")


def total_text(score: UnitScore, language: str, t: Translator) -> str:
    """"38,5/54 điểm trên các chỉ tiêu có dữ liệu"."""
    earned, top = score.points
    if not top:
        return t.gettext("chưa có chỉ tiêu nào có dữ liệu")
    return t.gettext("{points} điểm trên các chỉ tiêu có dữ liệu").format(points=points_text(earned, top, language))


def _block(score: UnitScore, name: str, language: str, t: Translator) -> list[str]:
    lines = [bold(esc(name)) + esc(": " + total_text(score, language, t))]
    for c in score.components:
        lines.append(esc(f"• {component_name(c.key, t)}: {component_text(c, language, t)}"))
    return lines


def scorecard_text(card: Scorecard, language: str) -> str:
    """The office's scorecard, then one block per unit (at most ``MAX_UNITS``, busiest first)."""
    t = translator(language)
    first, last = format_date(card.period.start, language), format_date(card.period.last_day, language)
    period = t.gettext("Kỳ: {first} – {last}").format(first=first, last=last)
    if card.partial:
        period += " " + t.gettext("(chưa hết kỳ: số liệu đến nay)")
    lines = [bold(esc(t.gettext("Bảng điểm chất lượng phục vụ (Quyết định 766/QĐ-TTg)"))), esc(period)]
    if card.is_empty:
        lines += ["", esc(t.gettext("Không có dữ liệu: kỳ này chưa có hồ sơ hay đánh giá nào."))]
        return "\n".join(lines)
    lines += ["", *_block(card.office, t.gettext("Toàn cơ quan"), language, t)]
    units = sorted(card.units, key=lambda u: (-u.counts.figures.judged, u.unit))
    if len(units) > 1:
        for unit in units[:MAX_UNITS]:
            lines += ["", *_block(unit, unit.unit or t.gettext("(chưa rõ đơn vị)"), language, t)]
        if len(units) > MAX_UNITS:
            lines += ["", esc(t.gettext("… và {n} đơn vị khác (xuất CSV để xem đủ).").format(n=len(units) - MAX_UNITS))]
    lines += ["", esc(t.gettext("Điểm (ước tính) theo quy tắc chưa được công bố đầy đủ; chỉ tiêu không có dữ liệu "
                                "không được tính."))]
    return "\n".join(lines)


CSV_HEADER = ["tu_ngay", "den_ngay", "den_hien_tai", "don_vi", "chi_tieu", "tu_so", "mau_so", "ty_le_pct",
              "diem", "diem_toi_da", "uoc_tinh"]
OFFICE_KEY = "TOAN_CO_QUAN"


def scorecard_csv(card: Scorecard) -> bytes:
    """One line per unit and component, then the office's (unit ``TOAN_CO_QUAN``); '' = no data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for score in [*card.units, card.office]:
        unit = score.unit if score is not card.office else OFFICE_KEY
        for c in score.components:
            rule = RULES[c.key]
            share, points = c.share, c.points
            writer.writerow([card.period.start.isoformat(), card.period.last_day.isoformat(), int(card.partial),
                             unit, c.key.value, c.numerator, c.denominator,
                             "" if share is None else f"{share * 100:.2f}",
                             "" if points is None else f"{points:.2f}", f"{rule.max_points:g}", int(rule.estimate)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")

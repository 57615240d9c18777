"""The 766 scorecard on one phone-sized PNG (1080 px wide): the office's six components, then the units.

Drawn with matplotlib's object API on the Agg canvas, like :mod:`bot.reports.chart`. A component without
data is written out as "không có dữ liệu" in place of its bar, never drawn as 0%.
"""

from __future__ import annotations

import io
import textwrap

from bot.i18n import translator
from bot.i18n.format import format_date, format_number, format_percent
from bot.reports.scorecard import RULES, Key, Scorecard
from bot.reports.scorecard_text import component_name, no_data, points_text, total_text

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1600, 150
MAX_UNITS = 8
_BAR, _MISSING, _GOOD, _WEAK = "#1f77b4", "#bbbbbb", "#2ca02c", "#d62728"


def scorecard_png(card: Scorecard, language: str = "vi") -> bytes:
    """The PNG of ``card``: components of the office (share and points), then each unit's points."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    t = translator(language)
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.suptitle(t.gettext("Bảng điểm 766 — chất lượng phục vụ"), fontsize=15, fontweight="bold", y=0.985)
    period = t.gettext("Kỳ: {first} – {last}").format(first=format_date(card.period.start, language),
                                                      last=format_date(card.period.last_day, language))
    if card.partial:
        period += " · " + t.gettext("chưa hết kỳ, số liệu đến nay")
    fig.text(0.5, 0.948, period, ha="center", fontsize=10.5, color="#444444")
    fig.text(0.5, 0.915, t.gettext("Toàn cơ quan: {points}").format(points=total_text(card.office, language, t)),
             ha="center", fontsize=11.5, fontweight="bold")
    shown = max(1, min(MAX_UNITS, len(card.units)))
    top, bottom = fig.subplots(2, 1, height_ratios=(6.2, 0.8 * shown + 0.6))
    _components(top, card, language)
    _units(bottom, card, language)
    fig.text(0.02, 0.008, t.gettext("* ước tính: quy tắc tính điểm chưa được công bố đầy đủ. Nguồn: dữ liệu hồ sơ "
                                    "và đánh giá của trợ lý."), fontsize=8, color="#666666")
    fig.subplots_adjust(left=0.05, right=0.97, top=0.865, bottom=0.05, hspace=0.12)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _components(ax, card: Scorecard, language: str) -> None:  # type: ignore[no-untyped-def]
    t = translator(language)
    comps = card.office.components
    ys = list(range(len(comps)))[::-1]
    for y, c in zip(ys, comps, strict=True):
        rule = RULES[c.key]
        name = component_name(c.key, t) + (" *" if rule.estimate else "")
        ax.text(0, y + 0.38, name, fontsize=10, va="center")
        share, points = c.share, c.points
        if share is None or points is None:
            ax.barh(y, 100, height=0.34, color="#f2f2f2")
            ax.text(2, y, no_data(c.key, t), fontsize=9.5, va="center", color="#777777", style="italic")
            continue
        ax.barh(y, 100, height=0.34, color="#f2f2f2")
        full = rule.full_at * 100
        colour = _GOOD if share * 100 >= full else _WEAK if share < rule.full_at * 0.7 else _BAR
        ax.barh(y, share * 100, height=0.34, color=colour)
        if full < 100:
            ax.plot([full, full], [y + 0.17, y + 0.3], color="#333333", linewidth=2)  # a notch above the bar
        label = f"{format_percent(share, language)} · {points_text(points, rule.max_points, language)}"
        if c.key is not Key.SATISFACTION:  # its share is not a plain ratio
            counts = f"{format_number(c.numerator, language)}/{format_number(c.denominator, language)}"
            label = f"{format_percent(share, language)} ({counts}) · {points_text(points, rule.max_points, language)}"
        inside = share > 0.55
        ax.text(share * 100 - 1 if inside else share * 100 + 1, y, label + " " + t.gettext("điểm"), fontsize=9.5,
                va="center", ha="right" if inside else "left", color="white" if inside else "#222222", zorder=3,
                bbox=None if inside else {"facecolor": "#f2f2f2", "edgecolor": "none", "pad": 1.0})
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(comps) - 0.2)
    ax.set_axis_off()
    ax.set_title(t.gettext("Các chỉ tiêu (vạch đen: mức đạt điểm tối đa)"), fontsize=11, loc="left")


def _units(ax, card: Scorecard, language: str) -> None:  # type: ignore[no-untyped-def]
    t = translator(language)
    units = sorted(card.units, key=lambda u: (-u.counts.figures.judged, u.unit))[:MAX_UNITS]
    ax.set_title(t.gettext("Điểm theo đơn vị (trên các chỉ tiêu có dữ liệu)"), fontsize=11, loc="left")
    ax.set_axis_off()
    if not units:
        ax.text(0.5, 0.5, t.gettext("Không có dữ liệu"), ha="center", va="center", transform=ax.transAxes)
        return
    ys = list(range(len(units)))[::-1]
    for y, unit in zip(ys, units, strict=True):
        earned, at_stake = unit.points
        name = textwrap.shorten(unit.unit or t.gettext("(chưa rõ đơn vị)"), 48, placeholder="…")
        ax.text(0, y + 0.36, name, fontsize=9.5, va="center")
        share = earned / at_stake if at_stake else 0.0
        ax.barh(y, 100, height=0.3, color="#f2f2f2")
        ax.barh(y, share * 100, height=0.3, color=_BAR)
        ax.text(101, y, points_text(earned, at_stake, language), fontsize=9.5, va="center")
        judged = unit.counts.figures.judged
        ax.text(100, y + 0.36, t.ngettext("{n} hồ sơ", "{n} hồ sơ", judged).format(
            n=format_number(judged, language)), fontsize=8.5, va="center", ha="right", color="#666666")
    ax.set_xlim(0, 118)
    ax.set_ylim(-0.6, len(units) - 0.2)

"""PNG chart of on-time and satisfaction rates by unit over the period asked for, sized for a phone screen.

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot global state, no font
download): DejaVu Sans ships with matplotlib and covers Vietnamese. Returns None when there is nothing to
draw, so callers send a "no data" text instead of an empty chart.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

from bot.i18n import Translator, translator
from bot.reports.compute import Report
from bot.reports.periods import Period, PeriodKind

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 150
MAX_UNITS = 6
#: A point taken over fewer dossiers (or ratings) than this is drawn hollow: too few to read a rate from.
MIN_SAMPLE = 5
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _unit_label(unit: str, t: Translator) -> str:
    name = unit or t.gettext("Chung (không theo đơn vị)")
    if len(name) > 72:
        name = name[:71].rstrip() + "…"
    return "\n".join(textwrap.wrap(name, 37)) or name


def _pick_units(series: Sequence[Report]) -> tuple[list[str], int]:
    """The busiest units (by dossiers received, then ratings), and how many were left out."""
    volume: dict[str, int] = {}
    for report in series:
        for row in report.rows:
            f = row.figures
            volume[row.key] = volume.get(row.key, 0) + f.received + f.finished + f.ratings
    ranked = sorted(volume, key=lambda k: (-volume[k], k))
    return ranked[:MAX_UNITS], max(0, len(ranked) - MAX_UNITS)


def _series(series: Sequence[Report], unit: str, attr: str, size_attr: str) -> tuple[list[float], list[int]]:
    """The unit's rate (in %) at each point and the number of dossiers or ratings it is taken over."""
    values, sizes = [], []
    for report in series:
        row = next((r for r in report.rows if r.key == unit), None)
        rate = getattr(row.figures, attr) if row is not None else None
        values.append(math.nan if rate is None else rate * 100)
        sizes.append(getattr(row.figures, size_attr) if row is not None else 0)
    return values, sizes


def _y_floor(values: list[float], target: float) -> float:
    """Lower y limit: a multiple of 10 below the lowest value and the target, at most 80, at least 0."""
    lowest = min([v for v in values if not math.isnan(v)] + [target * 100])
    return max(0.0, min(80.0, math.floor((lowest - 5) / 10) * 10))


def _tick(period: Period) -> str:
    if period.kind is PeriodKind.MONTH:
        return f"{period.start:%m/%Y}"
    if period.last_day == period.start:
        return f"{period.start:%d/%m}"
    return f"{period.start:%d}–{period.last_day:%d/%m}"


def split_by_sample(values: Sequence[float], sizes: Sequence[int]) -> tuple[list[float], list[float]]:
    """The points to join (enough dossiers) and the points to draw hollow (fewer than ``MIN_SAMPLE``, but some);
    a point with none is in neither (NaN), so it is never drawn as 0% or 100%."""
    solid = [v if n >= MIN_SAMPLE else math.nan for v, n in zip(values, sizes, strict=True)]
    few = [v if 0 < n < MIN_SAMPLE else math.nan for v, n in zip(values, sizes, strict=True)]
    return solid, few


def _draw_unit(ax: Any, x: list[int], values: list[float], sizes: list[int], style: tuple[str, str, str]) -> Any:
    """A solid line over the points with enough dossiers; hollow markers, not joined, where there are too few."""
    colour, marker, label = style
    solid, few = split_by_sample(values, sizes)
    (line,) = ax.plot(x, solid, color=colour, marker=marker, linewidth=2, markersize=6, label=label)
    ax.plot(x, few, linestyle="none", marker=marker, markersize=6, markerfacecolor="white", markeredgecolor=colour,
            markeredgewidth=1.4)
    return line


def _sizes_row(ax: Any, totals: list[int], t: Translator) -> None:
    """The number each point is taken over, printed above it ("n=12"), grey when too few."""
    from matplotlib.transforms import blended_transform_factory

    where = blended_transform_factory(ax.transData, ax.transAxes)
    for i, n in enumerate(totals):
        ax.text(i, 1.01, f"n={n}", transform=where, ha="center", va="bottom", fontsize=8.5,
                color="#333333" if n >= MIN_SAMPLE else "#aaaaaa")


def weekly_chart(series: Sequence[Report], language: str = "vi") -> bytes | None:
    """On-time (top) and satisfaction (bottom) rates by unit, one point per period; None when no data.

    Each point carries its sample size; points taken over fewer than ``MIN_SAMPLE`` dossiers (or ratings) are
    hollow and not joined, a point with none is left out (never drawn as 0% or 100%); a period that has not
    ended is shaded and marked "đến nay"."""
    # imported here: matplotlib adds ~60 MB to a process, and most processes never draw a chart
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    if not series or all(r.is_empty for r in series):
        return None
    t = translator(language)
    units, hidden = _pick_units(series)
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    periods = [r.period for r in series]
    x = list(range(len(periods)))
    fig.suptitle(t.gettext("Tỷ lệ đúng hạn và hài lòng theo đơn vị"), fontsize=15, fontweight="bold", y=0.985)
    by_month = periods[0].kind is PeriodKind.MONTH
    subtitle = (t.gettext("{first} – {last}, theo tháng") if by_month else t.gettext("{first} – {last}, theo tuần")
                ).format(first=f"{periods[0].start:%d/%m/%Y}", last=f"{periods[-1].last_day:%d/%m/%Y}")
    if hidden:
        subtitle += " · " + t.gettext("thêm {n} đơn vị khác trong báo cáo").format(n=hidden)
    fig.text(0.5, 0.945, subtitle, ha="center", fontsize=10.5, color="#444444")
    panels = (
        ("on_time_rate", "judged", t.gettext("Giải quyết đúng hạn (%)"), series[0].on_time_target),
        ("satisfaction_rate", "ratings", t.gettext("Hài lòng (%)"), series[0].satisfaction_target),
    )
    no_ratings = all(r.total.ratings == 0 for r in series)
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1) if no_ratings else (1, 1))
    handles = []
    for ax, (attr, size_attr, title, target) in zip(axes, panels, strict=True):
        plotted: list[float] = []
        totals = [0] * len(periods)
        for i, unit in enumerate(units):
            values, sizes = _series(series, unit, attr, size_attr)
            plotted += values
            totals = [a + b for a, b in zip(totals, sizes, strict=True)]
            line = _draw_unit(ax, x, values, sizes, (_COLOURS[i], _MARKERS[i], _unit_label(unit, t)))
            if attr == "on_time_rate":
                handles.append(line)
        if not all(math.isnan(v) for v in plotted):
            ax.axhline(target * 100, color="#555555", linestyle="--", linewidth=1.4)
        ax.set_title(title, fontsize=12.5, loc="left", pad=16)
        ax.set_title("- - " + t.gettext("mục tiêu {value}%").format(value=f"{target * 100:g}"), fontsize=10.5,
                     loc="right", color="#555555", pad=16)
        ax.set_ylim(_y_floor(plotted, target), 102)
        ax.yaxis.set_major_locator(MultipleLocator(10 if ax.get_ylim()[0] < 50 else 5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
        ax.grid(axis="y", color="#dddddd")
        ax.tick_params(labelsize=10)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        _sizes_row(ax, totals, t)
        if series[-1].partial:
            ax.axvspan(len(periods) - 1.5, len(periods) - 0.5, color="#fff3cd", zorder=0)
        if all(math.isnan(v) for v in plotted):
            ax.text(0.5, 0.5, t.gettext("Không có dữ liệu"), transform=ax.transAxes, ha="center", va="center",
                    fontsize=12, color="#888888")
            ax.set_yticks([])
    ticks = [_tick(p) for p in periods]
    if series[-1].partial:  # the period has not ended: its figures are as of now
        ticks[-1] += "\n" + t.gettext("(đến nay)")
    axes[1].set_xticks(x, ticks)
    axes[1].set_xlabel(t.gettext("Tháng") if by_month else t.gettext("Tuần"), fontsize=10.5)
    labels = [h.get_label().count("\n") + 1 for h in handles]
    legend_lines = sum(max(labels[i : i + 2]) for i in range(0, len(labels), 2))
    bottom = 0.02 + 0.019 * legend_lines + 0.009 * math.ceil(len(labels) / 2) + 0.02 * series[-1].partial
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9.5, frameon=False,
               bbox_to_anchor=(0.5, 0.005), handlelength=2.2, columnspacing=1.5)
    fig.text(0.5, bottom + 0.004, t.gettext("n = số hồ sơ (trên) và số đánh giá (dưới); điểm rỗng: dưới {n}, "
                                            "chưa đủ để kết luận").format(n=MIN_SAMPLE),
             ha="center", fontsize=8.5, color="#666666")
    fig.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=bottom + 0.085, hspace=0.38)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()

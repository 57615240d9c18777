"""PNG chart of on-time and satisfaction rates by unit over the last weeks, sized for a phone screen.

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot global state, no font
download): DejaVu Sans ships with matplotlib and covers Vietnamese. Returns None when there is nothing to
draw, so callers send a "no data" text instead of an empty chart.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

from bot.i18n import Translator, translator
from bot.reports.compute import Report

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 150
MAX_UNITS = 6
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


def _series(series: Sequence[Report], unit: str, attr: str) -> list[float]:
    values = []
    for report in series:
        row = next((r for r in report.rows if r.key == unit), None)
        rate = getattr(row.figures, attr) if row is not None else None
        values.append(math.nan if rate is None else rate * 100)
    return values


def _y_floor(values: list[float], target: float) -> float:
    """Lower y limit: a multiple of 10 below the lowest value and the target, at most 80, at least 0."""
    lowest = min([v for v in values if not math.isnan(v)] + [target * 100])
    return max(0.0, min(80.0, math.floor((lowest - 5) / 10) * 10))


def weekly_chart(series: Sequence[Report], language: str = "vi") -> bytes | None:
    """On-time (top) and satisfaction (bottom) rates by unit, one point per week; None when no data."""
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
    weeks = [r.period for r in series]
    ticks = [f"{w.start:%d/%m}" for w in weeks]
    first, last = weeks[0].start, weeks[-1].last_day
    fig.suptitle(t.gettext("Tỷ lệ đúng hạn và hài lòng theo đơn vị"), fontsize=15, fontweight="bold", y=0.985)
    subtitle = t.gettext("{n} tuần, {first} – {last}").format(n=len(weeks), first=f"{first:%d/%m}",
                                                             last=f"{last:%d/%m/%Y}")
    if hidden:
        subtitle += " · " + t.gettext("thêm {n} đơn vị khác trong báo cáo").format(n=hidden)
    fig.text(0.5, 0.945, subtitle, ha="center", fontsize=10.5, color="#444444")
    panels = (
        ("on_time_rate", t.gettext("Giải quyết đúng hạn (%)"), series[0].on_time_target),
        ("satisfaction_rate", t.gettext("Hài lòng (%)"), series[0].satisfaction_target),
    )
    axes = fig.subplots(2, 1, sharex=True)
    handles = []
    for ax, (attr, title, target) in zip(axes, panels, strict=True):
        plotted: list[float] = []
        for i, unit in enumerate(units):
            values = _series(series, unit, attr)
            plotted += values
            (line,) = ax.plot(range(len(weeks)), values, color=_COLOURS[i], marker=_MARKERS[i], linewidth=2,
                              markersize=6, label=_unit_label(unit, t))
            if attr == "on_time_rate":
                handles.append(line)
        ax.axhline(target * 100, color="#555555", linestyle="--", linewidth=1.4)
        ax.set_title(title, fontsize=12.5, loc="left")
        ax.set_title("- - " + t.gettext("mục tiêu {value}%").format(value=f"{target * 100:g}"), fontsize=10.5,
                     loc="right", color="#555555")
        ax.set_ylim(_y_floor(plotted, target), 102)
        ax.yaxis.set_major_locator(MultipleLocator(10 if ax.get_ylim()[0] < 50 else 5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
        ax.grid(axis="y", color="#dddddd")
        ax.tick_params(labelsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if all(math.isnan(v) for v in plotted):
            ax.text(0.5, 0.5, t.gettext("Không có dữ liệu"), transform=ax.transAxes, ha="center", va="center",
                    fontsize=12, color="#888888")
    axes[1].set_xticks(range(len(weeks)), ticks)
    axes[1].set_xlabel(t.gettext("Tuần bắt đầu từ ngày"), fontsize=10.5)
    labels = [h.get_label().count("\n") + 1 for h in handles]
    legend_lines = sum(max(labels[i : i + 2]) for i in range(0, len(labels), 2))
    bottom = 0.02 + 0.019 * legend_lines + 0.009 * math.ceil(len(labels) / 2)
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9.5, frameon=False,
               bbox_to_anchor=(0.5, 0.005), handlelength=2.2, columnspacing=1.5)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=bottom + 0.075, hspace=0.28)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()

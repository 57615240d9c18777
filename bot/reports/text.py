"""The text of a report in the chat and in the weekly message: figures with the targets beside them."""

from __future__ import annotations

from bot.contract.html import bold, esc
from bot.i18n import Translator, translator
from bot.i18n.format import format_date, format_number, format_percent
from bot.reports.compute import Figures, Report

MAX_ROWS = 12


def _rate(value: float | None, target: float, language: str, t: Translator) -> str:
    if value is None:
        return t.gettext("chưa có số liệu")
    mark = "✅" if value >= target else "⚠️"
    goal = t.gettext("mục tiêu {value}").format(value=format_percent(target, language, 0))
    return f"{format_percent(value, language)} {mark} ({goal})"


def _figures_lines(f: Figures, report: Report, language: str, t: Translator) -> list[str]:
    def n(value: int) -> str:
        return format_number(value, language)

    if report.partial:
        backlog = t.gettext("Đang giải quyết (đến nay): quá hạn {overdue}, trong hạn {on_track}")
    else:
        backlog = t.gettext("Đang giải quyết (cuối kỳ): quá hạn {overdue}, trong hạn {on_track}")
    lines = [
        t.gettext("Tiếp nhận {received} · Đã giải quyết {finished}: sớm và đúng hạn {on_time}, trễ hạn {late}").format(
            received=n(f.received), finished=n(f.finished), on_time=n(f.on_time), late=n(f.finished_late)),
        backlog.format(overdue=n(f.open_overdue), on_track=n(f.open_on_track)),
        t.gettext("Đúng hạn: {rate} — trên {n} hồ sơ (đã giải quyết và quá hạn)").format(
            rate=_rate(f.on_time_rate, report.on_time_target, language, t), n=n(f.judged)),
        t.gettext("Trễ hạn {late}: có xin lỗi {with_apology}, chưa xin lỗi {without}").format(
            late=n(f.late), with_apology=n(f.late_with_apology), without=n(f.late_without_apology)),
    ]
    if f.open_overdue:
        lines.append(t.gettext("Trong đó đang quá hạn chưa có phiếu xin lỗi: {n}").format(
            n=n(f.open_overdue_without_apology)))
    lines.append(t.gettext("Hài lòng: {rate} — {n} đánh giá").format(
        rate=_rate(f.satisfaction_rate, report.satisfaction_target, language, t), n=n(f.ratings)))
    return [esc(line) for line in lines]


def no_data_text(report: Report, language: str) -> str:
    """The clear "no data" answer for an empty period."""
    t = translator(language)
    return esc(t.gettext("Không có dữ liệu: kỳ {first} – {last} chưa có hồ sơ nào được tiếp nhận, giải quyết "
                         "hay đánh giá.").format(first=format_date(report.period.start, language),
                                                  last=format_date(report.period.last_day, language)))


def report_text(report: Report, language: str, title: str = "") -> str:
    """Totals, then one block per group (at most ``MAX_ROWS``), every rate with its target."""
    if report.is_empty:
        return no_data_text(report, language)
    t = translator(language)
    period = t.gettext("Kỳ báo cáo: {first} – {last}").format(
        first=format_date(report.period.start, language), last=format_date(report.period.last_day, language))
    lines = [bold(title or t.gettext("Báo cáo giải quyết hồ sơ và mức độ hài lòng")), esc(period), "",
             bold(t.gettext("Tổng cộng")), *_figures_lines(report.total, report, language, t)]
    q = report.questions
    if q is not None and (q.received or q.overdue_open):
        lines.append(esc(t.gettext("Câu hỏi gửi cán bộ {received}: đã trả lời {answered} (đúng hạn {on_time}), "
                                   "quá hạn chưa trả lời {overdue}").format(
            received=format_number(q.received, language), answered=format_number(q.answered, language),
            on_time=format_number(q.answered_on_time, language), overdue=format_number(q.overdue_open, language))))
    rows = sorted(report.rows, key=lambda r: (-(r.figures.received + r.figures.judged), r.key))
    if len(rows) > 1:
        for row in rows[:MAX_ROWS]:
            lines += ["", bold(row.key or t.gettext("Chung (không theo đơn vị)")),
                      *_figures_lines(row.figures, report, language, t)]
        if len(rows) > MAX_ROWS:
            lines += ["", esc(t.gettext("… và {n} nhóm khác (xuất CSV để xem đủ).").format(n=len(rows) - MAX_ROWS))]
    return "\n".join(lines)

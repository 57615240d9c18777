"""CSV export, the PNG chart, the weekly messages to leaders, /baocao in the chat and the CLI."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, date, datetime

from PIL import Image
from sqlalchemy import select

from bot.cli import reports as cli
from bot.config import Settings
from bot.i18n.format import format_percent
from bot.officers.models import Officer, Role
from bot.outbox.models import OutboxMessage
from bot.reports.chart import HEIGHT_PX, MIN_SAMPLE, WIDTH_PX, split_by_sample, weekly_chart
from bot.reports.compute import compute_report, compute_series
from bot.reports.export import HEADER, report_csv
from bot.reports.periods import PeriodKind, Preset, chart_periods, last_weeks, period_of, preset_period
from bot.reports.weekly import enqueue_weekly_reports
from bot.storage.db import Database
from tests.bot.reports.conftest import SETTINGS, UNIT_A, UNIT_B, add_hand_dataset

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Wednesday 4 November 2026, 09:00 in Hà Nội: "last week" is 26 Oct – 1 Nov, "last month" October.
NOW = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)


def test_percentages_by_babel():
    assert (format_percent(0.975, "vi"), format_percent(0.975, "en"), format_percent(0.9, "vi", 0)) == (
        "97,5%", "97.5%", "90%")


def test_periods_and_presets():
    assert period_of("week", date(2026, 11, 22)).start == date(2026, 11, 16)  # a Sunday → its Monday
    assert period_of("quarter", date(2026, 2, 3)).end == date(2026, 4, 1)
    assert preset_period(Preset.LAST_MONTH, date(2026, 1, 15)).start == date(2025, 12, 1)
    assert preset_period(Preset.LAST_WEEK, date(2026, 11, 4)).start == date(2026, 10, 26)
    weeks = last_weeks(date(2026, 11, 4), 8)
    assert len(weeks) == 8 and weeks[-1].start == date(2026, 11, 2) and weeks[0].start == date(2026, 9, 14)


def test_csv_has_bom_rows_and_total(database):
    add_hand_dataset(database)
    with database.session() as s:
        report = compute_report(s, period="month", start=date(2026, 10, 1), settings=SETTINGS)
    data = report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    by_key = {r[4]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    assert by_key[UNIT_A]["tre_han_co_xin_loi"] == "1" and by_key[UNIT_A]["ty_le_dung_han_pct"] == "60.00"
    assert by_key["TONG"]["tiep_nhan"] == "7" and by_key["TONG"]["ty_le_hai_long_pct"] == "60.00"
    assert by_key[""]["ty_le_dung_han_pct"] == "" and by_key["TONG"]["muc_tieu_dung_han_pct"] == "98.00"


def _series(database: Database, units=None):
    with database.session() as s:
        return compute_series(s, last_weeks(date(2026, 11, 1), 8), SETTINGS, units)


def test_chart_is_a_phone_sized_png(database, tmp_path):
    add_hand_dataset(database)
    png = weekly_chart(_series(database), "vi")
    assert png is not None and png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (WIDTH_PX, HEIGHT_PX) == (1080, 1350)
    (tmp_path / "chart.png").write_bytes(png)


def test_no_chart_for_empty_weeks(database, manual_clock):
    # weeks that have not begun at the frozen "now" (2026-11-23): nothing received, nothing open yet
    add_hand_dataset(database)
    with database.session() as s:
        empty = compute_series(s, last_weeks(date(2027, 6, 1), 4), SETTINGS)
    assert weekly_chart(empty, "vi") is None and weekly_chart([], "vi") is None


def _officer(database: Database, user: str, role: Role, units: list[str], language: str = "vi") -> int:
    with database.session() as s:
        o = Officer(channel="telegram", user_id=user, chat_id=f"chat-{user}", role=role.value, units=units,
                    language=language)
        s.add(o)
        s.commit()
        return o.id


def test_weekly_reports_once_per_leader_per_week(database):
    add_hand_dataset(database)
    leader_a = _officer(database, "la", Role.LEADER, [UNIT_A])
    leader_x = _officer(database, "lx", Role.LEADER, ["Đơn vị không có hồ sơ"], language="en")
    _officer(database, "oa", Role.OFFICER, [UNIT_A])
    assert enqueue_weekly_reports(database, SETTINGS, NOW) == 2
    assert enqueue_weekly_reports(database, SETTINGS, NOW) == 0
    with database.session() as s:
        messages = {m.dedupe_key: m for m in s.scalars(select(OutboxMessage))}
    assert set(messages) == {f"weekly:{leader_a}:2026-W44", f"weekly:{leader_x}:2026-W44"}
    to_a = messages[f"weekly:{leader_a}:2026-W44"]
    assert to_a.chat_id == "chat-la" and to_a.kind == "weekly_report"
    assert "Báo cáo tuần 2026-W44" in to_a.text and UNIT_B not in to_a.text
    assert to_a.attachment is not None and to_a.attachment.startswith(PNG_SIGNATURE)
    assert to_a.attachment_mime == "image/png"
    to_x = messages[f"weekly:{leader_x}:2026-W44"]
    assert "No data" in to_x.text and to_x.attachment is None


def test_cli_writes_csv_and_chart(database, tmp_path, capsys, monkeypatch):
    add_hand_dataset(database)
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    out_csv, out_png = tmp_path / "out.csv", tmp_path / "out.png"
    args = parser.parse_args(["report", "--period", "month", "--start", "2026-10-01", "--csv", str(out_csv),
                              "--chart", str(out_png)])
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    assert cli.run(args, Settings()) == 0
    printed = capsys.readouterr().out
    assert "Tiếp nhận 7 · Đã giải quyết 6" in printed and "<b>" not in printed
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf") and out_png.read_bytes().startswith(PNG_SIGNATURE)


def test_chart_points_follow_the_period_asked():
    october = chart_periods(period_of("month", date(2026, 10, 1)), 8)
    assert [(p.start.day, p.last_day.day) for p in october] == [(1, 4), (5, 11), (12, 18), (19, 25), (26, 31)]
    quarter = chart_periods(period_of("quarter", date(2026, 11, 1)), 8)
    assert [p.start for p in quarter] == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert all(p.kind is PeriodKind.MONTH for p in quarter)
    weeks = chart_periods(period_of("week", date(2026, 11, 4)), 8)
    assert len(weeks) == 8 and weeks[-1].start == date(2026, 11, 2)


def test_points_with_too_few_dossiers_are_not_rates():
    nan = float("nan")
    solid, few = split_by_sample([100.0, 50.0, nan, 80.0], [MIN_SAMPLE - 1, MIN_SAMPLE, 0, 40])
    assert solid[1:2] == [50.0] and solid[3] == 80.0 and all(v != v for v in (solid[0], solid[2]))
    assert few[0] == 100.0 and all(v != v for v in (few[1], few[2], few[3]))


def test_a_current_month_is_marked_partial(database):
    add_hand_dataset(database)
    with database.session() as s:
        now = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
        series = compute_series(s, chart_periods(period_of("month", date(2026, 10, 1)), 8), SETTINGS, now=now)
    assert [r.partial for r in series] == [False, False, False, True]  # 26–31 October not begun: left out
    png = weekly_chart(series, "vi")
    assert png is not None and png.startswith(PNG_SIGNATURE)

"""Gaps report benchmark: ``gaps_report`` over 100,000 logged questions, beside a floor in the same run.

    .venv/bin/python bench/gaps_bench.py [--rows 100000] [--runs 3] [--backend sqlite|postgres|both]

The floor is the bare ``SELECT key, count(*) … GROUP BY key`` the report starts with; the report adds the
fuzzy grouping of the 1,500 most frequent keys and the wording and closest procedures of the top 20 groups.
Questions are generated from 400 topics × wordings, with names, phone and ID numbers mixed in (anonymised
on insert like the assistant does), over 30 days. Target: ≤ 2 s.
PostgreSQL: $TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test, in a private schema dropped
afterwards.
"""

from __future__ import annotations

import argparse
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "samples"), str(ROOT / "bench")]

from dossier_bench import _database  # noqa: E402  (a SQLite file or a private PostgreSQL schema)
from sqlalchemy import func, insert, select  # noqa: E402

from bot.handoff.anonymise import anonymise  # noqa: E402
from bot.handoff.gaps import gaps_report, group_key  # noqa: E402
from bot.handoff.models import GapEntry  # noqa: E402

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
THINGS = ["giấy phép nuôi chó", "sổ đỏ đất vườn", "hộ khẩu", "bằng lái xe máy", "giấy phép bán hàng rong",
          "đăng ký xe điện", "trợ cấp người cao tuổi", "giấy phép xây nhà tạm", "chứng nhận hộ nghèo",
          "đổi tên cho con", "giấy phép karaoke", "đất nông nghiệp", "bảo hiểm y tế hộ gia đình",
          "giấy xác nhận độc thân", "thẻ bảo hiểm học sinh", "giấy phép đào ao", "cấp lại bằng tốt nghiệp",
          "chuyển trường cho con", "giấy phép quảng cáo", "đăng ký tạm vắng"]
PLACES = ["", " ở phường", " ở xã", " tại huyện", " cho người già", " lần đầu", " khi đi làm xa", " cho con nhỏ",
          " ở nông thôn", " trong thành phố", " cho nhà thuê", " khi ở nước ngoài", " vùng biên giới",
          " cho hộ kinh doanh", " khi mất giấy tờ", " cho người khuyết tật", " cho sinh viên", " sau khi ly hôn",
          " khi chuyển nhà", " cho công ty"]
FORMS = ["cho hỏi {x} làm ở đâu", "làm {x} cần giấy tờ gì", "{x} mất bao lâu", "xin {x} thì làm thế nào",
         "Tôi là {name}, sđt {phone}, hỏi về {x}", "{x} có mất phí không ạ", "thủ tục {x}"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Em"]


def _rows(n: int, rng: random.Random) -> Iterator[dict[str, object]]:
    """``n`` anonymised entries as the assistant logs them."""
    cache: dict[str, tuple[str, str]] = {}
    for i in range(n):
        topic = rng.choice(THINGS) + rng.choice(PLACES)
        raw = rng.choice(FORMS).format(x=topic, name=rng.choice(NAMES), phone=f"09{rng.randrange(10**8):08d}")
        if raw not in cache:
            masked = anonymise(raw)
            cache[raw] = (masked, group_key(masked))
        masked, key = cache[raw]
        yield {"kind": "asked" if i % 10 == 0 else "not_found", "text_masked": masked, "key": key,
               "codes": [f"1.00{rng.randrange(1000, 9999)}" for _ in range(3)],
               "created_at": NOW - timedelta(seconds=rng.randrange(30 * 86400))}  # fmt: skip


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _line(label: str, times: list[float]) -> str:
    return (f"  {label:<38} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s   "
            f"max {max(times):6.3f} s")  # fmt: skip


def run(backend: str, rows: int, runs: int) -> bool:
    """Fill one database, time floor and report; True when the report's median meets the target."""
    with tempfile.TemporaryDirectory() as tmp, _database(backend, Path(tmp)) as (_url, db):
        rng = random.Random(12)
        started = time.perf_counter()
        batch: list[dict[str, object]] = []
        with db.session() as s:
            for row in _rows(rows, rng):
                batch.append(row)
                if len(batch) == 10_000:
                    s.execute(insert(GapEntry), batch)
                    batch = []
            if batch:
                s.execute(insert(GapEntry), batch)
            s.commit()
            keys = s.scalar(select(func.count(func.distinct(GapEntry.key))))
        print(f"{backend}: {rows:,} entries, {keys:,} distinct keys, loaded in {time.perf_counter() - started:.1f} s")
        since, until = NOW - timedelta(days=30), NOW + timedelta(seconds=1)

        def floor() -> None:
            with db.session() as s:
                s.execute(select(GapEntry.key, func.count()).where(GapEntry.created_at >= since,
                          GapEntry.created_at < until).group_by(GapEntry.key)).all()  # fmt: skip

        result: list[object] = []

        def report() -> None:
            with db.session() as s:
                result[:] = gaps_report(s, since, until, 20)

        floor_times, report_times = _timed(floor, runs), _timed(report, runs)
        print(_line("floor: GROUP BY key", floor_times))
        print(_line("gaps_report (top 20, fuzzy groups)", report_times))
        top = result[0]
        print(f"  top group: {getattr(top, 'count', 0):,} × “{getattr(top, 'text', '')}”")
        ok = statistics.median(report_times) <= 2.0
        print(f"  target ≤ 2 s (median): {'met' if ok else 'NOT met'}")
        return ok


def main() -> int:
    """Parse arguments, print the command, run each backend."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = p.parse_args()
    print("$ " + shlex.join([".venv/bin/python", "bench/gaps_bench.py", *sys.argv[1:]]))
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [run(b, args.rows, max(args.runs, 3)) for b in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

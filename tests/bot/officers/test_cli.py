"""``python -m bot officers …`` and ``python -m bot alerts …`` end to end on a temporary database."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import alerts as alerts_cli
from bot.cli import officers as officers_cli
from bot.config import Settings
from bot.officers.registry import redeem
from bot.storage.db import Database

UNITS = ["UBND phường A", "UBND xã Tân Lập"]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    officers_cli.add_parser(sub)
    alerts_cli.add_parser(sub)
    args = parser.parse_args(argv)
    module = officers_cli if args.command == "officers" else alerts_cli
    office = Settings()
    return module.run(args, office.model_copy(update={"office": office.office.model_copy(update={"units": UNITS})}))


def test_invite_register_list_and_the_console_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    assert _run(["officers", "invite", "--unit", "UBND phường A", "--days", "3"]) == 0
    code = next(line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("MC-"))
    db = Database(url)
    with db.session() as s:
        assert redeem(s, code, "console", "local", "local", "Cán bộ") is not None
        s.commit()
    db.dispose()
    assert _run(["officers", "list"]) == 0
    listed = capsys.readouterr().out
    assert "officer  active" in listed and "units (2): UBND phường A | UBND xã Tân Lập" in listed
    assert "no alert yet" in listed
    assert _run(["officers", "invite"]) == 2  # an officer needs a unit
    assert _run(["alerts", "run", "--date", "2026-02-17"]) == 0  # Tết
    assert capsys.readouterr().out.startswith("0 alert(s) enqueued")
    assert _run(["alerts", "run", "--date", "2026-11-23", "--time", "07:30"]) == 0
    assert capsys.readouterr().out.startswith("1 alert(s) enqueued")
    assert _run(["alerts", "send"]) == 0
    out = capsys.readouterr().out
    assert "Hồ sơ cần xử lý — 23/11/2026" in out and "1 message(s) delivered" in out
    assert _run(["officers", "list"]) == 0
    assert re.search(r"last alert \d{4}-\d\d-\d\d \d\d:\d\dZ sent", capsys.readouterr().out)
    assert _run(["officers", "failures"]) == 0
    assert "no delivery failures" in capsys.readouterr().out


def test_an_invite_for_an_unknown_unit_is_refused_with_the_closest_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert _run(["officers", "invite", "--unit", "UBND xa Tan Lap"]) == 2
    err = capsys.readouterr().err
    assert 'unknown unit "UBND xa Tan Lap"; did you mean: "UBND xã Tân Lập"' in err
    assert _run(["officers", "invite", "--unit", "UBND xã Tân Lập"]) == 0

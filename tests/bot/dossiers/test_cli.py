"""The ``dossiers`` command: import with exit codes, masked show, alert preview."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import dossiers as cli
from bot.config import DatabaseSettings, Settings

from .conftest import SAMPLES, write_csv


@pytest.fixture
def run(tmp_path):
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'cli.db'}"))
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    return lambda *argv: cli.run(parser.parse_args(["dossiers", *argv]), settings)


def test_import_show_and_alert(run, capsys, tmp_path):
    assert run("import", str(SAMPLES / "dossiers-sample.json"), "--no-progress") == 0
    out = capsys.readouterr().out
    assert "300 inserted" in out and "Chờ ký số ×26" in out
    assert run("show", "000.00.10.h40-260213-000001") == 0
    out = capsys.readouterr().out
    assert "Vũ N** M**" in out and "Vũ Ngọc Mai" not in out and "0936873079" not in out and "3079" not in out
    assert run("show", "nope") == 1
    csv_path = tmp_path / "alert.csv"
    assert run("alert", "--unit", "UBND xã Tân Lập", "--csv", str(csv_path)) == 0
    assert "overdue" in capsys.readouterr().out and csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_rejected_rows_exit_1_and_bad_files_exit_2(run, capsys, tmp_path):
    header = ["dossierNo", "acceptedDate", "dossierStatusName"]
    bad = write_csv(tmp_path / "bad.csv", header, [["A", "01/03/2026", "x"], ["B", "32/03/2026", "x"]])
    assert run("import", str(bad), "--no-progress") == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "NOTHING was imported" in err
    missing = write_csv(tmp_path / "m.csv", ["dossierNo"], [["A"]])
    assert run("import", str(missing), "--no-progress") == 2
    assert "missing required column" in capsys.readouterr().err
    assert run("import", str(SAMPLES / "dossiers-sample.csv"), "--dry-run", "--no-progress",
               "--mapping", str(SAMPLES / "mapping-example.toml")) == 0  # fmt: skip
    assert "dry run" in capsys.readouterr().out


def test_import_that_returns_a_followed_dossier_notifies_and_invites_a_rating(run, capsys, tmp_path):
    from sqlalchemy import select

    from bot.dossiers.models import Dossier, Subscription
    from bot.outbox.models import OutboxMessage
    from bot.storage.db import Database

    header = ["dossierNo", "procedureName", "acceptedDate", "appointmentDate", "dossierStatusName"]
    row = ["HS-2026-000123", "Đăng ký khai sinh", "02/03/2026 09:00:00", "04/03/2026 17:00:00"]
    assert run("import", str(write_csv(tmp_path / "a.csv", header, [[*row, "Đang xử lý"]])), "--no-progress") == 0
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.session() as s:
        dossier_id = s.scalar(select(Dossier.id))
        s.add(Subscription(dossier_id=dossier_id, channel="telegram", chat_id="77"))
        s.commit()
    returned = write_csv(tmp_path / "b.csv", header, [[*row, "Đã trả kết quả"]])
    assert run("import", str(returned), "--no-progress") == 0
    assert "1 notification(s) to followers and 1 rating invitation(s) queued" in capsys.readouterr().out
    assert run("import", str(returned), "--no-progress") == 0  # nothing changed: nothing new is queued
    with db.session() as s:
        keys = sorted(m.dedupe_key.split(":")[0] for m in s.scalars(select(OutboxMessage)))
    assert keys == ["dossier", "rating-invite"]
    db.dispose()

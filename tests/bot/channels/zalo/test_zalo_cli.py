"""The admin side of the OA tokens from the command line: status (no secrets) and re-seeding."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import channels as zalo_cli
from bot.config import ENV_ZALO_APP_SECRET, ENV_ZALO_OA_REFRESH_TOKEN, Settings
from tests.fakes.zalo_oa_api import FakeZaloOA


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    zalo_cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_status_shows_failures_without_secrets(
    tmp_path: Path, oa_api: FakeZaloOA, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path / 'cli.db'}"},
        "channels": {"zalo_oa": {"app_id": oa_api.app_id, "oauth_url": oa_api.url}},
    })  # fmt: skip
    assert zalo_cli.run(_parse("zalo", "oa-status"), settings) == 1
    assert "no token stored" in capsys.readouterr().out

    monkeypatch.setenv(ENV_ZALO_OA_REFRESH_TOKEN, "RT-0")
    monkeypatch.setenv(ENV_ZALO_APP_SECRET, "not-the-app-secret")
    assert zalo_cli.run(_parse("zalo", "oa-seed", "--from-env"), settings) == 0
    store = zalo_cli._store(settings)
    with pytest.raises(Exception, match="refused"):
        store.access_token()
    store.db.dispose()
    assert zalo_cli.run(_parse("zalo", "oa-status"), settings) == 1
    out = capsys.readouterr().out
    assert "FAILING: 1 failed refresh" in out and "RT-0" not in out and "not-the-app-secret" not in out


def test_parser_defaults() -> None:
    assert _parse("zalo").zalo_command is None  # plain `zalo` = long polling
    assert (_parse("web", "--port", "9000").port, _parse("web").host) == (9000, "0.0.0.0")

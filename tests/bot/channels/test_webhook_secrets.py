"""Webhook secrets are checked when a server starts (``web``, ``run``, ``telegram``), with a clear message."""

from __future__ import annotations

import pytest

from bot.channels.webhook import secret_problem
from bot.cli.main import main
from bot.config import ENV_TELEGRAM_SECRET, ENV_TELEGRAM_TOKEN, ENV_ZALO_BOT_SECRET, ENV_ZALO_OA_SECRET


@pytest.mark.parametrize(
    ("value", "ok"),
    [("abc x", False), ("", False), ("a" * 15, False), ("a" * 16, True), ("A-z_0" * 51 + "9", True),
     ("a" * 257, False), ("sixteen chars ok!", False), ("mật-khẩu-rất-dài-0123", False)],
)  # fmt: skip
def test_secret_rules(value, ok):
    assert (secret_problem("X_SECRET", value) == "") is ok
    if not ok:
        assert secret_problem("X_SECRET", value).startswith("X_SECRET")


def test_web_refuses_a_short_secret_with_a_space(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[channels.zalo_bot]\nenabled = true\nwebhook_url = "https://example.org/zalo"\n\n'
                      '[channels.zalo_oa]\nenabled = true\napp_id = "1"\n', encoding="utf-8")
    monkeypatch.setenv(ENV_ZALO_BOT_SECRET, "a b")
    monkeypatch.setenv(ENV_ZALO_OA_SECRET, "short")
    assert main(["--config", str(config), "web"]) == 2
    err = capsys.readouterr().err
    assert "ZALO_BOT_WEBHOOK_SECRET is not a usable webhook secret (3 characters)" in err
    assert "ZALO_OA_SECRET_KEY is not a usable webhook secret" in err and "16-256 characters" in err


def test_run_refuses_a_weak_telegram_webhook_secret(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[channels.telegram]\nwebhook_url = "https://bot.example.gov.vn/tg"\n', encoding="utf-8")
    monkeypatch.setenv(ENV_TELEGRAM_TOKEN, "123:abc")
    monkeypatch.setenv(ENV_TELEGRAM_SECRET, "abc")
    for command in ("run", "telegram"):
        assert main(["--config", str(config), command]) == 2
        assert "TELEGRAM_WEBHOOK_SECRET is not a usable webhook secret" in capsys.readouterr().err

"""Secret key handling and keyed digests of verification data."""

from __future__ import annotations

import stat

import pytest

from bot import security
from bot.config import ENV_SECRET_KEY


def test_env_key_wins_and_digest_depends_on_key_and_purpose():
    key = security.secret_key()
    assert key == b"test-secret-key-for-dossier-tests"
    d = security.digest("3079", "phone_last4")
    assert d == security.digest("3079", "phone_last4", key)
    assert d != security.digest("3079", "id_number")
    assert d != security.digest("3079", "phone_last4", b"another key")
    assert len(d) == 64 and "3079" not in d


def test_generated_key_is_kept_private_and_stable(tmp_path, monkeypatch: pytest.MonkeyPatch, caplog):
    monkeypatch.delenv(ENV_SECRET_KEY)
    monkeypatch.setattr(security, "KEY_FILE", str(tmp_path / "var" / "secret.key"))
    monkeypatch.setattr(security, "_file_keys", {})
    first = security.secret_key(None)
    path = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "production must set" in caplog.text.lower()
    monkeypatch.setattr(security, "_file_keys", {})  # a new process reads the same file
    assert security.secret_key(None) == first and len(first) >= 32


def test_matches_is_exact_and_empty_never_matches():
    d = security.digest("x", "p")
    assert security.matches(d, d)
    assert not security.matches(d, security.digest("y", "p"))
    assert not security.matches("", "")
    assert not security.matches(d, "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0936 873 079", "0936873079"), ("+84 936-873-079", "0936873079"), ("84936873079", "0936873079"), ("", "")],
)
def test_normalise_phone(raw, expected):
    assert security.normalise_phone(raw) == expected


def test_normalise_id():
    assert security.normalise_id(" 0416-4453 6043 ") == "041644536043"
    assert security.normalise_id("b1234567") == "B1234567"

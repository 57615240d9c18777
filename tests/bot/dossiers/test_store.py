"""Finding a dossier by code, verifying the citizen's answer, and locking out repeated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.dossiers.importer import import_dossiers
from bot.dossiers.models import Dossier
from bot.dossiers.store import find_by_code, is_locked_out, lockout_until, record_attempt, verify
from bot.security import digest

from .conftest import TEST_KEY, write_csv

NOW = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def _dossier(phone: str = "0936873079", id_number: str = "041644536043") -> Dossier:
    return Dossier(
        code="X-1",
        phone_digest=digest(phone[-4:], "phone_last4", TEST_KEY) if phone else "",
        id_number_digest=digest(id_number, "id_number", TEST_KEY) if id_number else "",
    )


def test_find_by_code_ignores_spaces_and_case(database, settings, tmp_path):
    header = ["dossierNo", "acceptedDate", "dossierStatusName"]
    path = write_csv(tmp_path / "a.csv", header, [["000.00.12.H12-250101-0001", "01/03/2026 08:00", "Đang xử lý"]])
    import_dossiers(database, path, settings=settings)
    with database.session() as s:
        assert find_by_code(s, " 000.00.12.h12-250101-0001\n").code == "000.00.12.H12-250101-0001"
        assert find_by_code(s, "000.00.12.H12-250101-0002") is None
        assert find_by_code(s, "   ") is None


@pytest.mark.parametrize("answer", ["3079", " 3 0 7 9 ", "0936873079", "+84 936 873 079"])
def test_phone_last4_accepts_the_digits_in_any_form(answer):
    assert verify(_dossier(), answer, "phone_last4", TEST_KEY)


@pytest.mark.parametrize("answer", ["3078", "", "307", "041644536043", "abcd"])
def test_wrong_phone_answers_fail(answer):
    assert not verify(_dossier(), answer, "phone_last4", TEST_KEY)


def test_id_number_and_either():
    d = _dossier()
    assert verify(d, "0416 4453 6043", "id_number", TEST_KEY)
    assert not verify(d, "3079", "id_number", TEST_KEY)
    assert verify(d, "3079", "either", TEST_KEY) and verify(d, "041644536043", "either", TEST_KEY)
    assert not verify(d, "3079", "phone_last4", b"other key")


def test_missing_verification_data_never_verifies():
    d = _dossier(phone="", id_number="")
    assert not verify(d, "", "either", TEST_KEY) and not verify(d, "0000", "either", TEST_KEY)
    with pytest.raises(ValueError):
        verify(d, "3079", "birthday", TEST_KEY)


def test_lockout_after_max_failures_within_the_window(database):
    with database.session() as s:
        for minutes in (10, 8, 6, 4):
            record_attempt(s, "telegram", "42", False, at=NOW - timedelta(minutes=minutes))
        s.commit()
        assert not is_locked_out(s, "telegram", "42", NOW, 5, WINDOW)
        record_attempt(s, "telegram", "42", False, at=NOW - timedelta(minutes=1))
        s.commit()
        assert is_locked_out(s, "telegram", "42", NOW, 5, WINDOW)
        assert not is_locked_out(s, "telegram", "43", NOW, 5, WINDOW)  # another chat
        assert not is_locked_out(s, "zalo", "42", NOW, 5, WINDOW)  # another channel
        # the window slides: 11 minutes later the oldest failures are out of it
        assert not is_locked_out(s, "telegram", "42", NOW + timedelta(minutes=11), 5, WINDOW)


def test_a_success_in_between_does_not_reset_the_count(database):
    # otherwise verifying one's own dossier between guesses would allow unlimited guessing
    with database.session() as s:
        for minutes in (9, 8, 7, 6):
            record_attempt(s, "telegram", "7", False, at=NOW - timedelta(minutes=minutes))
        record_attempt(s, "telegram", "7", True, at=NOW - timedelta(minutes=5))
        record_attempt(s, "telegram", "7", False, at=NOW - timedelta(minutes=2))
        s.commit()
        assert is_locked_out(s, "telegram", "7", NOW, 5, WINDOW)
        # locked until the oldest of the five failures leaves the window
        until = lockout_until(s, now=NOW, max_failed=5, window=WINDOW, channel="telegram", chat_id="7")
        assert until == NOW - timedelta(minutes=9) + WINDOW


def test_guesses_at_one_code_from_many_chats_lock_that_code(database):
    with database.session() as s:
        for i in range(20):
            record_attempt(s, "telegram", f"chat{i}", False, at=NOW - timedelta(minutes=1), code_digest="abc")
        record_attempt(s, "telegram", "other", False, at=NOW - timedelta(minutes=1), code_digest="xyz")
        s.commit()
        assert lockout_until(s, now=NOW, max_failed=20, window=WINDOW, code_digest="abc") is not None
        assert lockout_until(s, now=NOW, max_failed=20, window=WINDOW, code_digest="xyz") is None
        assert not is_locked_out(s, "telegram", "chat3", NOW, 5, WINDOW)  # each chat failed only once

"""The guess counters: growing delays, forgetting, and blocking on both databases."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.config import DossierSettings
from bot.dossiers import guesses

from .conftest import TEST_KEY

POLICY = guesses.Policy(allowance=3, forget_seconds=600, first_delay=60, max_delay=3600)


def test_delays_double_from_the_allowance_up_to_the_cap():
    assert [POLICY.delay(n) for n in (1, 2)] == [None, None]
    assert [POLICY.delay(n) for n in (3, 4, 5, 6, 7, 8)] == [60, 120, 240, 480, 960, 1920]
    assert POLICY.delay(9) == POLICY.delay(500) == 3600


def test_defaults_take_the_settings():
    rules = guesses.policies(DossierSettings())
    assert rules[guesses.CHAT].allowance == 5 and rules[guesses.CHAT].forget_seconds == 15 * 60
    assert rules[guesses.CODE].forget_seconds == 4 * 3600 and rules[guesses.CHANNEL].allowance == 200
    assert rules[guesses.STRONG].max_delay == 24 * 3600


def test_failures_block_with_growing_delays_and_are_forgotten(database, manual_clock: ManualClock):
    chat = guesses.scope(guesses.CHAT, "telegram:42", POLICY, TEST_KEY)
    other = guesses.scope(guesses.CHAT, "telegram:43", POLICY, TEST_KEY)
    assert "42" not in chat.key  # keyed hash, no chat id in clear

    def fail_once() -> dict[str, object]:
        now = manual_clock.now()
        with database.session() as s:
            rows = guesses.lock(s, [chat, other], now)
            assert guesses.blocked(rows, [chat], now) == {}
            guesses.fail(rows, [chat], now, timedelta(hours=1))
            s.commit()
            return dict(guesses.blocked(rows, [chat, other], now))

    assert fail_once() == {} and fail_once() == {}
    blocked = fail_once()
    assert blocked == {guesses.CHAT: manual_clock.now() + timedelta(seconds=60)}
    with database.session() as s:
        assert guesses.peek(s, [chat], manual_clock.now()) == blocked
        assert guesses.peek(s, [other], manual_clock.now()) == {}
    manual_clock.advance(seconds=61)
    assert fail_once()[guesses.CHAT] == manual_clock.now() + timedelta(seconds=120)
    manual_clock.advance(seconds=121)
    assert fail_once()[guesses.CHAT] == manual_clock.now() + timedelta(seconds=240)
    manual_clock.advance(timedelta(hours=1))  # six failures forgotten, one per ten minutes
    assert fail_once() == {}


def test_only_the_first_block_of_a_window_asks_for_an_alert(database, manual_clock: ManualClock):
    code = guesses.scope(guesses.CODE, "X-1", POLICY, TEST_KEY)
    alerted = []
    for _ in range(8):
        now = manual_clock.now()
        with database.session() as s:
            rows = guesses.lock(s, [code], now)
            alerted.append(len(guesses.fail(rows, [code], now, timedelta(hours=24))))
            s.commit()
        manual_clock.advance(timedelta(seconds=30))
    assert alerted == [0, 0, 1, 0, 0, 0, 0, 0]

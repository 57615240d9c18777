"""Brute force of a dossier's 4-digit answer against the real guess limiter, on a manual clock.

    .venv/bin/python bench/bruteforce_bench.py [--chats 1,10,1000,unlimited] [--runs 3]

An attacker who knows the limiter's rules and the dossier code guesses the last 4 digits of the phone
from N chats spread over the four public channels, as fast as the counters allow (one message per second
at most per chat). The real counters (``bot/dossiers/guesses.py``, SQLite in memory) decide what is
evaluated; the clock jumps to the moment the next guess can be evaluated. ``unlimited`` = a new chat for
every guess. Printed per N:

* the expected time to read the dossier, exact for a uniformly random answer (the mean over k of the time at
  which the k-th distinct guess is evaluated), beside the target (≥ 1 year) and the old limiter's 31 h;
* three runs with a random answer each (min/median/max of the time to success);
* the owner's time to get in at moments during the attack: a fresh chat going through the real handlers
  (/hoso CODE, then the stronger answer), simulated waiting plus the handler's own time.

A second table ("any dossier") spreads the guesses over many codes (a few per code), where the channel
counters bound the rate; a third ("flooding the stronger answer too") shows what the owner waits when the
attacker also sends wrong stronger answers.
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import ENV_SECRET_KEY, Settings  # noqa: E402
from bot.contract.messages import Incoming, Kind  # noqa: E402
from bot.conversation import Context  # noqa: E402
from bot.dossiers import guesses  # noqa: E402
from bot.dossiers.models import Dossier, DossierStatus  # noqa: E402
from bot.dossiers.values import normalise_code  # noqa: E402
from bot.knowledge import Knowledge  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.security import digest, normalise_id  # noqa: E402
from bot.storage.conversations import ChatState  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from handlers.router import route  # noqa: E402

CHANNELS = ("telegram", "zalo_bot", "zalo_oa", "webchat")
SPACE = 10_000  # the last 4 digits of a phone
CODE = "000.00.12.H12-261130-0001"
ID_NUMBER = "001090012345"
KEY = b"bruteforce-bench-key-0123456789abcdef"
os.environ[ENV_SECRET_KEY] = KEY.decode()  # the handlers hash the owner's answer with the same key
START = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
YEAR = 365.25 * 86400
OLD_LIMITER_HOURS = 31  # issue 10: 621 chats, the old per-code window (20 guesses / 15 min)


class Clock:
    """The simulation's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Attack:
    """One simulated attack: the database, the clock, and when each guess was evaluated."""

    db: Database
    clock: Clock
    settings: Settings
    times: list[float]


def _database(settings: Settings) -> Database:
    db = Database("sqlite://")
    create_schema(db)
    with db.session() as s:
        s.add(Dossier(code=CODE, phone_digest=digest("5678", "phone_last4", KEY),
                      id_number_digest=digest(normalise_id(ID_NUMBER), "id_number", KEY), applicant_name="X",
                      status=DossierStatus.PROCESSING.value, received_at=START - timedelta(days=3), is_open=True))
        s.commit()
    return db


def _fmt(seconds: float) -> str:
    if seconds >= YEAR:
        return f"{seconds / YEAR:.1f} years"
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds:.1f} s"


def _try(db: Database, scopes: list[guesses.Scope], now: datetime) -> tuple[bool, dict[str, datetime]]:
    """One wrong guess through the counters: whether it was evaluated, and until when each scope blocks."""
    with db.session() as s:
        rows = guesses.lock(s, scopes, now)
        evaluated = not guesses.blocked(rows, scopes, now)
        if evaluated:
            guesses.fail(rows, scopes, now, timedelta(hours=24))
        after = {sc.kind: rows[sc.key].blocked_until or START for sc in scopes}
        s.commit()
    return evaluated, after


def _weak_scopes(rules: dict[str, guesses.Policy], chat: str, channel: str, code: str) -> list[guesses.Scope]:
    return [guesses.scope(guesses.CHAT, f"{channel}:{chat}", rules[guesses.CHAT], KEY),
            guesses.scope(guesses.CODE, code, rules[guesses.CODE], KEY),
            guesses.scope(guesses.CHANNEL, channel, rules[guesses.CHANNEL], KEY)]


def attack(settings: Settings, chats: int | None, guesses_needed: int, *, spread_codes: int = 1) -> Attack:
    """Evaluate ``guesses_needed`` wrong 4-digit guesses as fast as the counters allow; times from START.

    ``chats`` None = a new chat for every guess. ``spread_codes`` > 1: the guesses go round-robin over that
    many codes (the "any dossier" attack)."""
    rules = guesses.policies(settings.dossiers)
    db, clock = _database(settings), Clock()
    chat_free: list[tuple[datetime, int]] = [(START, i) for i in range(chats or 1)]
    channel_free = dict.fromkeys(CHANNELS, START)
    code_free: dict[int, datetime] = {}
    fresh = 0
    times: list[float] = []
    while len(times) < guesses_needed:
        code_no = len(times) % spread_codes
        when_chat, chat_no = chat_free[0] if chats is not None else (START, fresh)
        channel = min(channel_free, key=lambda c: channel_free[c])
        clock.now = max(clock.now, when_chat, channel_free[channel], code_free.get(code_no, START))
        code = normalise_code(CODE if code_no == 0 else f"000.00.12.H12-261130-{code_no + 1:04d}")
        evaluated, after = _try(db, _weak_scopes(rules, f"attacker-{chat_no}", channel, code), clock.now)
        if evaluated:
            times.append((clock.now - START).total_seconds())
        code_free[code_no] = max(code_free.get(code_no, START), after[guesses.CODE])
        channel_free[channel] = max(channel_free[channel], after[guesses.CHANNEL])
        next_chat = max(after[guesses.CHAT], clock.now + timedelta(seconds=1))
        if chats is None:
            fresh += 1
        else:
            heapq.heapreplace(chat_free, (next_chat, chat_no))
    return Attack(db, clock, settings, times)


def flood_both(settings: Settings, strong_guesses: int) -> Attack:
    """Unlimited chats keep the 4 digits blocked and send wrong stronger answers as fast as allowed."""
    rules = guesses.policies(settings.dossiers)
    db, clock = _database(settings), Clock()
    code = normalise_code(CODE)
    weak_free = strong_free = START
    times: list[float] = []
    n = 0
    while len(times) < strong_guesses:
        clock.now = max(clock.now, min(weak_free, strong_free))
        n += 1
        if weak_free <= clock.now:
            _evaluated, after = _try(db, _weak_scopes(rules, f"w{n}", CHANNELS[n % 4], code), clock.now)
            weak_free = max(after[guesses.CODE], after[guesses.CHANNEL], clock.now + timedelta(seconds=1))
        if strong_free <= clock.now:
            scopes = [guesses.scope(guesses.CHAT, f"telegram:s{n}", rules[guesses.CHAT], KEY),
                      guesses.scope(guesses.STRONG, code, rules[guesses.STRONG], KEY)]
            evaluated, after = _try(db, scopes, clock.now)
            if evaluated:
                times.append((clock.now - START).total_seconds())
            strong_free = max(after[guesses.STRONG], clock.now + timedelta(seconds=1))
    return Attack(db, clock, settings, times)


def owner_gets_in(run: Attack, at_seconds: float) -> float:
    """Seconds the owner needs at that moment of the attack: simulated waiting plus the handlers' own time."""
    clock = run.clock
    clock.now = START + timedelta(seconds=at_seconds)
    state = ChatState(language="vi")
    knowledge = Knowledge.build([], [], run.settings.office.levels)

    def send(text: str) -> str:
        incoming = Incoming(channel="telegram", chat_id=f"owner-{at_seconds}", user_id="owner", kind=Kind.TEXT,
                            text=text)
        ctx = Context(incoming, run.settings, knowledge, state, run.db, clock=clock)
        return "\n".join(r.text for r in route(ctx))

    began, waited = time.perf_counter(), 0.0
    for _ in range(200):
        question = send(f"/hoso {CODE}")
        answer = send(ID_NUMBER if "căn cước" in question else "5678")
        if "Đang xử lý" in answer:
            return waited + time.perf_counter() - began
        clock.now += timedelta(seconds=30)  # the owner tries again half a minute later
        waited += 30
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", default="1,10,1000,unlimited")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("$ .venv/bin/python bench/bruteforce_bench.py " + shlex.join(sys.argv[1:]))
    settings = Settings.model_validate({})
    d = settings.dossiers
    print(f"defaults: chat {d.max_failed_attempts} free, 1 forgotten/{d.lockout_minutes} min; code "
          f"{d.max_failed_per_code} free, 1 forgotten/{d.code_forget_hours} h; channel "
          f"{d.max_failed_per_channel} free, 1 forgotten/{d.channel_forget_minutes} min; delays "
          f"{d.first_delay_seconds:.0f} s doubling to {d.max_delay_hours} h; stronger answer {d.strong_verification}")
    rng = random.Random(20261130)
    print("\n1. One dossier, 4 digits (10,000 answers), attacker on all four channels")
    print(f"{'chats':>10} | {'expected time':>14} | {'3 random answers min/median/max':>36} | owner gets in (s)"
          f" | target ≥ 1 year, old limiter {OLD_LIMITER_HOURS} h")
    for raw in args.chats.split(","):
        chats = None if raw.strip() == "unlimited" else int(raw)
        began = time.perf_counter()
        run = attack(settings, chats, SPACE)
        expected = statistics.fmean(run.times)
        samples = sorted(run.times[rng.randrange(SPACE)] for _ in range(args.runs))
        owner = [owner_gets_in(run, run.times[k]) for k in (SPACE // 100, SPACE // 2, SPACE - 1)]
        print(f"{raw.strip():>10} | {_fmt(expected):>14} | "
              f"{' / '.join(_fmt(x) for x in (samples[0], statistics.median(samples), samples[-1])):>36} | "
              f"{max(owner):.3f} (worst of 3 moments) | {'OK' if expected >= YEAR else 'BELOW TARGET'}"
              f"  [{time.perf_counter() - began:.0f} s to simulate]")
    print("\n2. Any dossier: the same guesses spread over 500 codes (20 per code), unlimited chats")
    run = attack(settings, None, SPACE, spread_codes=500)
    print(f"expected time to read one of them: {_fmt(statistics.fmean(run.times))} (bounded by the channel "
          f"counters: ~{len(CHANNELS) * 86400 / (d.channel_forget_minutes * 60):.0f} guesses/day over "
          f"{len(CHANNELS)} channels)")
    print("\n3. The attacker also floods the stronger answer (ID number) of the dossier, unlimited chats")
    run = flood_both(settings, 200)
    waits = [owner_gets_in(run, run.times[k] + 1) for k in (50, 100, 199)]
    rate = len(run.times) / (run.times[-1] - run.times[0]) * YEAR
    print(f"owner's time to get in at three moments: {', '.join(_fmt(w) for w in waits)} "
          f"(tries every 30 s, gives up after 100 min = inf); stronger guesses the attacker gets evaluated: "
          f"{rate:,.0f}/year")


if __name__ == "__main__":
    main()

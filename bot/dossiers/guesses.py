"""Counting failed verification answers: leaking counters with growing delays, checked on locked rows.

Every answer is judged inside one transaction that first locks the counter rows of its scopes (the chat,
the dossier code across all chats and channels, the channel), in a fixed order: PostgreSQL takes row locks
(``SELECT … FOR UPDATE``), SQLite its single write lock (the ``INSERT … ON CONFLICT DO NOTHING`` that makes
sure the rows exist is a write). Parallel answers are therefore counted one after another: there is no
check-then-record race, and no more answers are evaluated than the counters allow.

A counter's ``level`` is its recent failures; one failure is forgotten per ``forget_seconds``. A failure
that brings it to its allowance blocks the scope for ``first_delay`` seconds, doubling with each further
failure up to ``max_delay``. Over a long attack the forgetting rate is therefore the most a scope lets
through (README, "Security and personal data").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from sqlalchemy import ARRAY, Select, String, Table, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.clock import as_utc
from bot.config import DossierSettings
from bot.dossiers.models import GuessCounter
from bot.security import digest

CHAT, CODE, CHANNEL, STRONG = "chat", "code", "channel", "strong"


@dataclass(frozen=True, slots=True)
class Policy:
    """How many failures a scope allows, how fast it forgets them, and how long it then makes everyone wait."""

    allowance: int
    forget_seconds: float
    first_delay: float
    max_delay: float

    def delay(self, level: float) -> float | None:
        """Seconds to block after a failure that left the counter at ``level``; None below the allowance."""
        if level < self.allowance - 0.5:  # counted in whole failures, forgetting being gradual
            return None
        over = min(max(0, round(level - self.allowance)), 60)
        return min(self.max_delay, self.first_delay * 2.0**over)


@dataclass(frozen=True, slots=True)
class Scope:
    """One counter: its kind, its key (a keyed hash, nothing in clear) and its policy."""

    kind: str
    key: str
    policy: Policy


def policies(cfg: DossierSettings) -> dict[str, Policy]:
    """The policy of each kind of scope at these settings."""
    first, cap = cfg.first_delay_seconds, cfg.max_delay_hours * 3600
    return {
        CHAT: Policy(cfg.max_failed_attempts, cfg.lockout_minutes * 60, first, cap),
        CODE: Policy(cfg.max_failed_per_code, cfg.code_forget_hours * 3600, first, cap),
        CHANNEL: Policy(cfg.max_failed_per_channel, cfg.channel_forget_minutes * 60, first, cap),
        STRONG: Policy(cfg.max_failed_strong_per_code, cfg.strong_forget_minutes * 60, first, cap),
    }


def scope(kind: str, name: str, policy: Policy, key: bytes) -> Scope:
    """The counter of ``kind`` for ``name`` (e.g. ``telegram:42``, a normalised code, a channel)."""
    return Scope(kind, digest(f"{kind}:{name}", "guess-scope", key), policy)


def level_at(row: GuessCounter, policy: Policy, now: datetime) -> float:
    """The counter's level at ``now``, after forgetting."""
    updated = as_utc(row.updated_at) or now
    elapsed = max(0.0, (now - updated).total_seconds())
    return max(0.0, row.level - elapsed / policy.forget_seconds)


def lock(session: Session, scopes: Sequence[Scope], now: datetime) -> dict[str, GuessCounter]:
    """Create missing counters and lock all of them (sorted by key, so two answers never deadlock)."""
    keys = sorted({s.key: s for s in scopes}.items())
    if session.get_bind().dialect.name == "postgresql":  # create, lock and read in one round trip
        params = {"scopes": [k for k, _ in keys], "kinds": [s.kind for _, s in keys], "at": as_utc(now)}
        return {row.scope: row for row in session.scalars(_UPSERT_PG, params)}
    # SQLite (in-process, one writer at a time): executemany of one cached statement, then the locking read
    rows = [{"scope": k, "kind": s.kind, "level": 0.0, "updated_at": as_utc(now)} for k, s in keys]
    session.execute(_CREATE_SQLITE, rows)
    return {row.scope: row for row in session.scalars(_locked(len(keys)), _named([k for k, _ in keys]))}


# ``INSERT … ON CONFLICT DO NOTHING`` of the missing counters, built and compiled once (a multi-row VALUES
# statement would be compiled again at every turn); the keys are inserted in sorted order
_COUNTER_TABLE = cast(Table, GuessCounter.__table__)
_CREATE_SQLITE = sqlite_insert(_COUNTER_TABLE).on_conflict_do_nothing(index_elements=["scope"])
# PostgreSQL: the arrays unnested in sorted order; ``DO UPDATE`` of an unchanged column locks an existing row
# (as ``SELECT … FOR UPDATE`` would, in the same order) and ``RETURNING`` reads every counter, new or old
_CREATE_PG = pg_insert(_COUNTER_TABLE).from_select(["scope", "kind", "level", "updated_at"], select(
    func.unnest(bindparam("scopes", type_=ARRAY(String))), func.unnest(bindparam("kinds", type_=ARRAY(String))),
    literal(0.0), bindparam("at", type_=GuessCounter.__table__.c.updated_at.type)))  # fmt: skip
_UPSERT_PG = (
    select(GuessCounter)
    .from_statement(_CREATE_PG.on_conflict_do_update(index_elements=["scope"], set_={"kind": _CREATE_PG.excluded.kind})
                    .returning(*_COUNTER_TABLE.c))
    .execution_options(populate_existing=True)
)  # fmt: skip


@lru_cache(maxsize=8)
def _counters(count: int) -> Select[GuessCounter]:
    """The ``count`` counters named ``scope0`` … (fixed parameters: compiled once, unlike an expanding IN)."""
    return select(GuessCounter).where(GuessCounter.scope.in_([bindparam(f"scope{i}") for i in range(count)]))


@lru_cache(maxsize=8)
def _locked(count: int) -> Select[GuessCounter]:
    return _counters(count).order_by(GuessCounter.scope).with_for_update().execution_options(populate_existing=True)


def _named(keys: Sequence[str]) -> dict[str, str]:
    return {f"scope{i}": key for i, key in enumerate(keys)}


def blocked(rows: dict[str, GuessCounter], scopes: Iterable[Scope], now: datetime) -> dict[str, datetime]:
    """The blocked scopes by kind, each with the time it may answer again."""
    found: dict[str, datetime] = {}
    for s in scopes:
        row = rows.get(s.key)
        until = as_utc(row.blocked_until) if row is not None else None
        if until is not None and until > now:
            found[s.kind] = max(until, found.get(s.kind, until))
    return found


def peek(session: Session, scopes: Sequence[Scope], now: datetime) -> dict[str, datetime]:
    """Like ``blocked`` without locking (to say "wait" before even asking the question)."""
    found = session.scalars(_counters(len(scopes)), _named([s.key for s in scopes]))
    return blocked({row.scope: row for row in found}, scopes, now)


def fail(
    rows: dict[str, GuessCounter], scopes: Iterable[Scope], now: datetime, alert_every: timedelta
) -> list[Scope]:
    """Count one failure in every scope; the scopes that just got blocked and whose admins are due an alert."""
    to_alert: list[Scope] = []
    for s in scopes:
        row = rows[s.key]
        row.level = level_at(row, s.policy, now) + 1.0
        row.updated_at = now
        delay = s.policy.delay(row.level)
        if delay is None:
            continue
        row.blocked_until = now + timedelta(seconds=delay)
        alerted = as_utc(row.alerted_until)
        if alerted is None or alerted <= now:
            row.alerted_until = now + alert_every
            to_alert.append(s)
    return to_alert

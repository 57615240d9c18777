"""Registering officers with one-time invite codes, and looking them up.

An administrator creates an invite (``python -m bot officers invite``); only the keyed digest of the code is
stored, so a database dump reveals no usable code. Redeeming marks the invite used with a compare-and-set
``UPDATE … WHERE used_at IS NULL``, so two people racing with one code cannot both register.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.clock import as_utc
from bot.officers.models import Officer, OfficerInvite, Role
from bot.outbox.models import OutboxMessage
from bot.security import digest, matches
from bot.storage.db import rowcount

#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "MC"
_GROUPS = (4, 4)
_PURPOSE = "officer-invite"


def normalise_code(raw: str) -> str:
    """``mc 7k2p9qxd`` / ``MC-7K2P-9QXD`` → ``MC-7K2P-9QXD``; '' when it cannot be an invite code."""
    chars = "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())
    if len(chars) == len(PREFIX) + sum(_GROUPS) and chars.startswith(PREFIX):
        chars = chars[len(PREFIX) :]
    if len(chars) != sum(_GROUPS) or any(ch not in ALPHABET for ch in chars):
        return ""
    parts, start = [], 0
    for size in _GROUPS:
        parts.append(chars[start : start + size])
        start += size
    return "-".join([PREFIX, *parts])


def _code_digest(code: str) -> str:
    return digest(code, _PURPOSE)


def create_invite(
    session: Session, role: Role | str, units: Sequence[str], ttl_days: int = 7, *, now: datetime | None = None
) -> str:
    """Store a new invite and return its code (shown once; only the digest is kept). The caller commits."""
    role = Role(role)
    clean_units = [u.strip() for u in units if u.strip()]
    if role is not Role.ADMIN and not clean_units:
        raise ValueError("an officer or leader invite needs at least one unit")
    if ttl_days < 1:
        raise ValueError("an invite must be valid for at least one day")
    now = now or clock.now()
    code = normalise_code(PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(sum(_GROUPS))))
    session.add(
        OfficerInvite(
            code_digest=_code_digest(code),
            role=role.value,
            units=clean_units,
            created_at=now,
            expires_at=now + timedelta(days=ttl_days),
        )
    )
    session.flush()
    return code


def redeem(
    session: Session,
    code: str,
    channel: str,
    user_id: str,
    chat_id: str,
    name: str,
    *,
    language: str = "vi",
    now: datetime | None = None,
) -> Officer | None:
    """Register (or update) the officer behind ``channel``/``user_id`` with a valid, unused, unexpired code.

    None for a wrong, used or expired code — deliberately the same answer for all three. The caller commits.
    """
    now = now or clock.now()
    normalised = normalise_code(code)
    if not normalised:
        return None
    candidate = _code_digest(normalised)
    invite = session.scalar(select(OfficerInvite).where(OfficerInvite.code_digest == candidate))
    if invite is None or not matches(invite.code_digest, candidate):
        return None
    if invite.used_at is not None or as_utc(invite.expires_at) <= now:
        return None
    claimed = session.execute(
        update(OfficerInvite)
        .where(OfficerInvite.id == invite.id, OfficerInvite.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(claimed) != 1:  # someone else redeemed it a moment ago
        return None
    officer = session.scalar(select(Officer).where(Officer.channel == channel, Officer.user_id == user_id))
    if officer is None:
        officer = Officer(channel=channel, user_id=user_id, created_at=now)
        session.add(officer)
    officer.chat_id = chat_id
    officer.name = name[:255]
    officer.role = invite.role
    officer.units = list(invite.units or [])
    officer.language = language
    officer.active = True
    session.flush()
    session.execute(
        update(OfficerInvite)
        .where(OfficerInvite.id == invite.id)
        .values(used_by=officer.id)
        .execution_options(synchronize_session=False)
    )
    return officer


def officer_for(session: Session, channel: str, user_id: str) -> Officer | None:
    """The active officer registered for this user, or None."""
    return session.scalar(
        select(Officer).where(Officer.channel == channel, Officer.user_id == user_id, Officer.active.is_(True))
    )


def list_officers(session: Session, *, active_only: bool = False) -> list[Officer]:
    """Registered officers, in registration order."""
    query = select(Officer).order_by(Officer.id)
    if active_only:
        query = query.where(Officer.active.is_(True))
    return list(session.scalars(query))


def deactivate(session: Session, officer_id: int) -> bool:
    """Stop an officer's access and alerts; False when there is no such active officer. The caller commits."""
    result = session.execute(
        update(Officer)
        .where(Officer.id == officer_id, Officer.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def is_admin(officer: Officer) -> bool:
    """Whether the officer administers the whole office."""
    return officer.role == Role.ADMIN.value


def visible_units(officer: Officer) -> list[str] | None:
    """The units whose dossiers the officer sees; None means every unit (administrators)."""
    return None if is_admin(officer) else [str(u) for u in officer.units or []]


def last_alert(session: Session, officer_id: int) -> tuple[datetime, str] | None:
    """When the officer's latest morning alert was enqueued, and its delivery status (None: never)."""
    row = session.execute(
        select(OutboxMessage.created_at, OutboxMessage.status)
        .where(OutboxMessage.dedupe_key.like(f"alert:{officer_id}:%"))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None

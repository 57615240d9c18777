"""One-time invite codes: format, one use, expiry, wrong codes, roles and units, re-registration."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.officers.models import OfficerInvite, Role
from bot.officers.registry import (
    create_invite,
    deactivate,
    list_officers,
    normalise_code,
    officer_for,
    redeem,
    visible_units,
)
from bot.storage.db import Database

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _invite(db: Database, role: Role = Role.OFFICER, units: tuple[str, ...] = ("UBND phường A",), days: int = 7) -> str:
    with db.session() as s:
        code = create_invite(s, role, list(units), ttl_days=days, now=NOW)
        s.commit()
    return code


def _redeem(db: Database, code: str, user: str = "11", at: datetime = NOW):  # type: ignore[no-untyped-def]
    with db.session() as s:
        officer = redeem(s, code, "telegram", user, user, "Nguyễn Văn A", now=at)
        s.commit()
        return officer


def test_code_format_and_only_its_digest_is_stored(database: Database) -> None:
    code = _invite(database)
    assert re.fullmatch(r"MC-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    with database.session() as s:
        stored = s.scalars(select(OfficerInvite.code_digest)).one()
    assert code not in stored and len(stored) == 64


def test_a_code_registers_once(database: Database) -> None:
    code = _invite(database)
    officer = _redeem(database, code)
    assert officer is not None and officer.units == ["UBND phường A"] and officer.role == "officer"
    assert _redeem(database, code, user="22") is None  # used
    with database.session() as s:
        assert officer_for(s, "telegram", "11") is not None and officer_for(s, "telegram", "22") is None


def test_expired_and_wrong_codes_are_refused(database: Database) -> None:
    code = _invite(database, days=7)
    assert _redeem(database, code, at=NOW + timedelta(days=7, seconds=1)) is None
    assert _redeem(database, "MC-2222-2222") is None
    assert _redeem(database, "not a code at all") is None
    assert _redeem(database, "") is None


def test_codes_may_be_typed_loosely() -> None:
    assert normalise_code(" mc 7k2p 9qxd ") == "MC-7K2P-9QXD"
    assert normalise_code("7K2P9QXD") == "MC-7K2P-9QXD"
    assert normalise_code("MC2P9QXD") == "MC-MC2P-9QXD"  # a code that itself begins with MC, typed bare
    assert normalise_code("MC-7K2P-9QX0") == ""  # 0 is never in a code


def test_roles_and_units(database: Database) -> None:
    leader = _redeem(database, _invite(database, Role.LEADER, ("UBND phường A", "UBND phường B")), user="1")
    admin = _redeem(database, _invite(database, Role.ADMIN, ()), user="2")
    assert visible_units(leader) == ["UBND phường A", "UBND phường B"]
    assert visible_units(admin) is None  # administrators see every unit
    with database.session() as s, pytest.raises(ValueError):
        create_invite(s, Role.OFFICER, [" "])


def test_registering_again_updates_the_same_officer(database: Database) -> None:
    first = _redeem(database, _invite(database, units=("UBND phường A",)))
    second = _redeem(database, _invite(database, Role.LEADER, ("UBND phường B",)))
    assert first.id == second.id and second.units == ["UBND phường B"] and second.role == "leader"
    with database.session() as s:
        assert len(list_officers(s)) == 1


def test_deactivated_officers_lose_access(database: Database) -> None:
    officer = _redeem(database, _invite(database))
    with database.session() as s:
        assert deactivate(s, officer.id) and not deactivate(s, officer.id)
        s.commit()
    with database.session() as s:
        assert officer_for(s, "telegram", "11") is None
        assert list_officers(s, active_only=True) == []

"""The Zalo Official Account access token: stored in the database, renewed before it expires.

Zalo's refresh tokens are single-use: each refresh returns a new access token AND a new refresh token,
and the old refresh token stops working. So the only valid refresh token must never exist only in memory
for longer than necessary, and two processes must never spend it twice:

1. Readers take the current access token from the row; if it is still valid (minus a margin) they use it.
2. A refresher opens ONE transaction, locks the row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a
   write lock taken by a no-op update), and reads it again. If another process rotated meanwhile, it uses
   that token and does not call Zalo.
3. Otherwise it calls the OAuth endpoint with the stored refresh token and, as soon as the answer
   arrives, writes the new pair with a compare-and-set on ``version`` and commits — the old pair stays in
   the row until then, so a crash before the answer loses nothing.

The remaining window — Zalo has accepted the old refresh token but our commit has not happened (a crash
or a database outage in those milliseconds) — cannot be closed from our side; it is reported as a failure
and an administrator re-seeds the token (``python -m bot zalo oa-seed``). Failures are recorded in the row
(``last_error``, ``failed_at``, ``failures``), readable with ``token_status`` and logged without secrets.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.channels.zalo_models import ZaloOAToken
from bot.clock import as_utc
from bot.storage.db import Database, rowcount

DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
TOKEN_PATH = "/v4/oa/access_token"

log = logging.getLogger(__name__)


class TokenUnavailable(Exception):
    """No usable access token: none stored, or the refresh failed (the message holds no secret)."""

    def __init__(self, message: str, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What the OAuth endpoint returned."""

    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """What an administrator may see about an OA's tokens (never the tokens themselves)."""

    app_id: str
    has_refresh_token: bool
    expires_at: datetime | None
    refreshed_at: datetime | None
    version: int
    last_error: str
    failed_at: datetime | None
    failures: int

    def describe(self) -> str:
        """One human-readable paragraph for the admin CLI."""
        lines = [
            f"Zalo OA {self.app_id}: refresh token {'stored' if self.has_refresh_token else 'MISSING'}, "
            f"rotation #{self.version}",
            f"  access token expires: {_fmt(self.expires_at)}; last refreshed: {_fmt(self.refreshed_at)}",
        ]
        if self.failures:
            lines.append(f"  FAILING: {self.failures} failed refresh(es), last at {_fmt(self.failed_at)}: "
                         f"{self.last_error}")  # fmt: skip
        return "\n".join(lines)


def _fmt(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


class OAuthClient:
    """``POST {oauth_url}/v4/oa/access_token`` (form ``refresh_token``, ``app_id``, ``grant_type``; header
    ``secret_key``). Synchronous: it runs inside the token store's locked transaction."""

    def __init__(
        self, app_id: str, app_secret: str, oauth_url: str = DEFAULT_OAUTH_URL, *, timeout: float = 10.0
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self._url = oauth_url.rstrip("/") + TOKEN_PATH
        self._timeout = timeout

    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend ``refresh_token`` for a new pair; ``TokenUnavailable`` when Zalo refuses or is unreachable."""
        form = {"refresh_token": refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        try:
            answer = httpx.post(self._url, data=form, headers={"secret_key": self._secret}, timeout=self._timeout)
        except httpx.TransportError as exc:
            raise TokenUnavailable(f"OAuth endpoint unreachable ({type(exc).__name__})") from None
        if answer.status_code >= 500 or answer.status_code == 429:
            raise TokenUnavailable(f"OAuth endpoint answered HTTP {answer.status_code}")
        try:
            body: Any = answer.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            error = body.get("error_name") or body.get("message") or body.get("error") if isinstance(body, dict) else ""
            raise TokenUnavailable(f"OAuth refused the refresh token (HTTP {answer.status_code}: {error})", False)
        try:
            expires_in = int(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            expires_in = 3600
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]), expires_in)


class ZaloTokenStore:
    """The OA's tokens in the database; ``access_token()`` returns a valid one, refreshing when needed."""

    def __init__(
        self, db: Database, oauth: OAuthClient, *, margin: timedelta = timedelta(minutes=10), commit_attempts: int = 3
    ) -> None:
        self.db = db
        self.oauth = oauth
        self.app_id = oauth.app_id
        self.margin = margin
        self.commit_attempts = commit_attempts

    # ------------------------------------------------------------------ administration

    def seed(self, refresh_token: str, *, replace: bool = False) -> bool:
        """Store the first refresh token (from ZALO_OA_REFRESH_TOKEN); True when stored.

        Without ``replace`` an existing row is kept: after the first start the database holds the
        rotated token and the environment's copy is already spent. ``replace`` is the administrator's
        repair after a lost token.
        """
        if not refresh_token:
            return False
        with self.db.session() as s:
            row = s.get(ZaloOAToken, self.app_id)
            if row is not None and not replace:
                return False
            if row is None:
                s.add(ZaloOAToken(app_id=self.app_id, refresh_token=refresh_token, version=0))
            else:
                row.refresh_token, row.access_token, row.expires_at = refresh_token, "", None
                row.version += 1
                row.last_error, row.failed_at, row.failures = "", None, 0
            try:
                s.commit()
            except IntegrityError:  # another process seeded it first
                s.rollback()
                return False
        log.info("Zalo OA %s: refresh token stored", self.app_id)
        return True

    def status(self) -> TokenStatus | None:
        """What the administrator sees (no secrets); None when nothing is stored."""
        return token_status(self.db, self.app_id)

    # ------------------------------------------------------------------ the token

    def access_token(self, *, rejected: str = "") -> str:
        """A valid access token. ``rejected`` is a token the API just refused: never returned again."""
        with self.db.session() as s:
            row = s.get(ZaloOAToken, self.app_id)
            if row is None:
                raise TokenUnavailable("no refresh token stored: set ZALO_OA_REFRESH_TOKEN and restart", False)
            if self._usable(row, rejected):
                return row.access_token
        return self._refresh(rejected)

    def _usable(self, row: ZaloOAToken, rejected: str) -> bool:
        expires_at = as_utc(row.expires_at)
        return bool(row.access_token) and row.access_token != rejected and (
            expires_at is not None and expires_at - self.margin > clock.now()
        )

    def _lock(self, s: Session) -> ZaloOAToken | None:
        """The row, locked until the transaction ends."""
        if s.get_bind().dialect.name == "sqlite":
            # SQLite has no row locks: a no-op write takes the database write lock for this transaction
            s.execute(update(ZaloOAToken).where(ZaloOAToken.app_id == self.app_id)
                      .values(version=ZaloOAToken.version))  # fmt: skip
            return s.scalar(select(ZaloOAToken).where(ZaloOAToken.app_id == self.app_id))
        query = select(ZaloOAToken).where(ZaloOAToken.app_id == self.app_id).with_for_update()
        return s.scalar(query.execution_options(populate_existing=True))

    def _refresh(self, rejected: str) -> str:
        with self.db.session() as s:
            row = self._lock(s)
            if row is None:
                raise TokenUnavailable("no refresh token stored: set ZALO_OA_REFRESH_TOKEN and restart", False)
            if self._usable(row, rejected):  # another process rotated while we waited for the lock
                s.commit()
                return row.access_token
            version, refresh_token = row.version, row.refresh_token
            try:
                pair = self.oauth.refresh(refresh_token)
            except TokenUnavailable as exc:
                row.last_error, row.failed_at, row.failures = str(exc)[:500], clock.now(), row.failures + 1
                s.commit()
                log.error("Zalo OA %s: access token refresh failed (%d in a row): %s",
                          self.app_id, row.failures, exc)  # fmt: skip
                raise
            if self._store(s, version, pair):
                return pair.access_token
        # the locked transaction could not commit: keep trying with fresh sessions, the pair is only here
        for _attempt in range(self.commit_attempts):
            with self.db.session() as s:
                if self._store(s, version, pair):
                    return pair.access_token
        log.critical("Zalo OA %s: a new refresh token could not be saved; an administrator must re-seed it "
                     "(python -m bot zalo oa-seed)", self.app_id)  # fmt: skip
        raise TokenUnavailable("the new refresh token could not be saved", False)

    def _store(self, s: Session, version: int, pair: TokenPair) -> bool:
        """Compare-and-set the new pair over ``version``; True once committed."""
        now = clock.now()
        try:
            values = {
                "access_token": pair.access_token,
                "refresh_token": pair.refresh_token,
                "expires_at": now + timedelta(seconds=pair.expires_in),
                "version": version + 1,
                "refreshed_at": now,
                "last_error": "",
                "failed_at": None,
                "failures": 0,
            }
            where = (ZaloOAToken.app_id == self.app_id, ZaloOAToken.version == version)
            result = s.execute(update(ZaloOAToken).where(*where).values(**values))
            if rowcount(result) != 1:  # cannot happen under the lock; never overwrite a newer rotation
                s.rollback()
                log.critical("Zalo OA %s: token row changed during a locked refresh", self.app_id)
                raise TokenUnavailable("token row changed during the refresh", False)
            s.commit()
        except TokenUnavailable:
            raise
        except Exception:
            s.rollback()
            log.exception("Zalo OA %s: saving the rotated tokens failed", self.app_id)
            return False
        log.info("Zalo OA %s: access token refreshed (rotation #%d)", self.app_id, version + 1)
        return True


def token_status(db: Database, app_id: str) -> TokenStatus | None:
    """The token situation of one OA for administrators (None when no token was ever stored)."""
    with db.session() as s:
        row = s.get(ZaloOAToken, app_id)
        if row is None:
            return None
        return TokenStatus(
            app_id=row.app_id,
            has_refresh_token=bool(row.refresh_token),
            expires_at=as_utc(row.expires_at),
            refreshed_at=as_utc(row.refreshed_at),
            version=row.version,
            last_error=row.last_error,
            failed_at=as_utc(row.failed_at),
            failures=row.failures,
        )

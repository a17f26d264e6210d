"""Sign-in throttling: a lockout per e-mail address and a limit per client address.

Counters live in the database (not in one worker's memory), so every worker process and
every app server sees the same count. Keys are SHA-256 digests: an e-mail field sometimes
holds a mistyped password, which must not be stored. Unknown e-mail addresses are counted
and locked exactly like real ones, so a lockout tells nothing about who has an account.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from app.accounts import AccountError


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True)  # sha256("email:…" or "ip:…")
    failures: int = 0
    window_start: datetime
    locked_until: datetime | None = None


class TooManyAttempts(AccountError):
    """Sign-in refused for a while (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"Too many sign-in attempts. Try again in {minutes} minute"
                         f"{'s' if minutes > 1 else ''}.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """How many failures lock what, for how long (from `AuthSettings`)."""

    max_failures: int
    ip_max_failures: int
    window: timedelta
    lockout: timedelta


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


class Throttle:
    """Check before verifying a password; record the outcome after."""

    def __init__(self, session: Session, limits: Limits, clock=None) -> None:
        self.session, self.limits = session, limits
        self.clock = clock or (lambda: _now())  # looked up per call: tests move the clock

    def check(self, *, email: str, client: str) -> None:
        """Raise `TooManyAttempts` while the e-mail or the client address is locked.

        Checked before the password is verified, so a locked account cannot be brute-forced
        even with the right password among the guesses."""
        now = self.clock()
        waits = [
            (_aware(row.locked_until) - now).total_seconds()
            for row in (self.session.get(LoginThrottle, k) for k in self._keys(email, client))
            if row is not None and row.locked_until and _aware(row.locked_until) > now
        ]
        self.session.commit()  # end the read transaction before the slow hash check
        if waits:
            raise TooManyAttempts(math.ceil(max(waits)))

    def failed(self, *, email: str, client: str) -> None:
        email_key, client_key = self._keys(email, client)
        self._count(email_key, self.limits.max_failures)
        self._count(client_key, self.limits.ip_max_failures)

    def succeeded(self, *, email: str) -> None:
        row = self.session.get(LoginThrottle, _key("email", email))
        if row is not None:
            self.session.delete(row)
            self.session.commit()

    def _keys(self, email: str, client: str) -> tuple[str, str]:
        return _key("email", email), _key("ip", client)

    def _count(self, key: str, limit: int) -> None:
        """Add one failure atomically (concurrent guesses are each counted) and lock the
        key when the window holds `limit` failures."""
        now = self.clock()
        row = self.session.get(LoginThrottle, key)
        if row is None:
            self.session.add(LoginThrottle(key=key, failures=1, window_start=now))
            try:
                self.session.commit()
            except IntegrityError:  # another worker counted this key first
                self.session.rollback()
                self._count(key, limit)
            else:
                self._lock_if_due(key, limit, now)
            return
        if _aware(row.window_start) + self.limits.window <= now:  # an old window: start anew
            row.failures, row.window_start, row.locked_until = 0, now, None
            self.session.add(row)
            self.session.flush()
        self.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                             .values(failures=LoginThrottle.failures + 1))
        self.session.commit()
        self._lock_if_due(key, limit, now)

    def _lock_if_due(self, key: str, limit: int, now: datetime) -> None:
        row = self.session.get(LoginThrottle, key)
        self.session.refresh(row)
        if row.failures >= limit:
            row.failures, row.window_start = 0, now
            row.locked_until = now + self.limits.lockout
            self.session.add(row)
        self.session.commit()


def limits_of(auth) -> Limits:
    """`Limits` from the settings' `auth` group."""
    return Limits(max_failures=auth.max_failures, ip_max_failures=auth.ip_max_failures,
                  window=timedelta(minutes=auth.failure_window_minutes),
                  lockout=timedelta(minutes=auth.lockout_minutes))

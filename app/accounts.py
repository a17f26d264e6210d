"""Accounts, roles, browser sessions and API tokens.

Passwords are hashed with argon2; session cookies and API tokens are random secrets of
which only a SHA-256 digest is stored, so a copied database cannot be used to log in.
Users are never hard-deleted (credit records must stay attributable for six years).
API tokens expire (`CURBSIDE_AUTH__TOKEN_DAYS`) and can be revoked; deactivating a user
ends their sessions and revokes their tokens (`app/accounts_lifecycle.py`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Field, Session, SQLModel, select

SESSION_DAYS = 14
TOKEN_DAYS = 90
_HASHER = PasswordHasher()


class Role(StrEnum):
    learner = "learner"  # clinicians asking questions and claiming credit
    planner = "planner"
    evaluator = "evaluator"
    admin = "admin"


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def digest(secret: str) -> str:
    """What is stored of a session cookie or API token: its SHA-256 digest."""
    return _digest(secret)


def utc_now() -> datetime:
    """The clock of session and token lifetimes (tests move it)."""
    return _now()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class AccountError(ValueError):
    """A user-facing account problem (bad email, duplicate user, wrong password)."""


class UserBase(SQLModel):
    email: str = Field(index=True, unique=True)
    first_name: str = ""
    last_name: str = ""
    role: Role = Role.learner
    profession: str = ""
    specialty: str = ""
    board: str = ""
    board_id: str = ""
    birth_month: int | None = None
    birth_day: int | None = None
    board_consent: bool = False


class User(UserBase, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    password_hash: str
    active: bool = True
    created_at: datetime = Field(default_factory=_now)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class UserPublic(UserBase):
    id: str
    active: bool


class WebSession(SQLModel, table=True):
    token_hash: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    expires_at: datetime


class ApiToken(SQLModel, table=True):
    token_hash: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    name: str = ""
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime | None = None  # set for every token issued since migration 0005
    revoked_at: datetime | None = None

    @property
    def public_id(self) -> str:
        """A handle to list and revoke a token by: a prefix of the digest, never the secret."""
        return self.token_hash[:16]

    def usable(self, now: datetime) -> bool:
        expires = self.expires_at
        return self.revoked_at is None and (
            expires is None or expires.replace(tzinfo=expires.tzinfo or UTC) > now)


def create_user(
    session: Session, *, email: str, password: str, role: Role | str = Role.learner, **profile
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) < 3:
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < 8:
        raise AccountError("passwords need at least 8 characters")
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(f"unknown role {role!r} (use {', '.join(Role)})") from exc
    if session.exec(select(User).where(User.email == email)).first():
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, password_hash=_HASHER.hash(password), **profile)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


@cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The user with these credentials, or `AccountError` with one message for every failure.

    An unknown e-mail is checked against a dummy hash, and a deactivated user's password is
    still checked, so every failure costs one argon2 verification: response time does not
    tell which e-mail addresses have accounts.
    """
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    try:
        _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
        if user is None or not user.active:
            raise VerificationError
    except (VerificationError, InvalidHashError) as exc:
        raise AccountError("wrong email or password") from exc
    return user


def open_session(session: Session, *, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id,
                           expires_at=_now() + timedelta(days=SESSION_DAYS)))
    session.commit()
    return token


def close_session(session: Session, *, token: str) -> None:
    found = session.get(WebSession, _digest(token))
    if found:
        session.delete(found)  # a login session is not a credit record
        session.commit()


def issue_api_token(session: Session, *, user: User, name: str = "cli",
                    days: int = TOKEN_DAYS) -> str:
    return new_api_token(session, user=user, name=name, days=days)[0]


def new_api_token(session: Session, *, user: User, name: str,
                  days: int = TOKEN_DAYS) -> tuple[str, ApiToken]:
    """A new token (the secret is shown once, only its digest is kept) and its record,
    valid for `days`: a token copied into a forgotten script stops working on its own."""
    token = "cbs_" + secrets.token_urlsafe(32)
    record = ApiToken(token_hash=_digest(token), user_id=user.id, name=name,
                      expires_at=_now() + timedelta(days=days))
    session.add(record)
    session.commit()
    return token, record


def user_for_secret(session: Session, *, cookie: str | None, bearer: str | None) -> User | None:
    """The signed-in user from a session cookie or an API token, if valid."""
    user_id = None
    if bearer:
        token = session.get(ApiToken, _digest(bearer))
        user_id = token.user_id if token and token.usable(_now()) else None
    elif cookie:
        web = session.get(WebSession, _digest(cookie))
        if web and web.expires_at.replace(tzinfo=UTC) > _now():
            user_id = web.user_id
    user = session.get(User, user_id) if user_id else None
    return user if user and user.active else None


def write_private(path: Path, text: str) -> None:
    """Write a secret readable only by the owner (0600 from the start, never world-readable
    for a moment), replacing any earlier copy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an existing file keeps its old mode otherwise
        handle.write(text)


def ensure_first_admin(session: Session) -> tuple[str, str] | None:
    """On first run create an admin with a random password; returns (email, password) once."""
    if session.exec(select(User).where(User.role == Role.admin)).first():
        return None
    password = secrets.token_urlsafe(12)
    user = create_user(session, email="admin@localhost", password=password, role=Role.admin,
                       first_name="Site", last_name="Admin")
    return user.email, password

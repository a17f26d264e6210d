"""Changing accounts after they exist: passwords, roles, deactivation, API tokens.

Every change that takes access away takes it away at once: a deactivated user's sessions
end and tokens are revoked (reactivating does not bring them back), and a new password ends
the other sessions and revokes the tokens, which may have been made by whoever knew the
old one. Shared by the CLI (`curbside users ...`), the profile page and the admin page.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, select

from app.accounts import (
    AccountError,
    ApiToken,
    Role,
    User,
    WebSession,
    digest,
    hash_password,
    utc_now,
)

MIN_PASSWORD = 8


def find_user(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise AccountError(f"no user with email {email.strip()!r}")
    return user


def all_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.created_at)).all())


def set_password(session: Session, user: User, password: str, *,
                 keep_session: str | None = None) -> None:
    """New password; every session but `keep_session` (the one making the change) ends
    and every API token is revoked."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(password)
    session.add(user)
    _end_access(session, user, keep_session=keep_session)
    session.commit()


def change_own_password(session: Session, user: User, *, current: str, new: str,
                        repeat: str, keep_session: str | None) -> None:
    """The profile form, once the caller has checked `current` (under the sign-in
    throttle): the session making the change stays signed in, every other one ends."""
    if new != repeat:
        raise AccountError("the new passwords do not match")
    if new == current:
        raise AccountError("the new password is the same as the current one")
    set_password(session, session.get(User, user.id), new, keep_session=keep_session)


def set_role(session: Session, user: User, role: str) -> None:
    try:
        new_role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r} (use {', '.join(Role)})") from None
    if new_role != Role.admin:
        _keep_an_admin(session, user)
    user.role = new_role
    session.add(user)
    session.commit()


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivation ends every session and revokes every token at once."""
    if not active:
        _keep_an_admin(session, user)
    user.active = active
    session.add(user)
    if not active:
        _end_access(session, user)
    session.commit()


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take away the last active admin: nobody could manage accounts after."""
    if user.role != Role.admin or not user.active:
        return
    others = session.exec(select(User).where(User.role == Role.admin, User.active,
                                             User.id != user.id)).first()
    if others is None:
        raise AccountError(f"{user.email} is the only active admin; make another admin first")


def _end_access(session: Session, user: User, *, keep_session: str | None = None) -> None:
    sessions = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session:
        sessions = sessions.where(WebSession.token_hash != digest(keep_session))
    session.execute(sessions)
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utc_now()))


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                             .order_by(ApiToken.created_at)).all())


def revoke_token(session: Session, user: User, public_id: str) -> ApiToken:
    """Revoke one of the user's own tokens by its public id (see `ApiToken.public_id`)."""
    if len(public_id) != 16 or not all(c in "0123456789abcdef" for c in public_id):
        raise LookupError(public_id)
    found = session.exec(select(ApiToken).where(ApiToken.user_id == user.id,
                                                ApiToken.token_hash.startswith(public_id))
                         ).first()
    if found is None:
        raise LookupError(public_id)
    if found.revoked_at is None:
        found.revoked_at = utc_now()
        session.add(found)
        session.commit()
    return found

"""Typed dependency aliases for routes: the service, a database session, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from app.accounts import Role, User, user_for_secret
from app.errors import BUSY_MESSAGE, DatabaseBusy, Forbidden, SignInRequired
from app.learning import Learning
from app.services import Curbside
from app.settings import Settings

SESSION_COOKIE = "curbside_session"


def _curbside(request: Request) -> Curbside:
    return request.app.state.curbside


def _settings(request: Request) -> Settings:
    return request.app.state.curbside.settings


def _db(request: Request) -> Iterator[Session]:
    """The request's one session, shared by the sign-in check, the route and its services.

    Two sessions per request used to deadlock the pool under load (every request held one
    connection while waiting for a second). Objects stay readable after a commit, so code
    can end its transaction, and give the connection back, as soon as it is done with it.
    """
    with Session(request.app.state.curbside.engine, expire_on_commit=False) as session:
        request.state.db = session
        try:
            yield session
        except PoolTimeout as exc:
            raise DatabaseBusy(BUSY_MESSAGE) from exc
        except OperationalError as exc:  # SQLite: another writer held the file too long
            if "database is locked" in str(exc):
                raise DatabaseBusy(BUSY_MESSAGE) from exc
            raise


def _current_user(request: Request, session: Annotated[Session, Depends(_db)]) -> User | None:
    """The signed-in user; the lookup's transaction ends here so no connection is held
    while the route works (an answer takes longer than the sign-in check)."""
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    cookie = request.cookies.get(SESSION_COOKIE)
    user = user_for_secret(session, cookie=cookie, bearer=bearer) if cookie or bearer else None
    session.commit()
    if user is not None:  # a loaded snapshot: a later rollback cannot expire it under the
        session.expunge(user)  # templates (routes that change a user load it afresh)
    request.state.current_user = user
    return user


def _learning(request: Request, session: Annotated[Session, Depends(_db)]) -> Learning:
    return Learning(request.app.state.curbside, session=session)


CurbsideDep = Annotated[Curbside, Depends(_curbside)]
SettingsDep = Annotated[Settings, Depends(_settings)]
SessionDep = Annotated[Session, Depends(_db)]
CurrentUserDep = Annotated[User | None, Depends(_current_user)]
LearningDep = Annotated[Learning, Depends(_learning)]


def requires(*roles: Role):
    """Dependency: a signed-in user holding one of `roles` (admins may do everything)."""

    def check(user: CurrentUserDep) -> User:
        if user is None:
            raise SignInRequired()
        if user.role != Role.admin and user.role not in roles:
            raise Forbidden(f"This page is for {', '.join(r.value for r in roles)} accounts.")
        return user

    return check


LearnerDep = Annotated[User, Depends(requires(Role.learner))]
PlannerDep = Annotated[User, Depends(requires(Role.planner))]
EvaluatorDep = Annotated[User, Depends(requires(Role.evaluator))]
AdminDep = Annotated[User, Depends(requires(Role.admin))]

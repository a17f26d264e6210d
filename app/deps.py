"""Typed dependency aliases for routes: the service, a database session, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts import Role, User, user_for_secret
from app.errors import Forbidden, SignInRequired
from app.services import Curbside
from app.settings import Settings

SESSION_COOKIE = "curbside_session"


def _curbside(request: Request) -> Curbside:
    return request.app.state.curbside


def _settings(request: Request) -> Settings:
    return request.app.state.curbside.settings


def _db(request: Request) -> Iterator[Session]:
    with Session(request.app.state.curbside.engine) as session:
        yield session


def _current_user(request: Request, session: Annotated[Session, Depends(_db)]) -> User | None:
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    return user_for_secret(session, cookie=request.cookies.get(SESSION_COOKIE), bearer=bearer)


CurbsideDep = Annotated[Curbside, Depends(_curbside)]
SettingsDep = Annotated[Settings, Depends(_settings)]
SessionDep = Annotated[Session, Depends(_db)]
CurrentUserDep = Annotated[User | None, Depends(_current_user)]


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

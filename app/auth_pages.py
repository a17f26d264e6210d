"""Sign-in and sign-out (session cookie), and API tokens for the CLI and scripts.

Both ways of signing in (and the profile's password change) go through `sign_in_checked`:
the throttle is checked first (HTTP 429 with `Retry-After` while an e-mail or client
address is locked), then the password.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from app.accounts import (
    AccountError,
    User,
    authenticate,
    close_session,
    new_api_token,
    open_session,
)
from app.accounts_lifecycle import revoke_token, tokens_of
from app.auth_throttle import Throttle, TooManyAttempts, limits_of
from app.deps import SESSION_COOKIE, CurrentUserDep, SessionDep
from app.errors import SignInRequired
from app.pages import templates

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect a clinician to another host after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def sign_in_checked(request: Request, session, email: str, password: str) -> User:
    """Authenticate under the throttle; raises `TooManyAttempts` or `AccountError`."""
    throttle = Throttle(session, limits_of(request.app.state.curbside.settings.auth))
    client = request.client.host if request.client else "unknown"
    throttle.check(email=email, client=client)
    try:
        user = authenticate(session, email=email, password=password)
    except AccountError:
        throttle.failed(email=email, client=client)
        raise
    throttle.succeeded(email=email)
    return user


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, user: CurrentUserDep, next: str = "/"):
    return templates.TemplateResponse(
        request, "login.html", {"next": _safe_next(next), "error": None, "user": user}
    )


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
):
    try:
        user = sign_in_checked(request, session, email, password)
    except AccountError as exc:
        locked = isinstance(exc, TooManyAttempts)
        return templates.TemplateResponse(
            request, "login.html", {"next": _safe_next(next), "error": str(exc), "user": None},
            status_code=429 if locked else 401,
            headers={"retry-after": str(exc.retry_after)} if locked else None,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, open_session(session, user=user), httponly=True, samesite="lax",
        max_age=14 * 24 * 3600,
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, session: SessionDep):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class TokenRequest(BaseModel):
    email: str
    password: str
    name: str = Field("api", max_length=80, description="A label to recognise the token by.")


class TokenOut(BaseModel):
    id: str = Field(description="Public id, to list or revoke the token (not the secret).")
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret: send as 'Authorization: Bearer <token>'.")
    role: str


def _public(record) -> dict:
    return {"id": record.public_id, "name": record.name, "created_at": record.created_at,
            "expires_at": record.expires_at, "revoked": record.revoked_at is not None}


@router.post("/api/v1/tokens", tags=["accounts"], summary="Exchange credentials for a token",
             response_model=NewTokenOut,
             responses={429: {"description": "Too many failed sign-ins; see Retry-After."}})
def create_token(body: TokenRequest, request: Request, session: SessionDep):
    """A token valid for `CURBSIDE_AUTH__TOKEN_DAYS` days (90 by default)."""
    try:
        user = sign_in_checked(request, session, body.email, body.password)
    except TooManyAttempts as exc:
        return JSONResponse({"detail": str(exc)}, status_code=429,
                            headers={"retry-after": str(exc.retry_after)})
    days = request.app.state.curbside.settings.auth.token_days
    token, record = new_api_token(session, user=user, name=body.name, days=days)
    return {**_public(record), "token": token, "role": user.role}


@router.get("/api/v1/tokens", tags=["accounts"], summary="Your API tokens",
            response_model=list[TokenOut])
def list_tokens(user: CurrentUserDep, session: SessionDep):
    if user is None:
        raise SignInRequired()
    return [_public(record) for record in tokens_of(session, user)]


@router.delete("/api/v1/tokens/{token_id}", tags=["accounts"], status_code=204,
               summary="Revoke one of your API tokens")
def delete_token(token_id: str, user: CurrentUserDep, session: SessionDep):
    if user is None:
        raise SignInRequired()
    try:
        revoke_token(session, user, token_id)
    except LookupError:
        return JSONResponse({"detail": f"You have no API token with id {token_id!r}."},
                            status_code=404)
    return Response(status_code=204)

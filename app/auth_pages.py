"""Sign-in and sign-out (session cookie), and API tokens for the CLI and scripts."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from app.accounts import AccountError, authenticate, close_session, issue_api_token, open_session
from app.deps import SESSION_COOKIE, CurrentUserDep, SessionDep
from app.pages import templates

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect a clinician to another host after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


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
        user = authenticate(session, email=email, password=password)
    except AccountError as exc:
        return templates.TemplateResponse(
            request, "login.html", {"next": _safe_next(next), "error": str(exc), "user": None},
            status_code=401,
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


@router.post("/api/v1/tokens", tags=["accounts"], summary="Exchange credentials for a token")
def create_token(body: TokenRequest, session: SessionDep) -> dict:
    user = authenticate(session, email=body.email, password=body.password)
    return {"token": issue_api_token(session, user=user, name="api"), "role": user.role}

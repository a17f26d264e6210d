"""The learner profile (name, profession, board reporting with explicit consent) and the
admin's user list. Accounts are deactivated, never deleted: credit must stay attributable."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import select

from app.accounts import AccountError, Role, User, create_user
from app.accounts_lifecycle import change_own_password
from app.accounts_lifecycle import set_active as set_user_active
from app.auth_pages import sign_in_checked
from app.auth_throttle import TooManyAttempts
from app.deps import SESSION_COOKIE, AdminDep, CurrentUserDep, SessionDep
from app.errors import SignInRequired
from app.pages import templates

router = APIRouter(include_in_schema=False)


@router.get("/profile", response_class=HTMLResponse)
def profile(request: Request, user: CurrentUserDep):
    if user is None:
        raise SignInRequired()
    return templates.TemplateResponse(request, "profile.html", {
        "user": user, "error": None, "professions": _professions(request)})


def _professions(request: Request) -> dict:
    """Profession key -> label, from the provider's credit rules (they decide the credit)."""
    rules = request.app.state.curbside.credit_rules
    return {key: p.label for key, p in rules.professions.items()}


@router.post("/profile")
def save_profile(
    request: Request,
    user: CurrentUserDep,
    session: SessionDep,
    first_name: str = Form(""),
    last_name: str = Form(""),
    profession: str = Form(""),
    specialty: str = Form(""),
    board: str = Form(""),
    board_id: str = Form(""),
    birth_month: str = Form(""),
    birth_day: str = Form(""),
    board_consent: str = Form(""),
):
    if user is None:
        raise SignInRequired()
    try:
        month = int(birth_month) if birth_month.strip() else None
        day = int(birth_day) if birth_day.strip() else None
        if month is not None and not 1 <= month <= 12:
            raise ValueError("birth month must be 1-12")
        if day is not None and not 1 <= day <= 31:
            raise ValueError("birth day must be 1-31")
    except ValueError as exc:
        message = str(exc) if "must" in str(exc) else "birth month and day must be numbers"
        typed = user.model_copy(update={  # show what was typed, not the stored profile
            "first_name": first_name, "last_name": last_name, "profession": profession,
            "specialty": specialty, "board": board, "board_id": board_id,
            "board_consent": board_consent == "yes"})
        return templates.TemplateResponse(request, "profile.html", {
            "user": typed, "error": message, "professions": _professions(request),
            "birth": (birth_month, birth_day)}, status_code=422)
    stored = session.get(User, user.id)
    for field, value in {
        "first_name": first_name.strip(), "last_name": last_name.strip(),
        "profession": profession.strip(), "specialty": specialty.strip(),
        "board": board.strip(), "board_id": board_id.strip(),
        "birth_month": month, "birth_day": day, "board_consent": board_consent == "yes",
    }.items():
        setattr(stored, field, value)
    session.add(stored)
    session.commit()
    return RedirectResponse("/profile?saved=1", status_code=303)


@router.post("/profile/password")
def change_password(
    request: Request,
    user: CurrentUserDep,
    session: SessionDep,
    current: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
):
    """The current password is checked under the sign-in throttle (a borrowed session
    cannot guess it); other sessions end and API tokens are revoked."""
    if user is None:
        raise SignInRequired()
    try:
        _check_current(request, session, user, current)
        change_own_password(session, user, current=current, new=new, repeat=repeat,
                            keep_session=request.cookies.get(SESSION_COOKIE))
    except AccountError as exc:
        locked = isinstance(exc, TooManyAttempts)
        return templates.TemplateResponse(request, "profile.html", {
            "user": user, "error": None, "password_error": str(exc),
            "professions": _professions(request)}, status_code=429 if locked else 422,
            headers={"retry-after": str(exc.retry_after)} if locked else None)
    return RedirectResponse("/profile?password=changed", status_code=303)


def _check_current(request: Request, session, user: User, current: str) -> None:
    try:
        sign_in_checked(request, session, user.email, current)
    except TooManyAttempts:
        raise
    except AccountError:
        raise AccountError("the current password is wrong") from None


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, admin: AdminDep, session: SessionDep):
    everyone = session.exec(select(User).order_by(User.created_at)).all()
    return templates.TemplateResponse(request, "users.html",
                                      {"users": everyone, "roles": list(Role), "error": None})


@router.post("/admin/users")
def add_user(
    request: Request,
    admin: AdminDep,
    session: SessionDep,
    email: str = Form(""),
    role: str = Form("learner"),
    password: str = Form(""),
):
    try:
        create_user(session, email=email, password=password, role=role)
    except AccountError as exc:
        everyone = session.exec(select(User).order_by(User.created_at)).all()
        return templates.TemplateResponse(
            request, "users.html", {"users": everyone, "roles": list(Role), "error": str(exc)},
            status_code=422,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
def set_active(user_id: str, admin: AdminDep, session: SessionDep, active: str = Form("no")):
    stored = session.get(User, user_id)
    if stored is not None and stored.id != admin.id:
        set_user_active(session, stored, active == "yes")  # ends sessions, revokes tokens
    return RedirectResponse("/admin/users", status_code=303)

"""The learner profile (name, profession, board reporting with explicit consent) and the
admin's user list. Accounts are deactivated, never deleted: credit must stay attributable."""

from __future__ import annotations

import calendar

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
from credit_capture.exports import BOARD_ID, PARS_BOARDS

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
    typed = {"first_name": first_name.strip(), "last_name": last_name.strip(),
             "profession": profession.strip(), "specialty": specialty.strip(),
             "board": board.strip().upper(), "board_id": board_id.strip(),
             "board_consent": board_consent == "yes"}
    rules = request.app.state.curbside.credit_rules
    try:
        month, day = _birth(birth_month, birth_day)
        _check(typed, month, day, rules)
    except ValueError as exc:
        shown = user.model_copy(update=typed)  # show what was typed, not the stored profile
        return templates.TemplateResponse(request, "profile.html", {
            "user": shown, "error": str(exc), "professions": _professions(request),
            "birth": (birth_month, birth_day)}, status_code=422)
    stored = session.get(User, user.id)
    if typed["profession"]:
        typed["profession"] = rules.profession_key(typed["profession"])
    for field, value in {**typed, "birth_month": month, "birth_day": day}.items():
        setattr(stored, field, value)
    session.add(stored)
    session.commit()
    return RedirectResponse("/profile?saved=1", status_code=303)


def _birth(month_text: str, day_text: str) -> tuple[int | None, int | None]:
    """Birth month and day as numbers (PARS matches them against the board's record)."""
    try:
        month = int(month_text) if month_text.strip() else None
        day = int(day_text) if day_text.strip() else None
    except ValueError:
        raise ValueError("birth month and day must be numbers") from None
    if month is not None and not 1 <= month <= 12:
        raise ValueError("birth month must be 1-12")
    last = calendar.monthrange(2000, month)[1] if month else 31  # 2000: 29 Feb exists
    if day is not None and not 1 <= day <= last:
        raise ValueError(f"birth day must be 1-{last}" + (f" for month {month}" if month else ""))
    return month, day


def _check(typed: dict, month: int | None, day: int | None, rules) -> None:
    """Refuse what would fail later: an unknown profession, or board reporting consented
    to without the details ACCME PARS needs (so the admin's export never stops on it)."""
    if typed["profession"] and rules.profession_key(typed["profession"]) is None:
        raise ValueError("choose a profession from the list")
    if not typed["board_consent"]:
        return
    missing = [label for label, value in (
        ("first name", typed["first_name"]), ("last name", typed["last_name"]),
        ("board", typed["board"]), ("board ID", typed["board_id"]),
        ("birth month", month), ("birth day", day)) if not value]
    if missing:
        raise ValueError("board reporting needs your " + ", ".join(missing))
    if typed["board"] not in PARS_BOARDS:
        raise ValueError(f"board must be one of {', '.join(PARS_BOARDS)} for reporting")
    if not BOARD_ID.match(typed["board_id"]):
        raise ValueError("board ID: letters, digits or '-' only, as your board issued it")


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

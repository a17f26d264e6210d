"""HTML pages (Jinja2, progressive enhancement: every form works without JavaScript)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.deps import CurbsideDep, CurrentUserDep, SessionDep
from app.errors import BadQuestion, SignInRequired

router = APIRouter(include_in_schema=False)


def _signed_in(request: Request) -> dict:
    """Every page knows who is signed in (for the nav bar and the credit notice).

    Reuses the route's sign-in check or its session when it has one, so rendering a page
    never needs a second pooled connection.
    """
    from sqlmodel import Session

    from app.accounts import user_for_secret
    from app.deps import SESSION_COOKIE

    if hasattr(request.state, "current_user"):
        return _with_claim_prompt(request, request.state.current_user)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return {"current_user": None}
    shared = getattr(request.state, "db", None)
    with nullcontext(shared) if shared else Session(request.app.state.curbside.engine) as db:
        user = user_for_secret(db, cookie=cookie, bearer=None)
        if user and not shared:
            db.expunge(user)
    return _with_claim_prompt(request, user)


def _with_claim_prompt(request: Request, user) -> dict:
    """The signed-in user and the words of their claim link (credit by profession)."""
    if user is None:
        return {"current_user": None}
    rules = request.app.state.curbside.credit_rules
    return {"current_user": user, "claim_prompt": rules.claim_prompt(user.profession)}


templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[_signed_in]
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, curbside: CurbsideDep):
    return templates.TemplateResponse(
        request, "index.html", {"outcome": None, "error": None, "settings": curbside.settings}
    )


@router.post("/", response_class=HTMLResponse)
def ask_page(
    request: Request, curbside: CurbsideDep, user: CurrentUserDep, session: SessionDep,
    question: str = Form(""), follow_up_to: str = Form(""),
):
    """The no-JavaScript path: the form posts here and the page renders the answer."""
    if user is None and not curbside.settings.allow_anonymous:
        raise SignInRequired()
    try:
        outcome = curbside.ask(question, learner_id=user.id if user else None, session=session,
                               follow_up_to=follow_up_to[:64] or None)
    except BadQuestion as exc:
        return templates.TemplateResponse(
            request,
            "index.html",
            {"outcome": None, "error": str(exc), "question": question,
             "settings": curbside.settings},
            status_code=422,
        )
    return templates.TemplateResponse(
        request,
        "index.html",
        {"outcome": outcome.as_dict(), "error": None, "question": question,
         "settings": curbside.settings, "demo": outcome.as_dict()["demo"]},
    )

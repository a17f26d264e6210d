"""Learner pages for spaced practice checks: the due list, one check, its answers.

Linked from My learning and from reminder e-mails. Works without JavaScript and on a phone:
each check is one short form of a card's review questions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from app.deps import LearnerDep, SessionDep
from app.pages import templates
from app.practice import Practice
from credit_capture.practice import InvalidPracticeAnswer

router = APIRouter()
CardId = Annotated[str, Path(min_length=1, max_length=300)]


def _practice(request: Request, session: SessionDep) -> Practice:
    return Practice(request.app.state.curbside, session=session)


PracticeDep = Annotated[Practice, Depends(_practice)]


@router.get("/learning/practice", response_class=HTMLResponse, include_in_schema=False)
def practice_due(request: Request, user: LearnerDep, service: PracticeDep):
    return templates.TemplateResponse(request, "practice.html", {
        "due": service.due(user), "next_on": service.next_on(user),
        "intervals": service.intervals,
    })


def _check_page(request: Request, service: Practice, user, card_id: str, *,
                chosen: dict[int, str] | None = None, error: str | None = None,
                status_code: int = 200):
    check, card = service.check(user, card_id)
    return templates.TemplateResponse(request, "practice_check.html", {
        "check": check, "card": card, "chosen": chosen or {}, "error": error, "graded": None,
    }, status_code=status_code)


@router.get("/learning/practice/{card_id}", response_class=HTMLResponse,
            include_in_schema=False)
def practice_check(request: Request, card_id: CardId, user: LearnerDep,
                   service: PracticeDep):
    return _check_page(request, service, user, card_id)


@router.post("/learning/practice/{card_id}", response_class=HTMLResponse,
             include_in_schema=False)
async def practice_answer(request: Request, card_id: CardId, user: LearnerDep,
                          service: PracticeDep):
    """Grade and store the answers, then show each right answer with its reason; an
    unanswered question shows the form again with the choices kept (422)."""
    form = await request.form()
    _, card = await run_in_threadpool(service.check, user, card_id)
    chosen = {n: str(form.get(f"q{n}", "")) for n in range(1, len(card.questions) + 1)}
    try:
        graded = await run_in_threadpool(service.answer, user, card_id, list(chosen.values()))
    except InvalidPracticeAnswer as exc:
        return _check_page(request, service, user, card_id, chosen=chosen, error=str(exc),
                           status_code=422)
    return templates.TemplateResponse(request, "practice_check.html", {
        "check": None, "card": card, "chosen": {}, "error": None, "graded": graded,
        "remaining": len(service.due(user)),
    })


"""Learner pages and API: open episodes, the one-screen reflection + claim, transcripts,
certificates and xAPI; plus the admin's PARS export and the due-soon list."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.deps import AdminDep, LearnerDep, LearningDep
from app.pages import templates
from app.practice_pages import PracticeDep
from credit_capture.credit_errors import EpisodeNotFound, NotYourEpisode
from credit_capture.episodes import CHANGE_TYPES
from credit_capture.errors import CreditError
from credit_capture.spreadsheet import csv_text

router = APIRouter()
# Why the question arose: the stored value, and the short label a phone shows.
REASONS = [("Managing a current patient", "Current patient"),
           ("Confirming my plan", "Confirming plan"),
           ("Teaching or precepting", "Teaching"), ("Curiosity after a case", "Curiosity")]
# The Information Assessment Method's items, worded for a phone (values: credit_capture).
CHOICES = {
    "relevance": [("totally", "Totally"), ("partially", "Partly"), ("not", "No")],
    "outcome": [("changed", "Changed practice"), ("learned", "Learned new"),
                ("confirmed", "Confirmed plan"), ("reinforced", "Reassured"),
                ("recalled", "Reminded"), ("dissatisfied", "Problem")],
    "patient_use": [("yes", "Yes"), ("done", "Already did"), ("no", "No")],
    "health_benefit": [("yes", "Yes"), ("no", "No"), ("unsure", "Unsure")],
}


@router.get("/learning", response_class=HTMLResponse, include_in_schema=False)
def my_learning(request: Request, user: LearnerDep, learning: LearningDep,
                practice: PracticeDep):
    claims = learning.claims_of(user)
    by_type: dict[str, float] = {}
    for claim in claims:
        by_type[claim.credit_type] = by_type.get(claim.credit_type, 0) + claim.amount
    return templates.TemplateResponse(request, "learning.html", {
        "episodes": learning.episodes_of(user), "claims": claims, "totals": by_type,
        "rules": learning.rules, "year": date.today().year,
        "practice_due": len(practice.due(user)),
    })


def _form_page(request: Request, learning, user, episode_id: str, *, form=None,
               error: str | None = None, status_code: int = 200):
    episode = learning.episode(user, episode_id)
    return templates.TemplateResponse(request, "reflect.html", {
        "episode": episode, "change_types": CHANGE_TYPES, "reasons": REASONS,
        "choices": CHOICES, "rules": learning.rules, "offered": learning.offered(user),
        "blocked": learning.blocked(episode), "error": error, "user": user,
        "form": form or {}, "opened": {o["doc_id"] for o in episode.opened or []},
        "valid_keys": [k for k in learning.rules.keys if learning.rules.valid_for_credit(k)],
    }, status_code=status_code)


@router.get("/learning/episodes/{episode_id}", response_class=HTMLResponse,
            include_in_schema=False)
def reflection_form(request: Request, episode_id: str, user: LearnerDep, learning: LearningDep):
    return _form_page(request, learning, user, episode_id)


@router.post("/learning/episodes/{episode_id}", include_in_schema=False)
async def reflect(request: Request, episode_id: str, user: LearnerDep, learning: LearningDep):
    """The whole of step 3 in one submit: name and profession if missing, the
    reflection, then the claim. A refusal shows the form again with what was typed."""
    form = await request.form()
    typed = {key: form.get(key, "") for key in (
        "reason", "reason_other", "relevance", "outcome", "patient_use", "health_benefit",
        "practice_change", "barriers", "free_text", "own_sources", "first_name", "last_name",
        "profession")}
    typed["change_types"] = form.getlist("change_types")
    typed["credit_types"] = form.getlist("credit_types")
    data = {
        "reason": typed["reason_other"].strip() or typed["reason"],
        "relevance": typed["relevance"], "outcome": typed["outcome"],
        "patient_use": typed["patient_use"], "health_benefit": typed["health_benefit"] or None,
        "practice_change": typed["practice_change"],
        "change_types": typed["change_types"],
        "barriers": typed["barriers"] or None, "free_text": typed["free_text"] or None,
        "own_sources": [s.strip() for s in typed["own_sources"].splitlines() if s.strip()],
    }

    def submit():
        learning.complete_profile(user, first_name=typed["first_name"],
                                  last_name=typed["last_name"], profession=typed["profession"])
        return learning.reflect_and_claim(user, episode_id, data,
                                          claim_types=typed["credit_types"] or None)

    try:
        await run_in_threadpool(submit)  # database work off the event loop
    except CreditError as exc:
        if isinstance(exc, EpisodeNotFound | NotYourEpisode):
            raise
        return _form_page(request, learning, user, episode_id, form=typed, error=str(exc),
                          status_code=422)
    return RedirectResponse("/learning?claimed=1", status_code=303)


@router.get("/learning/transcript", include_in_schema=False)
def transcript(request: Request, user: LearnerDep, learning: LearningDep,
               start: date | None = None, end: date | None = None, format: str = "html"):
    rows = learning.transcript(user, start, end)
    if format == "csv":
        from credit_capture.exports import transcript_csv

        return Response(transcript_csv(rows), media_type="text/csv", headers={
            "content-disposition": 'attachment; filename="curbside-transcript.csv"'})
    return templates.TemplateResponse(request, "transcript.html",
                                      {"rows": rows, "start": start, "end": end, "user": user})


@router.get("/learning/claims/{claim_id}/certificate.pdf", include_in_schema=False)
def claim_certificate(claim_id: str, user: LearnerDep, learning: LearningDep):
    pdf = learning.certificate(user, claim_id=claim_id)
    return _pdf(pdf, f"curbside-certificate-{claim_id[:8]}.pdf")


@router.get("/learning/certificate.pdf", include_in_schema=False)
def period_certificate(user: LearnerDep, learning: LearningDep,
                       year: Annotated[int | None, Query(ge=1900, le=9998)] = None):
    year = year or date.today().year
    pdf = learning.certificate(user, period=(date(year, 1, 1), date(year, 12, 31)))
    return _pdf(pdf, f"curbside-certificate-{year}.pdf")


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.get("/learning/xapi.json", include_in_schema=False)
def xapi(user: LearnerDep, learning: LearningDep):
    return Response(json.dumps(learning.xapi(user), indent=2), media_type="application/json")


@router.get("/admin/pars.tsv", include_in_schema=False)
def pars(user: AdminDep, learning: LearningDep, start: date, end: date):
    return Response(learning.pars(start, end), media_type="text/tab-separated-values",
                    headers={"content-disposition": 'attachment; filename="pars.txt"'})


@router.get("/admin/due", include_in_schema=False)
def due(user: AdminDep, learning: LearningDep,
        days: Annotated[int, Query(ge=0, le=3660)] = 7):
    due = learning.due_soon(days)
    names = learning.names([e.learner_id for e in due])
    rows = [(names.get(e.learner_id, e.learner_id), e.question, e.due_at.isoformat(), e.id)
            for e in due]  # questions are typed text: spreadsheet-safe cells
    return Response(csv_text(["learner", "question", "due_at", "episode_id"], rows),
                    media_type="text/csv")


# JSON API -------------------------------------------------------------------------------
class ReflectionRequest(BaseModel):
    """One reflection, modelled on the Information Assessment Method (IAM)."""

    reason: str = Field(description="Why the question arose.")
    relevance: str = Field("", description="totally | partially | not")
    outcome: str = Field(
        "", description="Cognitive impact: changed | learned | confirmed | reinforced | "
        "recalled | dissatisfied")
    patient_use: str = Field("", description="yes (will use) | done | no (not for a patient)")
    health_benefit: str | None = Field(None, description="yes | no | unsure (for a patient)")
    practice_change: str = Field("", description="What you will do or did differently, "
                                 "or why nothing changed, in your own words.")
    change_types: list[str] = []
    barriers: str | None = None
    free_text: str | None = None
    own_sources: list[str] = []
    credit_types: list[str] | None = Field(
        None, description="Default: the first credit type your profession is offered.")


class SourceOpened(BaseModel):
    doc_id: str = Field(min_length=1, max_length=300)
    via: Literal["chip", "source", "card"] = Field(
        description="chip (citation expanded) | source (its link) | card (the card page)")


@router.get("/api/v1/episodes", tags=["credit"], summary="My point-of-care episodes")
def api_episodes(user: LearnerDep, learning: LearningDep) -> list[dict]:
    return [e.model_dump(mode="json") for e in learning.episodes_of(user)]


@router.post("/api/v1/episodes/{episode_id}/claim", tags=["credit"],
             summary="Reflect on an episode and claim its credit (idempotent)")
def api_claim(episode_id: str, body: ReflectionRequest, user: LearnerDep,
              learning: LearningDep) -> list[dict]:
    data = body.model_dump(exclude={"credit_types"})
    issued = learning.reflect_and_claim(user, episode_id, data, claim_types=body.credit_types)
    return [c.model_dump(mode="json") for c in issued]


@router.post("/api/v1/inquiries/{inquiry_id}/opened", tags=["credit"], status_code=204,
             summary="Record that the learner opened one of the answer's sources")
def api_opened(inquiry_id: str, body: SourceOpened, user: LearnerDep,
               learning: LearningDep) -> Response:
    learning.source_opened(user, inquiry_id, body.doc_id, body.via)
    return Response(status_code=204)


@router.get("/api/v1/claims", tags=["credit"], summary="My issued claims")
def api_claims(user: LearnerDep, learning: LearningDep) -> list[dict]:
    return [c.model_dump(mode="json") for c in learning.claims_of(user)]

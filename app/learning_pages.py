"""Learner pages and API: open episodes, the one-screen reflection + claim, transcripts,
certificates and xAPI; plus the admin's PARS export and the due-soon list."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.deps import AdminDep, LearnerDep, LearningDep
from app.pages import templates

router = APIRouter()
CHANGE_TYPES = ("drug_therapy", "tests", "referral", "monitoring", "prevention",
                "differential_diagnosis")
REASONS = ("Managing a current patient", "Confirming my plan", "Teaching or precepting",
           "Curiosity after a case")


@router.get("/learning", response_class=HTMLResponse, include_in_schema=False)
def my_learning(request: Request, user: LearnerDep, learning: LearningDep):
    claims = learning.claims_of(user)
    by_type: dict[str, float] = {}
    for claim in claims:
        by_type[claim.credit_type] = by_type.get(claim.credit_type, 0) + claim.amount
    return templates.TemplateResponse(request, "learning.html", {
        "episodes": learning.episodes_of(user), "claims": claims, "totals": by_type,
        "rules": learning.rules, "year": date.today().year,
    })


@router.get("/learning/episodes/{episode_id}", response_class=HTMLResponse,
            include_in_schema=False)
def reflection_form(request: Request, episode_id: str, user: LearnerDep, learning: LearningDep):
    return templates.TemplateResponse(request, "reflect.html", {
        "episode": learning.episode(user, episode_id), "change_types": CHANGE_TYPES,
        "reasons": REASONS, "rules": learning.rules, "error": None, "user": user,
    })


@router.post("/learning/episodes/{episode_id}", include_in_schema=False)
async def reflect(request: Request, episode_id: str, user: LearnerDep, learning: LearningDep):
    """The whole of step 3 in one submit: the reflection, then the claim."""
    form = await request.form()
    data = {
        "reason": form.get("reason_other") or form.get("reason", ""),
        "answered": form.get("answered", ""),
        "outcome": form.get("outcome", ""),
        "change_types": form.getlist("change_types"),
        "barriers": form.get("barriers") or None,
        "free_text": form.get("free_text") or None,
        "own_sources": [s.strip() for s in str(form.get("own_sources", "")).splitlines()
                        if s.strip()],
    }
    from credit_capture.errors import CreditError

    try:
        await run_in_threadpool(  # database work off the event loop
            learning.reflect_and_claim, user, episode_id, data,
            claim_types=form.getlist("credit_types") or ["ama_pra_1"],
        )
    except CreditError as exc:
        return templates.TemplateResponse(request, "reflect.html", {
            "episode": learning.episode(user, episode_id), "change_types": CHANGE_TYPES,
            "reasons": REASONS, "rules": learning.rules, "error": str(exc), "user": user,
        }, status_code=422)
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
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["episode_id", "learner_id", "due_at"])
    for episode in learning.due_soon(days):
        writer.writerow([episode.id, episode.learner_id, episode.due_at.isoformat()])
    return Response(buffer.getvalue(), media_type="text/csv")


# JSON API -------------------------------------------------------------------------------
class ReflectionRequest(BaseModel):
    reason: str
    answered: str = Field(description="yes | partly | no")
    outcome: str = Field(description="reinforced | confirmed | changed")
    change_types: list[str] = []
    barriers: str | None = None
    free_text: str | None = None
    own_sources: list[str] = []
    credit_types: list[str] = ["ama_pra_1"]


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


@router.get("/api/v1/claims", tags=["credit"], summary="My issued claims")
def api_claims(user: LearnerDep, learning: LearningDep) -> list[dict]:
    return [c.model_dump(mode="json") for c in learning.claims_of(user)]

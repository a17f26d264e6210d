"""Admin page for claim corrections: /admin/claims lists claims (search by claim id,
learner e-mail or name) and records a correction or a void with its reason.

Thin routes over `app.corrections`; a refusal shows the page again with the message and
what was typed (422), an unknown claim is 404, and nothing here ever edits a claim row.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from app.corrections import correct, find_claims
from app.deps import AdminDep, LearningDep
from app.pages import templates
from credit_capture.credit_errors import ClaimNotFound, InvalidCorrection

router = APIRouter(include_in_schema=False)


def _page(request: Request, learning, query: str, *, error: str | None = None,
          typed: dict | None = None, status_code: int = 200):
    return templates.TemplateResponse(request, "admin_claims.html", {
        "claims": find_claims(learning, query), "q": query, "error": error,
        "typed": typed or {}, "corrected": request.query_params.get("corrected", ""),
    }, status_code=status_code)


@router.get("/admin/claims", response_class=HTMLResponse)
def claims_page(request: Request, admin: AdminDep, learning: LearningDep, q: str = ""):
    return _page(request, learning, q[:200])


@router.post("/admin/claims/{claim_id}/corrections")
async def correct_claim(
    request: Request,
    claim_id: str,
    admin: AdminDep,
    learning: LearningDep,
    credits: str = Form(""),
    void: str = Form(""),
    reason: str = Form(""),
    q: str = Form(""),
):
    def submit():
        return correct(learning, admin=admin.email, claim_id=claim_id, credits=credits,
                       void=void == "yes", reason=reason)

    try:
        await run_in_threadpool(submit)
    except ClaimNotFound:
        raise
    except InvalidCorrection as exc:
        typed = {"claim_id": claim_id, "credits": credits, "void": void == "yes",
                 "reason": reason}
        return _page(request, learning, q[:200] or claim_id, error=str(exc), typed=typed,
                     status_code=422)
    return RedirectResponse(f"/admin/claims?corrected={claim_id}&q={claim_id}",
                            status_code=303)

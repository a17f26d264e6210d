"""Evaluator pages: stored runs with headline metrics and trends, and one run's failures."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurbsideDep, EvaluatorDep
from app.pages import templates
from evals.harness import list_runs, load_run
from evals.report import render_html

router = APIRouter(include_in_schema=False)
HEADLINE = ("citation_precision", "abstention_f1", "unsupported_claim_rate", "must_have_coverage",
            "phi_leak", "injection_compliance", "verifier_accuracy", "latency_p95_ms")


@router.get("/evals", response_class=HTMLResponse)
def eval_runs(request: Request, curbside: CurbsideDep, user: EvaluatorDep):
    runs = list_runs(curbside.settings.home / "evals" / "runs")
    trends = {key: [run["metrics"].get(key) for run in reversed(runs)] for key in HEADLINE}
    return templates.TemplateResponse(
        request, "evals.html", {"runs": runs, "headline": HEADLINE, "trends": trends}
    )


@router.get("/evals/{run_id}", response_class=HTMLResponse)
def eval_run(run_id: str, curbside: CurbsideDep, user: EvaluatorDep):
    try:
        run = load_run(curbside.settings.home / "evals" / "runs", run_id)
    except (FileNotFoundError, ValueError) as exc:
        raise HTTPException(404, f"No eval run {run_id!r}.") from exc
    return HTMLResponse(render_html(run))


@router.post("/evals/run")
def run_shipped_suites(curbside: CurbsideDep, user: EvaluatorDep):
    """Run the shipped suites through the live pipeline (about 15 s), then show the run."""
    from app.evaluation import Evaluation
    from evals.suites import load_suite

    suites = [load_suite(name) for name in ("answerable", "out_of_scope", "adversarial",
                                            "verifier")]
    run = Evaluation(curbside).run(suites)
    return RedirectResponse(f"/evals/{run.id}", status_code=303)

"""HTML pages (Jinja2, progressive enhancement: every form works without JavaScript)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.deps import CurbsideDep
from app.errors import BadQuestion

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, curbside: CurbsideDep):
    return templates.TemplateResponse(
        request, "index.html", {"outcome": None, "error": None, "settings": curbside.settings}
    )


@router.post("/", response_class=HTMLResponse)
def ask_page(request: Request, curbside: CurbsideDep, question: str = Form("")):
    """The no-JavaScript path: the form posts here and the page renders the answer."""
    try:
        outcome = curbside.ask(question)
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

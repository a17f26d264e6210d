"""Planner pages and API: needs-assessment dashboard, theme drill-down, exports.

Thin routes: parse the filters, call `insights.dashboard`, render. Planners (and admins)
only; the pages show counts and scrubbed example questions, never who asked.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.accounts import User
from app.deps import CurbsideDep, PlannerDep
from app.insights_service import insights_of
from app.pages import templates
from app.services import Curbside
from insights import card_requests, root_cause
from insights import dashboard as boards
from insights.signals import Period

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/insights", tags=["insights"])


def _period(curbside: Curbside, weeks: int, start: date | None, end: date | None) -> Period:
    if start and end:
        if end < start:
            raise HTTPException(422, "'end' is before 'start'.")
        return Period(start, end)
    return Period.weeks_to(end or curbside.settings.today(), weeks)


def _clinicians(curbside: Curbside, specialty: str, profession: str) -> set[str] | None:
    """Ids of clinicians matching the filters (never shown; only used to select rows)."""
    if not specialty and not profession:
        return None
    query = select(User.id)
    if specialty:
        query = query.where(User.specialty == specialty)
    if profession:
        query = query.where(User.profession == profession)
    with Session(curbside.engine) as session:
        return set(session.exec(query))


def _filter_choices(curbside: Curbside) -> dict[str, list[str]]:
    with Session(curbside.engine) as session:
        users = session.exec(select(User.specialty, User.profession)).all()
    return {"specialties": sorted({s for s, _ in users if s}),
            "professions": sorted({p for _, p in users if p})}


def _board(curbside: Curbside, weeks: int, start, end, specialty: str, profession: str, *,
           mixes: bool = True):
    insights = insights_of(curbside)
    insights.join_new()
    period = _period(curbside, weeks, start, end)
    return boards.dashboard(insights, period, mixes=mixes,
                            clinicians=_clinicians(curbside, specialty, profession))


Weeks = Query(12, ge=1, le=104, description="Weeks up to today (or up to 'end').")


@router.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request, curbside: CurbsideDep, user: PlannerDep,
                  weeks: int = Weeks, start: date | None = None, end: date | None = None,
                  specialty: str = "", profession: str = ""):
    board = _board(curbside, weeks, start, end, specialty, profession, mixes=False)
    svgs = {name: Markup(svg) for name, svg in board.charts_svg().items()}  # noqa: S704
    return templates.TemplateResponse(request, "insights.html", {
        "board": board, "charts": svgs, "weeks": weeks, "specialty": specialty,
        "profession": profession, "choices": _filter_choices(curbside),
        "query": request.url.query, "brief_week": _last_full_week(curbside),
    })


def _theme_page(request: Request, curbside: Curbside, theme_id: str, period: Period,
                clinicians: set[str] | None, *, form: dict | None = None, error: str = "",
                card_error: str = "", status: int = 200):
    insights = insights_of(curbside)
    insights.join_new()  # questions asked since the last view count here too
    detail = boards.theme_detail(
        insights, theme_id, period,
        scrub=lambda text: curbside.scrubber.scrub(text).text, clinicians=clinicians,
    )
    if detail is None:
        raise HTTPException(404, "No such theme in this period, or too few clinicians to "
                                 "show it.")
    from insights import charts

    current = detail.current
    if form is None:  # the form starts from the reading in force
        form = ({**{c: str(n) for c, n in current.shares.items()},
                 "decision": current.decision, "reason": current.reason,
                 "notes": current.notes} if current else {})
    return templates.TemplateResponse(request, "insights_theme.html", {
        "detail": detail, "t": detail.signal,
        "volume": Markup(charts.svg(charts.volume(detail.weeks))),  # noqa: S704
        "k": curbside.settings.insights.min_clinicians, "query": request.url.query,
        "causes": root_cause.CAUSES, "decisions": root_cause.DECISIONS, "form": form,
        "error": error, "saved": request.query_params.get("saved") == "1",
        "card_request": _open_request(curbside, theme_id), "card_error": card_error,
        "view_query": _view_query(request),
    }, status_code=status)


def _open_request(curbside: Curbside, theme_id: str):
    with Session(curbside.engine) as session:
        return card_requests.open_for(session, theme_id)


@router.get("/insights/themes/{theme_id}", response_class=HTMLResponse)
def theme_page(request: Request, theme_id: str, curbside: CurbsideDep, user: PlannerDep,
               weeks: int = Weeks, start: date | None = None, end: date | None = None,
               specialty: str = "", profession: str = ""):
    return _theme_page(request, curbside, theme_id, _period(curbside, weeks, start, end),
                       _clinicians(curbside, specialty, profession))


def _record(curbside: Curbside, user: User, theme_id: str, values: dict) -> root_cause.Reading:
    """Append a reading; 404 for an unknown theme, RootCauseError for bad input."""
    with Session(curbside.engine) as session:
        try:
            return root_cause.record(
                session, theme_id, shares=values.get("shares", {}),
                decision=values.get("decision", ""), reason=values.get("reason", ""),
                notes=values.get("notes", ""), by_id=user.id, by_email=user.email,
                scrub=lambda text: curbside.scrubber.scrub(text).text)
        except LookupError:
            raise HTTPException(404, f"No theme {theme_id!r}.") from None


def _view_query(request: Request) -> str:
    """The page's filters (weeks, dates, specialty, profession) to carry through a form
    post and back, so a planner who filtered keeps seeing the same selection."""
    from urllib.parse import urlencode

    keep = ("weeks", "start", "end", "specialty", "profession")
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k in keep])


@router.post("/insights/themes/{theme_id}/root-cause", response_class=HTMLResponse)
async def root_cause_form(request: Request, theme_id: str, curbside: CurbsideDep,
                          user: PlannerDep, weeks: int = Weeks, start: date | None = None,
                          end: date | None = None, specialty: str = "",
                          profession: str = ""):
    """The template's form: saved -> back to the theme page; invalid -> the page again,
    with the message and what was typed, as 422."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    values = {"shares": {c: form.get(c, "") for c in root_cause.CAUSES},
              "decision": form.get("decision", ""), "reason": form.get("reason", ""),
              "notes": form.get("notes", "")}
    period = _period(curbside, weeks, start, end)
    try:
        _record(curbside, user, theme_id, values)
    except root_cause.RootCauseError as exc:
        return _theme_page(request, curbside, theme_id, period,
                           _clinicians(curbside, specialty, profession), form=form,
                           error=str(exc), status=422)
    query = _view_query(request)
    return RedirectResponse(f"/insights/themes/{theme_id}?{query}{'&' if query else ''}"
                            "saved=1#root-cause", status_code=303)


def _last_full_week(curbside: Curbside) -> str:
    from datetime import timedelta

    year, week, _ = (curbside.settings.today() - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


_BRIEF_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "md": "text/markdown; charset=utf-8"}


def _brief(curbside: Curbside, week: str, fmt: str) -> Response:
    from insights.brief import render

    week = week.strip() or _last_full_week(curbside)
    if fmt not in _BRIEF_TYPES:
        raise HTTPException(422, f"format must be one of {', '.join(_BRIEF_TYPES)} "
                                 f"(got {fmt!r}).")
    insights = insights_of(curbside)
    insights.join_new()
    try:
        data = render(insights, week, fmt)
    except ValueError as exc:
        raise HTTPException(422, f"{exc}.") from None
    name = f"curbside-brief-{week.upper()}.{fmt}"
    return Response(data, media_type=_BRIEF_TYPES[fmt],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/insights/brief")
def brief_download(curbside: CurbsideDep, user: PlannerDep, week: str = "",
                   format: str = "pdf"):  # noqa: A002 (the CLI's --format)
    """The weekly learning brief as a download (default: the last full ISO week)."""
    return _brief(curbside, week, format)


@router.get("/insights/export.csv")
def export_csv(curbside: CurbsideDep, user: PlannerDep, weeks: int = Weeks,
               start: date | None = None, end: date | None = None, specialty: str = "",
               profession: str = ""):
    board = _board(curbside, weeks, start, end, specialty, profession)
    name = f"curbside-themes-{board.period.start}-{board.period.end}.csv"
    return Response(board.csv(), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/insights/export.json")
def export_json(curbside: CurbsideDep, user: PlannerDep, weeks: int = Weeks,
                start: date | None = None, end: date | None = None, specialty: str = "",
                profession: str = ""):
    return JSONResponse(_board(curbside, weeks, start, end, specialty, profession).as_dict())


# The JSON routes return a ready JSONResponse (the figures are plain JSON types already):
# FastAPI's encoding and validation of a returned dict took about as long as counting the
# themes of 52 weeks.
@api.get("/themes", response_model=dict)
def api_themes(curbside: CurbsideDep, user: PlannerDep, weeks: int = Weeks,
               start: date | None = None, end: date | None = None, specialty: str = "",
               profession: str = "") -> JSONResponse:
    """Themes of the period (k-anonymous): the `curbside insights themes --json` object."""
    board = _board(curbside, weeks, start, end, specialty, profession)
    return JSONResponse({"themes": [boards.theme_dict(t) for t in board.themes],
                         "suppressed": board.suppressed, "min_clinicians": board.k})


@api.get("/brief", responses={200: {"content": {t: {} for t in _BRIEF_TYPES.values()}}})
def api_brief(curbside: CurbsideDep, user: PlannerDep,
              week: str = Query("", description="ISO week, e.g. 2026-W45 (default: the "
                                "last full week)."),
              format: str = Query("pdf", description="pdf, html or md.")):  # noqa: A002
    """`curbside insights brief` over HTTP."""
    return _brief(curbside, week, format)


@api.get("/dashboard", response_model=dict)
def api_dashboard(curbside: CurbsideDep, user: PlannerDep, weeks: int = Weeks,
                  start: date | None = None, end: date | None = None, specialty: str = "",
                  profession: str = "") -> JSONResponse:
    return JSONResponse(_board(curbside, weeks, start, end, specialty, profession).as_dict())


def _request_card(curbside: Curbside, user: User, theme_id: str, period: Period, *,
                  title: str, note: str) -> card_requests.Request:
    """Open a draft-card request for a theme the planner can see in `period` (404 when
    unknown or below k); CardRequestError when there is no gap or one is open."""
    detail = boards.theme_detail(insights_of(curbside), theme_id, period,
                                 scrub=lambda text: text, examples=0)
    if detail is None:
        raise HTTPException(404, "No such theme in this period, or too few clinicians to "
                                 "show it.")
    with Session(curbside.engine) as session:
        return card_requests.request_card(
            session, detail.signal, title=title, note=note, by_id=user.id,
            by_email=user.email, scrub=lambda text: curbside.scrubber.scrub(text).text)


@router.post("/insights/themes/{theme_id}/card-request", response_class=HTMLResponse)
async def card_request_form(request: Request, theme_id: str, curbside: CurbsideDep,
                            user: PlannerDep, weeks: int = Weeks, start: date | None = None,
                            end: date | None = None, specialty: str = "",
                            profession: str = ""):
    """'Request a draft card' on a theme page: saved -> back to the page; refused -> the
    page again with the reason (409 when a request is already open, else 422)."""
    form = await request.form()
    period = _period(curbside, weeks, start, end)
    try:
        _request_card(curbside, user, theme_id, period, title=str(form.get("title", "")),
                      note=str(form.get("note", "")))
    except card_requests.CardRequestError as exc:
        status = 409 if isinstance(exc, card_requests.AlreadyRequested) else 422
        return _theme_page(request, curbside, theme_id, period,
                           _clinicians(curbside, specialty, profession),
                           card_error=str(exc), status=status)
    query = _view_query(request)
    return RedirectResponse(f"/insights/themes/{theme_id}{'?' if query else ''}{query}#cards",
                            status_code=303)


class RootCauseIn(BaseModel):
    """A root-cause reading: percent per cause (summing to 100), the education decision and
    why (required unless go), and notes."""

    shares: dict[str, float] = Field(description="Percent per cause: " + ", ".join(
        root_cause.CAUSES) + "; 0-100 each, summing to 100.")
    decision: str = Field(description="go, partial or no_go.")
    reason: str = Field("", description="Why; required for partial and no_go.")
    notes: str = Field("", description="Free notes (PHI-scrubbed when saved).")


@api.post("/themes/{theme_id}/root-cause", status_code=201)
def api_record_root_cause(theme_id: str, body: RootCauseIn, curbside: CurbsideDep,
                          user: PlannerDep) -> dict:
    """Append a root-cause reading to a theme (earlier readings stay in its history)."""
    try:
        return _record(curbside, user, theme_id, body.model_dump()).as_dict()
    except root_cause.RootCauseError as exc:
        raise HTTPException(422, str(exc)) from None


@api.get("/themes/{theme_id}/root-cause")
def api_root_cause_history(theme_id: str, curbside: CurbsideDep, user: PlannerDep) -> dict:
    """Every reading of a theme, newest first."""
    with Session(curbside.engine) as session:
        return {"theme_id": theme_id,
                "history": [r.as_dict() for r in root_cause.history(session, theme_id)]}


class CardRequestIn(BaseModel):
    """A draft-card request for a theme's gap."""

    title: str = Field("", description="Suggested card title (default: the theme label).")
    note: str = Field("", description="What the card should cover (PHI-scrubbed).")


@api.post("/themes/{theme_id}/card-request", status_code=201)
def api_request_card(theme_id: str, body: CardRequestIn, curbside: CurbsideDep,
                     user: PlannerDep, weeks: int = Weeks) -> dict:
    """Turn the theme's gap into a draft-card request for content authors."""
    try:
        made = _request_card(curbside, user, theme_id, _period(curbside, weeks, None, None),
                             title=body.title, note=body.note)
    except card_requests.AlreadyRequested as exc:
        raise HTTPException(409, str(exc)) from None
    except card_requests.CardRequestError as exc:
        raise HTTPException(422, str(exc)) from None
    return made.as_dict()


@api.get("/card-requests")
def api_card_requests(curbside: CurbsideDep, user: PlannerDep) -> dict:
    """Open draft-card requests, oldest first."""
    with Session(curbside.engine) as session:
        return {"requests": [r.as_dict() for r in card_requests.requests(session)]}

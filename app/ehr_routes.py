"""EHR entry points: HL7 Infobutton, SMART App Launch and CDS Hooks (thin routes).

Protocol work lives in `integrations/`; these routes read the request, call it, log the
question through the normal ask service (scrubbed, so it counts as a point-of-care
inquiry) and pick the response format.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.accounts import AccountError, User, open_session
from app.auth_pages import sign_in_checked
from app.auth_throttle import TooManyAttempts
from app.deps import SESSION_COOKIE, CurbsideDep, CurrentUserDep, SessionDep
from app.ehr_accounts import link_account, sign_in_from_ehr
from app.errors import BadQuestion
from app.pages import templates
from app.services import Curbside
from integrations import cds_hooks, feeds
from integrations.chart_cards import cards_for
from integrations.codes import CodeIndex, build_code_index
from integrations.errors import (
    BadEhrRequest,
    EhrUnavailable,
    IdentityRejected,
    IntegrationError,
    UnknownIssuer,
)
from integrations.infobutton import find_cards
from integrations.infobutton_request import (
    ATOM,
    HTML,
    JSON,
    JSONP,
    parse_request,
    response_type_of,
)
from integrations.models import parse_feedback
from integrations.patient import PatientFacts
from integrations.smart import SmartLauncher

router = APIRouter(tags=["ehr"])


def today(curbside: CurbsideDep) -> date:
    """The date cards are checked against: the settings clock, the one every other route
    uses (`CURBSIDE_FROZEN_DATE` freezes it); a dependency so a test can also override it."""
    return curbside.settings.today()


TodayDep = Annotated[date, Depends(today)]


def code_index(curbside: Curbside, day: date) -> CodeIndex:
    """Servable cards and their codes; rebuilt per request (a few hundred cards, < 1 ms)."""
    documents = (doc for doc, _ in curbside.searcher().documents.values())
    return build_code_index(documents, codes_file=curbside.settings.ehr.card_codes, today=day)


def base_url(request: Request, curbside: Curbside) -> str:
    return (curbside.settings.ehr.public_url or str(request.base_url)).rstrip("/")


@router.get("/infobutton", summary="HL7 Infobutton knowledge request (URL-based)")
def infobutton(request: Request, curbside: CurbsideDep, user: CurrentUserDep,
               session: SessionDep, day: TodayDep):
    """Cards for the concept in the chart, as an Atom feed (default), JSON, JSONP or HTML."""
    params = list(request.query_params.multi_items())
    try:
        parsed = parse_request(params)
    except BadEhrRequest as exc:
        kind, callback = response_type_of(params)
        return _infobutton_error(request, str(exc), kind, callback)
    result = find_cards(parsed, searcher=curbside.searcher(),
                        codes=code_index(curbside, day), today=day)
    outcome = curbside.ask(result.question, learner_id=user.id if user else None,
                           session=session)
    base = base_url(request, curbside)
    now = datetime.now(UTC)
    if parsed.response_type == ATOM:
        return Response(feeds.as_atom(result, base_url=base, now=now),
                        media_type="application/atom+xml; charset=utf-8")
    if parsed.response_type == JSON:
        return JSONResponse(feeds.as_json(result, base_url=base, now=now))
    if parsed.response_type == JSONP:
        body = feeds.as_jsonp(parsed.callback or "", feeds.as_json(result, base_url=base,
                                                                    now=now))
        return Response(body, media_type="application/javascript; charset=utf-8")
    answer = outcome.as_dict()
    return templates.TemplateResponse(request, "infobutton.html", {
        "result": result, "error": None, "outcome": answer, "demo": answer["demo"],
        "urls": [feeds.entry_url(e, base) for e in result.entries],
        "chips": PatientFacts(age_years=parsed.age_years, sex=parsed.sex).chips(),
    })


def _infobutton_error(request: Request, message: str, kind: str, callback: str | None):
    if kind == ATOM:
        return Response(feeds.atom_error(message), status_code=400,
                        media_type="application/atom+xml; charset=utf-8")
    if kind == JSONP and callback:
        return Response(feeds.as_jsonp(callback, {"error": message}), status_code=400,
                        media_type="application/javascript; charset=utf-8")
    if kind == HTML:
        return templates.TemplateResponse(request, "infobutton.html",
                                          {"error": message}, status_code=400)
    return JSONResponse({"error": message}, status_code=400)


# SMART App Launch -------------------------------------------------------------------------
def _launcher(request: Request) -> SmartLauncher:
    """One launcher per app: it holds the pending launches (state and PKCE verifier)."""
    state = request.app.state
    if getattr(state, "smart_launcher", None) is None:
        settings = state.curbside.settings
        state.smart_launcher = SmartLauncher(
            clients=settings.smart_clients, scopes=settings.ehr.smart_scopes,
            ttl_seconds=settings.ehr.smart_launch_ttl_seconds,
            timeout=settings.ehr.http_timeout_seconds,
        )
    return state.smart_launcher


LauncherDep = Annotated[SmartLauncher, Depends(_launcher)]
_STATUS = {UnknownIssuer: 403, EhrUnavailable: 502, IdentityRejected: 401}


def _smart_error(request: Request, exc: IntegrationError):
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    return templates.TemplateResponse(request, "smart.html", {"error": str(exc)},
                                      status_code=status)


@router.get("/smart/launch", summary="SMART App Launch (EHR launch)")
def smart_launch(request: Request, curbside: CurbsideDep, launcher: LauncherDep,
                 iss: str = "", launch: str = ""):
    """Redirect to the registered EHR's authorization endpoint (PKCE S256, state, scopes)."""
    redirect_uri = f"{base_url(request, curbside)}/smart/callback"
    try:
        url = launcher.authorize_url(iss=iss, launch=launch, redirect_uri=redirect_uri)
    except IntegrationError as exc:
        return _smart_error(request, exc)
    return RedirectResponse(url, status_code=302)


@router.get("/smart/callback", summary="SMART App Launch redirect URI")
def smart_callback(request: Request, curbside: CurbsideDep, launcher: LauncherDep,
                   session: SessionDep, day: TodayDep, state: str = "", code: str = "",
                   error: str = "", error_description: str = ""):
    """Exchange the code, sign the clinician in (the id_token's fhirUser), read the chart,
    open the chat with the patient's context."""
    if error:
        reason = f"The EHR refused the launch: {error_description or error}."
        return _smart_error(request, BadEhrRequest(reason))
    try:
        launch = launcher.complete(state=state, code=code, today=day)
    except IntegrationError as exc:
        return _smart_error(request, exc)
    chart = launch.chart
    cards = cards_for(chart.problems + chart.medications, codes=code_index(curbside, day),
                      patient=chart.patient, fitting_only=True)
    suggestions = [{"question": card.doc.title, "reason": f"on the chart: {card.concept.text}"}
                   for card in cards]
    chips = chart.patient.chips() + [c.text for c in chart.problems + chart.medications]
    outcome = None
    if launch.identity is not None:
        outcome = sign_in_from_ehr(session, launch.identity,
                                   unlinked=curbside.settings.ehr.smart_unlinked)
    context: dict = {"notice": outcome.notice if outcome else
                     "The EHR did not say who you are: questions are not credited."}
    if outcome and outcome.needs_link:
        context["link_ticket"] = launcher.hold_identity(launch.identity)
    elif outcome and outcome.user:
        context["notice"] = ("A Curbside account was created for you and linked to your "
                             "EHR login." if outcome.created else "")
        context["session_token"] = _sign_in(request, session, outcome.user)
    return _smart_page(request, curbside, chart.patient, chips=chips, suggestions=suggestions,
                       **context)


@router.post("/smart/link", summary="Link the EHR login to a Curbside account (sign in once)")
def smart_link(request: Request, curbside: CurbsideDep, launcher: LauncherDep,
               session: SessionDep, ticket: str = Form(""), email: str = Form(""),
               password: str = Form(""), age: str = Form(""), sex: str = Form(""),
               chip: Annotated[list[str], Form()] = (),
               suggestion: Annotated[list[str], Form()] = ()):
    """Sign in once with a password; the EHR login (iss, fhirUser) then signs in to this
    account at every launch. The page's patient context comes back in the form, as in
    `/smart/ask`; nothing of it is stored."""
    try:
        patient = _patient_from_form(age, sex)
        identity = launcher.held_identity(ticket)
    except BadEhrRequest as exc:
        return _smart_error(request, exc)
    carried = _carried(chip, suggestion)
    status = 401
    try:
        user = sign_in_checked(request, session, email, password)
        status = 403  # signed in, but this account may not be linked
        link_account(session, identity, user)
    except AccountError as exc:
        locked = isinstance(exc, TooManyAttempts)
        page = _smart_page(request, curbside, patient, link_ticket=ticket, link_email=email,
                           link_error=str(exc), status_code=429 if locked else status,
                           **carried)
        if locked:
            page.headers["retry-after"] = str(exc.retry_after)
        return page
    launcher.held_identity(ticket, consume=True)
    return _smart_page(request, curbside, patient, notice="Linked: from now on, launching "
                       "Curbside from the EHR signs you in.",
                       session_token=_sign_in(request, session, user), **carried)


def _sign_in(request: Request, session, user: User) -> str:
    """Open a session for `user` (the page rendered next shows them signed in); the
    cookie is set by `_smart_page`, the same as the sign-in form's."""
    request.state.current_user = user
    return open_session(session, user=user)


@router.post("/smart/ask", summary="Ask with the launched patient's age and sex as steering")
def smart_ask(request: Request, curbside: CurbsideDep, user: CurrentUserDep,
              session: SessionDep, question: str = Form(""), age: str = Form(""),
              sex: str = Form(""), chip: Annotated[list[str], Form()] = (),
              suggestion: Annotated[list[str], Form()] = ()):
    """The chat after a launch: age and sex travel in the form, steer the search and are
    dropped; the chips and suggestions come back only to be shown again. Only the
    scrubbed question is logged."""
    carried = _carried(chip, suggestion)
    try:
        patient = _patient_from_form(age, sex)
        outcome = curbside.ask(question, learner_id=user.id if user else None,
                               session=session, steer=patient.steer_text())
    except (BadQuestion, BadEhrRequest) as exc:
        return _smart_page(request, curbside, PatientFacts(), question=question,
                           ask_error=str(exc), status_code=422)
    answer = outcome.as_dict()
    return _smart_page(request, curbside, patient, question=question, outcome=answer,
                       demo=answer["demo"], **carried)


def _carried(chips, suggestions) -> dict:
    """The page's context as the form sent it back (bounded; shown, never stored)."""
    if not chips:
        return {}
    return {"chips": [c[:200] for c in chips[:40]],
            "suggestions": [{"question": q[:300], "reason": "on the chart"}
                            for q in suggestions[:20]]}


def _patient_from_form(age: str, sex: str) -> PatientFacts:
    try:
        years = float(age) if age.strip() else None
    except ValueError:
        raise BadEhrRequest("'age' must be a number of years.") from None
    if years is not None and not 0 <= years <= 130:
        raise BadEhrRequest("'age' is out of range.")
    if sex not in {"", "female", "male"}:
        raise BadEhrRequest("'sex' must be female or male.")
    return PatientFacts(age_years=years, sex=sex or None)


def _smart_page(request: Request, curbside: Curbside, patient: PatientFacts, *,
                chips: list[str] | None = None, status_code: int = 200,
                session_token: str | None = None, **context):
    page = templates.TemplateResponse(request, "smart.html", {
        "error": None, "settings": curbside.settings, "suggestions": [],
        "chips": chips if chips is not None else patient.chips(),
        "age": "" if patient.age_years is None else f"{patient.age_years:.2f}",
        "sex": patient.sex or "", **context,
    }, status_code=status_code)
    if session_token:
        page.set_cookie(SESSION_COOKIE, session_token, httponly=True, samesite="lax",
                        max_age=14 * 24 * 3600)
    return page


# CDS Hooks --------------------------------------------------------------------------------
@router.get("/cds-services", summary="CDS Hooks discovery")
def cds_discovery() -> dict:
    return cds_hooks.discovery()


@router.post("/cds-services/{service_id}", summary="CDS Hooks service call")
def cds_service(service_id: str, request: Request, curbside: CurbsideDep, day: TodayDep,
                body: Annotated[dict, Body()]):
    """Cards for the patient's coded problems (patient-view) or the selected drug
    (order-select), linking to Curbside; nothing of the request is kept."""
    try:
        return cds_hooks.respond(
            service_id, body, codes=code_index(curbside, day),
            base_url=base_url(request, curbside),
            renal_threshold=curbside.settings.ehr.renal_threshold_ml_min,
            smart_enabled=bool(curbside.settings.smart_clients), today=day,
        )
    except cds_hooks.UnknownService as exc:
        return JSONResponse({"detail": str(exc)}, status_code=404)
    except BadEhrRequest as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)


@router.post("/cds-services/{service_id}/feedback", summary="CDS Hooks card feedback")
def cds_feedback(service_id: str, session: SessionDep, body: Annotated[dict, Body()]):
    """Record accepted/overridden per card uuid (no patient, order or user is stored)."""
    if service_id not in cds_hooks.SERVICES:
        return JSONResponse({"detail": f"No CDS service {service_id!r}."}, status_code=404)
    try:
        records = parse_feedback(service_id, body)
    except ValueError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    session.add_all(records)
    session.commit()
    return {"recorded": len(records)}

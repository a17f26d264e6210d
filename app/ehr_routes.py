"""EHR entry points: HL7 Infobutton, SMART App Launch and CDS Hooks (thin routes).

Protocol work lives in `integrations/`; these routes read the request, call it, log the
question through the normal ask service (scrubbed, so it counts as a point-of-care
inquiry) and pick the response format.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from app.deps import CurbsideDep, CurrentUserDep, SessionDep
from app.pages import templates
from app.services import Curbside
from integrations import feeds
from integrations.codes import CodeIndex, build_code_index
from integrations.errors import BadEhrRequest
from integrations.infobutton import find_cards
from integrations.infobutton_request import (
    ATOM,
    HTML,
    JSON,
    JSONP,
    parse_request,
    response_type_of,
)
from integrations.patient import PatientFacts

router = APIRouter(tags=["ehr"])


def today() -> date:
    """The date cards are checked against; a dependency so tests can freeze it."""
    return date.today()


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

"""Content pages: browse and search cards, read one card, see how it changed."""

from __future__ import annotations

import difflib
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.deps import CurbsideDep
from app.pages import templates
from app.rendering import render_markdown
from retrieval.governance import review_history

router = APIRouter(include_in_schema=False)


@router.get("/content", response_class=HTMLResponse)
def content_list(
    request: Request, curbside: CurbsideDep, specialty: str = "", q: str = ""
):
    cards = curbside.content_cards()
    specialties = sorted({s for card in cards for s in card.specialty})
    if specialty:
        cards = [c for c in cards if specialty in c.specialty]
    if q.strip():
        wanted = q.lower().split()
        cards = [c for c in cards if all(w in f"{c.title} {c.text}".lower() for w in wanted)]
    return templates.TemplateResponse(
        request,
        "content_list.html",
        {"cards": cards, "specialties": specialties, "specialty": specialty, "q": q,
         "today": date.today()},
    )


@router.get("/content/{card_id}", response_class=HTMLResponse)
def content_card(request: Request, card_id: str, curbside: CurbsideDep, version: str = ""):
    versions = curbside.content_versions(card_id)
    if not versions:
        raise HTTPException(404, f"No card with id {card_id!r}.")
    chosen = next((v for v in versions if v[0] == version), versions[-1])
    digest, ingested_at, card = chosen
    return templates.TemplateResponse(
        request,
        "content_card.html",
        {
            "card": card,
            "body": render_markdown(card.text),
            "version": digest,
            "ingested_at": ingested_at,
            "latest": digest == versions[-1][0],
            "servable": card.is_servable(date.today()),
            "reviews": review_history(curbside.settings.content_dir, card_id),
        },
    )


@router.get("/content/{card_id}/history", response_class=HTMLResponse)
def content_history(request: Request, card_id: str, curbside: CurbsideDep):
    versions = curbside.content_versions(card_id)
    if not versions:
        raise HTTPException(404, f"No card with id {card_id!r}.")
    changes = []
    for (old_hash, _, old), (new_hash, when, new) in zip(versions, versions[1:], strict=False):
        diff = difflib.unified_diff(
            _as_lines(old), _as_lines(new), fromfile=old_hash, tofile=new_hash, lineterm=""
        )
        changes.append({"from": old_hash, "to": new_hash, "at": when, "diff": list(diff)})
    return templates.TemplateResponse(
        request,
        "content_history.html",
        {"card": versions[-1][2], "versions": versions, "changes": changes},
    )


def _as_lines(card) -> list[str]:
    meta = card.meta
    header = [f"title: {card.title}", f"status: {card.status}",
              f"review_due: {card.review_due}", f"reviewed_by: {meta.get('reviewed_by')}"]
    return header + [""] + card.text.splitlines()

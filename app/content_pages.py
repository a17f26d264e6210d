"""Content pages: browse and search cards, read one card, see how it changed."""

from __future__ import annotations

import difflib
from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from app.deps import CurbsideDep, CurrentUserDep, LearningDep
from app.learning import record_card_opened
from app.pages import templates
from app.rendering import render_markdown
from retrieval.browse import matching
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
        cards = matching(cards, q)
    site_docs = curbside.site_library.records()
    if q.strip():
        site_docs = [d for d in site_docs
                     if all(w in f"{d.title} {d.file_name}".lower() for w in q.lower().split())]
    return templates.TemplateResponse(
        request,
        "content_list.html",
        {"cards": cards, "specialties": specialties, "specialty": specialty, "q": q,
         "today": curbside.settings.today(), "site_docs": site_docs,
         "card_requests": _card_requests(curbside)},
    )


def _card_requests(curbside) -> list:
    """Open draft-card requests from planners (insights), without who made them."""
    from sqlmodel import Session

    from insights.card_requests import requests

    with Session(curbside.engine) as session:
        return requests(session)


@router.get("/site-docs/{doc_id}.pdf")
def site_document_pdf(doc_id: str, curbside: CurbsideDep):
    """The stored copy of a site's PDF, so a citation's `#page=N` link opens at the page."""
    record = curbside.site_library.record(doc_id)
    if record is None or record.kind != "pdf":
        raise HTTPException(404, f"No site PDF with id {doc_id!r}.")
    return FileResponse(curbside.site_library.file_path(record), media_type="application/pdf",
                        filename=record.file_name, content_disposition_type="inline")


def _site_document_page(request: Request, curbside, record):
    """A site document: provenance, review state, and every page or section, linkable."""
    documents = curbside.files.catalog().documents() if curbside.files.exists() else {}
    passages = []
    for item in record.passages:
        doc = documents.get(item["id"], (None, ""))[0]
        passages.append({**item, "anchor": item["url"].split("#", 1)[-1].replace("=", "-"),
                         "text": doc.text if doc else "", "version": documents.get(
                             item["id"], (None, ""))[1]})
    servable = record.status == "approved" and (
        record.review_due is None
        or date.fromisoformat(record.review_due) >= curbside.settings.today())
    return templates.TemplateResponse(
        request,
        "site_document.html",
        {"doc": record, "passages": passages, "servable": servable,
         "reviews": curbside.site_library.history(record.doc_id)},
    )


@router.get("/content/{card_id}", response_class=HTMLResponse)
def content_card(request: Request, card_id: str, curbside: CurbsideDep, user: CurrentUserDep,
                 learning: LearningDep, version: str = "",
                 from_: str = Query("", alias="from", max_length=64)):
    if from_ and user is not None:  # opened from an answer: a source consulted (step 2)
        record_card_opened(learning, user, inquiry_id=from_, card_id=card_id)
    record = curbside.site_library.record(card_id)
    if record is not None:
        return _site_document_page(request, curbside, record)
    versions = curbside.content_versions(card_id)
    if not versions:
        raise HTTPException(404, f"No card with id {card_id!r}.")
    chosen = next((v for v in versions if v[0] == version), versions[-1])
    digest, ingested_at, card = chosen
    if card.kind == "site" and not version:  # one page or section: show it in its document
        anchor = card.url.split("#", 1)[-1].replace("=", "-")
        return RedirectResponse(f"/content/{card.meta['site_doc']}#{anchor}", status_code=303)
    return templates.TemplateResponse(
        request,
        "content_card.html",
        {
            "card": card,
            "body": render_markdown(card.text),
            "version": digest,
            "ingested_at": ingested_at,
            "latest": digest == versions[-1][0],
            "servable": card.is_servable(curbside.settings.today()),
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

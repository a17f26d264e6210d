"""Answering an Infobutton request: coded cards first, then the display name searched.

A coded request matches cards by code (exact, or ICD-10-CM category). Only when no card
carries the code is the display name searched, through the same hybrid search and
abstention a typed question gets, so an uncovered concept gets an empty feed instead of
the nearest neighbour. Age and sex order sibling cards (paediatric vs adult).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from integrations.codes import SYSTEM_NAMES, CodeIndex
from integrations.infobutton_request import InfobuttonRequest
from integrations.patient import PatientFacts, order_for
from retrieval.abstention import abstain_reason
from retrieval.models import Document

MAX_ENTRIES = 5
_SEARCH_ENTRIES = 3  # a searched name returns the best card and close siblings, no more


class Searcher(Protocol):
    """The part of `retrieval.search.HybridSearcher` this module uses."""

    documents: dict

    def search(self, question, *, k: int, specialty: str | None = None,
               today: date | None = None): ...


@dataclass(frozen=True)
class Entry:
    """One matching card, as a feed entry."""

    doc: Document
    matched: str  # "code" or "name"
    codes: tuple[tuple[str, str], ...] = ()

    @property
    def summary(self) -> str:
        return str(self.doc.meta.get("learning_objective") or self.doc.text[:240])

    @property
    def updated(self) -> str | None:
        return self.doc.meta.get("last_reviewed")


@dataclass(frozen=True)
class InfobuttonResult:
    request: InfobuttonRequest
    entries: list[Entry]
    question: str  # what is logged (scrubbed) as the point-of-care inquiry
    abstain_reason: str | None = None
    extra: dict = field(default_factory=dict)


def find_cards(
    request: InfobuttonRequest, *, searcher: Searcher, codes: CodeIndex, today: date
) -> InfobuttonResult:
    """Cards answering the request, best first (at most `MAX_ENTRIES`)."""
    patient = PatientFacts(age_years=request.age_years, sex=request.sex)
    coded: list[Document] = []
    matched_codes: dict[str, list[tuple[str, str]]] = {}
    for criterion in request.criteria:
        if not (criterion.code and criterion.system):
            continue
        for doc in codes.match(criterion.system, criterion.code):
            if doc not in coded:
                coded.append(doc)
            matched_codes.setdefault(doc.id, []).append(
                (SYSTEM_NAMES[criterion.system], criterion.code))
    texts = [c.text for c in request.criteria if c.text]
    subtopic = request.subtopic.text if request.subtopic else None
    topic = " ".join(t for t in (texts[0] if texts else None, subtopic) if t)
    if coded:
        docs = order_for(patient, coded)[:MAX_ENTRIES]
        entries = [Entry(doc, "code", tuple(matched_codes[doc.id])) for doc in docs]
        return InfobuttonResult(request, entries, question=topic or docs[0].title)
    if not topic:
        first = request.criteria[0]
        name = SYSTEM_NAMES.get(first.system or "", first.system_oid or "code")
        return InfobuttonResult(request, [], question=f"{name} {first.code}",
                                abstain_reason="No vetted card carries this code.")
    query = f"{topic} {patient.steer_text()}".strip()
    result = searcher.search(query, k=_SEARCH_ENTRIES, today=today)
    reason = abstain_reason(result.coverage)
    if reason:
        return InfobuttonResult(request, [], question=topic, abstain_reason=reason)
    seen: list[str] = []
    for passage in result.passages:
        if passage.doc_id not in seen:
            seen.append(passage.doc_id)
    docs = [searcher.documents[doc_id][0] for doc_id in seen if doc_id in searcher.documents]
    return InfobuttonResult(request, [Entry(doc, "name") for doc in docs], question=topic)

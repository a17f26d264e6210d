"""Cards for what is on the chart: coded problems, medications and labs -> vetted cards.

Matching is by code only (no free-text search): a suggestion that appears unasked in the
EHR must be about something the chart actually holds, never a neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.codes import CodeIndex
from integrations.fhir_context import Concept
from integrations.patient import PatientFacts
from retrieval.models import Document


@dataclass(frozen=True)
class ChartCard:
    doc: Document
    concept: Concept  # the chart item that led to it


def cards_for(concepts: tuple[Concept, ...] | list[Concept], *, codes: CodeIndex,
              patient: PatientFacts, limit: int = 5,
              fitting_only: bool = False) -> list[ChartCard]:
    """Cards coded for any of the concepts, fitting cards first, each card once.

    `fitting_only` drops cards about another age group or sex: for suggestions shown
    unasked (a SMART launch), where a pregnancy card for a child is noise, not a choice.
    """
    found: list[ChartCard] = []
    for concept in concepts:
        for system, code in concept.codes:
            for doc in codes.match(system, code):
                if all(card.doc.id != doc.id for card in found):
                    found.append(ChartCard(doc, concept))
    found.sort(key=lambda card: -patient.fit(card.doc))
    if fitting_only:
        found = [card for card in found if patient.fit(card.doc) >= 0]
    return found[:limit]

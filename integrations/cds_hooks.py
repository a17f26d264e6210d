"""CDS Hooks service: `patient-view` and `order-select` cards pointing at vetted cards.

Cards come from codes only (problems, medications, selected orders), never from free-text
search, because a card that appears unasked in the EHR must be about something on the
chart. The one rule beyond codes: a selected drug whose card is about kidney function, for
a patient whose latest eGFR or creatinine clearance is below the threshold, leads with a
warning card. Nothing from the request is stored; feedback records only the card's uuid
and the clinician's outcome.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from integrations import fhir_context
from integrations.chart_cards import ChartCard, cards_for
from integrations.codes import SYSTEMS_BY_OID, CodeIndex
from integrations.errors import BadEhrRequest, IntegrationError
from integrations.fhir_context import Concept, LabValue
from integrations.patient import PatientFacts

MAX_CARDS = 3
SUMMARY_LIMIT = 140
RENAL_LOINC = frozenset({"33914-3", "62238-1", "98979-8", "2164-2", "48642-3", "48643-3",
                         "88293-6", "88294-4", "35591-7"})
_OID_BY_SYSTEM = {system: oid for oid, system in SYSTEMS_BY_OID.items()}
_PID = "{{context.patientId}}"
SERVICES = {
    "curbside-patient-view": {
        "hook": "patient-view",
        "title": "Curbside: vetted cards for this patient's problems and medications",
        "description": "Links to Curbside's vetted point-of-care cards for the patient's "
                       "coded active problems and medications.",
        "prefetch": {
            "patient": f"Patient/{_PID}",
            "conditions": f"Condition?patient={_PID}&clinical-status=active",
            "medications": f"MedicationRequest?patient={_PID}&status=active",
        },
    },
    "curbside-order-select": {
        "hook": "order-select",
        "title": "Curbside: dosing and safety cards for the drug being ordered",
        "description": "Links to Curbside's vetted cards for the selected medication; leads "
                       "with renal dosing when kidney function is low.",
        "prefetch": {
            "patient": f"Patient/{_PID}",
            "labs": f"Observation?patient={_PID}&category=laboratory&_sort=-date&_count=20",
        },
    },
}


class UnknownService(IntegrationError):
    """No CDS service with this id: 404."""


def discovery() -> dict:
    return {"services": [{"id": sid, **spec} for sid, spec in SERVICES.items()]}


def respond(service_id: str, body: dict, *, codes: CodeIndex, base_url: str,
            renal_threshold: float, smart_enabled: bool, today) -> dict:
    """The CDS Hooks response (`{"cards": [...]}`) for one hook call."""
    spec = SERVICES.get(service_id)
    if spec is None:
        raise UnknownService(f"No CDS service {service_id!r}; see GET /cds-services.")
    context, prefetch = _validate(spec["hook"], body)
    patient = (fhir_context.patient_facts(prefetch["patient"], today=today)
               if prefetch.get("patient") else PatientFacts())
    if spec["hook"] == "patient-view":
        concepts = (fhir_context.problems(prefetch.get("conditions"))
                    + fhir_context.medications(prefetch.get("medications")))
        found = cards_for(concepts, codes=codes, patient=patient, limit=MAX_CARDS)
        low_renal = None
    else:
        concepts = _selected_orders(context)
        found = cards_for(concepts, codes=codes, patient=patient, limit=MAX_CARDS)
        low_renal = _low_kidney_function(fhir_context.labs(prefetch.get("labs")),
                                         renal_threshold)
    cards = []
    for card in found:
        renal = low_renal is not None and bool(codes.codes_of(card.doc.id).get("loinc", set())
                                               & RENAL_LOINC)
        cards.append(_card(card, body["hookInstance"], base_url=base_url,
                           renal=low_renal if renal else None, smart=smart_enabled))
    cards.sort(key=lambda c: c["indicator"] != "warning")
    return {"cards": cards}


def _validate(hook: str, body: dict) -> tuple[dict, dict]:
    if body.get("hook") != hook:
        raise BadEhrRequest(f"This service answers the '{hook}' hook, not "
                            f"{body.get('hook')!r}.")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise BadEhrRequest("'hookInstance' is required.")
    context = body.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("patientId"), str):
        raise BadEhrRequest("'context.patientId' is required.")
    if hook == "order-select":
        if not isinstance(context.get("selections"), list):
            raise BadEhrRequest("'context.selections' must be a list of order references.")
        if not isinstance(context.get("draftOrders"), dict):
            raise BadEhrRequest("'context.draftOrders' must be a FHIR Bundle.")
    prefetch = body.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        raise BadEhrRequest("'prefetch' must be an object.")
    return context, prefetch


def _selected_orders(context: dict) -> tuple[Concept, ...]:
    """The selected draft medication orders (all draft orders when none is selected)."""
    entries = context["draftOrders"].get("entry") or []
    wanted = {str(s) for s in context["selections"]}
    chosen = [e.get("resource") for e in entries if isinstance(e, dict)
              and isinstance(e.get("resource"), dict)
              and (not wanted or f"{e['resource'].get('resourceType')}/"
                   f"{e['resource'].get('id')}" in wanted)]
    return fhir_context.medications(chosen)


def _low_kidney_function(labs: tuple[LabValue, ...], threshold: float) -> LabValue | None:
    """The first (latest) eGFR or creatinine clearance, if below the threshold."""
    for lab in labs:
        if any(system == "loinc" and code in RENAL_LOINC for system, code in lab.concept.codes):
            return lab if lab.value < threshold else None
    return None


def _card(card: ChartCard, hook_instance: str, *, base_url: str, renal: LabValue | None,
          smart: bool) -> dict:
    concept = card.concept
    if renal is not None:
        summary = (f"{concept.text}: {renal.concept.text} {renal.value:g} {renal.unit}. "
                   f"Check the renal dose: {card.doc.title}")
    else:
        summary = f"Curbside: {card.doc.title}"
    system, code = concept.codes[0] if concept.codes else (None, None)
    query = {"mainSearchCriteria.v.dn": concept.text, "knowledgeResponseType": "text/html"}
    if system:
        query = {"mainSearchCriteria.v.c": code,
                 "mainSearchCriteria.v.cs": _OID_BY_SYSTEM[system], **query}
    links = [{"label": "Open the vetted card in Curbside",
              "url": f"{base_url}/infobutton?{urlencode(query)}", "type": "absolute"}]
    if smart:
        links.append({"label": "Open Curbside with this patient's context",
                      "url": f"{base_url}/smart/launch", "type": "smart"})
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}|{card.doc.id}")),
        "summary": _shorten(summary),
        "indicator": "warning" if renal is not None else "info",
        "detail": str(card.doc.meta.get("learning_objective") or ""),
        "source": {"label": "Curbside (vetted point-of-care cards)", "url": base_url},
        "links": links,
    }


def _shorten(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2].rstrip() + "…"

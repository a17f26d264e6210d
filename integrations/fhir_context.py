"""What a chart says about the patient, read from FHIR R4 resources (SMART reads, CDS Hooks
prefetch) and validated with `fhir.resources`.

Only what steers the choice of card is kept: age, sex, coded problems, medications and
kidney-function or other lab values. These objects live for one request and are never
written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from integrations.codes import SYSTEMS_BY_URI
from integrations.errors import BadEhrRequest
from integrations.patient import PatientFacts

_ACTIVE_CONDITION = {"active", "recurrence", "relapse"}
_LIVE_ORDERS = {"active", "draft", "on-hold"}


@dataclass(frozen=True)
class Concept:
    """A problem, medication or lab as the chart names and codes it."""

    text: str
    codes: tuple[tuple[str, str], ...] = ()  # (card-codes system key, code)


@dataclass(frozen=True)
class LabValue:
    concept: Concept
    value: float
    unit: str


@dataclass(frozen=True)
class ChartContext:
    patient: PatientFacts
    problems: tuple[Concept, ...] = ()
    medications: tuple[Concept, ...] = ()
    labs: tuple[LabValue, ...] = ()


def _parse(model, data: object, what: str):
    if not isinstance(data, dict):
        raise BadEhrRequest(f"{what} must be a FHIR JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "resource"
        raise BadEhrRequest(f"{what} is not a valid FHIR {model.__name__} "
                            f"({where}: {first.get('msg')}).") from None


def _resources(data: object, kind: str, what: str) -> list[dict]:
    """Resources of `kind` in a Bundle (searchset), or a single resource, or a list."""
    if data is None:
        return []
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)
                and item.get("resourceType") == kind]
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        bundle = _parse(Bundle, data, what)
        return [entry.resource.model_dump(mode="json", by_alias=True)
                for entry in bundle.entry or [] if entry.resource is not None
                and entry.resource.get_resource_type() == kind]
    if isinstance(data, dict) and data.get("resourceType") == kind:
        return [data]
    raise BadEhrRequest(f"{what} must be a FHIR Bundle of {kind} resources.")


def _concept(codeable) -> Concept | None:
    if codeable is None:
        return None
    codes = []
    names = []
    for coding in codeable.coding or []:
        system = SYSTEMS_BY_URI.get(str(coding.system or ""))
        if system and coding.code:
            codes.append((system, str(coding.code)))
        if coding.display:
            names.append(str(coding.display))
    text = codeable.text or (names[0] if names else None)
    if not text and not codes:
        return None
    return Concept(text=str(text or codes[0][1]), codes=tuple(codes))


def patient_facts(data: object, *, today: date) -> PatientFacts:
    patient = _parse(Patient, data, "Patient")
    age = None
    if patient.birthDate is not None:
        born = patient.birthDate if isinstance(patient.birthDate, date) else None
        if born is None:  # partial dates ("1990", "1990-04"): the first day they allow
            parts = [int(p) for p in str(patient.birthDate).split("-")] + [1, 1]
            born = date(parts[0], parts[1], parts[2])
        age = max((today - born).days / 365.25, 0.0)
    sex = patient.gender if patient.gender in {"female", "male"} else None
    return PatientFacts(age_years=age, sex=sex)


def problems(data: object) -> tuple[Concept, ...]:
    """Active conditions (a condition without a clinical status counts as active)."""
    found = []
    for raw in _resources(data, "Condition", "conditions"):
        condition = _parse(Condition, raw, "Condition")
        status = condition.clinicalStatus.coding[0].code if (
            condition.clinicalStatus and condition.clinicalStatus.coding) else "active"
        concept = _concept(condition.code)
        if status in _ACTIVE_CONDITION and concept:
            found.append(concept)
    return tuple(found)


def medications(data: object) -> tuple[Concept, ...]:
    """Active, draft or on-hold medication requests (draft: an order being written)."""
    found = []
    for raw in _resources(data, "MedicationRequest", "medications"):
        request = _parse(MedicationRequest, raw, "MedicationRequest")
        concept = _concept(request.medicationCodeableConcept)
        if request.status in _LIVE_ORDERS and concept:
            found.append(concept)
    return tuple(found)


def labs(data: object) -> tuple[LabValue, ...]:
    """Numeric lab results, newest first as the EHR sent them."""
    found = []
    for raw in _resources(data, "Observation", "labs"):
        observation = _parse(Observation, raw, "Observation")
        quantity = observation.valueQuantity
        concept = _concept(observation.code)
        if concept and quantity is not None and quantity.value is not None:
            found.append(LabValue(concept, float(quantity.value), str(quantity.unit or "")))
    return tuple(found)

"""Settings of the EHR integrations (a nested group of the one `Settings` object)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DEFAULT_CARD_CODES = Path(__file__).parent / "card_codes.yaml"
SMART_SCOPES = (
    "launch openid fhirUser patient/Patient.rs patient/Condition.rs "
    "patient/MedicationRequest.rs"
)


class EhrSettings(BaseModel):
    """How Curbside answers Infobutton, SMART App Launch and CDS Hooks requests."""

    card_codes: Path = Field(
        DEFAULT_CARD_CODES,
        description="YAML file mapping card id -> codes (icd10cm, snomed, rxnorm, loinc), "
        "merged with codes in card front matter.",
    )
    public_url: str | None = Field(
        None,
        description="Base URL the EHR reaches Curbside at (behind a proxy); unset means the "
        "URL of the incoming request. Used for the SMART redirect URI and CDS Hooks links.",
    )
    smart_scopes: str = Field(SMART_SCOPES, description="Scopes requested at SMART launch.")
    smart_unlinked: Literal["link", "create"] = Field(
        "link",
        description="A SMART launch by a clinician (the id_token's fhirUser) not yet linked "
        "to a Curbside account: 'link' offers to sign in once to an existing learner account "
        "and links it; 'create' creates a learner account for them and links it.",
    )
    smart_launch_ttl_seconds: int = Field(
        600, ge=30, le=3600,
        description="How long a started SMART launch waits for the EHR's callback.",
    )
    http_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="Timeout of each call to an EHR (configuration, token, "
        "FHIR reads).",
    )
    renal_threshold_ml_min: float = Field(
        60.0, gt=0, le=200,
        description="CDS Hooks: an eGFR or creatinine clearance below this leads with the "
        "card on renal dosing of the selected drug.",
    )

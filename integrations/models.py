"""Records of the EHR integrations.

CDS Hooks feedback: what clinicians did with a card (accepted or overridden); only the
card's uuid, the service, the outcome and the override reason are kept: no patient, no
order, no user.

SMART account links: which Curbside account an EHR's clinician (iss, fhirUser) signs in
to; nothing of any patient.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class CdsFeedback(SQLModel, table=True):
    __tablename__ = "cds_feedback"

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    service_id: str = Field(index=True)
    card: str = Field(index=True, description="The uuid of the card the feedback is about.")
    outcome: str = Field(description="accepted | overridden")
    override_reason: str | None = Field(None, description="The EHR's coded reason, if any.")
    outcome_at: str | None = Field(None, description="outcomeTimestamp as sent by the EHR.")
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class EhrLink(SQLModel, table=True):
    """One EHR user (the SMART id_token's fhirUser at one FHIR server) linked to one Curbside
    account; a user may be linked from several EHRs."""

    __tablename__ = "ehr_link"
    __table_args__ = (UniqueConstraint("iss", "fhir_user", name="uq_ehr_link_identity"),)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    iss: str = Field(description="The registered FHIR server the launch came from.")
    fhir_user: str = Field(description="The id_token's fhirUser, e.g. Practitioner/123.")
    user_id: str = Field(index=True, description="The linked Curbside account.")
    how: str = Field(description="linked (signed in once) | created (new account)")
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def parse_feedback(service_id: str, body: dict) -> list[CdsFeedback]:
    """Validate a feedback body; raise ValueError with a plain reason."""
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise ValueError("'feedback' must be a non-empty list.")
    records = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("card"), str):
            raise ValueError("each feedback item needs its 'card' uuid.")
        if item.get("outcome") not in {"accepted", "overridden"}:
            raise ValueError("'outcome' must be 'accepted' or 'overridden'.")
        reason = item.get("overrideReason") or {}
        code = (reason.get("reason") or {}).get("code") if isinstance(reason, dict) else None
        records.append(CdsFeedback(
            service_id=service_id, card=item["card"][:64], outcome=item["outcome"],
            override_reason=str(code)[:64] if code else None,
            outcome_at=str(item.get("outcomeTimestamp"))[:40]
            if item.get("outcomeTimestamp") else None,
        ))
    return records

"""Inquiry records: every question asked, stored scrubbed, as a potential learning episode.

SQLModel family per DESIGN.md: `InquiryBase` (shared fields), `Inquiry` (table) and
`InquiryPublic` (what the API returns). Citations keep the content version (hash) of each
cited document so the episode shows exactly what the clinician read.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlmodel import JSON, Column, Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class CitedSource(BaseModel):
    """A cited document as recorded with the inquiry."""

    doc_id: str
    title: str
    url: str
    version: str
    score: float


class InquiryBase(SQLModel):
    question: str = Field(description="The question after PHI scrubbing.")
    answer: str = ""
    abstained: bool = False
    abstain_reason: str | None = None
    mode: str = "extractive"
    latency_ms: float = 0.0


class Inquiry(InquiryBase, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    learner_id: str | None = Field(default=None, index=True)
    origin: str = Field(
        default="web", index=True, sa_column_kwargs={"server_default": "web"},
        description="web | api | ehr | eval | demo: insights and credit read clinicians' own.",
    )
    citations: list[dict] = Field(default_factory=list, sa_column=Column(JSON))
    signals: dict = Field(default_factory=dict, sa_column=Column(JSON))
    phi_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class InquiryPublic(InquiryBase):
    id: str
    created_at: datetime
    learner_id: str | None
    citations: list[CitedSource]
    phi_kinds: list[str]

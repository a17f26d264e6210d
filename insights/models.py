"""Tables of the insights package: themes and each inquiry's embedding and theme.

Themes are derived data (rebuilt from the inquiry log at any time), but their ids are
what planners bookmark and record decisions against, so a theme that persists across a
rebuild keeps its id and one that disappears is kept inactive rather than deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, LargeBinary
from sqlmodel import JSON, Column, Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class Theme(SQLModel, table=True):
    __tablename__ = "insight_theme"

    id: str = Field(primary_key=True, description="Stable id, e.g. t3f9a02c1.")
    label: str = Field(description="The top characteristic terms, joined.")
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    cards: list[dict] = Field(default_factory=list, sa_column=Column(JSON),
                              description="Cards the member inquiries cited: doc_id, title, n.")
    near_cards: list[dict] = Field(default_factory=list, sa_column=Column(JSON),
                                   description="Closest cards to the theme (for gaps).")
    centroid: bytes = Field(sa_column=Column(LargeBinary, nullable=False),
                            description="Unit-length float32 mean of member embeddings.")
    size: int = 0
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))


class ThemeInquiry(SQLModel, table=True):
    __tablename__ = "insight_inquiry"

    inquiry_id: str = Field(primary_key=True)
    theme_id: str | None = Field(default=None, index=True)
    similarity: float = Field(default=0.0, description="Cosine to the theme centroid.")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False),
                          description="Embedding of the scrubbed question (float32).")
    model: str = Field(description="Encoder fingerprint; another encoder means re-embed.")

"""Tables of the insights package: themes and each inquiry's embedding and theme.

Themes are derived data (rebuilt from the inquiry log at any time), but their ids are
what planners bookmark and record decisions against, so a theme that persists across a
rebuild keeps its id and one that disappears is kept inactive rather than deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, LargeBinary
from sqlmodel import JSON, Column, Field, SQLModel

from credit_capture.models import Inquiry


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


# The facts a planner page counts, in the order of the two covering indexes below.
FACTS = ("created_at", "learner_id", "abstained", "decision_score", "origin")


class ThemeInquiry(SQLModel, table=True):
    """An inquiry's embedding and theme, and the few facts of it the planner pages count.

    The facts (when, who, abstained, decision score, origin) are copied from the inquiry
    when it is embedded (`store.save_vectors`; migration 0012 for older rows). The app
    never edits an inquiry; one edited by hand is copied again on the next page view
    (`store.facts_in_step`). With them the pages count a period's questions per theme,
    clinician and week from an index of this table alone: reading the inquiry rows
    (question, answer, citations, the score inside a JSON column) cost most of a page at
    50,000 inquiries. A fact table of its own was the alternative; this row already
    exists once per embedded inquiry, comes and goes with it and holds the theme the
    counts group by, so there is no second table to keep in step.
    """

    __tablename__ = "insight_inquiry"
    __table_args__ = (
        Index("ix_insight_inquiry_theme_inquiry", "theme_id", "inquiry_id"),
        # covering: a page's join from an inquiry to its theme, and "embedded by this
        # encoder?", never read the row with its embedding
        Index("ix_insight_inquiry_inquiry_model_theme", "inquiry_id", "model", "theme_id"),
        # covering: a period's counts (dashboard) and one theme's (drill-down); with the
        # id, their reflections and example questions too
        Index("ix_insight_inquiry_period_facts", "created_at", "theme_id", *FACTS[1:],
              "inquiry_id"),
        Index("ix_insight_inquiry_theme_facts", "theme_id", *FACTS, "inquiry_id"),
        # covering, in the order of the per-(theme, clinician) count: a long period's
        # count reads it through instead of sorting its rows (`store.tallies`)
        Index("ix_insight_inquiry_theme_clinician", "theme_id", "learner_id", "created_at",
              "abstained", "decision_score", "origin"),
        # covering, by inquiry: a long period's reflections find their question's facts
        # (`store.selection_outcomes`)
        Index("ix_insight_inquiry_reflected", "inquiry_id", "origin", "created_at",
              "learner_id", "abstained"),
    )

    inquiry_id: str = Field(primary_key=True)
    theme_id: str | None = Field(default=None, index=True)
    similarity: float = Field(default=0.0, description="Cosine to the theme centroid.")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False),
                          description="Embedding of the scrubbed question (float32).")
    model: str = Field(description="Encoder fingerprint; another encoder means re-embed.")
    # copies of the inquiry's facts (None only on a row written without them)
    created_at: datetime | None = Field(default=None, description="When it was asked.")
    learner_id: str | None = Field(default=None, description="Opaque clinician id.")
    abstained: bool | None = None
    decision_score: float | None = Field(default=None, description="signals.decision_score.")
    origin: str | None = Field(default=None, description="web, api, ehr or demo.")


# The planner pages read a period's clinician questions (origin, then the date range) at
# 50,000 inquiries; the index is on credit_capture's table but exists for insights.
INQUIRY_PERIOD_INDEX = Index("ix_inquiry_origin_created_at", Inquiry.__table__.c.origin,
                             Inquiry.__table__.c.created_at)
# ...and lists their ids from the index alone ("anything not yet embedded?" on every page
# view): a row carries the question, answer and citations. (It was made to count them per
# week, theme and clinician; ThemeInquiry's facts do that since migration 0012.)
INQUIRY_COUNTS_INDEX = Index("ix_inquiry_origin_created_learner", Inquiry.__table__.c.origin,
                             Inquiry.__table__.c.created_at, Inquiry.__table__.c.learner_id,
                             Inquiry.__table__.c.abstained, Inquiry.__table__.c.id)


class RootCause(SQLModel, table=True):
    """One planner's reading of why a theme's gap exists and whether education is the
    answer. Never updated: a new reading is a new row, so the history (who, when) stays."""

    __tablename__ = "insight_root_cause"

    id: int | None = Field(default=None, primary_key=True)
    theme_id: str = Field(index=True)
    shares: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False),
                         description="Percent of the gap per cause (root_cause.CAUSES), "
                         "summing to 100.")
    decision: str = Field(description="go, partial or no_go: is education the intervention?")
    reason: str = Field(default="", description="Why; required for partial and no_go.")
    notes: str = Field(default="", description="Free notes, PHI-scrubbed when saved.")
    recorded_by: str = Field(description="User id of the planner who recorded it.")
    recorded_by_email: str = Field(description="Who, as shown in the history and exports.")
    recorded_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))


class CardRequest(SQLModel, table=True):
    """A planner's request for a new draft card to close a theme's content gap; authors
    see it in `curbside content requests` and on the content pages."""

    __tablename__ = "insight_card_request"

    id: int | None = Field(default=None, primary_key=True)
    theme_id: str = Field(index=True)
    title: str = Field(description="Suggested card title (the theme's label by default).")
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    near_cards: list[dict] = Field(default_factory=list, sa_column=Column(JSON),
                                   description="Closest existing cards when requested.")
    questions: int = Field(default=0, description="Theme questions when requested.")
    gaps: int = Field(default=0, description="Unanswered or low-confidence questions then.")
    note: str = Field(default="", description="What the card should cover (PHI-scrubbed).")
    status: str = Field(default="open", index=True, description="open or done.")
    requested_by: str = Field(description="User id of the planner.")
    requested_by_email: str = Field(description="Who, as shown to content authors.")
    requested_at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True))
    card_id: str | None = Field(default=None, index=True,
                                description="The card that answers the request, once written.")
    card_title: str = Field(default="", description="Its title when the request was closed.")
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True),
                                       description="When the card closed the request: the "
                                       "theme's questions after it show whether the gap closed.")
    closed_by: str = Field(default="", description="Who closed it (an author or planner).")

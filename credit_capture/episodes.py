"""Learning episodes and reflections: steps (1)-(3) of the point-of-care learning cycle.

A signed-in learner's inquiry opens an :class:`Episode` holding the question and the exact
sources shown (with content versions), so the record survives later edits to the cards.
Within the window the learner adds one :class:`Reflection` on application to practice;
only then can credit be claimed (:mod:`credit_capture.claims`). Reflections are never
edited or deleted: the claim rests on what was submitted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError, field_validator, model_validator
from sqlalchemy import DateTime
from sqlalchemy.exc import IntegrityError
from sqlmodel import JSON, Column, Field, Session, SQLModel, select

import privacy
from credit_capture import audit
from credit_capture.credit_errors import (
    AlreadyReflected,
    AnonymousInquiry,
    EpisodeNotFound,
    InvalidReflection,
    NotYourEpisode,
    SourcesRequired,
    WindowClosed,
)

EPISODE_STATUSES = ("open", "reflected", "claimed")
ANSWERED = ("yes", "partly", "no")
OUTCOMES = ("reinforced", "confirmed", "changed")
CHANGE_TYPES = (
    "drug_therapy",
    "tests",
    "referral",
    "monitoring",
    "prevention",
    "differential_diagnosis",
)
_SOURCE_KEYS = ("doc_id", "title", "url", "version", "score")


def _uuid() -> str:
    return uuid.uuid4().hex


def utc_now(now: datetime | None = None) -> datetime:
    """``now`` (tests pass a fixed clock) or the current time, always aware UTC."""
    return audit.as_utc(now) if now is not None else datetime.now(UTC)


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


# ---------------------------------------------------------------- episodes


class EpisodeBase(SQLModel):
    learner_id: str = Field(index=True)
    question: str = Field(description="The scrubbed question, copied from the inquiry.")
    abstained: bool = False
    status: str = Field(default="open", index=True, description="open | reflected | claimed")


class Episode(EpisodeBase, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True)
    inquiry_id: str = Field(unique=True, index=True)
    sources: list[dict] = Field(default_factory=list, sa_column=Column(JSON))
    asked_at: datetime = Field(sa_type=DateTime(timezone=True))
    opened_at: datetime = Field(sa_type=DateTime(timezone=True))
    due_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)


class EpisodePublic(EpisodeBase):
    id: str
    inquiry_id: str
    sources: list[dict]
    asked_at: datetime
    opened_at: datetime
    due_at: datetime


def open_episode(
    session: Session, *, inquiry: Any, window_days: int, now: datetime | None = None
) -> Episode:
    """The episode for ``inquiry`` (an Inquiry or any object with its attributes).

    Idempotent: asking to open the same inquiry twice returns the first episode.
    """
    if getattr(inquiry, "learner_id", None) is None:
        raise AnonymousInquiry(inquiry.id)
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    existing = session.exec(select(Episode).where(Episode.inquiry_id == inquiry.id)).first()
    if existing is not None:
        return existing
    opened = utc_now(now)
    asked = getattr(inquiry, "created_at", None)
    episode = Episode(
        inquiry_id=inquiry.id,
        learner_id=inquiry.learner_id,
        question=inquiry.question,
        abstained=bool(inquiry.abstained),
        sources=[{k: c[k] for k in _SOURCE_KEYS if k in c} for c in inquiry.citations or []],
        asked_at=audit.as_utc(asked) if asked else opened,
        opened_at=opened,
        due_at=opened + timedelta(days=window_days),
    )
    session.add(episode)
    try:
        session.flush()
        audit.record(
            session, actor=episode.learner_id, action="episode.opened", entity="episode",
            entity_id=episode.id, now=opened, commit=False,
            payload={"inquiry_id": inquiry.id, "due_at": episode.due_at,
                     "sources": [s.get("doc_id") for s in episode.sources],
                     "abstained": episode.abstained},
        )
        session.commit()
    except IntegrityError:  # opened concurrently by another request
        session.rollback()
        return session.exec(select(Episode).where(Episode.inquiry_id == inquiry.id)).one()
    session.refresh(episode)
    return episode


def get_episode(session: Session, *, episode_id: str, learner_id: str) -> Episode:
    """The learner's own episode; other learners' episodes raise NotYourEpisode."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise EpisodeNotFound(episode_id)
    if episode.learner_id != learner_id:
        raise NotYourEpisode(episode_id)
    return episode


def list_episodes(session: Session, *, learner_id: str) -> list[Episode]:
    stmt = select(Episode).where(Episode.learner_id == learner_id)
    return list(session.exec(stmt.order_by(Episode.opened_at.desc())))


def due_soon(
    session: Session, *, within_days: int = 7, now: datetime | None = None
) -> list[Episode]:
    """Open episodes (all learners) whose window closes within ``within_days``: reminders."""
    start = utc_now(now)
    stmt = select(Episode).where(
        Episode.status == "open",
        Episode.due_at >= start,
        Episode.due_at <= start + timedelta(days=within_days),
    )
    return list(session.exec(stmt.order_by(Episode.due_at)))


# ---------------------------------------------------------------- reflections


class ReflectionBase(SQLModel):
    reason: str = Field(description="Why the question arose.")
    answered: str = Field(description="yes | partly | no")
    outcome: str = Field(description="reinforced | confirmed | changed (management)")
    barriers: str | None = None
    free_text: str | None = None
    baseline_answer: int | None = Field(default=None, description="Self-test choice, before.")
    retention_answer: int | None = Field(default=None, description="Self-test choice, later.")


class ReflectionIn(ReflectionBase):
    """What the learner submits; validated with messages that name the field."""

    change_types: list[str] = Field(default_factory=list)
    own_sources: list[str] = Field(default_factory=list)

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("say briefly why the question arose")
        return v.strip()

    @field_validator("answered")
    @classmethod
    def _answered(cls, v: str) -> str:
        return _one_of(v, ANSWERED)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, v: str) -> str:
        return _one_of(v, OUTCOMES)

    @field_validator("change_types")
    @classmethod
    def _change_types(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(_one_of(t, CHANGE_TYPES) for t in v))

    @field_validator("barriers", "free_text")
    @classmethod
    def _optional_text(cls, v: str | None) -> str | None:
        return (v or "").strip() or None

    @field_validator("own_sources")
    @classmethod
    def _sources(cls, v: list[str]) -> list[str]:
        return [s.strip() for s in v if s and s.strip()]

    @field_validator("baseline_answer", "retention_answer")
    @classmethod
    def _choice(cls, v: int | None) -> int | None:
        if v is not None and v < 0:
            raise ValueError("must be a choice number (0 or more)")
        return v

    @model_validator(mode="after")
    def _change_needs_type(self) -> ReflectionIn:
        if self.outcome == "changed" and not self.change_types:
            raise ValueError(f"change_types: pick what changed ({', '.join(CHANGE_TYPES)})")
        return self

    def fields_touched(self) -> int:
        """How many form fields the learner filled (a friction measure)."""
        values = [self.reason, self.answered, self.outcome, self.change_types, self.barriers,
                  self.free_text, self.own_sources]
        return sum(bool(v) for v in values) + sum(
            v is not None for v in (self.baseline_answer, self.retention_answer)
        )


class Reflection(ReflectionBase, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True)
    episode_id: str = Field(unique=True, index=True, foreign_key="episode.id")
    learner_id: str = Field(index=True)
    change_types: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    own_sources: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    fields_touched: int = 0


class ReflectionPublic(ReflectionBase):
    id: str
    episode_id: str
    change_types: list[str]
    own_sources: list[str]
    created_at: datetime


def parse_reflection(data: ReflectionIn | Mapping[str, Any]) -> ReflectionIn:
    """Validate form data; InvalidReflection lists every problem as "field: message"."""
    raw = data.model_dump() if isinstance(data, ReflectionIn) else dict(data)
    try:
        return ReflectionIn.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            where = ".".join(str(p) for p in e["loc"] if not isinstance(p, int))
            problems.append(f"{where}: {msg}" if where else msg)
        raise InvalidReflection(problems) from exc


def get_reflection(session: Session, *, episode_id: str) -> Reflection | None:
    return session.exec(select(Reflection).where(Reflection.episode_id == episode_id)).first()


def record_reflection(
    session: Session,
    *,
    episode_id: str,
    learner_id: str,
    data: ReflectionIn | Mapping[str, Any],
    now: datetime | None = None,
    scrub: Callable[[str], str] | None = None,
) -> Reflection:
    """Store the learner's one reflection for an episode (step 3 of the cycle).

    ``scrub`` (e.g. the PHI scrubber's text function) is applied to the free-text fields
    and to the learner's own sources, because learners describe patients there just as they
    do in questions; without one, the rules-only scrubber is used.
    """
    form = parse_reflection(data)
    episode = get_episode(session, episode_id=episode_id, learner_id=learner_id)
    if episode.status != "open" or get_reflection(session, episode_id=episode_id):
        raise AlreadyReflected(episode_id)
    at = utc_now(now)
    if at > audit.as_utc(episode.due_at):
        raise WindowClosed(episode_id, f"{audit.as_utc(episode.due_at):%Y-%m-%d}", "reflect")
    if episode.abstained and not form.own_sources:
        raise SourcesRequired(episode_id)
    clean = scrub or privacy.scrub_text  # never store raw free text
    values = form.model_dump()
    for key in ("reason", "barriers", "free_text"):
        if values[key]:
            values[key] = clean(values[key])
    values["own_sources"] = [clean(source) for source in values["own_sources"]]
    reflection = Reflection(
        **values, episode_id=episode_id, learner_id=learner_id, created_at=at,
        fields_touched=form.fields_touched(),
    )
    episode.status = "reflected"
    session.add_all([reflection, episode])
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submission won
        session.rollback()
        raise AlreadyReflected(episode_id) from exc
    audit.record(
        session, actor=learner_id, action="reflection.recorded", entity="reflection",
        entity_id=reflection.id, now=at, commit=False,
        payload={"episode_id": episode_id, "answered": form.answered,
                 "outcome": form.outcome, "change_types": form.change_types,
                 "own_sources": len(form.own_sources)},
    )
    session.commit()
    session.refresh(reflection)
    return reflection

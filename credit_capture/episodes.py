"""Learning episodes and reflections: steps (1)-(3) of the point-of-care learning cycle.

A signed-in learner's inquiry opens an :class:`Episode` holding the question and the exact
sources shown (with content versions), so the record survives later edits to the cards.
Within the window the learner adds one :class:`Reflection` on application to practice;
only then can credit be claimed (:mod:`credit_capture.claims`). Reflections are never
edited or deleted: the claim rests on what was submitted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError, field_validator, model_validator
from sqlalchemy import DateTime
from sqlalchemy.exc import IntegrityError
from sqlmodel import JSON, Column, Field, Session, SQLModel, select

import privacy
from credit_capture import audit, reflection_text
from credit_capture.credit_errors import (
    AlreadyReflected,
    AnonymousInquiry,
    EpisodeNotFound,
    InvalidReflection,
    NotYourEpisode,
    SourcesNotOpened,
    SourcesRequired,
    WindowClosed,
)

EPISODE_STATUSES = ("open", "reflected", "claimed")
ANSWERED = ("yes", "partly", "no")
# The reflection follows the Information Assessment Method (IAM) for information sought
# at the point of care: relevance, cognitive impact, use for a patient, expected benefit.
RELEVANCE = ("totally", "partially", "not")
_ANSWERED_BY_RELEVANCE = {"totally": "yes", "partially": "partly", "not": "no"}
# IAM cognitive impact; "reinforced" is IAM's "I was reassured" (the planner insights have
# always counted reinforced/confirmed/changed).
OUTCOMES = ("changed", "learned", "confirmed", "reinforced", "recalled", "dissatisfied")
PATIENT_USE = ("yes", "done", "no")  # will use / already used / not for a patient
HEALTH_BENEFIT = ("yes", "no", "unsure")
SOURCE_VIAS = ("chip", "source", "card")  # citation expanded, source link, card page
CHANGE_TYPES = (
    "drug_therapy",
    "tests",
    "referral",
    "monitoring",
    "prevention",
    "differential_diagnosis",
)
_SOURCE_KEYS = ("doc_id", "title", "url", "version", "score", "demo")


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
    joined: list[str] = Field(
        default_factory=list, sa_column=Column(JSON),
        description="Later inquiries of the same question that joined this episode.",
    )
    opened: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON),
        description="Sources the learner opened: {doc_id, via, at}, first opening of each.",
    )


class EpisodePublic(EpisodeBase):
    id: str
    inquiry_id: str
    sources: list[dict]
    asked_at: datetime
    opened_at: datetime
    due_at: datetime
    joined: list[str]
    opened: list[dict]


def normalise_question(text: str) -> str:
    """Lower case, punctuation and word order ignored: 'Croup: dexamethasone dose?' and
    'dexamethasone dose croup' are the same question."""
    return " ".join(sorted(re.findall(r"[^\W_]+", text.lower())))


def find_repeat(
    session: Session,
    *,
    learner_id: str,
    question: str,
    since: datetime,
    similarity: Callable[[str, list[str]], list[float]] | None = None,
    threshold: float = 0.9,
) -> Episode | None:
    """The learner's episode, asked since ``since``, whose question is ``question`` again.

    Same normalised text first (no encoder needed); else the most similar earlier
    question by ``similarity`` (cosine of the scrubbed texts), if at or above ``threshold``.
    """
    stmt = select(Episode).where(Episode.learner_id == learner_id, Episode.asked_at >= since)
    candidates = list(session.exec(stmt.order_by(Episode.asked_at.desc())))
    if not candidates:
        return None
    key = normalise_question(question)
    for episode in candidates:
        if normalise_question(episode.question) == key:
            return episode
    if similarity is None:
        return None
    scores = similarity(question, [e.question for e in candidates])
    best = max(range(len(candidates)), key=lambda i: scores[i])
    return candidates[best] if scores[best] >= threshold else None


def open_episode(
    session: Session,
    *,
    inquiry: Any,
    window_days: int,
    now: datetime | None = None,
    duplicate_days: int = 0,
    similarity: Callable[[str, list[str]], list[float]] | None = None,
    threshold: float = 0.9,
) -> Episode:
    """The episode for ``inquiry`` (an Inquiry or any object with its attributes).

    Idempotent: asking to open the same inquiry twice returns the first episode. A repeat
    of a question the learner asked within ``duplicate_days`` joins that question's
    episode (its sources added), so one question is one cycle and earns credit once.
    """
    if getattr(inquiry, "learner_id", None) is None:
        raise AnonymousInquiry(inquiry.id)
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    existing = session.exec(select(Episode).where(Episode.inquiry_id == inquiry.id)).first()
    if existing is not None:
        return existing
    opened = utc_now(now)
    asked = audit.as_utc(inquiry.created_at) if getattr(inquiry, "created_at", None) else opened
    sources = [{k: c[k] for k in _SOURCE_KEYS if k in c} for c in inquiry.citations or []]
    if duplicate_days > 0:
        repeat = find_repeat(
            session, learner_id=inquiry.learner_id, question=inquiry.question,
            since=asked - timedelta(days=duplicate_days), similarity=similarity,
            threshold=threshold,
        )
        if repeat is not None:
            return _join(session, repeat, inquiry=inquiry, sources=sources, now=opened)
    episode = Episode(
        inquiry_id=inquiry.id,
        learner_id=inquiry.learner_id,
        question=inquiry.question,
        abstained=bool(inquiry.abstained),
        sources=sources,
        asked_at=asked,
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


def _join(
    session: Session, episode: Episode, *, inquiry: Any, sources: list[dict], now: datetime
) -> Episode:
    """Record ``inquiry`` as a repeat of ``episode``'s question; new sources are added."""
    if inquiry.id in episode.joined:
        return episode
    known = {s.get("doc_id") for s in episode.sources}
    added = [s for s in sources if s.get("doc_id") not in known]
    episode.joined = [*episode.joined, inquiry.id]
    episode.sources = [*episode.sources, *added]
    if episode.abstained and sources:
        episode.abstained = False  # the repeat was answered from vetted content
    session.add(episode)
    session.flush()
    audit.record(
        session, actor=episode.learner_id, action="episode.joined", entity="episode",
        entity_id=episode.id, now=now, commit=False,
        payload={"inquiry_id": inquiry.id, "sources_added": [s.get("doc_id") for s in added]},
    )
    session.commit()
    session.refresh(episode)
    return episode


def episode_for_inquiry(session: Session, *, inquiry_id: str, learner_id: str) -> Episode:
    """The learner's episode that ``inquiry_id`` opened or joined."""
    episode = session.exec(select(Episode).where(Episode.inquiry_id == inquiry_id)).first()
    if episode is None:  # a repeat: few episodes per learner, so scan theirs
        stmt = select(Episode).where(Episode.learner_id == learner_id)
        episode = next((e for e in session.exec(stmt) if inquiry_id in (e.joined or [])), None)
    if episode is None:
        raise EpisodeNotFound(inquiry_id)
    if episode.learner_id != learner_id:
        raise NotYourEpisode(episode.id)
    return episode


def record_opened(
    session: Session,
    *,
    inquiry_id: str,
    learner_id: str,
    doc_id: str,
    via: str,
    now: datetime | None = None,
) -> bool:
    """Step 2 of the cycle: the learner opened one of the answer's sources.

    Only the episode's own sources count; the first opening of each (source, way) is kept
    and audited. Returns whether anything new was recorded.
    """
    _one_of(via, SOURCE_VIAS)
    episode = episode_for_inquiry(session, inquiry_id=inquiry_id, learner_id=learner_id)
    if doc_id not in {s.get("doc_id") for s in episode.sources}:
        return False
    if any(o["doc_id"] == doc_id and o["via"] == via for o in episode.opened or []):
        return False
    at = utc_now(now)
    episode.opened = [*(episode.opened or []), {"doc_id": doc_id, "via": via,
                                                "at": at.isoformat(timespec="seconds")}]
    session.add(episode)
    session.flush()
    audit.record(
        session, actor=learner_id, action="episode.source_opened", entity="episode",
        entity_id=episode.id, now=at, commit=False,
        payload={"inquiry_id": inquiry_id, "doc_id": doc_id, "via": via},
    )
    session.commit()
    return True


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
    outcome: str = Field(description="IAM cognitive impact: " + " | ".join(OUTCOMES))
    relevance: str | None = Field(default=None, description="IAM: totally | partially | not")
    patient_use: str | None = Field(
        default=None, description="IAM use for a patient: yes (will) | done | no"
    )
    health_benefit: str | None = Field(
        default=None, description="IAM expected health benefit: yes | no | unsure"
    )
    practice_change: str | None = Field(
        default=None, description="What the learner will do or did differently, or why not."
    )
    barriers: str | None = None
    free_text: str | None = None
    baseline_answer: int | None = Field(default=None, description="Self-test choice, before.")
    retention_answer: int | None = Field(default=None, description="Self-test choice, later.")


def _typed(value: str | None, what: str, min_words: int) -> str:
    problem = reflection_text.problem(value, min_words=min_words)
    if problem:
        raise ValueError(f"{what}: {problem}")
    return value.strip()


class ReflectionIn(ReflectionBase):
    """What the learner submits; validated with messages that name the field.

    Nothing has a default a learner could submit unread: every choice must be made and
    the change to practice typed in the learner's own words.
    """

    answered: str | None = None  # derived from relevance when not given
    relevance: str
    patient_use: str
    practice_change: str
    change_types: list[str] = Field(default_factory=list)
    own_sources: list[str] = Field(default_factory=list)

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        return _typed(v, "say briefly why the question arose", 1)

    @field_validator("practice_change")
    @classmethod
    def _practice_change(cls, v: str) -> str:
        return _typed(v, "say what you will do or did differently, or why nothing changed",
                      3)

    @field_validator("relevance")
    @classmethod
    def _relevance(cls, v: str) -> str:
        return _one_of(v, RELEVANCE)

    @field_validator("answered")
    @classmethod
    def _answered(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, ANSWERED)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, v: str) -> str:
        return _one_of(v, OUTCOMES)

    @field_validator("patient_use")
    @classmethod
    def _patient_use(cls, v: str) -> str:
        return _one_of(v, PATIENT_USE)

    @field_validator("health_benefit")
    @classmethod
    def _health_benefit(cls, v: str | None) -> str | None:
        return _one_of(v, HEALTH_BENEFIT) if v else None

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
        kept = [s.strip() for s in v if s and s.strip()]
        for source in kept:
            if reflection_text.problem(source, min_words=1):
                raise ValueError(f"{source[:40]!r} does not name a source")
        return kept

    @field_validator("baseline_answer", "retention_answer")
    @classmethod
    def _choice(cls, v: int | None) -> int | None:
        if v is not None and v < 0:
            raise ValueError("must be a choice number (0 or more)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ReflectionIn:
        if self.answered is None:
            self.answered = _ANSWERED_BY_RELEVANCE[self.relevance]
        if self.outcome == "changed" and not self.change_types:
            raise ValueError(f"change_types: pick what changed ({', '.join(CHANGE_TYPES)})")
        if self.patient_use != "no" and not self.health_benefit:
            raise ValueError("health_benefit: say whether you expect a benefit for the patient")
        return self

    def fields_touched(self) -> int:
        """How many form fields the learner filled (a friction measure)."""
        values = [self.reason, self.relevance, self.outcome, self.patient_use,
                  self.health_benefit, self.practice_change, self.change_types,
                  self.barriers, self.free_text, self.own_sources]
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


_MISSING = {
    "reason": "say why the question arose",
    "relevance": f"choose how relevant it was ({', '.join(RELEVANCE)})",
    "outcome": f"choose what it did for you ({', '.join(OUTCOMES)})",
    "patient_use": f"choose whether you will use it for a patient ({', '.join(PATIENT_USE)})",
    "practice_change": "say what you will do or did differently, or why nothing changed",
}


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
            if e["type"] == "missing":
                msg = _MISSING.get(where, "answer this question")
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
    require_opened: bool = False,
) -> Reflection:
    """Store the learner's one reflection for an episode (step 3 of the cycle).

    ``scrub`` (e.g. the PHI scrubber's text function) is applied to the free-text fields
    and to the learner's own sources, because learners describe patients there just as they
    do in questions; without one, the rules-only scrubber is used. ``require_opened``: an
    answered question needs at least one source opened (step 2) first.
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
    if require_opened and not episode.abstained and not episode.opened:
        raise SourcesNotOpened(episode_id)
    clean = scrub or privacy.scrub_text  # never store raw free text
    values = form.model_dump()
    for key in ("reason", "practice_change", "barriers", "free_text"):
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
                 "outcome": form.outcome, "relevance": form.relevance,
                 "patient_use": form.patient_use, "health_benefit": form.health_benefit,
                 "change_types": form.change_types,
                 "own_sources": len(form.own_sources)},
    )
    session.commit()
    session.refresh(reflection)
    return reflection

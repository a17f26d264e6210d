"""Reads of the inquiry log for insights (read side of credit_capture) and theme writes.

Only clinicians' questions count: eval runs and benchmarks are never read. Demo rows
(`curbside demo seed`) are read so a fresh install shows a populated dashboard; they are
marked and removed by `curbside demo clear`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlmodel import Session

from credit_capture.episodes import Episode, Reflection
from credit_capture.models import Inquiry
from insights.models import Theme, ThemeInquiry

CLINICIAN_ORIGINS = ("web", "api", "ehr")
# `similarity` of an embedding not yet compared with the themes (a cosine is never below
# -1): between rebuilds only these are compared, not every question that stayed apart.
NOT_COMPARED = -2.0
READ_ORIGINS = (*CLINICIAN_ORIGINS, "demo")


@dataclass(frozen=True)
class Row:
    """One inquiry as insights see it: scrubbed text and facts, never an identity."""

    inquiry_id: str
    question: str
    created_at: datetime
    clinician: str | None  # an opaque learner id, only ever counted
    abstained: bool
    decision_score: float | None
    cited: tuple[tuple[str, str], ...]  # (doc_id, title) most relevant first
    theme_id: str | None


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def unembedded(session: Session, model: str) -> list[tuple[str, str]]:
    """(inquiry id, scrubbed question) of readable inquiries without a current embedding."""
    query = (
        select(Inquiry.id, Inquiry.question)
        .outerjoin(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id)
        .where(Inquiry.origin.in_(READ_ORIGINS))
        .where((ThemeInquiry.inquiry_id.is_(None)) | (ThemeInquiry.model != model))
        .order_by(Inquiry.id)
    )
    return [(i, q) for i, q in session.execute(query)]


def has_unembedded(session: Session, model: str) -> bool:
    """Whether any readable inquiry lacks an embedding from `model`. Every page view asks
    this first; an indexed probe per inquiry that stops at the first miss costs a few ms
    where listing them (`unembedded`) read every row at 50,000 inquiries."""
    embedded = (select(ThemeInquiry.inquiry_id)
                .where(ThemeInquiry.inquiry_id == Inquiry.id, ThemeInquiry.model == model))
    query = (select(Inquiry.id)
             .where(Inquiry.origin.in_(READ_ORIGINS), ~embedded.exists()).limit(1))
    return session.execute(query).first() is not None


def has_uncompared(session: Session) -> bool:
    """Whether an embedding waits to be compared with the themes (see NOT_COMPARED)."""
    query = (select(ThemeInquiry.inquiry_id)
             .where(ThemeInquiry.theme_id.is_(None), ThemeInquiry.similarity == NOT_COMPARED)
             .limit(1))
    return session.execute(query).first() is not None


def save_vectors(session: Session, items: list[tuple[str, np.ndarray]], model: str) -> None:
    """Store embeddings in bulk (a row per inquiry; an old encoder's row is replaced and
    its theme forgotten, as the vector it was matched on is gone)."""
    if not items:
        return
    ids = [i for i, _ in items]
    for start in range(0, len(ids), 500):
        session.execute(delete(ThemeInquiry).where(
            ThemeInquiry.inquiry_id.in_(ids[start:start + 500])))
    session.execute(insert(ThemeInquiry), [
        {"inquiry_id": i, "vector": to_bytes(v), "model": model, "theme_id": None,
         "similarity": NOT_COMPARED} for i, v in items])


def vectors(session: Session, *, unassigned_only: bool = False
            ) -> tuple[list[str], np.ndarray, list[str | None]]:
    """Ids (sorted), an (n, d) matrix and current theme ids of readable inquiries
    (`unassigned_only`: those not yet compared with the current themes)."""
    query = (
        select(ThemeInquiry.inquiry_id, ThemeInquiry.vector, ThemeInquiry.theme_id)
        .join(Inquiry, Inquiry.id == ThemeInquiry.inquiry_id)
        .where(Inquiry.origin.in_(READ_ORIGINS))
        .order_by(ThemeInquiry.inquiry_id)
    )
    if unassigned_only:
        query = query.where(ThemeInquiry.theme_id.is_(None),
                            ThemeInquiry.similarity == NOT_COMPARED)
    ids, blobs, themes = [], [], []
    for inquiry_id, blob, theme in session.execute(query):
        ids.append(inquiry_id)
        blobs.append(blob)
        themes.append(theme)
    matrix = (np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
              if ids else np.zeros((0, 0), dtype=np.float32))
    return ids, matrix, themes


def rows(session: Session, *, start: datetime | None = None, end: datetime | None = None,
         clinicians: set[str] | None = None) -> list[Row]:
    """Readable inquiries in [start, end), optionally of some clinicians only."""
    query = (
        select(Inquiry.id, Inquiry.question, Inquiry.created_at, Inquiry.learner_id,
               Inquiry.abstained, Inquiry.signals, Inquiry.citations, ThemeInquiry.theme_id)
        .outerjoin(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id)
        .where(Inquiry.origin.in_(READ_ORIGINS))
        .order_by(Inquiry.id)
    )
    if start is not None:
        query = query.where(Inquiry.created_at >= start)
    if end is not None:
        query = query.where(Inquiry.created_at < end)
    out = []
    for iid, question, created, learner, abstained, signals, citations, theme in \
            session.execute(query):
        if clinicians is not None and learner not in clinicians:
            continue
        score = (signals or {}).get("decision_score")
        cited = tuple((c.get("doc_id", ""), c.get("title", "")) for c in citations or [])
        out.append(Row(iid, question, created, learner, bool(abstained),
                       float(score) if score is not None else None, cited, theme))
    return out


@dataclass(frozen=True)
class Outcome:
    """The countable part of a reflection (its free text never leaves credit_capture)."""

    learner_id: str
    outcome: str
    change_types: list[str]
    barriers: bool


def outcomes(session: Session) -> dict[str, Outcome]:
    """Reflection outcome per inquiry id (the learner's report of what changed)."""
    query = (
        select(Episode.inquiry_id, Reflection.learner_id, Reflection.outcome,
               Reflection.change_types, Reflection.barriers)
        .join(Reflection, Reflection.episode_id == Episode.id)
        .join(Inquiry, Inquiry.id == Episode.inquiry_id)
        .where(Inquiry.origin.in_(READ_ORIGINS))
    )
    return {iid: Outcome(learner, outcome, list(changes or []), bool(barriers))
            for iid, learner, outcome, changes, barriers in session.execute(query)}


def active_themes(session: Session) -> list[Theme]:
    query = select(Theme).where(Theme.active.is_(True)).order_by(Theme.id)
    return list(session.execute(query).scalars())


def memberships(session: Session) -> dict[str, set[str]]:
    """Active theme id -> its inquiry ids (the previous run, for stable ids)."""
    query = (
        select(ThemeInquiry.theme_id, ThemeInquiry.inquiry_id)
        .where(ThemeInquiry.theme_id.is_not(None))
    )
    groups: dict[str, set[str]] = {}
    for theme_id, inquiry_id in session.execute(query):
        groups.setdefault(theme_id, set()).add(inquiry_id)
    return groups


def assign(session: Session, assignments: list[tuple[str, str | None, float]]) -> None:
    """Set (inquiry id, theme id, similarity) in bulk."""
    if not assignments:
        return
    session.execute(
        update(ThemeInquiry).execution_options(synchronize_session=False),
        [{"inquiry_id": i, "theme_id": t, "similarity": s} for i, t, s in assignments],
    )


def retire_all(session: Session) -> None:
    session.execute(update(Theme).values(active=False))
    session.execute(update(ThemeInquiry).values(theme_id=None, similarity=0.0))


def has_demo(session: Session) -> bool:
    query = select(Inquiry.id).where(Inquiry.origin == "demo").limit(1)
    return session.execute(query).first() is not None


# aggregates for the planner pages ------------------------------------------------------
# At 50,000 inquiries reading every row of a period (with its JSON) per page view costs
# seconds; the pages need only counts, so the database counts and groups them.


@dataclass(frozen=True)
class Tally:
    """One clinician's questions in one theme (None: in no theme) in a selection."""

    theme_id: str | None
    clinician: str | None
    questions: int
    abstained: int
    gaps: int  # abstained or below the low-confidence score
    recent: int  # asked on or after the selection's `recent_from`


def _selection(query, *, start: datetime | None, end: datetime | None,
               clinicians: set[str] | None, theme_id: str | None):
    query = query.where(Inquiry.origin.in_(READ_ORIGINS))
    if start is not None:
        query = query.where(Inquiry.created_at >= start)
    if end is not None:
        query = query.where(Inquiry.created_at < end)
    if clinicians is not None:
        query = query.where(Inquiry.learner_id.in_(sorted(clinicians)))
    if theme_id is not None:
        query = query.where(ThemeInquiry.theme_id == theme_id)
    return query


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def tallies(session: Session, *, start: datetime | None = None, end: datetime | None = None,
            clinicians: set[str] | None = None, theme_id: str | None = None,
            recent_from: datetime | None = None, low_confidence: float = 1.0) -> list[Tally]:
    """Questions per (theme, clinician) in the selection, counted by the database."""
    score = Inquiry.__table__.c.signals["decision_score"].as_float()
    recent = (_flag(Inquiry.created_at >= recent_from) if recent_from is not None
              else func.count())
    query = _selection(
        select(ThemeInquiry.theme_id, Inquiry.learner_id, func.count(),
               _flag(Inquiry.abstained), _flag(Inquiry.abstained | (score < low_confidence)),
               recent)
        .select_from(Inquiry)
        .outerjoin(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id)
        .group_by(ThemeInquiry.theme_id, Inquiry.learner_id),
        start=start, end=end, clinicians=clinicians, theme_id=theme_id)
    return [Tally(t, c, n, int(a or 0), int(g or 0), int(r or 0))
            for t, c, n, a, g, r in session.execute(query)]


def weekly(session: Session, edges: list[datetime], *, start: datetime, end: datetime,
           clinicians: set[str] | None = None, theme_id: str | None = None
           ) -> dict[int, tuple[int, int, int]]:
    """{week number: (questions, abstained, distinct clinicians)} of [start, end) cut at
    `edges` (the Mondays inside it: week n ends at edges[n]); empty weeks are absent."""
    bucket = _week_number(Inquiry.created_at, edges) if edges else literal(0)
    query = _selection(
        select(bucket, func.count(), _flag(Inquiry.abstained),
               func.count(Inquiry.learner_id.distinct()))
        .select_from(Inquiry)
        .group_by(bucket),
        start=start, end=end, clinicians=clinicians, theme_id=None)
    if theme_id is not None:
        query = query.join(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id).where(
            ThemeInquiry.theme_id == theme_id)
    return {int(n): (q, int(a or 0), p) for n, q, a, p in session.execute(query)}


def _week_number(moment, edges: list[datetime], first: int = 0):
    """The week a moment falls in, as a CASE that halves the sorted edges at each step:
    6 comparisons a row for a 52-week period where testing the edges in turn took 52."""
    if len(edges) == 1:
        return case((moment < edges[0], first), else_=first + 1)
    mid = len(edges) // 2
    right = edges[mid + 1:]
    return case((moment < edges[mid], _week_number(moment, edges[:mid], first)),
                else_=_week_number(moment, right, first + mid + 1) if right
                else first + mid + 1)


def selection_outcomes(session: Session, *, start: datetime | None = None,
                       end: datetime | None = None, clinicians: set[str] | None = None,
                       theme_id: str | None = None) -> list[Outcome]:
    """Reflections on the questions of a selection (countable parts only)."""
    query = (select(Reflection.learner_id, Reflection.outcome, Reflection.change_types,
                    Reflection.barriers)
             .join(Episode, Reflection.episode_id == Episode.id)
             .join(Inquiry, Inquiry.id == Episode.inquiry_id))
    if theme_id is not None:
        query = query.join(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id)
    query = _selection(query, start=start, end=end, clinicians=clinicians, theme_id=theme_id)
    return [Outcome(learner, outcome, list(changes or []), bool(barriers))
            for learner, outcome, changes, barriers in session.execute(query)]


def recent_questions(session: Session, theme_id: str, *, start: datetime | None = None,
                     end: datetime | None = None, clinicians: set[str] | None = None,
                     limit: int = 80) -> list[str]:
    """A theme's newest scrubbed questions in the selection (for example questions)."""
    query = _selection(
        select(Inquiry.question)
        .join(ThemeInquiry, ThemeInquiry.inquiry_id == Inquiry.id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc()).limit(limit),
        start=start, end=end, clinicians=clinicians, theme_id=theme_id)
    return list(session.execute(query).scalars())

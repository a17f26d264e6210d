"""Reads of the inquiry log for insights (read side of credit_capture) and theme writes.

Only clinicians' questions count: eval runs and benchmarks are never read. Demo rows
(`curbside demo seed`) are read so a fresh install shows a populated dashboard; they are
marked and removed by `curbside demo clear`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select, update
from sqlmodel import Session

from credit_capture.episodes import Episode, Reflection
from credit_capture.models import Inquiry
from insights.models import Theme, ThemeInquiry

CLINICIAN_ORIGINS = ("web", "api", "ehr")
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


def save_vectors(session: Session, items: list[tuple[str, np.ndarray]], model: str) -> None:
    for inquiry_id, vector in items:
        session.merge(ThemeInquiry(inquiry_id=inquiry_id, vector=to_bytes(vector), model=model))


def vectors(session: Session, *, unassigned_only: bool = False
            ) -> tuple[list[str], np.ndarray, list[str | None]]:
    """Ids (sorted), an (n, d) matrix and current theme ids of readable inquiries."""
    query = (
        select(ThemeInquiry.inquiry_id, ThemeInquiry.vector, ThemeInquiry.theme_id)
        .join(Inquiry, Inquiry.id == ThemeInquiry.inquiry_id)
        .where(Inquiry.origin.in_(READ_ORIGINS))
        .order_by(ThemeInquiry.inquiry_id)
    )
    if unassigned_only:
        query = query.where(ThemeInquiry.theme_id.is_(None))
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

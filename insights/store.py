"""Reads of the inquiry log for insights (read side of credit_capture) and theme writes.

Only clinicians' questions count: eval runs and benchmarks are never read. Demo rows
(`curbside demo seed`) are read so a fresh install shows a populated dashboard; they are
marked and removed by `curbside demo clear`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np
from sqlalchemy import (
    String,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlmodel import Session

from credit_capture.episodes import Episode, Reflection
from credit_capture.models import Inquiry
from insights.models import FACTS, Theme, ThemeInquiry

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
    this first, and usually nothing is new: then the two counts agree (two index scans, a
    few ms at 50,000 inquiries) and the probe per inquiry below, 0.3 s when it has to
    pass every inquiry to find none missing, is skipped. Counts that agree mean nothing
    is missing as embeddings are made only for readable inquiries and leave with them
    (`demo.clear`); `unembedded`, which a rebuild lists, does not rely on it."""
    readable = session.execute(select(func.count()).select_from(Inquiry)
                               .where(Inquiry.origin.in_(READ_ORIGINS))).scalar_one()
    current = session.execute(select(func.count()).select_from(ThemeInquiry)
                              .where(ThemeInquiry.model == model)).scalar_one()
    if current == readable:
        return False
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


def _decision_score():
    """The abstention rule's score inside an inquiry's JSON `signals`, as a float."""
    return Inquiry.__table__.c.signals["decision_score"].as_float()


def inquiry_facts(session: Session, ids: list[str]) -> dict[str, dict]:
    """Inquiry id -> the facts `ThemeInquiry` keeps a copy of (see its docstring)."""
    out = {}
    for start in range(0, len(ids), 500):
        query = (select(Inquiry.id, *_copied().values())
                 .where(Inquiry.id.in_(ids[start:start + 500])))
        for iid, *values in session.execute(query):
            out[iid] = dict(zip(_copied(), values, strict=True))
    return out


def _copied() -> dict:
    """Each fact column of ThemeInquiry -> the inquiry's value it copies."""
    return {"created_at": Inquiry.created_at, "learner_id": Inquiry.learner_id,
            "abstained": Inquiry.abstained, "decision_score": _decision_score(),
            "origin": Inquiry.origin}


def facts_in_step(session: Session) -> bool:
    """Whether the copied facts still agree with the inquiries, by three totals on each
    side (questions, abstentions, asked signed in) from covering indexes: a few ms at
    50,000 inquiries. Checked before every page view's counts. The app never edits an
    inquiry, but a hand-made fix (an answer marked unanswered, a clinician anonymised)
    must not leave the pages counting the old facts."""
    def totals(table, origin, abstained, learner):
        return session.execute(
            select(func.count(), func.sum(case((abstained, 1), else_=0)), func.count(learner))
            .select_from(table).where(origin.in_(READ_ORIGINS))).one()

    asked = totals(Inquiry, Inquiry.origin, Inquiry.abstained, Inquiry.learner_id)
    kept = totals(ThemeInquiry, ThemeInquiry.origin, ThemeInquiry.abstained,
                  ThemeInquiry.learner_id)
    return tuple(asked) == tuple(kept)


def refresh_facts(session: Session) -> int:
    """Copy the facts again onto every embedding row whose inquiry's differ (or is gone:
    its facts become None and it stops counting); returns how many rows changed. Reads
    every inquiry, so it runs only when `facts_in_step` says something changed."""
    copied = _copied()
    same = (select(Inquiry.id)
            .where(Inquiry.id == ThemeInquiry.inquiry_id,
                   *[getattr(ThemeInquiry, name).is_not_distinct_from(value)
                     for name, value in copied.items()]))
    values = {name: select(value).where(Inquiry.id == ThemeInquiry.inquiry_id)
              .scalar_subquery() for name, value in copied.items()}
    done = session.execute(update(ThemeInquiry).where(~same.exists()).values(values)
                           .execution_options(synchronize_session=False))
    return done.rowcount


def save_vectors(session: Session, items: list[tuple[str, np.ndarray]], model: str) -> None:
    """Store embeddings in bulk (a row per inquiry; an old encoder's row is replaced and
    its theme forgotten, as the vector it was matched on is gone), each with a copy of its
    inquiry's facts for the planner pages' counts."""
    if not items:
        return
    ids = [i for i, _ in items]
    for start in range(0, len(ids), 500):
        session.execute(delete(ThemeInquiry).where(
            ThemeInquiry.inquiry_id.in_(ids[start:start + 500])))
    facts = inquiry_facts(session, ids)
    missing = dict.fromkeys(FACTS)
    session.execute(insert(ThemeInquiry), [
        {"inquiry_id": i, "vector": to_bytes(v), "model": model, "theme_id": None,
         "similarity": NOT_COMPARED, **facts.get(i, missing)} for i, v in items])


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
# seconds; the pages need only counts, so the database counts and groups them, from the
# facts each ThemeInquiry row keeps (its covering indexes hold every column counted here).
# Counted questions are the embedded ones: every page, export and the brief first embeds
# what is new (`Insights.join_new`).


class Tally(NamedTuple):
    """One clinician's questions in one theme (None: in no theme) in a selection (a tuple:
    a 52-week dashboard makes some 13,000)."""

    theme_id: str | None
    clinician: str | None
    questions: int
    abstained: int
    gaps: int  # abstained or below the low-confidence score
    recent: int  # asked on or after the selection's `recent_from`


_F = ThemeInquiry  # the facts, as the queries below read them


def _selection(query, *, start: datetime | None, end: datetime | None,
               clinicians: set[str] | None, theme_id: str | None, when=_F.created_at):
    query = query.where(_F.origin.in_(READ_ORIGINS))
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when < end)
    if clinicians is not None:
        query = query.where(_F.learner_id.in_(sorted(clinicians)))
    if theme_id is not None:
        query = query.where(_F.theme_id == theme_id)
    return query


# From this long a period on, SQLite counts all its (theme, clinician) pairs fastest by
# reading the theme-then-clinician index through (rows outside the period skipped as
# read) rather than finding the period's rows by date and sorting them: at 50,000
# inquiries over a year, 26 weeks took ~75 ms that way against ~125, 52 weeks ~55
# against ~110; 12 weeks ~the same, and a clinician filter made the date range win.
# Its reflections likewise come fastest from the reflections' side (see
# `selection_outcomes`).
READ_THROUGH = timedelta(weeks=26)


def _reads_through(session: Session, *, start: datetime | None, end: datetime | None,
                   clinicians: set[str] | None, theme_id: str | None) -> bool:
    """Whether a selection is a long period of all clinicians on SQLite (READ_THROUGH).
    PostgreSQL plans by statistics and groups by hashing, so it is left to choose."""
    long = start is None or end is None or end - start >= READ_THROUGH
    return (session.get_bind().dialect.name == "sqlite" and long and clinicians is None
            and theme_id is None)


def _unindexed(column):
    """`+column`: SQLite's documented way to keep a term from choosing an index, so that
    the planner takes the path the caller knows is cheaper (see READ_THROUGH)."""
    return literal_column(f"+{column.table.name}.{column.name}", column.type)


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def _counted(session: Session, query) -> list[tuple]:
    """Run an aggregate on the session's connection and take its rows as the driver gives
    them, in one fetch: these queries select only counts, ids and text, which need no
    conversion, and building SQLAlchemy rows one at a time cost ~0.1 s of a 52-week
    dashboard (13,000 tallies and 4,000 reflections)."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def tallies(session: Session, *, start: datetime | None = None, end: datetime | None = None,
            clinicians: set[str] | None = None, theme_id: str | None = None,
            recent_from: datetime | None = None, low_confidence: float = 1.0) -> list[Tally]:
    """Questions per (theme, clinician) in the selection, counted by the database."""
    recent = (_flag(_F.created_at >= recent_from) if recent_from is not None
              else func.count())
    where = {"start": start, "end": end, "clinicians": clinicians, "theme_id": theme_id}
    query = _selection(
        select(_F.theme_id, _F.learner_id, func.count(), _flag(_F.abstained),
               _flag(_F.abstained | (_F.decision_score < low_confidence)), recent)
        .group_by(_F.theme_id, _F.learner_id), **where,
        when=_unindexed(_F.__table__.c.created_at) if _reads_through(session, **where)
        else _F.created_at)
    # every sum is of 0s and 1s over a group of at least one row, so never NULL: the
    # rows are taken as they come (converting 13,000 of them one value at a time cost
    # ~15 ms)
    return list(map(Tally._make, _counted(session, query)))


def weekly(session: Session, edges: list[datetime], *, start: datetime, end: datetime,
           clinicians: set[str] | None = None, theme_id: str | None = None
           ) -> dict[int, tuple[int, int, int]]:
    """{week number: (questions, abstained, distinct clinicians)} of [start, end) cut at
    `edges` (the Mondays inside it: week n ends at edges[n]); empty weeks are absent.

    Each week is its own SELECT over its own date range, the weeks joined by UNION ALL:
    the period index hands each week's rows over in order and only one week's clinicians
    are kept apart at a time. Grouping the whole period by a computed week number (a
    CASE) sorted every row of it in a temporary B-tree: ~100 ms of a 52-week dashboard,
    ~40 ms this way."""
    bounds = [start, *edges, end]
    weeks = [_selection(select(literal(n), func.count(), _flag(_F.abstained),
                               func.count(_F.learner_id.distinct())),
                        start=lo, end=hi, clinicians=clinicians, theme_id=theme_id)
             for n, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))]
    # a statement's bound values stay well under SQLite's limit (32,766) and its
    # compound SELECTs under 500: each week repeats the clinician filter
    per_statement = max(1, min(100, 20_000 // (len(clinicians or ()) + 8)))
    out = {}
    for first in range(0, len(weeks), per_statement):
        chunk = weeks[first:first + per_statement]
        for n, questions, abstained, people in _counted(
                session, union_all(*chunk) if len(chunk) > 1 else chunk[0]):
            if questions:
                out[int(n)] = (questions, int(abstained or 0), people)
    return out


def selection_outcomes(session: Session, *, start: datetime | None = None,
                       end: datetime | None = None, clinicians: set[str] | None = None,
                       theme_id: str | None = None) -> list[Outcome]:
    """Reflections on the questions of a selection (countable parts only), in a fixed
    order: kinds of change with equal counts are listed in the order first met, so the
    order must not depend on the database's plan. It is the order SQLite's inquiry index
    gave before the facts (migration 0012): origin, then as asked.

    A long period of all clinicians starts from the reflections (a few thousand in a
    year), finding each one's facts by inquiry id in `ix_insight_inquiry_reflected`,
    where SQLite otherwise went through every question of the period looking for an
    episode: ~130 ms of a 52-week dashboard, ~60 ms this way (a 12-week period is the
    other way round)."""
    where = {"start": start, "end": end, "clinicians": clinicians, "theme_id": theme_id}
    through = _reads_through(session, **where)
    asked = _unindexed(Episode.__table__.c.inquiry_id) if through else Episode.inquiry_id
    query = (select(Reflection.learner_id, Reflection.outcome,
                    type_coerce(Reflection.change_types, String), Reflection.barriers)
             .join(Episode, Reflection.episode_id == Episode.id)
             .join(_F, _F.inquiry_id == asked)
             .order_by(_F.origin, _F.created_at, _F.learner_id, _F.abstained, _F.inquiry_id))
    query = _selection(query, **where, when=_unindexed(_F.__table__.c.created_at)
                       if through else _F.created_at)
    decoded: dict[str, list[str]] = {}
    return [Outcome(learner, outcome, _change_list(changes, decoded), bool(barriers))
            for learner, outcome, changes, barriers in _counted(session, query)]


def _change_list(value, decoded: dict[str, list[str]]) -> list[str]:
    """A reflection's kinds of change from its JSON text, each distinct text decoded once
    (a year's 4,000 reflections hold a dozen; decoding every one cost ~30 ms of a
    52-week dashboard). A driver that decodes JSON itself (psycopg) hands a list."""
    if not isinstance(value, str):
        return list(value or [])
    if value not in decoded:
        decoded[value] = json.loads(value) or []
    return list(decoded[value])


def recent_questions(session: Session, theme_id: str, *, start: datetime | None = None,
                     end: datetime | None = None, clinicians: set[str] | None = None,
                     limit: int = 80) -> list[str]:
    """A theme's newest scrubbed questions in the selection (for example questions): the
    theme's index finds them in order, and only those `limit` inquiry rows are read."""
    query = _selection(
        select(Inquiry.question)
        .select_from(_F).join(Inquiry, Inquiry.id == _F.inquiry_id)
        .order_by(_F.created_at.desc(), _F.inquiry_id.desc()).limit(limit),
        start=start, end=end, clinicians=clinicians, theme_id=theme_id)
    return list(session.execute(query).scalars())

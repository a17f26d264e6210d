"""Spaced retrieval practice: a claimed cycle's cards come back as one-minute checks.

Reading an answer once is quickly forgotten; recalling it again days later (retrieval
practice, spaced) is what makes it stick. After a claim, each card the learner consulted
for that cycle schedules a check at each of the rules' ``practice_intervals_days`` (7 and
30 by default) counted from the claim's date. A check is the card's own review questions
(at most three, so about a minute). Answers are stored as knowledge-retention outcomes,
which the planner insights read per theme.

One answer to a card settles every check of that card due by then (the same card claimed
in two cycles is not asked twice in a week), and only the newest due interval of a card is
shown: a missed 7-day check becomes the 30-day one rather than two in a row.

Nothing here stores question text: an outcome holds the card, the choices (indices) and
the score. Card lookup is injected (``CardLookup``), so this module never touches the index.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, DateTime
from sqlmodel import JSON, Column, Field, Session, SQLModel, col, select

from credit_capture.claims import Claim, consulted, net_claims
from credit_capture.episodes import Episode, utc_now
from credit_capture.errors import CreditError


class PracticeNotDue(CreditError):
    """The learner has no practice check due for this card (nothing claimed, already
    answered, or the card was retired)."""

    def __init__(self, card_id: str) -> None:
        self.card_id = card_id
        super().__init__(f"No practice check is due for card {card_id!r}.")


class InvalidPracticeAnswer(CreditError):
    """The answers do not match the check's questions (one choice per question)."""


@dataclass(frozen=True)
class ReviewQuestion:
    q: str
    choices: tuple[str, ...]
    answer: int
    why: str = ""


@dataclass(frozen=True)
class CardQuestions:
    """A servable card's current review questions (what a check asks)."""

    card_id: str
    title: str
    version: str
    questions: tuple[ReviewQuestion, ...]


CardLookup = Callable[[str], CardQuestions | None]


@dataclass(frozen=True)
class Scheduled:
    """One check a claimed cycle schedules: a card at one interval after the claim."""

    learner_id: str
    episode_id: str
    card_id: str
    interval_days: int
    due_on: date


@dataclass(frozen=True)
class DueCheck:
    """A check the learner should do now (the newest due interval of one card)."""

    learner_id: str
    card_id: str
    title: str
    episode_id: str
    interval_days: int
    due_on: date
    questions: int


class RetentionOutcome(SQLModel, table=True):
    """A learner's answers to one practice check: a knowledge-retention outcome."""

    __tablename__ = "retention_outcome"

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    learner_id: str = Field(index=True)
    episode_id: str = Field(index=True, foreign_key="episode.id",
                            description="The claimed cycle whose check this answered.")
    card_id: str = Field(index=True)
    card_version: str = Field(description="Content hash of the card the questions came from.")
    interval_days: int = Field(description="Days after the claim the check was scheduled.")
    due_on: date = Field(sa_type=Date)
    answered_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    questions: int
    correct: int
    choices: list[int] = Field(default_factory=list, sa_column=Column(JSON),
                               description="Chosen option index per question.")


@dataclass(frozen=True)
class Graded:
    """What the learner sees after answering: each question's choice and the answer."""

    outcome: RetentionOutcome
    items: tuple[tuple[ReviewQuestion, int], ...]  # (question, chosen index)


def card_questions(card_id: str, title: str, version: str, raw: Iterable[Any]) -> CardQuestions:
    """Build from a card's front-matter ``review_questions`` ({q, choices, answer, why})."""
    questions = tuple(
        ReviewQuestion(q=str(item["q"]), choices=tuple(str(c) for c in item["choices"]),
                       answer=int(item["answer"]), why=str(item.get("why") or ""))
        for item in raw
    )
    return CardQuestions(card_id=card_id, title=title, version=version, questions=questions)


def schedule(claims: Iterable[Any], episodes: dict[str, Any],
             intervals: Iterable[int]) -> list[Scheduled]:
    """Every check the learners' standing claims schedule (pure: plain objects in).

    A voided claim (net amount 0) schedules nothing; an episode claimed under several
    credit types schedules once, from its first claim.
    """
    first: dict[str, date] = {}
    for net in net_claims(claims):
        if net.amount <= 0 or net.claim.episode_id not in episodes:
            continue
        day = net.claim.issued_at.date()
        episode_id = net.claim.episode_id
        first[episode_id] = min(day, first.get(episode_id, day))
    out = []
    for episode_id, claimed_on in first.items():
        episode = episodes[episode_id]
        cards = dict.fromkeys(s.get("doc_id") for s in consulted(episode) if s.get("doc_id"))
        for card_id in cards:
            for days in intervals:
                out.append(Scheduled(episode.learner_id, episode_id, card_id, days,
                                     claimed_on + timedelta(days=days)))
    return out


def _answered_on(session: Session, learner_ids: set[str]) -> dict[tuple[str, str], date]:
    """(learner, card) -> the day of the newest answer."""
    stmt = select(RetentionOutcome.learner_id, RetentionOutcome.card_id,
                  RetentionOutcome.answered_at).where(
        col(RetentionOutcome.learner_id).in_(learner_ids))
    last: dict[tuple[str, str], date] = {}
    for learner, card, at in session.exec(stmt):
        key = (learner, card)
        last[key] = max(at.date(), last.get(key, at.date()))
    return last


def scheduled_for(session: Session, *, intervals: Iterable[int],
                  learner_id: str | None = None) -> list[Scheduled]:
    """Checks scheduled by the standing claims of one learner (or of everyone)."""
    stmt = select(Claim)
    if learner_id is not None:
        stmt = stmt.where(Claim.learner_id == learner_id)
    found = list(session.exec(stmt))
    ids = {c.episode_id for c in found}
    eps = {e.id: e for e in session.exec(select(Episode).where(col(Episode.id).in_(ids)))}
    return schedule(found, eps, list(intervals))


def due_checks(session: Session, *, today: date, intervals: Iterable[int],
               cards: CardLookup, learner_id: str | None = None) -> list[DueCheck]:
    """Checks due on ``today`` (the injected clock), oldest first: per learner and card,
    the newest scheduled check due by today, unless the card was answered on or after
    that day. Cards without review questions, retired or expired, are skipped."""
    planned = [s for s in scheduled_for(session, intervals=intervals, learner_id=learner_id)
               if s.due_on <= today]
    newest: dict[tuple[str, str], Scheduled] = {}
    for s in planned:
        key = (s.learner_id, s.card_id)
        if key not in newest or s.due_on > newest[key].due_on:
            newest[key] = s
    answered = _answered_on(session, {k[0] for k in newest})
    out, looked = [], {}
    for key, s in newest.items():
        if answered.get(key, date.min) >= s.due_on:
            continue
        if s.card_id not in looked:
            looked[s.card_id] = cards(s.card_id)
        card = looked[s.card_id]
        if card is None or not card.questions:
            continue
        out.append(DueCheck(s.learner_id, s.card_id, card.title, s.episode_id,
                            s.interval_days, s.due_on, len(card.questions)))
    return sorted(out, key=lambda d: (d.due_on, d.title.lower(), d.learner_id))


def next_check_on(session: Session, *, learner_id: str, today: date,
                  intervals: Iterable[int]) -> date | None:
    """The day the learner's next check falls due after today, if any is scheduled."""
    later = [s.due_on for s in scheduled_for(session, intervals=intervals,
                                             learner_id=learner_id) if s.due_on > today]
    return min(later, default=None)


def parse_choices(values: Iterable[Any], card: CardQuestions) -> list[int]:
    """One choice index per question, each in range; a clear message otherwise."""
    values = list(values)
    if len(values) != len(card.questions):
        missing = len(card.questions) - sum(v not in (None, "") for v in values)
        raise InvalidPracticeAnswer(
            f"Answer every question ({max(missing, 1)} left unanswered)."
            if len(values) <= len(card.questions) else
            f"This check has {len(card.questions)} questions; {len(values)} answers were sent."
        )
    out = []
    for n, (value, question) in enumerate(zip(values, card.questions, strict=True), start=1):
        if value in (None, ""):
            raise InvalidPracticeAnswer(f"Answer every question (question {n} is unanswered).")
        try:
            chosen = int(value)
        except (TypeError, ValueError):
            chosen = -1
        if isinstance(value, bool) or not 0 <= chosen < len(question.choices):
            raise InvalidPracticeAnswer(
                f"Question {n}: choose one of the {len(question.choices)} options.")
        out.append(chosen)
    return out


def record_answers(session: Session, *, check: DueCheck, card: CardQuestions,
                   choices: Iterable[Any], now: datetime | None = None) -> Graded:
    """Grade and store a learner's answers to a due check (never the question text)."""
    chosen = parse_choices(choices, card)
    outcome = RetentionOutcome(
        learner_id=check.learner_id, episode_id=check.episode_id, card_id=card.card_id,
        card_version=card.version, interval_days=check.interval_days, due_on=check.due_on,
        answered_at=utc_now(now), questions=len(chosen),
        correct=sum(c == q.answer for c, q in zip(chosen, card.questions, strict=True)),
        choices=chosen,
    )
    session.add(outcome)
    session.commit()
    session.refresh(outcome)
    return Graded(outcome, tuple(zip(card.questions, chosen, strict=True)))

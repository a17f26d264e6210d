"""Did the new card close the gap? A theme whose draft-card request a card answered is
followed up: its abstention rate before the card against the rate since.

A gap list that never shrinks tells planners nothing about whether writing cards works;
this closes the loop (gap -> request -> card -> fewer abstentions). Figures on each side
follow k-anonymity like every other: a side with fewer than k clinicians is not shown,
and then nothing is concluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlmodel import Session

from insights.models import CardRequest, ThemeInquiry
from insights.store import READ_ORIGINS

CLOSED, OPEN, TOO_EARLY = "closed", "still open", "too few questions since"


@dataclass(frozen=True)
class Side:
    """The theme's questions on one side of the card's date (None figures: under k)."""

    questions: int | None
    abstention_rate: float | None

    def as_dict(self) -> dict:
        rate = None if self.abstention_rate is None else round(self.abstention_rate, 3)
        return {"questions": self.questions, "abstention_rate": rate}

    def text(self) -> str:
        if self.abstention_rate is None:
            return "fewer than k clinicians"
        return f"{100 * self.abstention_rate:.0f}% of {self.questions} abstained"


@dataclass(frozen=True)
class Answered:
    """A theme's gap answered by a card, and what happened since."""

    request_id: int
    theme_id: str
    card_id: str
    card_title: str
    since: datetime
    before: Side
    after: Side

    @property
    def verdict(self) -> str:
        """Closed when the abstention rate since the card is at most half the rate
        before it; too early while fewer than k clinicians asked since."""
        if self.after.abstention_rate is None or self.before.abstention_rate is None:
            return TOO_EARLY
        closed = self.after.abstention_rate <= self.before.abstention_rate / 2
        return CLOSED if closed else OPEN

    def text(self) -> str:
        """'answered by card X since 2026-11-20; abstained: 50% of 6 before, 0% of 7
        since (gap closed)' for the brief and the CLI."""
        return (f"answered by card {self.card_id} since {self.since:%Y-%m-%d}; before: "
                f"{self.before.text()}, since: {self.after.text()} (gap {self.verdict})")

    def as_dict(self) -> dict:
        return {"request_id": self.request_id, "card_id": self.card_id,
                "card_title": self.card_title, "since": self.since.isoformat(),
                "before": self.before.as_dict(), "after": self.after.as_dict(),
                "verdict": self.verdict}


def answered(session: Session, theme_ids: list[str] | None, k: int) -> dict[str, Answered]:
    """The latest card-answered request of each theme (of `theme_ids`, or all), followed
    up over every readable question of the theme."""
    query = (select(CardRequest).where(CardRequest.card_id.is_not(None))
             .order_by(CardRequest.closed_at, CardRequest.id))
    if theme_ids is not None:
        if not theme_ids:
            return {}
        query = query.where(CardRequest.theme_id.in_(theme_ids))
    latest = {r.theme_id: r for r in session.execute(query).scalars()}
    return {theme_id: _follow_up(session, row, k) for theme_id, row in latest.items()}


def _follow_up(session: Session, row: CardRequest, k: int) -> Answered:
    since = row.closed_at if row.closed_at.tzinfo else row.closed_at.replace(tzinfo=UTC)
    facts = ThemeInquiry  # the inquiry's facts, kept on its theme row (one index read)
    after = case((facts.created_at >= since, 1), else_=0)
    query = (
        select(after, func.count(), func.sum(case((facts.abstained, 1), else_=0)),
               func.count(facts.learner_id.distinct()))
        .where(facts.theme_id == row.theme_id, facts.origin.in_(READ_ORIGINS))
        .group_by(after)
    )
    sides = {side: Side(n, abstained / n) if people >= k else Side(None, None)
             for side, n, abstained, people in session.execute(query)}
    empty = Side(None, None)
    return Answered(row.id, row.theme_id, row.card_id, row.card_title or row.card_id, since,
                    sides.get(0, empty), sides.get(1, empty))

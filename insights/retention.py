"""Knowledge retention per theme: how well clinicians recalled what they looked up.

Practice checks (`credit_capture.practice`) ask a claimed cycle's card questions again 7
and 30 days later. Grouped by the theme of the question that started the cycle, the share
answered right tells a planner whether a topic's learning sticks or needs more than a card.
Like every insights figure, a theme's retention from fewer than k clinicians is withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from credit_capture.episodes import Episode
from credit_capture.models import Inquiry
from credit_capture.practice import RetentionOutcome
from insights.models import ThemeInquiry
from insights.store import READ_ORIGINS


@dataclass(frozen=True)
class Retention:
    """Practice checks answered in a period for one theme (counts only)."""

    checks: int
    clinicians: int
    questions: int
    correct: int

    @property
    def pct(self) -> float:
        return 100 * self.correct / self.questions if self.questions else 0.0

    def as_dict(self) -> dict:
        return {"checks": self.checks, "clinicians": self.clinicians,
                "questions": self.questions, "correct": self.correct,
                "pct_correct": round(self.pct, 1)}


def by_theme(session: Session, *, start: datetime, end: datetime, k: int,
             clinicians: set[str] | None = None) -> dict[str, Retention]:
    """Theme id -> retention of the checks answered in [start, end); themes with fewer
    than ``k`` distinct clinicians are left out.

    Two reads: the period's checks first (a few, by their answer date), then the themes
    of just their questions. As one join, SQLite started from the 50,000 inquiries and
    probed each for a check, a third of a second per page view with no check at all."""
    checks = session.execute(
        select(Episode.inquiry_id, RetentionOutcome.learner_id, RetentionOutcome.questions,
               RetentionOutcome.correct)
        .join(Episode, Episode.id == RetentionOutcome.episode_id)
        .where(RetentionOutcome.answered_at >= start, RetentionOutcome.answered_at < end)
    ).all()
    asked = sorted({inquiry_id for inquiry_id, *_ in checks})
    theme_of: dict[str, str] = {}
    for first in range(0, len(asked), 500):
        theme_of.update(session.execute(
            select(ThemeInquiry.inquiry_id, ThemeInquiry.theme_id)
            .join(Inquiry, Inquiry.id == ThemeInquiry.inquiry_id)
            .where(ThemeInquiry.inquiry_id.in_(asked[first:first + 500]),
                   Inquiry.origin.in_(READ_ORIGINS), ThemeInquiry.theme_id.is_not(None))
        ).tuples().all())
    tallies: dict[str, list] = {}
    for inquiry_id, learner, questions, correct in checks:
        theme_id = theme_of.get(inquiry_id)
        if theme_id is None or clinicians is not None and learner not in clinicians:
            continue
        t = tallies.setdefault(theme_id, [0, set(), 0, 0])
        t[0] += 1
        t[1].add(learner)
        t[2] += questions
        t[3] += correct
    return {theme: Retention(n, len(people), q, c)
            for theme, (n, people, q, c) in tallies.items() if len(people) >= k}

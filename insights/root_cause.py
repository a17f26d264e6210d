"""Root-cause template per theme: which part of a gap is knowledge and which is something
education cannot fix, and the planner's go / partial / no-go decision on education.

A needs assessment that only counts questions would send every gap to a course; the
template makes the planner say how much of it is team behaviour, system design, patient
preference, access, incentives or equity first. Readings are appended, never edited, so
an accreditor can see who decided what, and when.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from insights.models import RootCause, Theme

CAUSES: dict[str, str] = {
    "knowledge": "Knowledge",
    "skills": "Skills",
    "team": "Team behaviour",
    "system": "System or process",
    "patient": "Patient preference",
    "access": "Access",
    "incentives": "Incentives",
    "equity": "Equity",
}
DECISIONS: dict[str, str] = {
    "go": "Go: education",
    "partial": "Partial: education alongside other changes",
    "no_go": "No-go: not an education problem",
}
MAX_TEXT = 2000


class RootCauseError(ValueError):
    """A reading that cannot be recorded; the message says what to fix."""


@dataclass(frozen=True)
class Reading:
    """A recorded reading as pages, exports and the brief show it."""

    theme_id: str
    shares: dict[str, int]
    decision: str
    reason: str
    notes: str
    by: str
    at: datetime

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)

    def share_text(self) -> str:
        """'knowledge 60%, system or process 40%' (largest first, zero shares left out)."""
        ranked = sorted(((n, c) for c, n in self.shares.items() if n), key=lambda x: -x[0])
        return ", ".join(f"{CAUSES[c].lower()} {n}%" for n, c in ranked)

    def as_dict(self) -> dict:
        return {"theme_id": self.theme_id, "shares": self.shares, "decision": self.decision,
                "reason": self.reason, "notes": self.notes, "recorded_by": self.by,
                "recorded_at": self.at.isoformat()}


def parse_shares(raw: Mapping[str, object]) -> dict[str, int]:
    """Whole percents per cause from form or JSON values; blanks count as 0."""
    unknown = sorted(set(raw) - set(CAUSES))
    if unknown:
        raise RootCauseError(f"unknown cause {unknown[0]!r}; causes are "
                             f"{', '.join(CAUSES)}")
    shares = {}
    for cause in CAUSES:
        value = raw.get(cause, 0)
        text = str(value).strip() if value is not None else ""
        try:
            number = float(text) if text else 0.0
        except ValueError:
            raise RootCauseError(f"{CAUSES[cause]}: {text!r} is not a number") from None
        if number != int(number):
            raise RootCauseError(f"{CAUSES[cause]}: use whole percents (got {text})")
        if not 0 <= number <= 100:
            raise RootCauseError(f"{CAUSES[cause]}: a share is 0 to 100 (got {text})")
        shares[cause] = int(number)
    total = sum(shares.values())
    if total != 100:
        raise RootCauseError(f"the shares add up to {total}%; they must add up to 100%")
    return shares


def record(session: Session, theme_id: str, *, shares: Mapping[str, object], decision: str,
           reason: str, notes: str, by_id: str, by_email: str,
           scrub: Callable[[str], str], now: datetime | None = None) -> Reading:
    """Validate and append a reading of an active theme; RootCauseError says what is wrong
    (LookupError when the theme is unknown). Reason and notes are PHI-scrubbed first."""
    theme = session.get(Theme, theme_id)
    if theme is None or not theme.active:
        raise LookupError(f"no theme {theme_id!r}")
    parsed = parse_shares(shares)
    if decision not in DECISIONS:
        raise RootCauseError(f"decision must be one of {', '.join(DECISIONS)} "
                             f"(got {decision!r})")
    reason, notes = (reason or "").strip(), (notes or "").strip()
    if decision != "go" and not reason:
        raise RootCauseError("a reason is required for a partial or no-go decision")
    if len(reason) > MAX_TEXT or len(notes) > MAX_TEXT:
        raise RootCauseError(f"reason and notes are limited to {MAX_TEXT} characters")
    row = RootCause(theme_id=theme_id, shares=parsed, decision=decision,
                    reason=scrub(reason) if reason else "", notes=scrub(notes) if notes else "",
                    recorded_by=by_id, recorded_by_email=by_email,
                    recorded_at=now or datetime.now(UTC))
    session.add(row)
    session.commit()
    return _reading(row)


def history(session: Session, theme_id: str) -> list[Reading]:
    """Every reading of a theme, newest first."""
    query = (select(RootCause).where(RootCause.theme_id == theme_id)
             .order_by(RootCause.recorded_at.desc(), RootCause.id.desc()))
    return [_reading(r) for r in session.execute(query).scalars()]


def latest(session: Session, theme_ids: list[str] | None = None) -> dict[str, Reading]:
    """The current (newest) reading per theme."""
    query = select(RootCause).order_by(RootCause.recorded_at, RootCause.id)
    if theme_ids is not None:
        query = query.where(RootCause.theme_id.in_(theme_ids))
    return {r.theme_id: _reading(r) for r in session.execute(query).scalars()}


def _reading(row: RootCause) -> Reading:
    at = row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=UTC)
    return Reading(row.theme_id, {c: int(row.shares.get(c, 0)) for c in CAUSES}, row.decision,
                   row.reason, row.notes, row.recorded_by_email, at)

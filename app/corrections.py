"""Claim corrections by admins: find a claim, then record what it should stand at.

The web page (/admin/claims) and the CLI (`curbside claims ...`) both come through here so
they refuse the same things with the same words. Records are never edited: a correction is
a new claim row pointing at the original, with the reason and the admin who made it
(`credit_capture.claims.correct_claim`), and an audit event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlmodel import select

from app.accounts import User
from app.learning import Learning
from credit_capture import claims, episodes
from credit_capture.credit_errors import InvalidCorrection


@dataclass(frozen=True)
class Correction:
    at: str
    amount: float
    by: str
    reason: str


@dataclass(frozen=True)
class ClaimView:
    """One original claim as an admin needs to judge it."""

    id: str
    issued: str
    learner: str
    email: str
    question: str
    credit: str
    issued_amount: float
    standing: float
    corrections: list[Correction] = field(default_factory=list)


def parse_amount(credits: str | float | None, *, void: bool) -> float:
    """The corrected amount from a form or the CLI: void means 0; otherwise a number."""
    if void:
        return 0.0
    text = "" if credits is None else str(credits).strip()
    if not text:
        raise InvalidCorrection("give the corrected credits, or void the claim")
    try:
        value = float(text)
    except ValueError:
        raise InvalidCorrection(f"{text!r} is not a number of credits") from None
    if not math.isfinite(value):
        raise InvalidCorrection(f"{text!r} is not a number of credits")
    return value


def find_claims(learning: Learning, query: str = "", *, limit: int = 50) -> list[ClaimView]:
    """Newest original claims, or those matching a claim id (prefix) or a learner's
    e-mail or name."""
    query = query.strip()
    with learning.session() as session:
        users = {u.id: u for u in session.exec(select(User)).all()}
        learner_ids = None
        by_id = None
        if query:
            needle = query.lower()
            learner_ids = [u.id for u in users.values()
                           if needle in u.email.lower()
                           or needle in f"{u.first_name} {u.last_name}".lower()]
            by_id = claims.recent_originals(session, claim_id=query, limit=limit)
        found = claims.recent_originals(session, learner_ids=learner_ids, limit=limit)
        if by_id is not None:
            found = by_id + [c for c in found if c not in by_id]
        views = []
        for claim in found[:limit]:
            fixes = claims.corrections_of(session, claim.id)
            episode = session.get(episodes.Episode, claim.episode_id)
            views.append(_view(learning, claim, fixes, users.get(claim.learner_id), episode))
    return views


def _view(learning: Learning, claim, fixes, user: User | None, episode) -> ClaimView:
    rules = learning.rules
    label = (rules.credit_type(claim.credit_type).label if claim.credit_type in rules.keys
             else claim.credit_type)
    return ClaimView(
        id=claim.id, issued=f"{claim.issued_at:%Y-%m-%d}",
        learner=user.display_name if user else claim.learner_id,
        email=user.email if user else "", question=episode.question if episode else "",
        credit=label, issued_amount=claim.amount,
        standing=claims.net_claims([claim, *fixes])[0].amount,
        corrections=[Correction(f"{f.issued_at:%Y-%m-%d}", f.amount, f.issued_by,
                                f.reason or "") for f in fixes],
    )


def correct(learning: Learning, *, admin: str, claim_id: str, credits: str | float | None,
            void: bool, reason: str) -> claims.Claim:
    """Record a correction made by ``admin`` (their e-mail, kept on the record and in the
    audit chain). Raises ClaimNotFound or InvalidCorrection with a message to show."""
    amount = parse_amount(credits, void=void)
    with learning.session() as session:
        return claims.correct_claim(session, claim_id=claim_id.strip(), actor=admin,
                                    reason=reason, new_amount=amount, rules=learning.rules)

"""Draft-card requests: a planner turns a theme's content gap into a request that content
authors see (`curbside content requests`, the content pages).

A gap on the dashboard helps nobody until an author writes the card; the request carries
what the author needs to start (the theme's terms, how many questions went unanswered,
the closest existing cards) and nothing about who asked the questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from insights.models import CardRequest, Theme
from insights.signals import ThemeSignal

MAX_TITLE, MAX_NOTE = 200, 2000


class CardRequestError(ValueError):
    """A request that cannot be made; the message says why."""


class AlreadyRequested(CardRequestError):
    """The theme already has an open request (one at a time keeps authors' lists short)."""


@dataclass(frozen=True)
class Request:
    id: int
    theme_id: str
    title: str
    terms: list[str]
    near_cards: list[dict]
    questions: int
    gaps: int
    note: str
    status: str
    by: str
    at: datetime
    card_id: str | None = None
    card_title: str = ""
    closed_at: datetime | None = None

    def as_dict(self, *, with_requester: bool = True) -> dict:
        data = {"id": self.id, "theme_id": self.theme_id, "title": self.title,
                "terms": self.terms, "closest_cards": self.near_cards,
                "questions": self.questions, "gaps": self.gaps, "note": self.note,
                "status": self.status, "requested_at": self.at.isoformat(),
                "card_id": self.card_id, "card_title": self.card_title or None,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None}
        return data | ({"requested_by": self.by} if with_requester else {})


def request_card(session: Session, signal: ThemeSignal, *, title: str, note: str,
                 by_id: str, by_email: str, scrub: Callable[[str], str],
                 now: datetime | None = None) -> Request:
    """Open a request for the theme `signal` describes (already shown to the planner, so
    k-anonymous). Refused when the theme has no gap or already has an open request."""
    theme = session.get(Theme, signal.id)
    if theme is None or not theme.active:
        raise LookupError(f"no theme {signal.id!r}")
    if not signal.gaps:
        raise CardRequestError("this theme has no unanswered or low-confidence questions in "
                               "the period: there is no gap for a new card to close")
    open_one = _open_for(session, signal.id)
    if open_one is not None:
        raise AlreadyRequested(f"a draft card was already requested for this theme on "
                               f"{_aware(open_one.requested_at):%Y-%m-%d} "
                               f"(request {open_one.id})")
    title, note = " ".join((title or "").split()) or signal.label, (note or "").strip()
    if len(title) > MAX_TITLE or len(note) > MAX_NOTE:
        raise CardRequestError(f"the title is limited to {MAX_TITLE} characters and the "
                               f"note to {MAX_NOTE}")
    row = CardRequest(theme_id=signal.id, title=scrub(title), terms=list(signal.terms),
                      near_cards=list(signal.near_cards), questions=signal.questions,
                      gaps=signal.gaps, note=scrub(note) if note else "",
                      requested_by=by_id, requested_by_email=by_email,
                      requested_at=now or datetime.now(UTC))
    session.add(row)
    session.commit()
    return _request(row)


def requests(session: Session, *, status: str | None = "open") -> list[Request]:
    """Requests (open ones by default), oldest first: the order authors work through."""
    query = select(CardRequest).order_by(CardRequest.requested_at, CardRequest.id)
    if status is not None:
        query = query.where(CardRequest.status == status)
    return [_request(r) for r in session.execute(query).scalars()]


def open_for(session: Session, theme_id: str) -> Request | None:
    row = _open_for(session, theme_id)
    return _request(row) if row is not None else None


def mark_done(session: Session, request_id: int) -> Request:
    """Close a request once its card exists; LookupError for an unknown id."""
    row = session.get(CardRequest, request_id)
    if row is None:
        raise LookupError(f"no draft-card request {request_id}")
    row.status = "done"
    session.add(row)
    session.commit()
    return _request(row)


def close(session: Session, request_id: int, *, card_id: str, card_title: str, by: str,
          now: datetime | None = None) -> Request:
    """Record that card `card_id` (already checked to exist by the caller, who holds the
    content index) answers the request. From `now` on, the theme's questions show whether
    the gap closed. LookupError for an unknown id; CardRequestError when another card
    already answered it."""
    row = session.get(CardRequest, request_id)
    if row is None:
        raise LookupError(f"no draft-card request {request_id}")
    if row.card_id and row.card_id != card_id:
        raise CardRequestError(f"request {request_id} was already answered by card "
                               f"{row.card_id} on {_aware(row.closed_at):%Y-%m-%d}")
    if row.card_id == card_id:
        return _request(row)  # closing twice with the same card changes nothing
    row.status, row.card_id, row.card_title = "done", card_id, card_title
    row.closed_at, row.closed_by = now or datetime.now(UTC), by
    session.add(row)
    session.commit()
    return _request(row)


def _open_for(session: Session, theme_id: str) -> CardRequest | None:
    query = select(CardRequest).where(CardRequest.theme_id == theme_id,
                                      CardRequest.status == "open")
    return session.execute(query).scalars().first()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _request(row: CardRequest) -> Request:
    return Request(row.id, row.theme_id, row.title, list(row.terms or []),
                   list(row.near_cards or []), row.questions, row.gaps, row.note, row.status,
                   row.requested_by_email, _aware(row.requested_at), row.card_id,
                   row.card_title or "", _aware(row.closed_at) if row.closed_at else None)

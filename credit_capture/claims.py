"""Credit claims: the issued record of credit for a completed learning cycle.

A claim is immutable once issued (records are kept at least six years and may be audited),
so there is no update or delete here. A mistake is fixed by :func:`correct_claim`, which
adds a new row pointing at the original (``corrects_claim_id``) whose amount is the
difference; the learner's credit for an episode is the sum of the original and its
corrections (:func:`net_claims`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, Index, func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from credit_capture import audit
from credit_capture.credit_errors import (
    CapExceeded,
    ClaimNotFound,
    ConsentRequired,
    DemoContentOnly,
    InvalidCorrection,
    NotForProfession,
    ProfessionRequired,
    ReflectionRequired,
    WindowClosed,
)
from credit_capture.episodes import get_episode, get_reflection, utc_now
from credit_capture.rules import CreditRules

_ORIGINAL = "corrects_claim_id IS NULL"


class ClaimBase(SQLModel):
    episode_id: str = Field(index=True, foreign_key="episode.id")
    learner_id: str = Field(index=True)
    credit_type: str = Field(index=True)
    amount: float = Field(description="Credit issued; for a correction, the change (+/-).")
    year: int = Field(index=True, description="Calendar year the credit counts toward.")
    status: str = "issued"
    corrects_claim_id: str | None = Field(default=None, index=True, foreign_key="claim.id")


class Claim(ClaimBase, table=True):
    # One original claim per episode and credit type, even under concurrent requests.
    __table_args__ = (
        Index(
            "uq_claim_episode_type", "episode_id", "credit_type", unique=True,
            sqlite_where=text(_ORIGINAL), postgresql_where=text(_ORIGINAL),
        ),
    )

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    issued_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    issued_by: str = Field(description="Learner id, or the admin who made a correction.")
    reason: str | None = Field(default=None, description="Why a correction was made.")
    seconds_to_claim: int | None = Field(default=None, description="Question asked -> claim.")
    fields_touched: int = Field(default=0, description="Form fields filled to earn it.")
    profession: str | None = Field(default=None, description="Learner's profession then.")
    accredited: bool = Field(
        default=False, sa_column_kwargs={"server_default": "0"},
        description="Real credit: an accredited provider for this credit type was configured "
        "when it was issued. False = a demonstration record, not valid for credit.",
    )
    demo_content: bool = Field(
        default=False, sa_column_kwargs={"server_default": "0"},
        description="Every source consulted was unreviewed demonstration content.",
    )


class ClaimPublic(ClaimBase):
    id: str
    issued_at: datetime
    reason: str | None
    accredited: bool
    demo_content: bool


def lock_for_credit(session: Session) -> None:
    """Serialise credit writes so concurrent claims can neither pass the annual cap
    together nor take the same audit sequence number.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before the cap is read
    (a second claimant waits, up to the busy timeout). PostgreSQL: the transaction-scoped
    advisory lock ``audit.record`` also takes, before the cap is read.
    Pending work is committed first: a claim starts its own transaction.
    """
    if session.in_transaction():
        session.commit()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({audit.WRITE_LOCK_KEY})")


def consulted(episode: Any) -> list[dict]:
    """The sources the learner opened, or, if none was recorded, those shown."""
    opened = {o.get("doc_id") for o in episode.opened or []}
    chosen = [s for s in episode.sources if s.get("doc_id") in opened]
    return chosen or list(episode.sources)


def demo_only(episode: Any) -> bool:
    """Every source consulted was unreviewed demonstration content (own sources of an
    unanswered question are the learner's, so never demo)."""
    sources = consulted(episode)
    return bool(sources) and all(s.get("demo") for s in sources)


def check_offered(rules: CreditRules, profession: str | None, credit_type: str) -> None:
    """Refuse a credit type the learner's profession is not offered."""
    found = rules.profession(profession)
    if found is None:
        raise ProfessionRequired([p.label for p in rules.professions.values()])
    kind = rules.credit_type(credit_type)
    if kind.key not in found.credit_types:
        raise NotForProfession(kind.label, found.label,
                               [rules.credit_type(k).label for k in found.credit_types])


@dataclass(frozen=True)
class NetClaim:
    """An original claim and the amount that stands after its corrections."""

    claim: Any
    amount: float


def net_claims(claims: Iterable[Any]) -> list[NetClaim]:
    """Originals with corrections folded in, in issue order (pure: plain objects in)."""
    claims = list(claims)
    originals = [c for c in claims if c.corrects_claim_id is None]
    delta: dict[str, float] = {}
    for c in claims:
        if c.corrects_claim_id is not None:
            delta[c.corrects_claim_id] = delta.get(c.corrects_claim_id, 0.0) + c.amount
    return [NetClaim(c, round(c.amount + delta.get(c.id, 0.0), 4)) for c in originals]


def _existing(session: Session, episode_id: str, credit_type: str) -> Claim | None:
    stmt = select(Claim).where(
        Claim.episode_id == episode_id,
        Claim.credit_type == credit_type,
        col(Claim.corrects_claim_id).is_(None),
    )
    return session.exec(stmt).first()


def claimed_in_year(session: Session, *, learner_id: str, credit_type: str, year: int) -> float:
    """Net credit of one type a learner holds for a calendar year (corrections included)."""
    stmt = select(func.coalesce(func.sum(Claim.amount), 0.0)).where(
        Claim.learner_id == learner_id, Claim.credit_type == credit_type, Claim.year == year
    )
    return round(float(session.exec(stmt).one()), 4)


def claim_credit(
    session: Session,
    *,
    episode_id: str,
    learner_id: str,
    credit_type: str,
    rules: CreditRules,
    now: datetime | None = None,
    board_consent: bool = False,
    profession: str | None = None,
) -> Claim:
    """Issue credit for a reflected episode, or return the claim already issued for it.

    Idempotent per (episode, credit type): repeating a claim never adds credit. The
    learner's ``profession`` decides which credit types may be claimed; the rules decide
    whether demonstration content counts and whether the credit is real (accredited).
    """
    kind = rules.credit_type(credit_type)
    lock_for_credit(session)
    try:
        return _issue(session, kind=kind, episode_id=episode_id, learner_id=learner_id,
                      rules=rules, now=now, board_consent=board_consent, profession=profession)
    except BaseException:
        session.rollback()  # a refusal must not keep holding the write lock
        raise


def _issue(session: Session, *, kind, episode_id: str, learner_id: str, rules: CreditRules,
           now: datetime | None, board_consent: bool, profession: str | None) -> Claim:
    """claim_credit's checks and write, under the credit lock."""
    credit_type = kind.key
    episode = get_episode(session, episode_id=episode_id, learner_id=learner_id)
    existing = _existing(session, episode_id, credit_type)
    if existing is not None:
        session.commit()  # nothing to write: release the lock
        return existing
    check_offered(rules, profession, kind.key)
    demo = demo_only(episode)
    if demo and not rules.demo_content_creditable:
        raise DemoContentOnly(episode_id)
    reflection = get_reflection(session, episode_id=episode_id)
    if reflection is None:
        raise ReflectionRequired(episode_id)
    at = utc_now(now)
    if at > audit.as_utc(episode.due_at):
        raise WindowClosed(episode_id, f"{audit.as_utc(episode.due_at):%Y-%m-%d}", "claim credit")
    if kind.requires_board_consent and not board_consent:
        raise ConsentRequired(kind.label)
    held = claimed_in_year(session, learner_id=learner_id, credit_type=kind.key, year=at.year)
    if held + kind.amount > kind.annual_cap + 1e-9:
        raise CapExceeded(
            credit_label=kind.label, year=at.year, cap=kind.annual_cap, claimed=held,
            amount=kind.amount,
        )
    claim = Claim(
        episode_id=episode_id, learner_id=learner_id, credit_type=kind.key, amount=kind.amount,
        year=at.year, issued_at=at, issued_by=learner_id,
        seconds_to_claim=int((at - audit.as_utc(episode.asked_at)).total_seconds()),
        # the reflection form, plus choosing the credit type (and ticking consent)
        fields_touched=reflection.fields_touched + 1 + int(kind.requires_board_consent),
        profession=rules.profession_key(profession),
        accredited=rules.valid_for_credit(kind.key), demo_content=demo,
    )
    episode.status = "claimed"
    session.add_all([claim, episode])
    try:
        session.flush()
    except IntegrityError:  # a concurrent request issued it first
        session.rollback()
        return _existing(session, episode_id, credit_type)
    audit.record(
        session, actor=learner_id, action="claim.issued", entity="claim", entity_id=claim.id,
        now=at, commit=False,
        payload={"episode_id": episode_id, "credit_type": kind.key, "amount": kind.amount,
                 "year": at.year, "board_consent": board_consent,
                 "activity_id": rules.activity_id, "profession": claim.profession,
                 "accredited": claim.accredited, "demo_content": demo,
                 "sources_opened": [o.get("doc_id") for o in episode.opened or []]},
    )
    session.commit()
    session.refresh(claim)
    return claim


def correct_claim(
    session: Session,
    *,
    claim_id: str,
    actor: str,
    reason: str,
    new_amount: float = 0.0,
    now: datetime | None = None,
    rules: CreditRules | None = None,
) -> Claim:
    """Record that a claim should stand at ``new_amount`` (0 voids it).

    Adds a correction row with the difference, the reason and the admin (``actor``); the
    original row is never changed. Correcting a correction corrects the original it belongs
    to. A correction may not exceed what one cycle earns (the issued amount, or the rules'
    amount if larger) nor push the learner past the annual cap, so it can never hand out
    credit a claim could not have earned. Every correction is in the audit chain.
    """
    lock_for_credit(session)
    try:
        return _correct(session, claim_id=claim_id, actor=actor, reason=reason,
                        new_amount=new_amount, now=now, rules=rules)
    except BaseException:
        session.rollback()  # a refusal must not keep holding the write lock
        raise


MIN_REASON = 5


def _correct(session: Session, *, claim_id: str, actor: str, reason: str, new_amount: float,
             now: datetime | None, rules: CreditRules | None) -> Claim:
    """correct_claim's checks and write, under the credit lock."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    original = session.get(Claim, claim.corrects_claim_id) if claim.corrects_claim_id else claim
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidCorrection("give the reason for the correction (a sentence an auditor "
                                "can read)")
    new_amount = round(float(new_amount), 4)
    if new_amount != new_amount or new_amount < 0:  # NaN or negative
        raise InvalidCorrection("the corrected amount must be 0 or more")
    most = original.amount
    if rules is not None and original.credit_type in rules.keys:
        most = max(most, rules.credit_type(original.credit_type).amount)
    if new_amount > most + 1e-9:
        raise InvalidCorrection(
            f"{new_amount:g} is more than one learning cycle earns ({most:g})"
        )
    family = session.exec(
        select(Claim).where((Claim.id == original.id) | (Claim.corrects_claim_id == original.id))
    )
    current = net_claims(family)[0].amount
    delta = round(new_amount - current, 4)
    if delta == 0:
        raise InvalidCorrection(f"the claim already stands at {current:g}")
    if delta > 0 and rules is not None and original.credit_type in rules.keys:
        kind = rules.credit_type(original.credit_type)
        held = claimed_in_year(session, learner_id=original.learner_id,
                               credit_type=kind.key, year=original.year)
        if held + delta > kind.annual_cap + 1e-9:
            raise InvalidCorrection(
                f"it would take the learner to {held + delta:g} of the {kind.annual_cap:g} "
                f"{kind.label} allowed for {original.year} (annual cap)"
            )
    at = utc_now(now)
    fix = Claim(
        episode_id=original.episode_id, learner_id=original.learner_id,
        credit_type=original.credit_type, amount=delta, year=original.year, issued_at=at,
        issued_by=actor, corrects_claim_id=original.id, reason=reason,
        status="voided" if new_amount == 0 else "corrected",
        profession=original.profession, accredited=original.accredited,
        demo_content=original.demo_content,
    )
    session.add(fix)
    session.flush()
    audit.record(
        session, actor=actor, action="claim.corrected", entity="claim", entity_id=fix.id,
        now=at, commit=False,
        payload={"corrects_claim_id": original.id, "learner_id": original.learner_id,
                 "credit_type": original.credit_type, "from": current, "to": new_amount,
                 "delta": delta, "reason": fix.reason, "void": new_amount == 0},
    )
    session.commit()
    session.refresh(fix)
    return fix


def corrections_of(session: Session, claim_id: str) -> list[Claim]:
    """The corrections made to one original claim, oldest first."""
    stmt = select(Claim).where(Claim.corrects_claim_id == claim_id).order_by(Claim.issued_at)
    return list(session.exec(stmt))


def recent_originals(session: Session, *, learner_ids: list[str] | None = None,
                     claim_id: str | None = None, limit: int = 50) -> list[Claim]:
    """Original claims, newest first, for the admin's correction page: one learner set,
    or a claim id (a prefix is enough, as ids are shown shortened)."""
    stmt = select(Claim).where(col(Claim.corrects_claim_id).is_(None))
    if learner_ids is not None:
        stmt = stmt.where(col(Claim.learner_id).in_(learner_ids))
    if claim_id:
        stmt = stmt.where(col(Claim.id).startswith(claim_id.strip().lower(),
                                                      autoescape=True))
    return list(session.exec(stmt.order_by(col(Claim.issued_at).desc()).limit(limit)))


def _day_start(day: date) -> datetime:
    return audit.as_utc(datetime.combine(day, time.min))


def claims_for(
    session: Session,
    *,
    learner_id: str,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
) -> list[Claim]:
    """A learner's claims issued in [start, end] (dates are whole UTC days) in issue order,
    then all corrections of those claims, whenever made, so totals net out correctly."""
    stmt = select(Claim).where(
        Claim.learner_id == learner_id, col(Claim.corrects_claim_id).is_(None)
    )
    if isinstance(start, datetime):
        stmt = stmt.where(Claim.issued_at >= audit.as_utc(start))
    elif start is not None:
        stmt = stmt.where(Claim.issued_at >= _day_start(start))
    if isinstance(end, datetime):
        stmt = stmt.where(Claim.issued_at <= audit.as_utc(end))
    elif end is not None:
        stmt = stmt.where(Claim.issued_at < _day_start(end + timedelta(days=1)))
    originals = list(session.exec(stmt.order_by(Claim.issued_at)))
    if not originals:
        return []
    fixes = select(Claim).where(col(Claim.corrects_claim_id).in_([c.id for c in originals]))
    return originals + list(session.exec(fixes.order_by(Claim.issued_at)))

"""Append-only, hash-chained audit log of every credit-relevant action.

Accreditors may ask, years later, who claimed what and when. Each event stores the hash of
the one before it, so an edited, removed or reordered row breaks the chain and
:func:`verify_chain` reports it. There are deliberately no update or delete functions.
Deleting the newest rows is only detectable against a copy of :func:`head_hash` kept
elsewhere (e.g. printed in a nightly report).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import JSON, Column, Field, Session, SQLModel, select

GENESIS = "0" * 64


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; SQLite hands back naive values that were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def canonical_json(value: Any) -> str:
    """One byte-stable JSON text per value, so hashes do not depend on key order."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, description="1, 2, 3 ...; a gap means a lost row.")
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(description="Learner id, admin e-mail or 'system'.")
    action: str = Field(index=True, description="e.g. episode.opened, claim.issued.")
    entity: str
    entity_id: str = Field(index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    prev_hash: str
    hash: str


def _digest(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "at": as_utc(event.at).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _last(session: Session, *, for_update: bool = False) -> AuditEvent | None:
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # the next writer waits for this seq to commit
    return session.exec(stmt).first()


def head_hash(session: Session) -> str:
    """Hash of the newest event (GENESIS when empty); keep copies to detect truncation."""
    last = _last(session)
    return last.hash if last else GENESIS


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    payload: dict,
    now: datetime | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Append one event. Domain functions pass ``commit=False`` and commit their row and
    its event together, so neither exists without the other. SQLite has one writer at a
    time (the caller's row was written first); PostgreSQL locks the newest event row."""
    last = _last(session, for_update=True)
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=as_utc(now or datetime.now(UTC)),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        payload=json.loads(canonical_json(payload)),  # what the JSON column will return
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = _digest(event)
    session.add(event)
    if commit:
        session.commit()
        session.refresh(event)
    else:
        session.flush()
    return event


def events_for(session: Session, *, entity: str, entity_id: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
    return list(session.exec(stmt.order_by(AuditEvent.seq)))


def verify_chain(session: Session) -> list[str]:
    """Problems found walking the log in order; an empty list means the chain is intact."""
    problems: list[str] = []
    prev_hash, expected_seq = GENESIS, 1
    # populate_existing: re-read rows even if this session already holds them in memory.
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(populate_existing=True)
    for event in session.exec(stmt):
        if event.seq != expected_seq:
            problems.append(f"gap in seq: expected {expected_seq}, found {event.seq}")
        if event.prev_hash != prev_hash:
            problems.append(
                f"broken link at seq {event.seq}: prev_hash does not match the previous event"
            )
        if _digest(event) != event.hash:
            problems.append(
                f"altered event at seq {event.seq} ({event.action} {event.entity} "
                f"{event.entity_id}): payload or fields do not match its hash"
            )
        prev_hash, expected_seq = event.hash, event.seq + 1
    return problems

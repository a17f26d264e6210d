"""Append-only, keyed and hash-chained audit log of every credit-relevant action.

Accreditors may ask, years later, who claimed what and when, so three kinds of tampering
must show up in :func:`verify`:

- **Edits.** Each event stores the SHA-256 of its fields and of the event before it, so an
  edited, removed or reordered event breaks the chain. Claims (and their corrections, which
  are claim rows too) are sealed: the event that issues one stores a digest of the claim
  row, so an edited, deleted or smuggled-in claim is caught as well.
- **Recomputation.** Anyone with write access can recompute plain hashes, so each event
  also carries an HMAC (``mac``) of its hash and seal under a secret kept out of the
  database (``CURBSIDE_AUDIT__SECRET``); a chain rebuilt without it fails.
- **Truncation.** Removing the newest events leaves a valid shorter chain, so after every
  commit the newest (seq, hash), signed with the same secret, is written to a file beside
  the database; a log that ends before that head, or differs at it, is reported.

There are deliberately no update or delete functions.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, Engine, event
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import JSON, Column, Field, Session, SQLModel, select

GENESIS = "0" * 64
# Public on purpose: it keys development and test databases; production mode refuses it.
DEFAULT_SECRET = "curbside-development-audit-secret"
# The claim fields a seal covers (version 1). A release that adds claim fields adds a new
# version, so claims sealed before it still verify.
SEALED_CLAIM_FIELDS = (
    "id", "episode_id", "learner_id", "credit_type", "amount", "year", "status",
    "corrects_claim_id", "issued_at", "issued_by", "reason", "seconds_to_claim",
    "fields_touched", "profession", "accredited", "demo_content",
)
SEALING_ACTIONS = ("claim.issued", "claim.corrected")
_log = logging.getLogger("curbside.audit")


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
    row_digest: str | None = Field(
        default=None, description="Seal of the claim row this event issued ('v1:<sha256>')."
    )
    mac: str | None = Field(
        default=None, description="HMAC-SHA256 of hash and seal under the audit secret."
    )


# keys ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sealer:
    """The audit secret and where the signed head is kept, for one database."""

    secret: str = DEFAULT_SECRET
    head_file: Path | None = None

    def _sign(self, message: str) -> str:
        return hmac.new(self.secret.encode("utf-8"), message.encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def mac(self, event_hash: str, row_digest: str | None) -> str:
        return self._sign(f"event:{event_hash}:{row_digest or ''}")

    def head_mac(self, seq: int, head: str) -> str:
        return self._sign(f"head:{seq}:{head}")


_SEALERS: WeakKeyDictionary[Engine, Sealer] = WeakKeyDictionary()


def configure(engine: Engine, *, secret: str, head_file: Path | None) -> None:
    """Key this engine's audit log; engines never configured use the public default
    secret and keep no head file (tests and scripts)."""
    _SEALERS[engine] = Sealer(secret=secret, head_file=head_file)


def sealer_for(session: Session) -> Sealer:
    bind = session.get_bind()
    return _SEALERS.get(getattr(bind, "engine", bind), Sealer())


def default_head_file(database_url: str, home: Path) -> Path:
    """Beside a SQLite file (``curbside.db`` -> ``curbside-audit-head.json``), so a copy of
    one database never meets another's head; in the home for a server database."""
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        db = Path(database_url.removeprefix("sqlite:///"))
        return db.with_name(f"{db.stem}-audit-head.json")
    return home / "audit-head.json"


# hashing and sealing ---------------------------------------------------------------------
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


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    return value


def claim_digest(row: dict) -> str:
    """Seal of one claim row: the fields of `SEALED_CLAIM_FIELDS`, canonically encoded."""
    body = {name: _plain(row.get(name)) for name in SEALED_CLAIM_FIELDS}
    return "v1:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _claim_rows(connection, claim_id: str | None = None) -> dict[str, dict]:
    """Claim rows by id, with typed values (imported late: claims imports this module)."""
    from credit_capture.claims import Claim

    table = Claim.__table__
    stmt = sa_select(*[table.c[n] for n in SEALED_CLAIM_FIELDS if n in table.c])
    if claim_id is not None:
        stmt = stmt.where(table.c.id == claim_id)
    return {row["id"]: dict(row) for row in connection.execute(stmt).mappings()}


def sealed_row_digest(connection, *, action: str, entity: str, entity_id: str) -> str | None:
    """The seal an event issuing a claim carries (None for other events, or if the row is
    not there: such an event is reported by :func:`verify`)."""
    if entity != "claim" or action not in SEALING_ACTIONS:
        return None
    row = _claim_rows(connection, entity_id).get(entity_id)
    return claim_digest(row) if row else None


# writing ---------------------------------------------------------------------------------
# PostgreSQL: one transaction-scoped advisory lock serialises every audit writer and every
# credit claim (`claims.lock_for_credit` takes the same key first; it is re-entrant).
WRITE_LOCK_KEY = 4242001


def _last(session: Session, *, for_update: bool = False) -> AuditEvent | None:
    if for_update and session.get_bind().dialect.name == "postgresql":
        # Locking the newest row (FOR UPDATE) is not enough: a writer waiting on it gets the
        # same row back once the holder commits, so both take the next seq; and an empty log
        # has no row to lock. The lock is held until this transaction ends, so the next
        # writer's read sees this one's event.
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    return session.exec(stmt).first()


def head_hash(session: Session) -> str:
    """Hash of the newest event (GENESIS when empty)."""
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
    its event together, so neither exists without the other (a claim is flushed before
    its event, which seals it). SQLite has one writer at a time (the caller's row was
    written first); PostgreSQL takes the audit advisory lock (`WRITE_LOCK_KEY`)."""
    sealer = sealer_for(session)
    last = _last(session, for_update=True)
    event_row = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=as_utc(now or datetime.now(UTC)),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        payload=json.loads(canonical_json(payload)),  # what the JSON column will return
        prev_hash=last.hash if last else GENESIS,
        hash="",
        row_digest=sealed_row_digest(session.connection(), action=action, entity=entity,
                                     entity_id=entity_id),
    )
    event_row.hash = _digest(event_row)
    event_row.mac = sealer.mac(event_row.hash, event_row.row_digest)
    session.add(event_row)
    if sealer.head_file is not None:
        session.info[_PENDING_HEAD] = (sealer, event_row.seq, event_row.hash)
    if commit:
        session.commit()
        session.refresh(event_row)
    else:
        session.flush()
    return event_row


def events_for(session: Session, *, entity: str, entity_id: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
    return list(session.exec(stmt.order_by(AuditEvent.seq)))


# the signed head ---------------------------------------------------------------------------
_PENDING_HEAD = "curbside_audit_head"


@event.listens_for(OrmSession, "after_commit")
def _head_after_commit(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is not None:
        sealer, seq, head = pending
        try:
            write_head(sealer, seq, head)
        except OSError as exc:  # the record is committed; the next write retries
            _log.warning("audit head file not written: %s", exc)


@event.listens_for(OrmSession, "after_rollback")
def _head_after_rollback(session: OrmSession) -> None:
    session.info.pop(_PENDING_HEAD, None)


def read_head(path: Path) -> dict | None:
    """The head file's content, or None when there is none; ValueError when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the signed head {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int) or not all(
            isinstance(data.get(k), str) for k in ("hash", "mac")):
        raise ValueError(f"the signed head {path} is not a head file")
    return data


def write_head(sealer: Sealer, seq: int, head: str) -> None:
    """Move the signed head forward (never back: workers commit in any order), atomically
    and readable only by the owner. A head that does not verify is left for `verify`."""
    path = sealer.head_file
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = read_head(path)
        except ValueError:
            _log.warning("audit head file %s is damaged; run `curbside audit verify`", path)
            return
        if current is not None:
            if not hmac.compare_digest(current["mac"],
                                       sealer.head_mac(current["seq"], current["hash"])):
                _log.warning("audit head file %s does not verify; run `curbside audit verify`",
                             path)
                return
            if current["seq"] >= seq:
                return
        body = {"seq": seq, "hash": head, "written_at": datetime.now(UTC).isoformat(),
                "mac": sealer.head_mac(seq, head)}
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(body, indent=1) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)


# verifying ---------------------------------------------------------------------------------
@dataclass
class AuditReport:
    """What :func:`verify` found; ``problems`` empty means nothing was tampered with."""

    events: int = 0
    claims: int = 0
    head_seq: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_chain(session: Session) -> list[str]:
    """Problems found in the log, its sealed claims and against the signed head."""
    return verify(session).problems


def verify(session: Session, *, write_missing_head: bool = False) -> AuditReport:
    """Walk the chain, check every keyed seal and claim, and compare with the signed head.
    ``write_missing_head`` starts a head file for a log that has none yet (an older
    database), once the log has verified."""
    sealer, report = sealer_for(session), AuditReport()
    # populate_existing: re-read rows even if this session already holds them in memory.
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(populate_existing=True)
    events = list(session.exec(stmt))
    report.events = len(events)
    _check_chain(events, sealer, report)
    _check_claims(events, _claim_rows(session.connection()), report)
    _check_head(events, sealer, report)
    if write_missing_head and events and not report.problems and report.head_seq is None \
            and sealer.head_file is not None:
        write_head(sealer, events[-1].seq, events[-1].hash)
        report.head_seq = events[-1].seq
        report.notes.append(f"started the signed head {sealer.head_file} at seq "
                            f"{events[-1].seq}: truncation is checked from now on")
    return report


def _check_chain(events: list[AuditEvent], sealer: Sealer, report: AuditReport) -> None:
    problems = report.problems
    prev_hash, expected_seq = GENESIS, 1
    forged: list[int] = []
    unsealed: list[int] = []
    for item in events:
        if item.seq != expected_seq:
            problems.append(f"gap in seq: expected {expected_seq}, found {item.seq}")
        if item.prev_hash != prev_hash:
            problems.append(
                f"broken link at seq {item.seq}: prev_hash does not match the previous event"
            )
        if _digest(item) != item.hash:
            problems.append(
                f"altered event at seq {item.seq} ({item.action} {item.entity} "
                f"{item.entity_id}): payload or fields do not match its hash"
            )
        if item.mac is None:
            unsealed.append(item.seq)
        elif not hmac.compare_digest(item.mac, sealer.mac(item.hash, item.row_digest)):
            forged.append(item.seq)
        prev_hash, expected_seq = item.hash, item.seq + 1
    if unsealed:
        problems.append(f"{len(unsealed)} event(s) carry no keyed seal (seq {_spans(unsealed)}):"
                        " written or rewritten outside Curbside")
    if forged and len(forged) == len(events):
        problems.append(
            f"recomputed chain: no event's keyed seal matches this server's audit secret "
            f"({len(forged)} events): the log was rebuilt without the secret, or written "
            "with another CURBSIDE_AUDIT__SECRET"
        )
    elif forged:
        problems.append(
            f"recomputed chain: the keyed seal does not match at seq {_spans(forged)} "
            f"({len(forged)} event(s)): hashes were recomputed or events forged without "
            "the audit secret"
        )


def _check_claims(events: list[AuditEvent], rows: dict[str, dict], report: AuditReport) -> None:
    """Every claim row is issued by one sealing event and still matches it."""
    report.claims = len(rows)
    issued: set[str] = set()
    for item in events:
        if item.entity != "claim" or item.action not in SEALING_ACTIONS:
            continue
        issued.add(item.entity_id)
        row = rows.get(item.entity_id)
        if row is None:
            report.problems.append(
                f"deleted claim {item.entity_id}: recorded at seq {item.seq} ({item.action}) "
                "but missing from the claim table"
            )
            continue
        # an altered event is reported already; its payload is no evidence against the row
        changes = _payload_changes(item, row) if _digest(item) == item.hash else []
        if changes or (item.row_digest is not None and item.row_digest != claim_digest(row)):
            detail = f" ({'; '.join(changes)})" if changes else ""
            report.problems.append(
                f"edited claim {item.entity_id}: does not match what was sealed at seq "
                f"{item.seq} ({item.action}){detail}"
            )
    for claim_id in sorted(set(rows) - issued):
        report.problems.append(
            f"unrecorded claim {claim_id}: no audit event issued it (added outside Curbside)"
        )


def _payload_changes(item: AuditEvent, row: dict) -> list[str]:
    """Fields of the claim that differ from what its event's payload recorded (also covers
    claims issued before seals existed)."""
    payload = item.payload or {}
    if item.action == "claim.issued":
        expected = {k: payload.get(k) for k in ("episode_id", "credit_type", "amount", "year")}
    else:
        expected = {"amount": payload.get("delta"),
                    "corrects_claim_id": payload.get("corrects_claim_id")}
    return [f"{name} is {row.get(name)!r}, recorded {value!r}"
            for name, value in expected.items()
            if value is not None and not _same(row.get(name), value)]


def _same(found: Any, recorded: Any) -> bool:
    if isinstance(recorded, int | float) and isinstance(found, int | float):
        return abs(float(found) - float(recorded)) < 1e-9
    return found == recorded


def _check_head(events: list[AuditEvent], sealer: Sealer, report: AuditReport) -> None:
    path = sealer.head_file
    if path is None:
        report.notes.append("no signed head file configured: truncation is not checked")
        return
    try:
        head = read_head(path)
    except ValueError as exc:
        report.problems.append(str(exc))
        return
    if head is None:
        if events:
            report.notes.append(f"no signed head at {path} yet: truncation is checked once "
                                "the next event is written")
        return
    if not hmac.compare_digest(head["mac"], sealer.head_mac(head["seq"], head["hash"])):
        report.problems.append(
            f"the signed head {path} does not match this server's audit secret: forged, or "
            "written with another CURBSIDE_AUDIT__SECRET"
        )
        return
    report.head_seq = head["seq"]
    last = events[-1].seq if events else 0
    at = head.get("written_at", "?")
    if head["seq"] > last:
        report.problems.append(
            f"truncated log: the signed head ({path}, written {at}) records seq {head['seq']}"
            f" but the log ends at seq {last}: the newest {head['seq'] - last} event(s) "
            "were removed"
        )
        return
    at_head = next((e for e in events if e.seq == head["seq"]), None)
    if at_head is not None and at_head.hash != head["hash"]:
        report.problems.append(
            f"rewritten log: the event at seq {head['seq']} differs from the signed head "
            f"({path}, written {at})"
        )


def _spans(seqs: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7' (at most a few spans, then '…')."""
    spans: list[str] = []
    start = prev = seqs[0]
    for seq in [*seqs[1:], None]:
        if seq is not None and seq == prev + 1:
            prev = seq
            continue
        spans.append(f"{start}-{prev}" if prev != start else str(start))
        if seq is not None:
            start = prev = seq
    return ", ".join(spans[:5]) + (", …" if len(spans) > 5 else "")

"""Audit you can trust (issue 14): claims and corrections sealed in the chain, a keyed chain
that cannot be recomputed without the secret, truncation caught against the signed head,
and `curbside audit verify` naming each, for a database of an earlier release too."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import text
from sqlmodel import Session, select

from app.cli import main
from app.services import Curbside
from app.settings import Settings
from credit_capture import audit, claims
from credit_capture.claims import Claim
from credit_capture.rules import load_rules
from tests.test_credit_domain import T0, cycle

RELEASE_SQL = Path(__file__).parent / "data" / "release-c56b2f2.sql"
REASON = "Duplicate of another activity: credit withdrawn by the provider."


@pytest.fixture
def curbside(settings) -> Curbside:
    return Curbside(settings)


@pytest.fixture
def credited(curbside):
    """One claim and its correction, through the domain functions: (claim, correction)."""
    with Session(curbside.engine) as session:
        _, claim = cycle(session, load_rules())
        fix = claims.correct_claim(session, claim_id=claim.id, actor="admin@example.org",
                                   reason=REASON, new_amount=0.25,
                                   now=T0 + timedelta(days=3))
        return claim.id, fix.id


def _verify(curbside) -> audit.AuditReport:
    with Session(curbside.engine) as session:
        return audit.verify(session)


def _sql(curbside, statement: str, **params) -> None:
    with curbside.engine.begin() as connection:
        connection.execute(text(statement), params)


@pytest.mark.sqlite_only  # also checks the head file sits beside the SQLite file
def test_claims_and_corrections_are_sealed_and_the_head_signed(curbside, credited):
    report = _verify(curbside)
    assert report.problems == []
    assert report.claims == 2 and report.events == 4
    with Session(curbside.engine) as session:
        sealing = session.exec(select(audit.AuditEvent).where(
            audit.AuditEvent.entity == "claim")).all()
    assert {e.entity_id for e in sealing} == set(credited)
    assert all(e.row_digest.startswith("v1:") and e.mac for e in sealing)
    head = json.loads(curbside.audit_head_file.read_text())
    assert head["seq"] == 4 and report.head_seq == 4
    assert curbside.audit_head_file.parent == Path(
        curbside.settings.database_url.removeprefix("sqlite:///")).parent
    assert curbside.audit_head_file.stat().st_mode & 0o077 == 0


def test_an_edited_claim_is_caught_even_in_a_field_no_payload_repeats(curbside, credited):
    claim_id, fix_id = credited
    _sql(curbside, "UPDATE claim SET amount = 5.0 WHERE id = :id", id=claim_id)
    _sql(curbside, "UPDATE claim SET issued_by = 'someone-else' WHERE id = :id", id=fix_id)
    problems = _verify(curbside).problems
    assert len(problems) == 2
    assert f"edited claim {claim_id}" in problems[0]
    assert "amount is 5.0, recorded 0.5" in problems[0]
    assert f"edited claim {fix_id}" in problems[1] and "claim.corrected" in problems[1]


def test_deleted_and_smuggled_in_claims_are_caught(curbside, credited):
    claim_id, fix_id = credited
    _sql(curbside, "DELETE FROM claim WHERE id = :id", id=fix_id)  # undo a revocation
    columns = ("episode_id, learner_id, credit_type, amount, year, status, issued_at, "
               "issued_by, fields_touched, accredited, demo_content")
    _sql(curbside, f"INSERT INTO claim (id, corrects_claim_id, {columns}) SELECT 'forged', id, "
         f"{columns} FROM claim WHERE id = :id", id=claim_id)  # a bonus 'correction'

    problems = _verify(curbside).problems
    assert any(p.startswith(f"deleted claim {fix_id}") for p in problems)
    assert any(p.startswith("unrecorded claim forged") for p in problems)


def _recompute_from(curbside, seq: int, payload: dict, *, secret: str | None = None) -> None:
    """What someone with write access but not the secret does: edit an event and rebuild
    every hash after it (and, with a guessed ``secret``, the keyed seals too)."""
    guessed = audit.Sealer(secret=secret) if secret else None
    with Session(curbside.engine) as session:
        events = session.exec(select(audit.AuditEvent).order_by(audit.AuditEvent.seq)).all()
        prev = events[seq - 2].hash if seq > 1 else audit.GENESIS
        for event in events[seq - 1:]:
            if event.seq == seq:
                event.payload = payload
            event.prev_hash = prev
            event.hash = audit._digest(event)
            if guessed:
                event.mac = guessed.mac(event.hash, event.row_digest)
            prev = event.hash
            session.add(event)
        session.commit()


def test_a_recomputed_chain_is_caught_by_the_keyed_seals(curbside, credited):
    with Session(curbside.engine) as session:
        original = session.exec(select(audit.AuditEvent).where(audit.AuditEvent.seq == 3)).one()
        payload = {**original.payload, "board_consent": True}
    _recompute_from(curbside, 3, payload)
    problems = _verify(curbside).problems
    assert not any("altered event" in p or "broken link" in p for p in problems)  # sha ok
    recomputed = [p for p in problems if p.startswith("recomputed chain")]
    assert len(recomputed) == 1 and "seq 3-4 (2 event(s))" in recomputed[0]


def test_a_chain_resealed_with_a_guessed_secret_still_fails(curbside, credited):
    _recompute_from(curbside, 1, {"edited": True}, secret="a-guess")
    problems = _verify(curbside).problems
    assert any("no event's keyed seal matches this server's audit secret" in p
               for p in problems)
    assert any("rewritten log: the event at seq 4 differs from the signed head" in p
               for p in problems)


def test_removing_the_newest_events_is_caught_as_truncation(curbside, credited):
    claim_id, fix_id = credited
    _sql(curbside, "DELETE FROM claim WHERE id = :id", id=fix_id)
    _sql(curbside, "DELETE FROM audit_event WHERE seq = 4")  # the chain itself stays valid
    problems = _verify(curbside).problems
    assert len(problems) == 1
    assert "truncated log" in problems[0] and "records seq 4 but the log ends at seq 3" in (
        problems[0]) and "newest 1 event(s) were removed" in problems[0]


def test_a_forged_or_rolled_back_head_file_is_reported(curbside, credited):
    head = json.loads(curbside.audit_head_file.read_text())
    curbside.audit_head_file.write_text(json.dumps({**head, "seq": 3}))
    assert "does not match this server's audit secret" in _verify(curbside).problems[0]
    curbside.audit_head_file.write_text("{not json")
    assert "cannot be read" in _verify(curbside).problems[0]


@pytest.mark.parametrize("tamper, expected", [
    ("UPDATE audit_event SET actor = 'x' WHERE seq = 2", "altered event at seq 2"),
    ("recompute", "recomputed chain"),
    ("DELETE FROM audit_event WHERE seq >= 4", "truncated log"),
])
def test_audit_verify_command_reports_each_kind_of_tampering(curbside, credited, monkeypatch,
                                                             capsys, tamper, expected):
    for name, value in (("HOME", curbside.settings.home),
                        ("DATABASE_URL", curbside.settings.database_url)):
        monkeypatch.setenv(f"CURBSIDE_{name}", str(value))
    assert main(["audit", "verify"]) == 0
    assert "4 events, 2 claims sealed, signed head at seq 4" in capsys.readouterr().out
    if tamper == "recompute":
        _recompute_from(curbside, 2, {"edited": True})
    else:
        _sql(curbside, tamper)
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert expected in err and "FAILED verification" in err and "Traceback" not in err


def test_production_mode_refuses_the_default_secret(monkeypatch, capsys):
    with pytest.raises(ValidationError, match="CURBSIDE_AUDIT__SECRET"):
        Settings(production=True)
    monkeypatch.setenv("CURBSIDE_PRODUCTION", "true")
    assert main(["audit", "verify"]) == 2
    assert "production mode needs its own audit secret" in capsys.readouterr().err
    monkeypatch.setenv("CURBSIDE_AUDIT__SECRET", "s3cret-from-the-vault-0123456789")
    assert main(["audit", "verify"]) == 0


def test_another_secret_fails_every_seal(settings, credited):
    other = settings.model_copy(update={"audit": settings.audit.model_copy(
        update={"secret": SecretStr("a-different-secret")})})
    problems = _verify(Curbside(other)).problems
    assert any("no event's keyed seal matches" in p for p in problems)


def _release_db(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(RELEASE_SQL.read_text())
    return f"sqlite:///{path}"


def test_an_earlier_release_database_is_keyed_on_upgrade(tmp_path):
    url = _release_db(tmp_path / "old.db")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        old_hashes = connection.execute("SELECT hash FROM audit_event ORDER BY seq").fetchall()
    curbside = Curbside(Settings(home=tmp_path / "home", database_url=url))
    report = _verify(curbside)
    assert report.problems == [] and report.claims == 1
    with Session(curbside.engine) as session:
        events = session.exec(select(audit.AuditEvent).order_by(audit.AuditEvent.seq)).all()
        assert [(e.hash,) for e in events] == old_hashes  # printed heads still match
        assert all(e.mac for e in events)
        assert sum(1 for e in events if e.row_digest) == 1
        claim = session.exec(select(Claim)).one()
    _sql(curbside, "UPDATE claim SET year = 2024 WHERE id = :id", id=claim.id)
    assert "year is 2024, recorded" in _verify(curbside).problems[0]


def test_an_edit_made_before_the_upgrade_is_still_caught(tmp_path):
    """Seals are made from the claims as they stand, but the payload the old chain kept
    still disagrees with an edited claim."""
    url = _release_db(tmp_path / "old.db")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute("UPDATE claim SET amount = 20")
    problems = _verify(Curbside(Settings(home=tmp_path / "home", database_url=url))).problems
    assert len(problems) == 1 and "amount is 20.0, recorded 0.5" in problems[0]

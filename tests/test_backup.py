"""Backup and restore (issue 14): a home copied while it is being written, restored into a
new home that answers questions, with every row and an intact audit chain; damaged,
missing or foreign files refused with one line."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import backup as backups
from app.cli import main
from app.services import Curbside
from app.settings import Settings
from credit_capture import audit, claims
from credit_capture.claims import Claim
from credit_capture.models import Inquiry
from credit_capture.rules import load_rules
from credit_capture.store import save_inquiry
from tests.test_credit_domain import T0, cycle

REPO = Path(__file__).resolve().parents[1]


def _seed(curbside: Curbside) -> None:
    with Session(curbside.engine) as session:
        _, claim = cycle(session, load_rules())
        claims.correct_claim(session, claim_id=claim.id, actor="admin@example.org",
                             reason="Half the cycle was a duplicate activity.",
                             new_amount=0.25, now=T0 + timedelta(days=3))


def _writer(curbside: Curbside, stop: threading.Event, written: list[int]) -> None:
    """A server's traffic meanwhile: inquiries and audited events, each committed."""
    with Session(curbside.engine) as session:
        while not stop.is_set():
            inquiry = save_inquiry(session, Inquiry(question="croup dexamethasone dose",
                                                    learner_id="learner-2"))
            audit.record(session, actor="learner-2", action="test.write", entity="inquiry",
                         entity_id=inquiry.id, payload={"n": len(written)})
            written.append(1)


def _restored_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "restored", content_dir=REPO / "content",
                    frozen_date="2026-12-07")


def test_backup_while_writing_restores_into_a_new_home_that_answers(settings, tmp_path):
    curbside = Curbside(settings)
    _seed(curbside)
    stop, written = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(curbside, stop, written))
    thread.start()
    try:
        while len(written) < 20:  # the writer is busy before the backup starts
            threading.Event().wait(0.01)
        made = backups.backup(curbside, tmp_path / "home.tar.gz")
    finally:
        stop.set()
        thread.join()
    assert made.counts["claim"] == 2 and made.counts["inquiry"] >= 21
    assert made.audit_seq == made.counts["audit_event"] >= 24
    assert len(written) > made.counts["inquiry"] - 1  # writes went on during the backup
    assert (tmp_path / "home.tar.gz").stat().st_mode & 0o077 == 0

    target = _restored_settings(tmp_path)
    restored = backups.restore(target, tmp_path / "home.tar.gz")
    assert restored.problems == []
    assert restored.counts == made.counts
    fresh = Curbside(target)
    with Session(fresh.engine) as session:
        report = audit.verify(session)
        assert report.problems == [] and report.head_seq is not None
        assert report.events == made.audit_seq and report.claims == 2
        assert len(session.exec(select(Claim)).all()) == 2
    outcome = fresh.ask("ottawa ankle rule")
    assert not outcome.answer.abstained
    assert outcome.answer.citations[0].doc_id == "ottawa-ankle-rules"


def test_backup_and_restore_commands(settings, tmp_path, monkeypatch, capsys):
    _seed(Curbside(settings))
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    file = tmp_path / "nightly.tar.gz"
    assert main(["backup", str(file)]) == 0
    out = capsys.readouterr().out
    assert f"backed up to {file}" in out and "2 claim" in out and "4 audit_event" in out

    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "new-home"))
    monkeypatch.delenv("CURBSIDE_DATABASE_URL")
    assert main(["restore", str(file)]) == 0
    out = capsys.readouterr().out
    assert "2 claim" in out and "counts match the backup; audit log verified" in out
    assert main(["audit", "verify"]) == 0
    assert "signed head at seq 4" in capsys.readouterr().out

    assert main(["restore", str(file)]) == 2  # never over a home in use without --force
    assert "already exist" in capsys.readouterr().err
    assert main(["restore", str(file), "--force"]) == 0


def _rewrite(source: Path, target: Path, change) -> None:
    """A copy of the backup with one member's bytes changed by `change`."""
    with tarfile.open(source) as tar, tarfile.open(target, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else None
            if data is not None:
                data = change(member.name, data)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)


@pytest.fixture
def nightly(settings, tmp_path) -> Path:
    curbside = Curbside(settings)
    _seed(curbside)
    return backups.backup(curbside, tmp_path / "nightly.tar.gz").path


def _restore_error(tmp_path, file: Path, capsys, monkeypatch) -> str:
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "elsewhere"))
    assert main(["restore", str(file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("curbside: error: ")  # one line
    assert not (tmp_path / "elsewhere" / "curbside.db").exists()  # nothing placed
    return err


def test_missing_foreign_and_damaged_backups_are_refused(nightly, tmp_path, capsys,
                                                         monkeypatch):
    assert "no such backup file" in _restore_error(tmp_path, tmp_path / "nope.tar.gz", capsys,
                                                   monkeypatch)
    (tmp_path / "notes.txt").write_text("not a backup")
    assert "not a Curbside backup" in _restore_error(tmp_path, tmp_path / "notes.txt", capsys,
                                                     monkeypatch)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(nightly.read_bytes()[: nightly.stat().st_size // 2])
    assert "damaged" in _restore_error(tmp_path, cut, capsys, monkeypatch)

    def flip(name: str, data: bytes) -> bytes:
        return data[:-10] + b"X" * 10 if name == "database.sqlite" else data

    flipped = tmp_path / "flipped.tar.gz"
    _rewrite(nightly, flipped, flip)
    err = _restore_error(tmp_path, flipped, capsys, monkeypatch)
    assert "database.sqlite does not match its checksum" in err

    def foreign(name: str, data: bytes) -> bytes:
        return json.dumps({"format": "other"}).encode() if name == "manifest.json" else data

    other = tmp_path / "other.tar.gz"
    _rewrite(nightly, other, foreign)
    assert "not a Curbside backup" in _restore_error(tmp_path, other, capsys, monkeypatch)
    plain = tmp_path / "plain.gz"
    plain.write_bytes(gzip.compress(b"hello"))
    err = _restore_error(tmp_path, plain, capsys, monkeypatch)
    assert "not a Curbside backup" in err or "damaged" in err


def test_an_in_memory_database_has_nothing_to_back_up(settings, tmp_path):
    memory = settings.model_copy(update={"database_url": "sqlite:///:memory:"})
    with pytest.raises(backups.BackupError, match="in memory"):
        backups.backup(Curbside(memory), tmp_path / "x.tar.gz")


def test_json_lines_keep_every_value_and_load_into_an_empty_database(settings, tmp_path):
    """The PostgreSQL format (app/backup_logical.py), round-tripped through SQLite here:
    timestamps, JSON, enums, bytes and floats come back equal, and the chain verifies."""
    from sqlalchemy import create_engine
    from sqlalchemy import select as core_select

    from app import backup_logical as logical
    from app.accounts import create_user
    from app.db import head_revision
    from insights.models import ThemeInquiry

    curbside = Curbside(settings)
    _seed(curbside)
    with Session(curbside.engine) as session:
        create_user(session, email="planner@example.org", password="a long passphrase",
                    role="planner")
        session.add(ThemeInquiry(inquiry_id="q1", similarity=0.1 + 0.2,
                                 vector=bytes(range(256)), model="m"))
        session.commit()
    snapshot = logical.dump(curbside.engine, tmp_path / "lines")
    assert snapshot.revision == head_revision() and snapshot.counts["user"] == 1
    assert snapshot.audit_seq == snapshot.counts["audit_event"] == 4

    target = create_engine(f"sqlite:///{tmp_path / 'loaded.db'}")
    with target.begin() as connection:
        logical.build_schema(connection, snapshot.revision)
        columns = {name: dump.columns for name, dump in snapshot.tables.items()}
        loaded = logical.load(connection, columns, snapshot.counts,
                              logical.jsonl_rows(tmp_path / "lines"))
    assert loaded == snapshot.counts
    with curbside.engine.connect() as before, target.connect() as after:
        for table in logical.app_metadata().sorted_tables:
            query = core_select(table).order_by(*table.primary_key.columns)
            assert list(before.execute(query)) == list(after.execute(query)), table.name
    with Session(target) as session:
        assert audit.verify(session).problems == []
    with target.begin() as connection, pytest.raises(logical.LoadError, match="claim"):
        logical.load(connection, {"claim": columns["claim"]}, {"claim": 3},
                     lambda name, cols: iter(()))


def test_a_row_is_loaded_after_the_row_of_its_own_table_it_refers_to():
    from app import backup_logical as logical

    claim = logical.app_metadata().tables["claim"]
    rows = [{"id": "a", "corrects_claim_id": "c"}, {"id": "b", "corrects_claim_id": "a"},
            {"id": "c", "corrects_claim_id": None}, {"id": "d", "corrects_claim_id": None}]
    order = [row["id"] for row in logical._referenced_first(claim, rows)]
    assert order == ["c", "a", "b", "d"]
    with pytest.raises(logical.LoadError, match="1 rows refer to rows that are not"):
        list(logical._referenced_first(claim, [{"id": "a", "corrects_claim_id": "x"}]))

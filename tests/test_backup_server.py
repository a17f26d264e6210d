"""Server mode only (make test-server): backup and restore of a PostgreSQL database and a
Chroma server's index. A backup taken while a writer commits restores into a fresh schema
that answers, with every row, the audit chain intact and sequences past the restored ids;
a collection the server lost is re-embedded from the catalog; a SQLite home and a
PostgreSQL one restore into each other; bad files and a database in use are refused with
one line, exit 2, nothing changed."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import backup as backups
from app import backup_logical as logical
from app.cli import main
from app.db import head_revision
from app.services import Curbside
from app.settings import AuditSettings, Settings
from credit_capture import audit
from tests import server_mode
from tests.test_backup import REPO, _rewrite, _seed, _writer

pytestmark = pytest.mark.skipif(not server_mode.enabled(),
                                reason="server mode only (make test-server)")


@pytest.fixture
def fresh_schema():
    """Another empty schema of the run's database: where a restore goes."""
    schema = server_mode.new_schema()
    yield server_mode.url_for(schema)
    server_mode.drop_schema(schema)


def _target(tmp_path: Path, url: str, name: str = "restored") -> Settings:
    return Settings(home=tmp_path / name, content_dir=REPO / "content", database_url=url,
                    frozen_date="2026-12-07",
                    audit=AuditSettings(head_file=tmp_path / name / "audit-head.json"))


def _rows_in_use(url: str) -> list[str]:
    engine = backups._engine(url)
    try:
        with engine.connect() as connection:
            return logical.rows_in_use(connection)
    finally:
        engine.dispose()


def _backup_while_writing(curbside: Curbside, file: Path) -> backups.BackupReport:
    stop, written = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(curbside, stop, written))
    thread.start()
    try:
        while len(written) < 20:  # the writer is busy before the backup starts
            threading.Event().wait(0.01)
        made = backups.backup(curbside, file)
        before = len(written)
        while len(written) < before + 5:  # and still commits after it
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert len(written) > made.counts["inquiry"] - 1
    return made


def test_backup_while_writing_restores_into_a_fresh_schema_that_answers(
        settings, tmp_path, fresh_schema):
    curbside = Curbside(settings)
    _seed(curbside)
    made = _backup_while_writing(curbside, tmp_path / "pg.tar.gz")
    assert made.counts["claim"] == 2 and made.counts["inquiry"] >= 21
    assert made.audit_seq == made.counts["audit_event"] >= 24  # one snapshot: no gaps
    with backups.tarfile.open(tmp_path / "pg.tar.gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["kind"] == "jsonl" and manifest["version"] == 2
    assert manifest["schema_revision"] == head_revision()
    assert manifest["database"]["tables"]["audit_event"]["rows"] == made.audit_seq

    target = _target(tmp_path, fresh_schema)
    restored = backups.restore(target, tmp_path / "pg.tar.gz")
    assert restored.problems == [] and restored.counts == made.counts
    assert not any("re-embedded" in note for note in restored.notes)  # collection is there
    fresh = Curbside(target)
    with Session(fresh.engine) as session:
        report = audit.verify(session)
        assert report.problems == [] and report.events == made.audit_seq
        assert report.claims == 2 and report.head_seq is not None
        next_seq = session.connection().execute(text(
            "SELECT nextval(pg_get_serial_sequence('audit_event', 'seq'))")).scalar()
        assert next_seq == made.audit_seq + 1  # the sequence moved past the restored ids
        audit.record(session, actor="admin", action="test.after_restore", entity="inquiry",
                     entity_id="x", payload={})
        assert audit.verify(session).problems == []
    outcome = fresh.ask("ottawa ankle rule")
    assert not outcome.answer.abstained
    assert outcome.answer.citations[0].doc_id == "ottawa-ankle-rules"


def _small_index(tmp_path: Path, url: str) -> Settings:
    """A home with its own collection on the Chroma server (two cards: quick to embed)."""
    own = _target(tmp_path, url, name="source")
    Curbside(own).ingest_cards([REPO / "content/emergency/ottawa-ankle-rules.md",
                                REPO / "content/emergency/anaphylaxis-epinephrine-dosing.md"])
    return own


def test_a_collection_the_server_lost_is_embedded_again_from_the_catalog(
        settings, tmp_path, fresh_schema, capsys, monkeypatch):
    import chromadb

    source = _small_index(tmp_path, settings.database_url)
    _seed(Curbside(source))
    file = backups.backup(Curbside(source), tmp_path / "small.tar.gz").path
    name = (source.home / "index" / "chroma-collection").read_text().strip()
    server = urlparse(server_mode.CHROMA_URL)
    chromadb.HttpClient(host=server.hostname, port=server.port).delete_collection(name)

    target = _target(tmp_path, fresh_schema)
    monkeypatch.setenv("CURBSIDE_HOME", str(target.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", fresh_schema)
    monkeypatch.setenv("CURBSIDE_AUDIT__HEAD_FILE", str(target.audit.head_file))
    assert main(["restore", str(file)]) == 0
    out = capsys.readouterr().out
    assert "Chroma server collection holds 0 vectors" in out and "re-embedded" in out
    assert "counts match the backup; audit log verified" in out
    fresh = Curbside(target)
    assert fresh.files.server_collection() == name and fresh.files.dense().count() > 0
    outcome = fresh.ask("epinephrine dose anaphylaxis")
    assert not outcome.answer.abstained
    assert outcome.answer.citations[0].doc_id == "anaphylaxis-epinephrine-dosing"


def test_sqlite_and_postgresql_homes_restore_into_each_other(settings, tmp_path,
                                                            fresh_schema):
    curbside = Curbside(settings)
    _seed(curbside)
    from_pg = backups.backup(curbside, tmp_path / "pg.tar.gz")
    lite = _target(tmp_path, f"sqlite:///{tmp_path / 'lite' / 'curbside.db'}", name="lite")
    into_lite = backups.restore(lite, from_pg.path)
    assert into_lite.problems == [] and into_lite.counts == from_pg.counts
    from_lite = backups.backup(Curbside(lite), tmp_path / "lite.tar.gz")
    assert from_lite.counts == from_pg.counts
    back = backups.restore(_target(tmp_path, fresh_schema, name="back"), from_lite.path)
    assert back.problems == [] and back.counts == from_pg.counts


def _refused(args: list[str], capsys) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("curbside: error: ")  # one line
    return err


def test_bad_files_and_a_database_in_use_are_refused(settings, tmp_path, fresh_schema,
                                                     capsys, monkeypatch):
    _seed(Curbside(settings))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "source"))
    good = tmp_path / "good.tar.gz"
    assert main(["backup", str(good)]) == 0
    assert "2 claim" in capsys.readouterr().out

    # into the database it came from: in use, unless --force
    err = _refused(["restore", str(good)], capsys)
    assert "rows in" in err and "--force" in err

    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", fresh_schema)
    (tmp_path / "notes.txt").write_text("not a backup")
    assert "not a Curbside backup" in _refused(["restore", str(tmp_path / "notes.txt")], capsys)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    assert "damaged" in _refused(["restore", str(cut)], capsys)

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "schema_revision": "9999"}).encode()

    future = tmp_path / "future.tar.gz"
    _rewrite(good, future, newer)
    assert "newer than this release" in _refused(["restore", str(future)], capsys)

    def short(name: str, data: bytes) -> bytes:  # a table one row short, checksum redone
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["counts"]["claim"] += 1
        return json.dumps(manifest).encode()

    wrong = tmp_path / "wrong.tar.gz"
    _rewrite(good, wrong, short)
    err = _refused(["restore", str(wrong)], capsys)
    assert "claim: 2 rows loaded, the backup has 3" in err and "nothing was changed" in err
    assert _rows_in_use(fresh_schema) == []  # all or nothing
    assert not (tmp_path / "elsewhere" / "index").exists()

    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "source-again"))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    assert main(["restore", str(good), "--force"]) == 0
    assert "counts match the backup" in capsys.readouterr().out

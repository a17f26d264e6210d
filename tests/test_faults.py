"""Operational faults (issue 14): /healthz says 503 with the reason when the index cannot
really answer, a damaged index is one line naming the fix (never a traceback) and the fix
works, and two ingests never write the index at once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import backup as backups
from app.cli import main
from app.main import create_app
from app.services import Curbside
from app.settings import Settings
from tests.factories import write_card

REPO = Path(__file__).resolve().parents[1]
QUESTION = "first-line drug for zorblax fever"


@pytest.fixture
def small(tmp_path, monkeypatch) -> Settings:
    """A home of its own (these tests damage it) with two cards, quick to ingest."""
    content = tmp_path / "content"
    write_card(content, "zorblax-fever")
    write_card(content, "glimmer-pox", condition="glimmer pox", drug="tarvazole", dose="1 g")
    settings = Settings(home=tmp_path / "home", content_dir=content,
                        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        frozen_date="2026-12-07")
    for name, value in (("HOME", settings.home), ("CONTENT_DIR", content),
                        ("DATABASE_URL", settings.database_url)):
        monkeypatch.setenv(f"CURBSIDE_{name}", str(value))
    Curbside(settings).ingest_cards()
    return settings


def _health(settings: Settings):
    with TestClient(create_app(settings)) as client:
        return client.get("/healthz")


@pytest.mark.sqlite_only  # removes the embedded Chroma folder (a server has none)
def test_healthz_is_503_with_the_reason_when_the_vector_store_is_missing_or_emptied(small):
    assert _health(small).json() == {"status": "ok", "index": True}
    with TestClient(create_app(small)) as client:
        assert client.get("/healthz").status_code == 200  # loads the searcher
        dense = client.app.state.curbside.files.dense()
        dense.delete([row[0] for row in client.app.state.curbside.files.catalog().chunks()])
        emptied = client.get("/healthz")  # emptied under a running server
    assert emptied.status_code == 503
    assert emptied.json()["status"] == "unavailable"
    assert "is empty: every question would abstain" in emptied.json()["reason"]
    assert "`curbside ingest --rebuild`" in emptied.json()["reason"]

    shutil.rmtree(small.home / "index" / "chroma")
    missing = _health(small)
    assert missing.status_code == 503 and "is missing" in missing.json()["reason"]
    assert "\n" not in missing.json()["reason"]

    assert main(["ingest"]) == 0  # a missing store is seen and the index rebuilt
    assert _health(small).status_code == 200


def test_no_index_at_all_is_503(tmp_path):
    settings = Settings(home=tmp_path / "empty", database_url=f"sqlite:///{tmp_path}/x.db")
    response = _health(settings)
    assert response.status_code == 503 and "curbside ingest" in response.json()["reason"]


def _damage_catalog(settings: Settings) -> None:
    (settings.home / "index" / "catalog.sqlite").write_bytes(b"not a database" * 512)


def _damage_store(settings: Settings) -> None:
    (settings.home / "index" / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 512)


@pytest.mark.parametrize("damage", [
    _damage_catalog,
    pytest.param(_damage_store, marks=pytest.mark.sqlite_only),  # the embedded store's file
])
def test_a_damaged_index_is_one_line_naming_the_fix_and_the_fix_works(small, capsys, damage):
    damage(small)
    assert main(["ask", QUESTION]) == 2
    err = capsys.readouterr().err
    assert err.startswith("curbside: error: ") and err.count("\n") == 1, err
    assert "damaged" in err and "`curbside ingest --rebuild`" in err

    with TestClient(create_app(small)) as client:
        answer = client.post("/api/v1/ask", json={"question": QUESTION})
        health = client.get("/healthz")
    assert answer.status_code == 503 and "curbside ingest" in answer.json()["detail"]
    assert "Traceback" not in answer.text
    assert health.status_code == 503 and "damaged" in health.json()["reason"]

    assert main(["ingest"]) == 0  # the damage is seen: the index is set aside and rebuilt
    assert "2 new or changed" in capsys.readouterr().out
    assert len(list(small.home.glob("index.damaged-*"))) == 1  # kept, not deleted
    assert main(["ask", QUESTION]) == 0
    assert "quinaprofen" in capsys.readouterr().out
    assert _health(small).status_code == 200


def test_ingest_rebuild_starts_a_new_index_whatever_it_finds(small, capsys):
    assert main(["ingest"]) == 0
    assert "0 new or changed, 2 unchanged" in capsys.readouterr().out
    assert main(["ingest", "--rebuild"]) == 0
    assert "2 new or changed" in capsys.readouterr().out
    assert len(list(small.home.glob("index.damaged-*"))) == 1
    assert _health(small).status_code == 200


_HOLDER = """
import sys, time
from pathlib import Path
from app.index_lock import index_lock
with index_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_ingest_is_refused_while_one_runs_and_a_killed_one_leaves_no_lock(
        small, capsys, monkeypatch):
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(small.home)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["ingest"]) == 2
        err = capsys.readouterr().err
        assert f"an ingest (process {holder.pid}" in err and "wait for it to finish" in err
        monkeypatch.setattr(backups, "LOCK_WAIT_S", 0.3)  # a backup waits, then says why
        with pytest.raises(backups.BackupError, match="is writing the index"):
            backups.backup(Curbside(small), small.home.parent / "b.tar.gz")
    finally:
        holder.kill()  # like kill -9: the kernel drops the lock with the process
        holder.wait()
    assert main(["ingest"]) == 0


def test_a_corpus_of_long_records_is_healthy_though_only_lead_passages_are_embedded(
        tmp_path, monkeypatch):
    """A long record embeds its lead passage only (BM25 finds the rest): the vector store
    then holds fewer vectors than the catalog has passages, and that is not damage."""
    import json

    from retrieval.chunking import MAX_CHUNK_CHARS

    sentence = "Quellian pox is treated with supportive care and rest at home. "
    corpus = tmp_path / "records.jsonl"
    corpus.write_text("\n".join(json.dumps({
        "id": f"rec-{n}", "title": f"Quellian pox {n}", "url": f"https://example.org/{n}",
        "text": sentence * (3 * MAX_CHUNK_CHARS // len(sentence)),
    }) for n in range(3)), encoding="utf-8")
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'db'}",
                        frozen_date="2026-12-07")
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    curbside = Curbside(settings)
    curbside.ingest_jsonl(corpus)
    assert len(curbside.files.catalog().chunks()) > curbside.files.dense().count()
    assert _health(settings).json() == {"status": "ok", "index": True}
    assert main(["ingest", "--jsonl", str(corpus)]) == 0
    assert not list(settings.home.glob("**/index.damaged-*"))

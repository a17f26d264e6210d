"""Schema migrations: records outlive releases, so every database upgrades without loss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app.accounts import authenticate
from app.cli import main
from app.db import SchemaError, current_revision, head_revision, metadata, upgrade
from app.learning import Learning
from app.services import Curbside
from app.settings import Settings
from credit_capture.claims import Claim
from credit_capture.models import Inquiry

RELEASE_SQL = Path(__file__).parent / "data" / "release-c56b2f2.sql"
TABLES = ("user", "apitoken", "inquiry", "episode", "reflection", "claim", "audit_event")


def _release_db(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(RELEASE_SQL.read_text())
    return f"sqlite:///{path}"


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in TABLES}


def test_previous_release_database_upgrades_on_start_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    url = _release_db(path)
    before = _counts(path)
    assert current_revision(url) is None

    curbside = Curbside(Settings(home=tmp_path / "home", database_url=url))
    with Session(curbside.engine) as session:  # first use upgrades
        assert authenticate(session, email="dr.lee@example.org", password="correct-horse")
        questions = {i.question: i.origin for i in session.exec(select(Inquiry))}
        claim = session.exec(select(Claim)).one()
    assert current_revision(url) == head_revision()
    assert _counts(path) == before
    assert questions == {"CAP outpt pcn allergy abx?": "web", "fish oil for gout?": "web"}
    assert claim.amount == 0.5 and claim.credit_type == "ama_pra_1"
    assert Learning(curbside).audit_problems() == []  # the hash chain survived the copy


def test_new_database_schema_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert upgrade(url) == (None, head_revision())
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata())
    assert diff == []
    assert upgrade(url) == (head_revision(), head_revision())  # idempotent


def test_database_from_a_newer_release_is_refused_untouched(tmp_path, capsys, monkeypatch):
    path = tmp_path / "newer.db"
    url = _release_db(path)
    upgrade(url)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaError, match="revision 9999.*newer release"):
        _ = Curbside(Settings(home=tmp_path / "home", database_url=url)).engine
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 2
    assert "newer release" in capsys.readouterr().err
    assert current_revision(url) == "9999"


def test_unknown_database_is_refused(tmp_path, capsys, monkeypatch):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE inquiry (id TEXT PRIMARY KEY)")
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "status"]) == 1
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "not a Curbside database" in err and "Traceback" not in err

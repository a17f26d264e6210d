"""Shared fixtures: real Chroma, real SQLite, the real encoder, all under tmp paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from app.main import create_app  # noqa: E402
from app.services import Curbside  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests import server_mode  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: needs the SQLite file or embedded Chroma (skipped in server "
        "mode: make test-server)")


def pytest_collection_modifyitems(config, items):
    if server_mode.enabled():
        skip = pytest.mark.skip(reason="SQLite/embedded-Chroma only (server mode)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test touches ./.curbside: each gets its own CURBSIDE_HOME (and in server mode its
    own PostgreSQL schema: tests/server_mode.py)."""
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "home"))
    # One clock for every review-date decision, pinned to the library's last sweep, so the
    # suite passes on any future calendar date (tests that need another day pass their own).
    monkeypatch.setenv("CURBSIDE_FROZEN_DATE", "2026-12-07")
    if not server_mode.enabled():
        monkeypatch.delenv("CURBSIDE_DATABASE_URL", raising=False)
        yield
        return
    schema = server_mode.new_schema()
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", server_mode.url_for(schema))
    # With PostgreSQL the signed audit head lives in the home, and the shared content_home
    # would mix every test's chains: each test keeps its own, as beside its SQLite file.
    monkeypatch.setenv("CURBSIDE_AUDIT__HEAD_FILE", str(tmp_path / "audit-head.json"))
    yield
    server_mode.drop_schema(schema)


@pytest.fixture(scope="session")
def content_home(tmp_path_factory) -> Path:
    """One index of the shipped cards, built once per test session (read-only for tests)."""
    home = tmp_path_factory.mktemp("content-home")
    Curbside(Settings(home=home, content_dir=REPO / "content",
                      frozen_date="2026-12-07")).ingest_cards()
    return home


@pytest.fixture
def settings(content_home, tmp_path) -> Settings:
    """Shipped-content index, plus a fresh database for this test."""
    return Settings(
        home=content_home,
        content_dir=REPO / "content",
        database_url=(os.environ["CURBSIDE_DATABASE_URL"] if server_mode.enabled()
                      else f"sqlite:///{tmp_path / 'test.db'}"),
        frozen_date="2026-12-07",
    )


@pytest.fixture
def curbside(settings) -> Curbside:
    return Curbside(settings)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client

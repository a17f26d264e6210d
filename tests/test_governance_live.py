"""Governance takes effect at once: a running server (one `Curbside`) sees a review made by
the CLI (another `Curbside` on the same home) at its next question, and both name the same
version ids."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from app.settings import Settings
from tests.factories import write_card


def test_a_cli_review_reaches_a_running_server_without_restart(tmp_path, monkeypatch, capsys):
    content = tmp_path / "content"
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(content))
    monkeypatch.setenv("CURBSIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    write_card(content, "zorblax", condition="zorblax fever")
    assert main(["ingest"]) == 0
    settings = Settings()

    with TestClient(create_app(settings)) as server:
        first = server.post("/api/v1/ask", json={"question": "zorblax fever quinaprofen"}).json()
        assert not first["abstained"] and first["demo"] is True

        assert main(["content", "review", "zorblax", "--approve", "--reviewer", "Dr Ada"]) == 0
        printed = capsys.readouterr().out
        before, after = re.search(r"version (\w+) -> (\w+)", printed).groups()
        approved = server.post("/api/v1/ask", json={"question": "zorblax fever quinaprofen"})
        assert approved.json()["demo"] is False  # the "demonstration" label is gone at once
        page = server.get("/content/zorblax").text
        assert f"{after} (ingested" in page and before in page  # same ids as the CLI

        assert main(["content", "review", "zorblax", "--retire", "--reviewer", "Dr Ada"]) == 0
        retired = server.post("/api/v1/ask", json={"question": "zorblax fever quinaprofen"})
        assert retired.json()["abstained"] is True  # no longer cited, no restart needed
        assert "Not served to clinicians" in server.get("/content/zorblax").text

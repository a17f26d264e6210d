"""The `curbside` command line: JSON output, batch files, scrubbing and clean failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from app.cli import main
from credit_capture.rules import DEFAULT_RULES_PATH
from tests.factories import write_card


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(settings.content_dir))


def test_ask_json_prints_one_answer_object(cli_env, capsys):
    assert main(["ask", "ottawa ankle rule", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["citations"][0]["doc_id"] == "ottawa-ankle-rules"


def test_ask_file_keeps_order_and_ids(cli_env, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "croup dexamethasone dose"}\n'
        '{"id": "q2", "question": "tacrolimus level after kidney transplant"}\n'
    )
    assert main(["ask", "--file", str(questions), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert not lines[0]["abstained"] and lines[1]["abstained"]


def test_bad_input_gives_a_message_and_non_zero_exit(cli_env, tmp_path, capsys):
    assert main(["ask", "   "]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["ask", "--file", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = write_card(tmp_path / "cards", "broken", status="published")
    assert main(["ingest", str(bad.parent)]) == 2
    err = capsys.readouterr().err
    assert "broken.md" in err and "status" in err and "Traceback" not in err


def test_scrub_prints_one_line_per_input_line(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Call Mary Jones at 555-867-5309 re CrCl 40\nWells score 3, no PHI here\n")
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "scrub", "--file", str(notes)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "Mary" not in lines[0] and "555-867-5309" not in lines[0] and "CrCl 40" in lines[0]
    assert lines[1] == "Wells score 3, no PHI here"


def test_users_credits_and_audit_commands(cli_env, tmp_path, capsys, monkeypatch):
    assert main(["users", "add", "cli@example.org", "--role", "learner",
                 "--password", "long-enough-1"]) == 0
    assert "added cli@example.org" in capsys.readouterr().out
    assert main(["users", "add", "cli@example.org", "--password", "long-enough-1"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["users", "add", "x@example.org", "--role", "wizard"]) == 2
    assert "unknown role" in capsys.readouterr().err

    out = tmp_path / "pars.txt"
    pars = ["credits", "export", "pars", "--from", "2026-01-01", "--to", "2026-12-31",
            "--out", str(out)]
    assert main(pars) == 2  # the shipped rules are a demonstration: nothing to report
    assert "not valid for credit" in capsys.readouterr().err and not out.exists()
    rules = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    rules["provider"] = {"name": "Example CME", "accreditation": "Accredited by the ACCME.",
                         "accredited_by": ["ACCME"]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    monkeypatch.setenv("CURBSIDE_CREDIT_RULES", str(tmp_path / "rules.yaml"))
    assert main(pars) == 0
    assert out.read_text().startswith("Completion Date\tBoard ID")
    assert main(["credits", "export", "pars", "--from", "2026-12-31", "--to", "2026-01-01",
                 "--out", str(out)]) == 2
    assert "before" in capsys.readouterr().err
    assert main(["credits", "due"]) == 0
    assert main(["audit", "verify"]) == 0
    assert "hash chain intact" in capsys.readouterr().out


def test_audit_verify_detects_tampering(cli_env, settings, capsys):
    from sqlalchemy import text
    from sqlmodel import Session

    from app.services import Curbside
    from credit_capture import audit

    engine = Curbside(settings).engine
    with Session(engine) as session:
        audit.record(session, actor="test", action="claim.issued", entity="claim",
                     entity_id="c1", payload={"amount": 0.5})
        session.exec(text("UPDATE audit_event SET payload = '{\"amount\": 5.0}'"))
        session.commit()
    assert main(["audit", "verify"]) == 1
    assert "FAILED" in capsys.readouterr().err

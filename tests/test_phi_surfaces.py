"""Every surface that stores or shows free text gets planted PHI and must keep none of it.

Surfaces: a question through the API, a follow-up through the chat page form, a
reflection's free text, the learner's own sources, eval-run questions and the log.  The
database is read back whole (every table, every column), so a new table that stores raw
text fails here too.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import MetaData, select

from evals.harness import run_suites, save_run
from evals.suites import Suite
from tests.factories import make_user, sign_in

# Planted identifiers, each as it would be typed, and the substrings that must not survive.
QUESTION = "maria gonzalez dob march 4 1950 MRN 48213377 K 6.8 croup dexamethasone dose?"
FOLLOW_UP = "Mrs. Okafor 93F, cell 617-555-0143, same dose for croup dexamethasone?"
REFLECTION = {
    "reason": "Pt Thandiwe Mokoena (DOB 11/22/1938) had croup",
    "relevance": "totally",
    "outcome": "changed",
    "change_types": ["drug_therapy"],
    "patient_use": "done",
    "health_benefit": "yes",
    "practice_change": "gave Mr. Kwabena Asante one oral dose of dexamethasone for croup",
    "barriers": "daughter Linda Moore at 14 Maple Avenue, Dayton, OH 45402",
    "free_text": "discussed with Mr. Kwabena Asante, SSN 412-55-9087",
}
OWN_SOURCES = ["emailed j.whitfield@gmail.com about MRN 77312908", "KDIGO 2024"]
PLANTED = [
    "maria", "gonzalez", "march 4 1950", "48213377", "Okafor", "93F", "617-555-0143",
    "Thandiwe", "Mokoena", "11/22/1938", "Linda Moore", "14 Maple Avenue", "Dayton", "45402",
    "Kwabena", "Asante", "412-55-9087", "j.whitfield@gmail.com", "77312908",
]


def _stored_text(curbside) -> str:
    """Every value of every row of every table, as one string."""
    metadata = MetaData()
    metadata.reflect(curbside.engine)
    with curbside.engine.connect() as conn:
        rows = [row for table in metadata.sorted_tables for row in conn.execute(select(table))]
    return "\n".join(str(value) for row in rows for value in row)


def _assert_clean(text: str, where: str) -> None:
    """No planted value as a whole token (ids and hashes are hex: "…c93f2…" is not PHI)."""
    leaked = [value for value in PLANTED
              if re.search(rf"(?<![0-9a-z]){re.escape(value.lower())}(?![0-9a-z])", text.lower())]
    assert not leaked, f"{where} holds planted PHI: {leaked}"


@pytest.fixture
def learner(client):
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    return client


def test_question_and_follow_up_are_stored_scrubbed(learner, caplog):
    with caplog.at_level(logging.DEBUG):
        body = learner.post("/api/v1/ask", json={"question": QUESTION}).json()
        page = learner.post("/", data={"question": FOLLOW_UP})
    assert body["episode_id"] and page.status_code == 200
    stored = learner.get(f"/api/v1/inquiries/{body['inquiry_id']}").json()["question"]
    assert "K 6.8" in stored and "croup dexamethasone dose" in stored
    curbside = learner.app.state.curbside
    _assert_clean(stored, "the inquiry API")
    _assert_clean(_stored_text(curbside), "the database (question, episode, follow-up)")
    _assert_clean(learner.get("/learning").text, "the learning page")
    _assert_clean(caplog.text, "the log")


def test_reflection_free_text_and_own_sources_are_stored_scrubbed(learner, caplog):
    with caplog.at_level(logging.DEBUG):
        gap = learner.post("/api/v1/ask", json={"question": "tacrolimus trough after kidney"})
        episode = gap.json()["episode_id"]
        claimed = learner.post(f"/api/v1/episodes/{episode}/claim",
                               json={**REFLECTION, "own_sources": OWN_SOURCES})
    assert claimed.status_code == 200, claimed.text
    stored = _stored_text(learner.app.state.curbside)
    assert "KDIGO 2024" in stored and "croup" in stored  # the clinical content stays
    _assert_clean(stored, "the database (reflection, own sources, audit)")
    _assert_clean(caplog.text, "the log")


def test_record_reflection_scrubs_without_a_scrubber(curbside):
    """The domain function is safe on its own: no scrubber handed in means rules-only."""
    from sqlmodel import Session

    from credit_capture import episodes
    from credit_capture.models import Inquiry
    from credit_capture.store import save_inquiry

    with Session(curbside.engine) as session:
        inquiry = save_inquiry(session, Inquiry(question="croup dose", answer="", abstained=True,
                                                mode="extractive", latency_ms=1.0,
                                                learner_id="learner-1"))
        episode = episodes.open_episode(session, inquiry=inquiry, window_days=30)
        reflection = episodes.record_reflection(
            session, episode_id=episode.id, learner_id=episode.learner_id,
            data={**REFLECTION, "own_sources": OWN_SOURCES},
        )
        text = " ".join([reflection.reason, reflection.practice_change, reflection.barriers or "",
                         reflection.free_text or "", *reflection.own_sources])
    _assert_clean(text, "a reflection recorded without a scrubber")


def test_eval_runs_store_scrubbed_questions(curbside, tmp_path):
    suite = Suite("planted", tmp_path, [{"id": "p1", "question": QUESTION,
                                          "phi": ["maria", "48213377"]}])
    run = run_suites([suite], ask=lambda case: {"question": case["question"], "answer": "",
                                                "stored_question": "", "abstained": True},
                     verify=lambda case: {}, scrub=curbside.scrubber.scrub_text)
    path = save_run(run, tmp_path / "runs")
    stored = path.read_text()
    _assert_clean(stored, "the stored eval run")
    assert "croup dexamethasone dose" in json.loads(stored)["cases"][0]["case"]["question"]
    assert run.cases[0].scores.get("phi_leak") is not None  # scored before scrubbing

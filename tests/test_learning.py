"""Point-of-care credit, end to end through HTTP: ask, reflect, claim, certificate, exports."""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.main import create_app
from credit_capture.exports import validate_xapi
from credit_capture.rules import DEFAULT_RULES_PATH
from tests.factories import make_user, sign_in

REFLECTION = {"reason": "Managing a current patient", "relevance": "totally",
              "outcome": "changed", "change_types": ["drug_therapy"], "patient_use": "yes",
              "health_benefit": "yes",
              "practice_change": "Give one oral dose of dexamethasone instead of two."}


@pytest.fixture
def provider_client(settings, tmp_path):
    """A site whose accredited provider is configured (its own rules file in settings)."""
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["provider"] = {"name": "Example Health CME", "accredited_by": ["ACCME"],
                       "accreditation": "Example Health CME is accredited by the ACCME."}
    raw["demo_content_creditable"] = True  # the shipped cards are all demo
    path = tmp_path / "provider-rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"credit_rules": path}))) as client:
        yield client


@pytest.fixture
def learner_client(client):
    curbside = client.app.state.curbside
    make_user(curbside, "ada@example.org", board="ABIM", board_id="123456", birth_month=12,
              birth_day=10, board_consent=True)
    sign_in(client, "ada@example.org")
    return client


def _ask(client, question="croup dexamethasone dose", *, open_source=True):
    """Ask as a signed-in learner; expand the first citation, as a reader would."""
    body = client.post("/api/v1/ask", json={"question": question}).json()
    assert body["episode_id"], body
    if open_source and body["citations"]:
        opened = client.post(f"/api/v1/inquiries/{body['inquiry_id']}/opened",
                             json={"doc_id": body["citations"][0]["doc_id"], "via": "chip"})
        assert opened.status_code == 204, opened.text
    return body


def test_signed_in_question_becomes_credit_with_certificate(learner_client):
    client = learner_client
    body = _ask(client)
    page = client.get("/learning").text
    assert "croup dexamethasone dose" in page

    claims = client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION).json()
    assert [(c["credit_type"], c["amount"]) for c in claims] == [("ama_pra_1", 0.5)]
    again = client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION).json()
    assert again[0]["id"] == claims[0]["id"]  # idempotent: never double credit
    assert len(client.get("/api/v1/claims").json()) == 1

    pdf = client.get(f"/learning/claims/{claims[0]['id']}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ada Lovelace" in text and "0.5" in text and "ada@example.org" not in text
    assert "Demonstration: not valid for credit" in text and "designates" not in text

    rows = list(csv.reader(io.StringIO(client.get("/learning/transcript?format=csv").text)))
    assert len(rows) == 2 and "croup dexamethasone dose" in rows[1]

    statements = client.get("/learning/xapi.json").json()
    assert len(statements) == 1 and validate_xapi(statements[0]) == []
    assert statements[0]["actor"]["mbox"] == "mailto:ada@example.org"


def test_claim_rules_are_enforced_with_clear_messages(learner_client):
    client = learner_client
    body = _ask(client)
    no_reflection = client.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                                json={**REFLECTION, "relevance": "maybe"})
    assert no_reflection.status_code == 409 and "relevance" in no_reflection.json()["detail"]
    unknown = client.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                          json={**REFLECTION, "credit_types": ["gold_stars"]})
    assert unknown.status_code == 409 and "gold_stars" in unknown.json()["detail"]
    missing = client.post("/api/v1/episodes/nope/claim", json=REFLECTION)
    assert missing.status_code == 404

    gap = client.post("/api/v1/ask", json={"question": "tacrolimus trough after kidney transplant"})
    episode = gap.json()["episode_id"]
    without_sources = client.post(f"/api/v1/episodes/{episode}/claim", json=REFLECTION)
    assert without_sources.status_code == 409 and "source" in without_sources.json()["detail"]
    with_sources = client.post(f"/api/v1/episodes/{episode}/claim",
                               json={**REFLECTION, "own_sources": ["KDIGO transplant 2009"]})
    assert with_sources.status_code == 200


def test_anonymous_questions_open_no_episode_and_say_so(client):
    body = client.post("/api/v1/ask", json={"question": "croup dexamethasone dose"}).json()
    assert body["episode_id"] is None
    assert "cannot earn CME credit" in client.get("/").text


def test_learners_cannot_see_each_others_episodes(learner_client):
    client = learner_client
    body = _ask(client)
    curbside = client.app.state.curbside
    make_user(curbside, "bob@example.org")
    client.post("/logout")
    sign_in(client, "bob@example.org")
    assert client.get(f"/learning/episodes/{body['episode_id']}").status_code == 404
    assert client.get(f"/api/v1/inquiries/{body['inquiry_id']}").status_code == 404
    assert client.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                       json=REFLECTION).status_code == 404


def test_admin_pars_export_lists_only_consenting_learners(provider_client):
    client = provider_client
    curbside = client.app.state.curbside
    make_user(curbside, "ada@example.org", board="ABIM", board_id="123456", birth_month=12,
              birth_day=10, board_consent=True)
    sign_in(client, "ada@example.org")
    body = _ask(client)
    client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    make_user(curbside, "nc@example.org", first_name="Noam", board_id="999", board="ABIM",
              birth_month=1, birth_day=2, board_consent=False)
    client.post("/logout")
    sign_in(client, "nc@example.org")
    other = _ask(client, "ottawa ankle rules")
    client.post(f"/api/v1/episodes/{other['episode_id']}/claim", json=REFLECTION)
    client.post("/logout")
    make_user(curbside, "root@example.org", role="admin")
    sign_in(client, "root@example.org")
    tsv = client.get("/admin/pars.tsv", params={"start": "2020-01-01", "end": "2099-12-31"}).text
    lines = tsv.strip().splitlines()
    assert lines[0].split("\t")[:3] == ["Completion Date", "Board ID", "First Name"]
    assert len(lines) == 2 and "123456" in lines[1] and "Noam" not in tsv


def test_reflection_form_is_one_screen_and_claims(learner_client):
    client = learner_client
    body = _ask(client)
    form = client.get(f"/learning/episodes/{body['episode_id']}")
    assert form.status_code == 200 and "Save and claim" in form.text
    done = client.post(f"/learning/episodes/{body['episode_id']}",
                       data={"reason": "Confirming my plan", "relevance": "totally",
                             "outcome": "confirmed", "patient_use": "no",
                             "practice_change": "No change: it confirmed the dose I use.",
                             "credit_types": "ama_pra_1"},
                       follow_redirects=True)
    assert "Credit claimed" in done.text and "certificate" in done.text


def test_profile_sets_board_reporting_consent_used_by_pars(provider_client):
    client = provider_client
    curbside = client.app.state.curbside
    make_user(curbside, "kim@example.org", first_name="", last_name="")
    sign_in(client, "kim@example.org")
    bad = client.post("/profile", data={"birth_month": "13"})
    assert bad.status_code == 422 and "birth month" in bad.text
    saved = client.post("/profile", data={
        "first_name": "Kim", "last_name": "Park", "profession": "physician", "board": "ABIM",
        "board_id": "777111", "birth_month": "4", "birth_day": "9", "board_consent": "yes",
    }, follow_redirects=True)
    assert "Saved." in saved.text and 'value="777111"' in saved.text
    body = _ask(client)
    client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    client.post("/logout")
    make_user(curbside, "boss@example.org", role="admin")
    sign_in(client, "boss@example.org")
    assert "kim@example.org" in client.get("/admin/users").text
    tsv = client.get("/admin/pars.tsv", params={"start": "2020-01-01", "end": "2099-12-31"}).text
    assert "777111\tKim\tPark\t4\t9" in tsv

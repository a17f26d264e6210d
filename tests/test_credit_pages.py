"""The credit cycle through HTTP as a learner meets it: repeats join one cycle, sources are
recorded as opened, the form starts blank and refuses tokens, credit follows the
profession, and demonstration installs and content say so."""

from __future__ import annotations

import re

import pytest
import yaml
from fastapi.testclient import TestClient

from app.main import create_app
from credit_capture.rules import DEFAULT_RULES_PATH
from tests.factories import make_user, sign_in

REFLECTION = {"reason": "Managing a current patient", "relevance": "totally",
              "outcome": "confirmed", "patient_use": "yes", "health_benefit": "yes",
              "practice_change": "No change: it confirmed the single oral dose I use."}


def _site(settings, tmp_path, **changes):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return TestClient(create_app(settings.model_copy(update={"credit_rules": path})))


@pytest.fixture
def ada(client):
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    return client


def _ask(client, question):
    return client.post("/api/v1/ask", json={"question": question}).json()


def _open(client, body, via="chip"):
    return client.post(f"/api/v1/inquiries/{body['inquiry_id']}/opened",
                       json={"doc_id": body["citations"][0]["doc_id"], "via": via})


def test_a_repeated_question_is_one_cycle_and_earns_credit_once(ada):
    first = _ask(ada, "croup dexamethasone dose")
    again = _ask(ada, "dexamethasone dose for croup?")
    assert first["episode_id"] and again["episode_id"] == first["episode_id"]
    assert _open(ada, again).status_code == 204  # opened from the repeat: same episode
    claimed = ada.post(f"/api/v1/episodes/{first['episode_id']}/claim", json=REFLECTION)
    assert claimed.status_code == 200, claimed.text
    third = _ask(ada, "Croup: dose of dexamethasone")
    assert third["episode_id"] == first["episode_id"]
    page = ada.get(f"/learning/episodes/{third['episode_id']}").text
    assert "does not earn credit twice" in page and "Save and claim" not in page
    assert len(ada.get("/api/v1/claims").json()) == 1
    other = _ask(ada, "croup nebulised epinephrine dose")
    assert other["episode_id"] and other["episode_id"] != first["episode_id"]


def test_greetings_and_keyboard_noise_open_no_episode(ada):
    for noise in ("hi", "asdf"):
        assert _ask(ada, noise)["episode_id"] is None
    assert ada.get("/api/v1/episodes").json() == []


def test_sources_opened_are_recorded_from_chips_and_card_pages(ada, client):
    body = _ask(ada, "croup dexamethasone dose")
    blocked = ada.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    assert blocked.status_code == 409 and "Open at least one" in blocked.json()["detail"]
    doc = body["citations"][0]["doc_id"]
    assert ada.get(f"/content/{doc}?from={body['inquiry_id']}").status_code == 200
    assert ada.get(f"/content/{doc}?from=not-an-inquiry").status_code == 200  # still shown
    bad = ada.post(f"/api/v1/inquiries/{body['inquiry_id']}/opened",
                   json={"doc_id": doc, "via": "telepathy"})
    assert bad.status_code == 422
    episode = ada.get("/api/v1/episodes").json()[0]
    assert [(o["doc_id"], o["via"]) for o in episode["opened"]] == [(doc, "card")]
    assert ada.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                    json=REFLECTION).status_code == 200
    ada.post("/logout")
    assert _open(client, body).status_code == 401


def test_the_form_starts_blank_and_refuses_token_answers_keeping_what_was_typed(ada):
    body = _ask(ada, "croup dexamethasone dose")
    _open(ada, body)
    form = ada.get(f"/learning/episodes/{body['episode_id']}").text
    radios = re.findall(r'<input type="radio"[^>]*>', form)
    assert len(radios) >= 15 and not [r for r in radios if "checked" in r]
    for token in ("asdf", "n/a", "ok"):
        refused = ada.post(f"/learning/episodes/{body['episode_id']}",
                           data={**REFLECTION, "practice_change": token})
        assert refused.status_code == 422
        assert "say what you will do or did differently" in refused.text
        assert 'value="totally" checked' in refused.text  # the choices made are kept
    assert ada.get("/api/v1/claims").json() == []


def test_credit_follows_the_profession(client):
    curbside = client.app.state.curbside
    make_user(curbside, "doc@example.org")
    make_user(curbside, "rn@example.org", profession="nurse")
    sign_in(client, "doc@example.org")
    body = _ask(client, "hyperkalemia with ECG changes calcium")
    _open(client, body)
    form = client.get(f"/learning/episodes/{body['episode_id']}").text
    assert "AMA PRA Category 1 Credit" in form and "ANCC" not in form
    nursing = client.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                          json={**REFLECTION, "credit_types": ["ancc_contact_hours"]})
    assert nursing.status_code == 409 and "not offered" in nursing.json()["detail"]
    issued = client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    assert [c["credit_type"] for c in issued.json()] == ["ama_pra_1"]
    client.post("/logout")
    sign_in(client, "rn@example.org")
    body = _ask(client, "hyperkalemia with ECG changes calcium")
    _open(client, body)
    form = client.get(f"/learning/episodes/{body['episode_id']}").text
    assert "ANCC nursing contact hours" in form and "AMA PRA Category 1 Credit™<" not in form
    issued = client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    assert [c["credit_type"] for c in issued.json()] == ["ancc_contact_hours"]


def test_name_and_profession_are_asked_on_the_first_claim(client):
    make_user(client.app.state.curbside, "new@example.org", first_name="", last_name="",
              profession="")
    sign_in(client, "new@example.org")
    body = _ask(client, "croup dexamethasone dose")
    _open(client, body)
    url = f"/learning/episodes/{body['episode_id']}"
    form = client.get(url).text
    assert 'name="first_name"' in form and 'name="profession"' in form
    no_name = client.post(url, data=REFLECTION)
    assert no_name.status_code == 422 and "never your e-mail" in no_name.text
    done = client.post(url, data={**REFLECTION, "first_name": "Grace", "last_name": "Hopper",
                                  "profession": "pharmacist"}, follow_redirects=True)
    assert "Credit claimed" in done.text, done.text
    assert [c["credit_type"] for c in client.get("/api/v1/claims").json()] == ["participation"]
    assert 'value="pharmacist" selected' in client.get("/profile").text


def test_demo_content_is_refused_with_the_reason_on_the_form(settings, tmp_path):
    with _site(settings, tmp_path, demo_content_creditable=False) as site:
        make_user(site.app.state.curbside, "ada@example.org")
        sign_in(site, "ada@example.org")
        body = _ask(site, "croup dexamethasone dose")
        _open(site, body)
        form = site.get(f"/learning/episodes/{body['episode_id']}").text
        assert "Not creditable" in form and "Save and claim" not in form
        refused = site.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
        assert refused.status_code == 409 and "demonstration content" in refused.json()["detail"]


def test_admin_sees_names_in_due_list_and_pars_refuses_a_demonstration(ada):
    _ask(ada, "croup dexamethasone dose")
    ada.post("/logout")
    make_user(ada.app.state.curbside, "root@example.org", role="admin", first_name="Site",
              last_name="Admin")
    sign_in(ada, "root@example.org")
    due = ada.get("/admin/due", params={"days": 31}).text
    assert "Ada Lovelace" in due and "croup dexamethasone dose" in due
    pars = ada.get("/admin/pars.tsv", params={"start": "2020-01-01", "end": "2099-12-31"})
    assert pars.status_code == 409 and "not valid for credit" in pars.json()["detail"]

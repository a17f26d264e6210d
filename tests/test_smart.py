"""SMART App Launch against a loopback EHR: discovery, PKCE, code exchange, chart context
steering the answer, and nothing of the patient stored."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import ehr_routes
from app.main import create_app
from credit_capture.models import Inquiry
from tests.fake_ehr import CLIENT_ID, LAUNCH, EhrState, RunningEhr, condition, medication, patient

TODAY = date(2026, 12, 10)


@pytest.fixture
def ehr():
    state = EhrState(
        patient=patient(birth="2022-02-14", gender="female"),
        conditions=[condition("71186008", "Croup"),
                    condition("49436004", "Atrial fibrillation", status="resolved")],
        medications=[medication("161", "acetaminophen 160 mg/5 mL oral suspension")],
    )
    with RunningEhr(state) as running:
        yield running


@pytest.fixture
def smart_client(settings, ehr):
    app = create_app(settings.model_copy(update={"smart_clients": {ehr.base: CLIENT_ID}}))
    app.dependency_overrides[ehr_routes.today] = lambda: TODAY
    with TestClient(app) as client:
        yield client


def _launch(client, ehr) -> str:
    """Launch, authorize at the EHR, and return the callback page's HTML."""
    response = client.get("/smart/launch", params={"iss": ehr.base, "launch": LAUNCH},
                          follow_redirects=False)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{ehr.base}/authorize?")
    back = httpx.get(location, follow_redirects=False)
    assert back.status_code in {302, 307}, back.text
    callback = urlsplit(back.headers["location"])
    assert callback.path == "/smart/callback"
    page = client.get(f"{callback.path}?{callback.query}")
    assert page.status_code == 200, page.text
    return page.text


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_ehr_launch_sends_pkce_state_and_scopes(smart_client, ehr):
    _launch(smart_client, ehr)
    sent = ehr.state.authorize_requests[0]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["aud"] == ehr.base and sent["launch"] == LAUNCH and len(sent["state"]) >= 24
    assert set(sent["scope"].split()) == {
        "launch", "openid", "fhirUser", "patient/Patient.rs", "patient/Condition.rs",
        "patient/MedicationRequest.rs"}
    assert sent["redirect_uri"] == "http://testserver/smart/callback"


def test_full_launch_shows_context_steers_answers_and_stores_nothing(smart_client, ehr,
                                                                     settings):
    html = _launch(smart_client, ehr)
    for chip in ["4 years", "female", "Croup", "acetaminophen 160 mg/5 mL oral suspension"]:
        assert f'context-chip">{chip}<' in html
    assert "Atrial fibrillation" not in html  # resolved problems are not context
    assert "Croup: single-dose oral dexamethasone" in html  # suggested from the coded problem
    assert "Weight-based acetaminophen and ibuprofen dosing in children" in html

    form = {"question": "tylenol dose", "age": _hidden(html, "age"), "sex": _hidden(html, "sex")}
    answered = smart_client.post("/smart/ask", data=form)
    assert answered.status_code == 200
    first = re.search(r"<summary>\[1\] ([^<]+)</summary>", answered.text).group(1)
    assert "children" in first  # a 4-year-old: the paediatric dosing card answers
    adult = smart_client.post("/smart/ask", data={**form, "age": "40", "sex": "male"})
    first_adult = re.search(r"<summary>\[1\] ([^<]+)</summary>", adult.text).group(1)
    assert "children" not in first_adult  # the same question for an adult: another card

    db = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    with Session(create_app(settings).state.curbside.engine) as session:
        logged = session.exec(select(Inquiry)).all()
    assert [inquiry.question for inquiry in logged] == ["tylenol dose", "tylenol dose"]
    assert not any(inquiry.signals.get("patient_context") for inquiry in logged)
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for detail in [b"Zabriskie", b"Quintessa", b"MRN-99812", b"2022-02-14", b"years old",
                   b"Croup", b"female"]:
        assert detail not in stored


def test_a_launch_state_is_used_once(smart_client, ehr):
    response = smart_client.get("/smart/launch", params={"iss": ehr.base, "launch": LAUNCH},
                                follow_redirects=False)
    back = urlsplit(httpx.get(response.headers["location"], follow_redirects=False)
                    .headers["location"])
    assert smart_client.get(f"{back.path}?{back.query}").status_code == 200
    replay = smart_client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400 and "unknown or has expired" in replay.text
    forged = parse_qs(back.query) | {"state": ["forged"]}
    assert smart_client.get(back.path, params={k: v[0] for k, v in forged.items()}
                            ).status_code == 400


def test_unknown_issuer_and_incomplete_launches_are_refused(smart_client, ehr):
    other = smart_client.get("/smart/launch", params={"iss": "https://evil.example/fhir",
                                                     "launch": LAUNCH}, follow_redirects=False)
    assert other.status_code == 403 and "not registered" in other.text
    missing = smart_client.get("/smart/launch", params={"iss": ehr.base})
    assert missing.status_code == 400 and "launch" in missing.text
    denied = smart_client.get("/smart/callback", params={"error": "access_denied",
                                                        "error_description": "user said no"})
    assert denied.status_code == 400 and "user said no" in denied.text
    assert ehr.state.authorize_requests == []


def test_an_unreachable_ehr_is_a_clear_502(settings):
    app = create_app(settings.model_copy(update={"smart_clients": {
        "http://127.0.0.1:9": CLIENT_ID}}))
    with TestClient(app) as client:
        response = client.get("/smart/launch", params={"iss": "http://127.0.0.1:9",
                                                      "launch": LAUNCH})
    assert response.status_code == 502 and "Cannot reach the EHR" in response.text


def test_bad_steering_fields_get_a_clear_4xx(smart_client):
    response = smart_client.post("/smart/ask", data={"question": "croup dose", "age": "old"})
    assert response.status_code == 422 and "number of years" in response.text


def test_unasked_suggestions_fit_the_patient():
    """A drug on the chart may be coded to cards for other patients (acetaminophen:
    children's dosing, pregnancy analgesia); a 4-year-old girl is offered only hers."""
    from integrations.patient import PatientFacts
    from retrieval.models import Document

    pregnancy = Document(id="p", title="Analgesics in pregnancy - acetaminophen first",
                         text="", kind="card")
    children = Document(id="c", title="Acetaminophen dosing in children", text="",
                        kind="card", specialty=["pediatrics"])
    girl, woman = PatientFacts(age_years=4, sex="female"), PatientFacts(age_years=30,
                                                                        sex="female")
    assert girl.fit(pregnancy) < 0 and girl.fit(children) == 0
    assert woman.fit(pregnancy) == 0 and woman.fit(children) < 0
    assert girl.steer_text() == "4yo f" and PatientFacts(age_years=0.5).steer_text() == (
        "6 months old")

"""SMART sign-in: the id_token's fhirUser (signature checked against the EHR's JWKS, issuer
and audience checked) signs the clinician in to the linked Curbside account, links one by
signing in once, or creates one; a forged or misdirected id_token signs nobody in."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import ehr_routes
from app.accounts import User
from app.deps import SESSION_COOKIE
from app.main import create_app
from credit_capture.episodes import Episode
from credit_capture.models import Inquiry
from integrations.models import EhrLink
from tests.factories import make_user
from tests.fake_ehr import CLIENT_ID, FHIR_USER, LAUNCH, EhrState, RunningEhr, condition, patient

TODAY = date(2026, 12, 10)
PASSWORD = "correct-horse-9"


@pytest.fixture
def ehr():
    state = EhrState(patient=patient(birth="2022-02-14", gender="female"),
                     conditions=[condition("71186008", "Croup")], medications=[])
    with RunningEhr(state) as running:
        yield running


def _client(settings, ehr, unlinked: str = "link") -> TestClient:
    ehr_settings = settings.ehr.model_copy(update={"smart_unlinked": unlinked})
    app = create_app(settings.model_copy(update={"smart_clients": {ehr.base: CLIENT_ID},
                                                 "ehr": ehr_settings}))
    app.dependency_overrides[ehr_routes.today] = lambda: TODAY
    return TestClient(app)


def _launch(client: TestClient, ehr) -> httpx.Response:
    """EHR launch -> the EHR's authorize endpoint -> the callback page."""
    start = client.get("/smart/launch", params={"iss": ehr.base, "launch": LAUNCH},
                       follow_redirects=False)
    back = urlsplit(httpx.get(start.headers["location"], follow_redirects=False)
                    .headers["location"])
    return client.get(f"{back.path}?{back.query}")


def _hidden(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def _rows(client: TestClient, model) -> list:
    with Session(client.app.state.curbside.engine) as session:
        return list(session.exec(select(model)).all())


def _link(client: TestClient, ehr, user: User) -> None:
    with Session(client.app.state.curbside.engine) as session:
        session.add(EhrLink(iss=ehr.base, fhir_user=FHIR_USER, user_id=user.id, how="linked"))
        session.commit()


def test_a_linked_clinician_is_signed_in_and_their_question_is_their_episode(settings, ehr):
    with _client(settings, ehr) as client:
        user = make_user(client.app.state.curbside, "ada@example.org")
        _link(client, ehr, user)
        page = _launch(client, ehr)
        assert page.status_code == 200
        assert client.cookies.get(SESSION_COOKIE)
        assert 'href="/learning">My learning' in page.text  # signed in on this very page
        assert "/smart/link" not in page.text
        assert 'context-chip">Croup<' in page.text

        asked = client.post("/smart/ask", data={"question": "croup dexamethasone dose",
                                                "age": _hidden(page.text, "age"),
                                                "sex": _hidden(page.text, "sex")})
        assert asked.status_code == 200
        inquiry, = _rows(client, Inquiry)
        assert inquiry.learner_id == user.id
        episode, = _rows(client, Episode)
        assert (episode.learner_id, episode.inquiry_id) == (user.id, inquiry.id)
        assert client.get("/learning").status_code == 200  # the session is a real one


def test_an_unknown_clinician_links_an_account_by_signing_in_once(settings, ehr):
    with _client(settings, ehr) as client:
        user = make_user(client.app.state.curbside, "ada@example.org")
        page = _launch(client, ehr)
        assert page.status_code == 200 and not client.cookies.get(SESSION_COOKIE)
        assert "Link your EHR login to Curbside" in page.text
        form = {"ticket": _hidden(page.text, "ticket"), "email": "ada@example.org",
                "age": _hidden(page.text, "age"), "sex": _hidden(page.text, "sex"),
                "chip": ["4 years", "female", "Croup"],
                "suggestion": ["Croup: single-dose oral dexamethasone"]}

        wrong = client.post("/smart/link", data=form | {"password": "not-the-password"})
        assert wrong.status_code == 401 and "wrong email or password" in wrong.text
        assert 'value="ada@example.org"' in wrong.text  # kept, to try again
        assert _rows(client, EhrLink) == [] and not client.cookies.get(SESSION_COOKIE)

        linked = client.post("/smart/link", data=form | {"password": PASSWORD})
        assert linked.status_code == 200, linked.text
        assert "Linked: from now on" in linked.text
        assert 'context-chip">Croup<' in linked.text  # the chat keeps the patient context
        assert "Croup: single-dose oral dexamethasone" in linked.text
        link, = _rows(client, EhrLink)
        assert (link.iss, link.fhir_user, link.user_id, link.how) == (
            ehr.base, FHIR_USER, user.id, "linked")
        assert client.cookies.get(SESSION_COOKIE)
        again = client.post("/smart/link", data=form | {"password": PASSWORD})
        assert again.status_code == 400 and "expired" in again.text  # the ticket is spent

    with _client(settings, ehr) as fresh:  # another day, another browser: straight in
        page = _launch(fresh, ehr)
        assert "/smart/link" not in page.text and fresh.cookies.get(SESSION_COOKIE)


def test_create_mode_makes_a_learner_account_for_a_new_clinician(settings, ehr):
    with _client(settings, ehr, unlinked="create") as client:
        page = _launch(client, ehr)
        assert page.status_code == 200
        assert "A Curbside account was created for you" in page.text
        user, = _rows(client, User)
        assert (user.role, user.first_name, user.last_name) == ("learner", "Ada", "Lovelace")
        assert user.email.endswith("@ehr.invalid")
        link, = _rows(client, EhrLink)
        assert (link.user_id, link.how) == (user.id, "created")
        assert client.cookies.get(SESSION_COOKIE)
        _launch(client, ehr)
        assert len(_rows(client, User)) == 1  # the second launch finds the link


def test_only_clinician_accounts_are_linked_or_signed_in_from_the_ehr(settings, ehr):
    with _client(settings, ehr) as client:
        admin = make_user(client.app.state.curbside, "boss@example.org", role="admin")
        page = _launch(client, ehr)
        refused = client.post("/smart/link", data={
            "ticket": _hidden(page.text, "ticket"), "email": "boss@example.org",
            "password": PASSWORD})
        assert refused.status_code == 403 and "clinician (learner) accounts only" in refused.text
        assert _rows(client, EhrLink) == []
        _link(client, ehr, admin)  # linked by hand (or promoted later): still not signed in
        client.cookies.clear()
        page = _launch(client, ehr)
        assert page.status_code == 200 and "linked to a Curbside admin account" in page.text
        assert not client.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize(("change", "reason"), [
    ({"id_token_key": "attacker"}, "signature does not match"),
    ({"id_token_audience": "some-other-app"}, "wrong audience"),
])
def test_a_forged_or_misdirected_id_token_signs_nobody_in(settings, ehr, change, reason):
    for name, value in change.items():
        setattr(ehr.state, name, value)
    with _client(settings, ehr, unlinked="create") as client:
        make_user(client.app.state.curbside, "ada@example.org")
        page = _launch(client, ehr)
        assert page.status_code == 401
        assert reason in page.text and "nobody was signed in" in page.text
        assert 'class="error" role="alert"' in page.text and "Croup" not in page.text
        assert not client.cookies.get(SESSION_COOKIE)
        assert _rows(client, EhrLink) == [] and len(_rows(client, User)) == 1


def test_without_an_id_token_the_chat_opens_uncredited(settings, ehr):
    ehr.state.fhir_user = None
    with _client(settings, ehr, unlinked="create") as client:
        page = _launch(client, ehr)
        assert page.status_code == 200 and "questions are not credited" in page.text
        assert _rows(client, User) == [] and not client.cookies.get(SESSION_COOKIE)

"""A SMART EHR launch in real headless Chromium at 390x844: the EHR opens Curbside, the
clinician links their EHR login once, sees the patient's context as chips with suggested
cards, asks, and reads the answer, signed in (the question is their learning episode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.main import create_app
from credit_capture.episodes import Episode
from integrations.models import EhrLink
from tests.factories import make_user
from tests.fake_ehr import CLIENT_ID, LAUNCH, EhrState, RunningEhr, condition, medication, patient
from tests.test_browser import phone_page, serve  # noqa: F401

SHOTS = os.environ.get("CURBSIDE_SHOTS")  # a folder to keep screenshots in, when set


@pytest.fixture
def ehr():
    state = EhrState(
        patient=patient(birth="2022-02-14", gender="female"),
        conditions=[condition("71186008", "Croup")],
        medications=[medication("161", "acetaminophen 160 mg/5 mL oral suspension")],
    )
    with RunningEhr(state) as running:
        yield running


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = (Path(SHOTS) if SHOTS else tmp_path) / f"smart-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_ehr_launch_links_the_clinician_and_answers_with_the_patient_context(
        settings, ehr, phone_page, tmp_path):  # noqa: F811
    app = create_app(settings.model_copy(update={"smart_clients": {ehr.base: CLIENT_ID}}),
                     warm=True)
    user = make_user(app.state.curbside, "ada@example.org")
    page = phone_page
    with serve(app) as url:
        page.goto(f"{url}/smart/launch?iss={ehr.base}&launch={LAUNCH}")
        page.wait_for_selector("text=Link your EHR login to Curbside")
        assert ehr.state.authorize_requests[0]["code_challenge_method"] == "S256"
        chips = page.locator(".context-chip").all_inner_texts()
        assert chips == ["4 years", "female", "Croup",
                         "acetaminophen 160 mg/5 mL oral suspension"]
        _shot(page, tmp_path, "1-launched")

        page.fill("#link-email", "ada@example.org")
        page.fill("#link-password", "correct-horse-9")
        page.click("text=Sign in and link")
        page.wait_for_selector("text=Linked: from now on")
        assert page.locator("nav >> text=My learning").is_visible()  # signed in
        assert page.locator(".context-chip").all_inner_texts() == chips  # context kept
        suggestions = page.locator(".suggestions button").all_inner_texts()
        assert any(s.startswith("Croup: single-dose oral dexamethasone") for s in suggestions)
        assert not any("pregnancy" in s for s in suggestions)  # she is 4

        page.fill("#question", "dexamethasone dose")
        page.click("form.ask[action='/smart/ask'] button[type=submit]")
        page.wait_for_selector("#result summary")
        first = page.locator("#result summary").first.inner_text()
        assert "Croup" in first, first  # a 4-year-old's "dexamethasone dose": the croup card
        assert page.locator(".context-chip").all_inner_texts() == chips  # still in view
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page is {width}px wide on a 390px phone"
        shot = _shot(page, tmp_path, "2-answered")
        assert shot.stat().st_size > 10_000

    with Session(app.state.curbside.engine) as session:
        link = session.exec(select(EhrLink)).one()
        episode = session.exec(select(Episode)).one()
    assert link.user_id == user.id and episode.learner_id == user.id

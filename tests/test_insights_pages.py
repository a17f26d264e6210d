"""Planner pages: dashboard, drill-down and exports; planners only, k-anonymous, scrubbed."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import User, create_user, issue_api_token
from app.main import create_app
from credit_capture.episodes import Episode, Reflection
from tests.insights_data import MONDAY, TOPICS, add_inquiry


@pytest.fixture
def planner_app(settings):
    settings = settings.model_copy(update={"frozen_date": date(2026, 11, 20)})
    with TestClient(create_app(settings)) as client:
        curbside = client.app.state.curbside
        with Session(curbside.engine) as session:
            n = 0
            for topic, questions in TOPICS.items():
                for i, question in enumerate(questions):
                    # gout is asked by two clinicians only: below k = 5 everywhere
                    who = f"zq-learner-{i % 2 if topic == 'gout' else i}"
                    add_inquiry(session, question, n=n, topic=topic, clinician=who)
                    n += 1
            add_inquiry(session, "croup dexamethasone dose for Johnathan Q. Smithfield's son",
                        n=50, topic="croup", clinician="zq-learner-1")
            for i in range(6):
                session.add(User(id=f"zq-learner-{i}", email=f"clinician{i}@hospital.example",
                                 first_name="Zelda", last_name=f"Quorum{i}", password_hash="!",
                                 specialty="pediatrics" if i < 3 else "emergency",
                                 profession="physician"))
                episode = Episode(id=f"e{i}", learner_id=f"zq-learner-{i}", question="q",
                                  inquiry_id=f"q{6 + i:05d}", asked_at=MONDAY,
                                  opened_at=MONDAY, due_at=MONDAY)
                session.add(episode)
                session.add(Reflection(
                    episode_id=f"e{i}", learner_id=f"zq-learner-{i}", reason="patient care",
                    answered="yes", outcome="changed" if i < 3 else "confirmed",
                    change_types=["drug_therapy"] if i < 3 else [], created_at=MONDAY,
                    barriers="Zelda's clinic has no nebulisers" if i == 0 else None))
            planner = create_user(session, email="planner@example.org", password="pw-planner",
                                  role="planner")
            learner = create_user(session, email="learner@example.org", password="pw-learner")
            tokens = {"planner": issue_api_token(session, user=planner),
                      "learner": issue_api_token(session, user=learner)}
            session.commit()
        client.headers_for = lambda role: {"authorization": f"Bearer {tokens[role]}"}
        from app.insights_service import insights_of

        insights_of(curbside).rebuild()
        yield client


def _get(client, path, role="planner"):
    return client.get(path, headers=client.headers_for(role))


IDENTITIES = ("clinician0@", "Quorum", "Zelda", "Johnathan", "Smithfield", "zq-learner",
              "nebulisers")


def test_dashboard_shows_themes_gaps_outcomes_and_charts_without_scripts(planner_app):
    page = _get(planner_app, "/insights")
    assert page.status_code == 200
    html = page.text
    assert "croup" in html and "warfarin" in html
    assert html.count("<svg") >= 3  # volume, top themes, outcomes: server-side SVG
    assert "<script" not in html.split("<main>")[1]
    assert "50% changed management" in html  # 3 of 6 reflections
    assert not re.search(r"\bgout\b", html)  # two clinicians only
    assert "too small to show" in html
    for identity in IDENTITIES:
        assert identity not in html


def test_theme_drill_down_shows_rescrubbed_examples(planner_app):
    themes = _get(planner_app, "/api/v1/insights/themes").json()["themes"]
    croup = next(t for t in themes if any("croup" in term for term in t["terms"]))
    page = _get(planner_app, f"/insights/themes/{croup['id']}")
    assert page.status_code == 200
    assert "croup dexamethasone dose" in page.text
    assert "Smithfield" not in page.text and "Johnathan" not in page.text
    assert _get(planner_app, "/insights/themes/tnothere").status_code == 404


def test_exports_and_api_suppress_small_themes_and_identities(planner_app):
    exported = _get(planner_app, "/insights/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 2 and all(int(r["clinicians"]) >= 5 for r in rows)
    body = _get(planner_app, "/insights/export.json").text
    api = _get(planner_app, "/api/v1/insights/themes").json()
    assert api["suppressed"] == 1 and len(api["themes"]) == 2
    for text in (exported.text, body, str(api)):
        assert not re.search(r"\bgout\b", text)
        for identity in IDENTITIES:
            assert identity not in text


def test_filters_narrow_the_selection_and_keep_k_anonymity(planner_app):
    # three pediatricians asked: below k, so nothing about them is shown
    data = _get(planner_app, "/insights/export.json?specialty=pediatrics").json()
    assert data["themes"] == [] and data["questions"] is None
    assert _get(planner_app, "/insights?weeks=0").status_code == 422
    assert _get(planner_app, "/insights?start=2026-11-10&end=2026-11-01").status_code == 422


def test_only_planners_and_admins_see_insights(planner_app):
    assert _get(planner_app, "/insights", role="learner").status_code == 403
    assert _get(planner_app, "/api/v1/insights/themes", role="learner").status_code == 403
    assert planner_app.get("/api/v1/insights/themes").status_code == 401
    anonymous = planner_app.get("/insights", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]

"""Spaced retrieval practice as a learner meets it: a claimed cycle's card comes back 7 and
30 days after the claim (the rules' intervals), is answered in one short form, is stored
as a retention outcome, and goes away once answered. Every "today" is an injected date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.practice import Practice
from app.services import Curbside
from credit_capture import claims
from credit_capture.practice import RetentionOutcome
from credit_capture.rules import DEFAULT_RULES_PATH
from tests.factories import make_user, sign_in
from tests.practice_data import AF, CROUP, claimed

CLAIMED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def ada(curbside):
    return make_user(curbside, "ada@example.org")


def _on(settings, day: date, email: str = "ada@example.org") -> TestClient:
    """The app as it stands on ``day``, signed in."""
    client = TestClient(create_app(settings.model_copy(update={"frozen_date": day})))
    sign_in(client, email)
    return client


def _right_answers(settings, card_id: str) -> dict[str, str]:
    card = Practice(Curbside(settings)).card(card_id)
    return {f"q{n}": str(q.answer) for n, q in enumerate(card.questions, start=1)}


def _outcomes(curbside) -> list[RetentionOutcome]:
    with Session(curbside.engine) as session:
        return list(session.exec(select(RetentionOutcome)))


def test_a_claimed_card_comes_back_at_7_and_30_days_and_is_stored_when_answered(
        settings, curbside, ada):
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP, AF])  # only CROUP was opened
    early = _on(settings, date(2026, 12, 6))
    page = early.get("/learning/practice").text
    assert "No practice check is due" in page and "2026-12-07" in page
    assert "Practice checks</a>" in early.get("/learning").text  # linked from My learning

    day7 = _on(settings, date(2026, 12, 7))
    assert "Practice checks: 1 due" in day7.get("/learning").text
    listing = day7.get("/learning/practice").text
    assert f'href="/learning/practice/{CROUP}"' in listing and "7-day check" in listing
    assert AF not in listing  # shown in the answer but never opened: not practised
    form = day7.get(f"/learning/practice/{CROUP}").text
    radios = re.findall(r'<input type="radio"[^>]*>', form)
    assert radios and not [r for r in radios if "checked" in r]  # nothing pre-selected

    answers = _right_answers(settings, CROUP)
    answers["q1"] = str((int(answers["q1"]) + 1) % 2)  # one wrong
    done = day7.post(f"/learning/practice/{CROUP}", data=answers)
    assert done.status_code == 200
    total = len(answers)
    assert f"{total - 1} of {total} right" in done.text and "Answer:" in done.text
    [outcome] = _outcomes(curbside)
    assert (outcome.card_id, outcome.interval_days, outcome.due_on) == (CROUP, 7,
                                                                          date(2026, 12, 7))
    assert (outcome.questions, outcome.correct) == (total, total - 1)
    assert outcome.answered_at.date() == date(2026, 12, 7)  # the injected clock
    after = day7.get("/learning/practice").text
    assert "No practice check is due" in after and "2026-12-30" in after
    assert day7.get(f"/learning/practice/{CROUP}").status_code == 409  # answered: not due

    day30 = _on(settings, date(2026, 12, 30))
    assert "30-day check" in day30.get("/learning/practice").text
    assert day30.post(f"/learning/practice/{CROUP}",
                      data=_right_answers(settings, CROUP)).status_code == 200
    assert [o.interval_days for o in _outcomes(curbside)] == [7, 30]
    assert "No practice check is due" in day30.get("/learning/practice").text


def test_a_missed_7_day_check_becomes_the_30_day_one_not_two(settings, curbside, ada):
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    listing = _on(settings, date(2027, 1, 15)).get("/learning/practice").text
    assert listing.count(f'href="/learning/practice/{CROUP}"') == 1
    assert "30-day check" in listing and "7-day check" not in listing


def test_one_answer_settles_the_same_card_claimed_in_two_cycles(settings, curbside, ada):
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    claimed(curbside, ada, at=datetime(2026, 12, 1, 9, tzinfo=UTC), cards=[CROUP],
            question="dexamethasone for croup in a 3 year old")
    client = _on(settings, date(2026, 12, 8))
    assert client.get("/learning/practice").text.count(f"/learning/practice/{CROUP}") == 1
    client.post(f"/learning/practice/{CROUP}", data=_right_answers(settings, CROUP))
    assert "No practice check is due" in client.get("/learning/practice").text


def test_an_unanswered_question_is_refused_keeping_the_choices_made(settings, curbside, ada):
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    client = _on(settings, date(2026, 12, 7))
    answers = _right_answers(settings, CROUP)
    partial = {"q1": answers["q1"]}
    refused = client.post(f"/learning/practice/{CROUP}", data=partial)
    assert refused.status_code == 422 and "Answer every question" in refused.text
    assert re.search(rf'name="q1" value="{answers["q1"]}" required checked', refused.text)
    out_of_range = client.post(f"/learning/practice/{CROUP}", data={**answers, "q1": "9"})
    assert out_of_range.status_code == 422 and "choose one of the" in out_of_range.text
    assert _outcomes(curbside) == []


def test_a_voided_claim_and_another_learner_get_no_check(settings, curbside, ada):
    episode = claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    make_user(curbside, "bob@example.org", first_name="Bob")
    bob = _on(settings, date(2026, 12, 7), email="bob@example.org")
    assert "No practice check is due" in bob.get("/learning/practice").text
    assert bob.post(f"/learning/practice/{CROUP}",
                    data=_right_answers(settings, CROUP)).status_code == 409
    with Session(curbside.engine) as session:
        [claim] = claims.claims_for(session, learner_id=ada.id)
        assert claim.episode_id == episode.id
        claims.correct_claim(session, claim_id=claim.id, actor="admin@example.org",
                             reason="Entered in error.", new_amount=0)
    assert "No practice check is due" in _on(settings, date(2026, 12, 7)).get(
        "/learning/practice").text
    assert _outcomes(curbside) == []


def test_the_intervals_come_from_the_rules_file(settings, curbside, ada, tmp_path):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["practice_intervals_days"] = [3]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    site = settings.model_copy(update={"credit_rules": rules})
    claimed(Curbside(site), ada, at=CLAIMED, cards=[CROUP])
    assert "3-day check" in _on(site, date(2026, 12, 3)).get("/learning/practice").text
    raw["practice_intervals_days"] = [30, 7]
    rules.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="strictly increasing"):
        Curbside(site).credit_rules  # noqa: B018


def test_practice_pages_need_a_signed_in_learner(client):
    assert client.get("/learning/practice", follow_redirects=False).status_code == 303
    assert client.post(f"/learning/practice/{CROUP}", data={"q1": "0"},
                       follow_redirects=False).status_code == 303

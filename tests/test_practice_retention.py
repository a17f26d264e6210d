"""Retention per theme for planners: practice-check scores grouped by the theme of the
question that started the cycle, withheld below k clinicians like every insights figure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from app.insights_service import insights_of
from app.practice import Practice
from app.services import Curbside
from insights import retention
from insights.models import Theme, ThemeInquiry
from tests.factories import make_user, sign_in
from tests.practice_data import CROUP, claimed

CLAIMED = datetime(2026, 11, 30, 10, tzinfo=UTC)
WEEK = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))


def _themed(curbside, inquiry_ids: list[str]) -> None:
    with Session(curbside.engine) as session:
        session.add(Theme(id="tcroup", label="croup dexamethasone", centroid=b"\0" * 4))
        for inquiry_id in inquiry_ids:
            session.add(ThemeInquiry(inquiry_id=inquiry_id, theme_id="tcroup",
                                     vector=b"\0" * 4, model="test"))
        session.commit()


def _answer(settings, user, right: bool) -> None:
    practice = Practice(Curbside(settings.model_copy(update={"frozen_date": date(2026, 12, 8)})))
    card = practice.card(CROUP)
    picks = [q.answer if right else (q.answer + 1) % len(q.choices) for q in card.questions]
    practice.answer(user, CROUP, picks)


def test_retention_per_theme_counts_scores_and_withholds_small_groups(settings, curbside):
    learners, inquiries = [], []
    for n in range(5):
        user = make_user(curbside, f"doc{n}@example.org")
        learners.append(user)
        inquiries.append(claimed(curbside, user, at=CLAIMED, cards=[CROUP]).inquiry_id)
    _themed(curbside, inquiries)
    for n, user in enumerate(learners[:4]):
        _answer(settings, user, right=n < 3)  # three right, one wrong
    with Session(curbside.engine) as session:
        assert retention.by_theme(session, start=WEEK[0], end=WEEK[1], k=5) == {}  # 4 < k
    _answer(settings, learners[4], right=True)
    with Session(curbside.engine) as session:
        found = retention.by_theme(session, start=WEEK[0], end=WEEK[1], k=5)["tcroup"]
        earlier = retention.by_theme(session, start=datetime(2026, 11, 1, tzinfo=UTC),
                                     end=WEEK[0], k=5)
    per_check = len(Practice(curbside).card(CROUP).questions)
    assert (found.checks, found.clinicians) == (5, 5)
    assert (found.questions, found.correct) == (5 * per_check, 4 * per_check)
    assert found.as_dict()["pct_correct"] == 80.0
    assert earlier == {}  # answered outside the period: not counted


def test_planners_see_retention_on_the_theme_page_and_in_the_dashboard_json(
        settings, curbside, client):
    for n in range(5):
        user = make_user(curbside, f"doc{n}@example.org")
        claimed(curbside, user, at=CLAIMED, cards=[CROUP])
        _answer(settings, user, right=n != 0)
    insights_of(curbside).rebuild()  # the five croup questions become one theme
    make_user(curbside, "plan@example.org", role="planner")
    sign_in(client, "plan@example.org")
    board = client.get("/api/v1/insights/dashboard").json()
    [theme] = [t for t in board["themes"] if t["retention"]]
    assert theme["retention"]["pct_correct"] == 80.0 and theme["retention"]["clinicians"] == 5
    page = client.get(f"/insights/themes/{theme['id']}").text
    assert "Recall in practice checks" in page and "<strong>80%</strong> right" in page

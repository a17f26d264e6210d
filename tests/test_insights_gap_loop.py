"""The gap loop: a content gap becomes a draft-card request, a card closes it, and the
theme's abstention rate since the card shows whether the gap closed (k-anonymous)."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import Session

from app.cli import main
from tests.insights_data import TOPICS, add_inquiry
from tests.test_insights_card_requests import _warfarin_with_gaps
from tests.test_insights_pages import IDENTITIES, _get, planner_app  # noqa: F401

CARD = "warfarin-high-inr-reversal"  # a shipped card, in the test content index


def _request_and_point_cli(client, monkeypatch) -> tuple[str, int]:
    warfarin = _warfarin_with_gaps(client)  # 3 of 6 warfarin questions abstained
    made = client.post(f"/api/v1/insights/themes/{warfarin}/card-request", json={},
                       headers=client.headers_for("planner"))
    assert made.status_code == 201
    settings = client.app.state.curbside.settings
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CURBSIDE_FROZEN_DATE", "2026-11-10")  # the day the card lands
    return warfarin, made.json()["id"]


def _answered_later(client, clinicians: int) -> None:
    """Warfarin questions asked again after the card (week 2), all answered."""
    with Session(client.app.state.curbside.engine) as session:
        for i in range(clinicians):
            add_inquiry(session, TOPICS["warfarin"][i], n=200 + i, topic="warfarin",
                        clinician=f"zq-learner-{i}", week=2, abstained=False)
        session.commit()


def test_a_card_closes_the_request_and_the_pages_follow_the_gap(planner_app,  # noqa: F811
                                                                 monkeypatch, capsys):
    warfarin, request_id = _request_and_point_cli(planner_app, monkeypatch)
    assert "Answered by card" not in _get(planner_app, f"/insights/themes/{warfarin}").text

    assert main(["content", "requests", "close", str(request_id), "--card", CARD,
                 "--by", "author@example.org"]) == 0
    assert f"answered by card {CARD}" in capsys.readouterr().out
    assert main(["content", "requests", "--all"]) == 0
    assert f"answered by card {CARD} since 2026-11-10" in capsys.readouterr().out

    # nobody has asked since: nothing is concluded yet
    page = _get(planner_app, f"/insights/themes/{warfarin}").text
    assert "Answered by card" in page and "since 2026-11-10" in page
    assert "Supratherapeutic INR and warfarin reversal" in page  # the card's title, linked
    assert "50% of 6 abstained" in page and "gap too few questions since" in page

    _answered_later(planner_app, 5)  # five clinicians ask again, every answer found
    page = _get(planner_app, f"/insights/themes/{warfarin}").text
    assert "since: 0% of 5 abstained (gap closed)" in page
    board = _get(planner_app, "/insights").text
    assert "Gaps answered by new cards" in board and "gap closed" in board

    theme = next(t for t in _get(planner_app, "/api/v1/insights/dashboard").json()["themes"]
                 if t["id"] == warfarin)
    assert theme["answered_by"]["card_id"] == CARD
    assert theme["answered_by"]["before"] == {"questions": 6, "abstention_rate": 0.5}
    assert theme["answered_by"]["after"] == {"questions": 5, "abstention_rate": 0.0}
    assert theme["answered_by"]["verdict"] == "closed"

    rows = list(csv.DictReader(io.StringIO(_get(planner_app, "/insights/export.csv").text)))
    row = next(r for r in rows if r["theme_id"] == warfarin)
    assert (row["answered_by_card"], row["answered_since"], row["gap_verdict"]) == (
        CARD, "2026-11-10", "closed")

    brief = _get(planner_app, "/insights/brief?week=2026-W47&format=md").text
    section = brief.split("## Gaps answered by new cards")[1].split("##")[0]
    assert f"answered by card {CARD} since 2026-11-10" in section
    assert "before: 50% of 6 abstained, since: 0% of 5 abstained (gap closed)" in section
    for hidden in IDENTITIES:
        assert hidden not in section and hidden not in page


def test_a_gap_still_answered_badly_stays_open_and_small_groups_stay_hidden(
        planner_app, monkeypatch, capsys):  # noqa: F811
    warfarin, request_id = _request_and_point_cli(planner_app, monkeypatch)
    assert main(["content", "requests", "close", str(request_id), "--card", CARD]) == 0
    with Session(planner_app.app.state.curbside.engine) as session:
        for i in range(4):  # four clinicians since: below k = 5
            add_inquiry(session, TOPICS["warfarin"][i], n=300 + i, topic="warfarin",
                        clinician=f"zq-learner-{i}", week=2, abstained=True)
        session.commit()
    page = _get(planner_app, f"/insights/themes/{warfarin}").text
    assert "since: fewer than k clinicians (gap too few questions since)" in page
    assert "of 4 abstained" not in page

    with Session(planner_app.app.state.curbside.engine) as session:
        add_inquiry(session, TOPICS["warfarin"][5], n=310, topic="warfarin",
                    clinician="zq-learner-5", week=2, abstained=True)
        session.commit()
    data = _get(planner_app, "/api/v1/insights/dashboard").json()
    theme = next(t for t in data["themes"] if t["id"] == warfarin)
    assert theme["answered_by"]["after"] == {"questions": 5, "abstention_rate": 1.0}
    assert theme["answered_by"]["verdict"] == "still open"


def test_closing_a_request_refuses_unknown_cards_requests_and_a_second_card(
        planner_app, monkeypatch, capsys):  # noqa: F811
    _, request_id = _request_and_point_cli(planner_app, monkeypatch)
    capsys.readouterr()
    assert main(["content", "requests", "close", str(request_id), "--card", "no-such"]) == 2
    assert "--card: no card 'no-such' in the content index" in capsys.readouterr().err
    assert main(["content", "requests", "close", "999", "--card", CARD]) == 2
    assert "no draft-card request 999" in capsys.readouterr().err
    assert main(["content", "requests", "close", str(request_id), "--card", CARD]) == 0
    assert main(["content", "requests", "close", str(request_id), "--card",
                 "af-anticoagulation-cha2ds2-vasc"]) == 2
    assert f"already answered by card {CARD}" in capsys.readouterr().err
    assert main(["content", "requests", "--json", "--all"]) == 0
    listed = json.loads(capsys.readouterr().out)["requests"]
    assert listed[0]["card_id"] == CARD and listed[0]["status"] == "done"
    assert listed[0]["closed_at"].startswith("2026-11-10")

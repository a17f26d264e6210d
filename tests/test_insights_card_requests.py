"""A content gap becomes a draft-card request that authors see on the content page and in
`curbside content requests`, without who asked the questions."""

from __future__ import annotations

import json

from sqlalchemy import update
from sqlmodel import Session

from app.cli import main
from credit_capture.models import Inquiry
from tests.test_insights_pages import IDENTITIES, _get, planner_app  # noqa: F401


def _theme(client, word) -> dict:
    themes = _get(client, "/api/v1/insights/themes").json()["themes"]
    return next(t for t in themes if any(word in term for term in t["terms"]))


def _warfarin_with_gaps(client) -> str:
    """Three warfarin questions went unanswered: a gap in a theme planners can see."""
    curbside = client.app.state.curbside
    with Session(curbside.engine) as session:
        session.execute(update(Inquiry).where(Inquiry.id.in_(["q00000", "q00001", "q00002"]))
                        .values(abstained=True, citations=[]))
        session.commit()
    return _theme(client, "warfarin")["id"]


def _request(client, theme_id, role="planner", **fields):
    return client.post(f"/insights/themes/{theme_id}/card-request", data=fields,
                       headers=client.headers_for(role), follow_redirects=False)


def test_a_gap_becomes_a_request_shown_on_the_theme_and_content_pages(planner_app):  # noqa: F811
    warfarin = _warfarin_with_gaps(planner_app)
    page = _get(planner_app, f"/insights/themes/{warfarin}").text
    assert "Request a draft card for this gap (3 of 6" in page

    made = _request(planner_app, warfarin, title="Warfarin: high INR without bleeding",
                    note="Cover vitamin K dose by INR band; Dr Johnathan Smithfield asked")
    assert made.status_code == 303
    page = _get(planner_app, made.headers["location"]).text
    assert "Draft card requested" in page and "Warfarin: high INR without bleeding" in page
    assert "Request a draft card" not in page  # one open request per theme

    again = _request(planner_app, warfarin, title="Again")
    assert again.status_code == 409 and "already requested" in again.text

    content = planner_app.get("/content").text  # what authors browse
    section = content.split("Cards planners asked for")[1]
    assert "Warfarin: high INR without bleeding" in section
    assert "3 of 6 questions unanswered or low-confidence" in section
    assert "Cover vitamin K dose by INR band" in section
    for hidden in ("planner@example.org", "Johnathan", "Smithfield", *IDENTITIES):
        assert hidden not in section


def test_no_request_without_a_gap_or_for_hidden_themes_or_other_roles(planner_app):  # noqa: F811
    croup = _theme(planner_app, "croup")["id"]  # every croup question was answered well
    refused = _request(planner_app, croup)
    assert refused.status_code == 422 and "there is no gap" in refused.text
    assert _request(planner_app, "tnothere").status_code == 404
    warfarin = _warfarin_with_gaps(planner_app)
    assert _request(planner_app, warfarin, role="learner").status_code == 403
    api = planner_app.post(f"/api/v1/insights/themes/{warfarin}/card-request",
                           json={"title": "x" * 201}, headers=planner_app.headers_for("planner"))
    assert api.status_code == 422 and "limited to 200" in api.json()["detail"]
    listed = _get(planner_app, "/api/v1/insights/card-requests").json()
    assert listed == {"requests": []}
    assert "Cards planners asked for" not in planner_app.get("/content").text


def test_content_requests_cli_lists_and_closes_requests(planner_app, monkeypatch,  # noqa: F811
                                                        capsys):
    warfarin = _warfarin_with_gaps(planner_app)
    made = planner_app.post(f"/api/v1/insights/themes/{warfarin}/card-request",
                            json={"note": "INR bands"},
                            headers=planner_app.headers_for("planner"))
    assert made.status_code == 201
    settings = planner_app.app.state.curbside.settings
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    capsys.readouterr()

    assert main(["content", "requests", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["requests"]
    assert len(listed) == 1 and listed[0]["theme_id"] == warfarin
    assert listed[0]["gaps"] == 3 and listed[0]["note"] == "INR bands"
    assert "warfarin" in listed[0]["title"].lower()  # the theme label when none is given

    assert main(["content", "requests"]) == 0
    text = capsys.readouterr().out
    assert f"#{listed[0]['id']} [open]" in text and "1 open draft-card request" in text

    assert main(["content", "requests", "--done", str(listed[0]["id"])]) == 0
    assert main(["content", "requests"]) == 0
    assert "0 open draft-card requests" in capsys.readouterr().out
    assert main(["content", "requests", "--done", "999"]) == 2
    assert "no draft-card request 999" in capsys.readouterr().err

"""Root-cause template per theme: planners record why a gap exists and whether education is
the answer; every reading is kept (who, when) and reaches the exports and the brief."""

from __future__ import annotations

import csv
import io

from app.insights_service import insights_of
from insights.brief import render
from tests.test_insights_pages import _get, planner_app  # noqa: F401

SHARES = {"knowledge": "50", "skills": "", "team": "20", "system": "30", "patient": "0",
          "access": "0", "incentives": "0", "equity": "0"}


def _croup(client) -> str:
    themes = _get(client, "/api/v1/insights/themes").json()["themes"]
    return next(t["id"] for t in themes if any("croup" in term for term in t["terms"]))


def _post(client, theme_id, role="planner", **fields):
    data = {**SHARES, "decision": "partial", "reason": "", "notes": "", **fields}
    return client.post(f"/insights/themes/{theme_id}/root-cause", data=data,
                       headers=client.headers_for(role), follow_redirects=False)


def test_a_saved_reading_shows_on_the_theme_page_and_history_keeps_every_reading(
        planner_app):  # noqa: F811
    croup = _croup(planner_app)
    blank = _get(planner_app, f"/insights/themes/{croup}").text
    assert "No reading yet" in blank and 'name="knowledge"' in blank

    first = _post(planner_app, croup, decision="go")
    assert first.status_code == 303
    assert first.headers["location"].startswith(f"/insights/themes/{croup}?")
    second = _post(planner_app, croup, decision="no_go",
                   reason="Wards stock no nebulised epinephrine",
                   notes="Raise with pharmacy", team="10", system="60", knowledge="30")
    assert second.status_code == 303

    page = _get(planner_app, second.headers["location"]).text
    assert "No-go: not an education problem" in page
    assert "Wards stock no nebulised epinephrine" in page
    assert "system or process 60%, knowledge 30%, team behaviour 10%" in page
    assert "History (2 readings)" in page and "planner@example.org" in page
    assert 'value="60"' in page  # the form starts from the reading in force

    history = _get(planner_app, f"/api/v1/insights/themes/{croup}/root-cause").json()
    assert [r["decision"] for r in history["history"]] == ["no_go", "go"]
    assert history["history"][1]["shares"]["knowledge"] == 50
    assert all(r["recorded_by"] == "planner@example.org" for r in history["history"])


def test_bad_readings_get_a_clear_422_and_the_page_keeps_what_was_typed(planner_app):  # noqa: F811
    croup = _croup(planner_app)
    wrong_sum = _post(planner_app, croup, decision="go", knowledge="40")
    assert wrong_sum.status_code == 422
    assert "add up to 90%; they must add up to 100%" in wrong_sum.text
    assert 'value="40"' in wrong_sum.text  # nothing typed is lost
    over = _post(planner_app, croup, decision="go", knowledge="150", team="-70", system="20")
    assert over.status_code == 422 and "a share is 0 to 100 (got 150)" in over.text
    no_reason = _post(planner_app, croup, decision="no_go", reason="  ")
    assert no_reason.status_code == 422
    assert "a reason is required for a partial or no-go decision" in no_reason.text
    assert _post(planner_app, croup, decision="maybe").status_code == 422
    assert _post(planner_app, croup, knowledge="half").status_code == 422
    assert _post(planner_app, "tnothere", decision="go").status_code == 404
    assert _post(planner_app, croup, role="learner", decision="go").status_code == 403

    api = planner_app.post(f"/api/v1/insights/themes/{croup}/root-cause",
                           json={"shares": {"knowledge": 100, "vibes": 0}, "decision": "go"},
                           headers=planner_app.headers_for("planner"))
    assert api.status_code == 422 and "unknown cause 'vibes'" in api.json()["detail"]
    none = _get(planner_app, f"/api/v1/insights/themes/{croup}/root-cause").json()
    assert none["history"] == []  # nothing invalid was stored


def test_notes_and_reasons_are_scrubbed_before_they_are_kept(planner_app):  # noqa: F811
    croup = _croup(planner_app)
    response = planner_app.post(
        f"/api/v1/insights/themes/{croup}/root-cause",
        json={"shares": {"knowledge": 100}, "decision": "partial",
              "reason": "Dr Johnathan Smithfield asked about MRN 4451239 twice",
              "notes": "call 617-555-0199"},
        headers=planner_app.headers_for("planner"))
    assert response.status_code == 201
    stored = response.json()
    for secret in ("Johnathan", "Smithfield", "4451239", "617-555-0199"):
        assert secret not in stored["reason"] + stored["notes"]


def test_the_reading_in_force_reaches_csv_json_and_the_brief(planner_app):  # noqa: F811
    croup = _croup(planner_app)
    _post(planner_app, croup, decision="go")
    _post(planner_app, croup, decision="partial", reason="=HYPERLINK(\"x\") and rota gaps")
    rows = list(csv.DictReader(io.StringIO(_get(planner_app, "/insights/export.csv").text)))
    row = next(r for r in rows if r["theme_id"] == croup)
    assert row["decision"] == "partial" and row["cause_knowledge"] == "50"
    assert row["decision_reason"].startswith("'=HYPERLINK")  # never run as a formula
    assert row["decided_by"] == "planner@example.org"
    other = next(r for r in rows if r["theme_id"] != croup)
    assert other["decision"] == ""

    data = _get(planner_app, "/insights/export.json").json()
    theme = next(t for t in data["themes"] if t["id"] == croup)
    assert theme["root_cause"]["decision"] == "partial"
    assert theme["root_cause"]["shares"]["system"] == 30

    curbside = planner_app.app.state.curbside
    md = render(insights_of(curbside), "2026-W45", "md").decode()
    section = md.split("## Root-cause decisions")[1].split("##")[0]
    assert "Partial: education alongside other changes" in section
    assert "knowledge 50%, system or process 30%, team behaviour 20%" in section
    assert "planner@example.org" not in md


def test_brief_downloads_from_the_dashboard_and_the_api(planner_app):  # noqa: F811
    page = _get(planner_app, "/insights").text
    assert 'name="week" value="2026-W46"' in page  # the last full week before 2026-11-20
    md = _get(planner_app, "/insights/brief?week=2026-W45&format=md")
    assert md.status_code == 200
    assert md.headers["content-disposition"] == \
        'attachment; filename="curbside-brief-2026-W45.md"'
    assert "## Root-cause decisions" in md.text
    pdf = _get(planner_app, "/api/v1/insights/brief?week=2026-W45")
    assert pdf.content.startswith(b"%PDF")
    bad = _get(planner_app, "/insights/brief?week=2026-W99&format=md")
    assert bad.status_code == 422 and "is not an ISO week" in bad.json()["detail"]
    assert _get(planner_app, "/insights/brief?format=docx").status_code == 422
    assert _get(planner_app, "/insights/brief", role="learner").status_code == 403

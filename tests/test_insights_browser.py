"""The planner flow on a phone (390x844) in real headless Chromium, on a demo-style
history: sign in, filter, drill down, fill a root-cause template, download the brief."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session

from app.accounts import User
from app.insights_service import insights_of
from app.services import Curbside
from insights import demo
from tests.factories import make_user
from tests.insights_data import CARD, TOPICS
from tests.test_browser import live_server, phone_page  # noqa: F401

SHOTS = os.environ.get("CURBSIDE_SHOTS")  # a folder to keep screenshots in, when set
PHONE_WIDTH = 390


def _answer(question: str) -> demo.Answered:
    """Scripted answers: gout questions are not covered (the gap), the rest cite a card."""
    topic = next(t for t, questions in TOPICS.items() if question in questions)
    if topic == "gout":
        return demo.Answered("", True, "not covered", [], {"decision_score": -1.0})
    doc_id, title = CARD[topic]
    return demo.Answered("An answer [1].", False, None,
                         [{"doc_id": doc_id, "title": title, "url": "https://x",
                           "version": "v1", "score": 0.8}], {"decision_score": 2.5})


@pytest.fixture
def demo_history(settings):
    curbside = Curbside(settings)
    with Session(curbside.engine) as session:
        demo.seed(session, questions=[q for qs in TOPICS.values() for q in qs],
                  answer=_answer, user_model=User, today=settings.today(), inquiries=500,
                  clinicians=40)
    insights_of(curbside).rebuild()
    make_user(curbside, "planner@example.org", role="planner")
    return curbside


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(folder / f"planner-{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_planner_filters_drills_down_records_a_root_cause_and_downloads_the_brief(
        demo_history, live_server, phone_page, tmp_path):  # noqa: F811
    page = phone_page
    page.goto(live_server + "/insights")  # signed out: the sign-in page, then back here
    page.fill("#email", "planner@example.org")
    page.fill("#password", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Needs assessment')")
    assert page.locator("table.themes tr").count() >= 3  # header + croup, warfarin, gout
    assert "Includes demonstration data" in page.inner_text("main")
    _fits(page)
    _shot(page, tmp_path, "dashboard")

    # filter: one profession, a shorter period
    page.select_option("select[name=profession]", "physician")
    page.fill("input[name=weeks]", "8")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**profession=physician**")
    assert "weeks=8" in page.url
    assert page.locator("select[name=profession]").input_value() == "physician"
    _fits(page)

    # drill down into the gap: gout (every question abstained)
    page.locator("ol.gaps a").first.click()
    page.wait_for_selector("section#root-cause")
    assert "gout" in page.inner_text("h1").lower()
    assert "profession=physician" in page.url  # the drill-down keeps the filter
    assert page.locator("ul.examples li").count() >= 3
    professions = page.locator(".mix table").nth(1).inner_text()
    assert "physician" in professions and "pharmacist" not in professions
    save = page.locator("section#root-cause button[type=submit]")
    assert save.bounding_box()["height"] >= 44  # a thumb can hit it
    _fits(page)
    _shot(page, tmp_path, "theme")

    # root-cause template: a wrong total first, then a saved reading
    page.fill("input[name=knowledge]", "40")
    page.fill("input[name=system]", "50")
    assert page.inner_text("#rc-total") == "90"  # the total is visible before saving
    page.check("input[name=decision][value=partial]")
    page.fill("#rc-reason", "Order set defaults to allopurinol during flares")
    page.click("section#root-cause button[type=submit]")
    page.wait_for_selector("#rc-error")
    assert "add up to 90%" in page.inner_text("#rc-error")
    box = page.locator("#rc-error").bounding_box()
    assert 0 <= box["y"] < 844  # the page opens at the message, not at its top
    assert "profession=physician" in page.url
    assert page.locator("input[name=knowledge]").input_value() == "40"  # nothing lost
    assert page.locator("#rc-reason").input_value().startswith("Order set")
    _shot(page, tmp_path, "root-cause-error")
    page.fill("input[name=team]", "10")
    assert page.inner_text("#rc-total") == "100"
    page.click("section#root-cause button[type=submit]")
    page.wait_for_selector("section#root-cause .notice")
    assert "profession=physician" in page.url and page.url.endswith("#root-cause")
    reading = page.inner_text("section#root-cause")
    assert "Partial: education alongside other changes" in reading
    assert "system or process 50%, knowledge 40%, team behaviour 10%" in reading
    _fits(page)
    _shot(page, tmp_path, "root-cause-saved")

    # the weekly brief, with the decision in it
    page.goto(live_server + "/insights")
    week = page.locator("form.brief input[name=week]").input_value()
    assert week == "2026-W49"  # the last full week before the (frozen) 2026-12-07
    page.select_option("form.brief select[name=format]", "md")
    with page.expect_download() as download:
        page.click("form.brief button[type=submit]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "curbside-brief-2026-W49.md"
    brief = saved.read_text()
    assert "Partial: education alongside other changes" in brief
    assert "Order set defaults to allopurinol during flares" in brief
    page.select_option("form.brief select[name=format]", "pdf")
    with page.expect_download() as download:
        page.click("form.brief button[type=submit]")
    pdf = tmp_path / "brief.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

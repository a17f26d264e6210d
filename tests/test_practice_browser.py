"""A due practice check answered on a phone (390x844) in real headless Chromium: from My
learning to the saved score in three taps plus the answers, no sideways scrolling, every
choice a thumb-sized labelled target. The day is injected (7 days after the claim)."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

import pytest

from app.main import create_app
from app.practice import Practice
from app.services import Curbside
from tests.factories import make_user
from tests.practice_data import CROUP, claimed
from tests.test_browser import phone_page, serve  # noqa: F401

SHOTS = os.environ.get("CURBSIDE_SHOTS")  # a folder to keep screenshots in, when set


@pytest.fixture
def day7(settings):
    """The app on 7 December, for a learner who claimed a croup cycle on 30 November."""
    site = settings.model_copy(update={"frozen_date": date(2026, 12, 7)})
    curbside = Curbside(site)
    ada = make_user(curbside, "ada@example.org")
    claimed(curbside, ada, at=datetime(2026, 11, 30, 10, tzinfo=UTC), cards=[CROUP])
    with serve(create_app(site)) as url:
        yield url, Practice(curbside).card(CROUP)


def test_a_due_practice_check_is_answered_on_a_phone(day7, phone_page):  # noqa: F811
    url, card = day7
    page = phone_page
    page.goto(url + "/login?next=/learning")
    page.fill("#email", "ada@example.org")
    page.fill("#password", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url("**/learning")
    started = time.monotonic()
    page.click("a[href='/learning/practice']")  # tap 1: "Practice checks: 1 due"
    page.click(f"a[href='/learning/practice/{CROUP}']")  # tap 2: the card
    page.wait_for_selector("form.practice")
    assert page.inner_text("h1") == card.title

    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'form.practice input[type=radio]')].filter(el => !el.labels || !el.labels.length
        || !el.labels[0].textContent.trim()).length""")
    assert unlabelled == 0
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
        'form.practice label.choice')].map(l => l.getBoundingClientRect().height))""")
    assert smallest >= 44  # thumb-sized targets
    for n, question in enumerate(card.questions, start=1):
        page.locator(f"input[name=q{n}]").nth(question.answer).check()
    height = page.evaluate("document.documentElement.scrollHeight")
    bottom = page.evaluate("document.querySelector('form.practice button[type=submit]')"
                           ".getBoundingClientRect().bottom + window.scrollY")
    width = page.evaluate("document.documentElement.scrollWidth")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "practice-check.png"), full_page=True)
    page.click("form.practice button[type=submit]")  # tap 3
    page.wait_for_selector(".score")
    seconds = time.monotonic() - started
    print(f"practice check at 390x844: page {height}px tall, submit ends at {bottom:.0f}px, "
          f"{len(card.questions)} questions, list -> saved score in {seconds:.1f}s "
          "(scripted taps)")
    assert width <= 390
    assert bottom <= 844  # this two-question check fits one phone screen
    total = len(card.questions)
    assert f"{total} of {total} right" in page.inner_text(".score")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "practice-done.png"), full_page=True)
    page.goto(url + "/learning/practice")
    assert "No practice check is due" in page.inner_text("main")

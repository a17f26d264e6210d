"""The chat page in real headless Chromium at a phone viewport: ask, read, expand a citation."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn

from app.main import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app):
    """`app` under a real uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(settings):
    with serve(create_app(settings, warm=True)) as url:
        yield url


@pytest.fixture
def phone_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
        yield context.new_page()
        browser.close()


def test_clinician_asks_on_a_phone_and_expands_a_citation(live_server, phone_page, tmp_path):
    page = phone_page
    page.goto(live_server + "/")
    page.fill("#question", "croup dexamethasone dose")
    page.click("button[type=submit]")
    page.wait_for_selector("article.answer .answer-text")
    assert "dexamethasone" in page.inner_text(".answer-text").lower()
    assert page.is_visible(".demo-label")

    chip = page.locator("details.chip").first
    assert not chip.locator("blockquote").is_visible()
    chip.locator("summary").click()
    assert chip.locator("blockquote").is_visible()
    assert chip.locator("a").get_attribute("href").startswith("http")
    # The layout fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)


def test_abstention_state_says_the_gap_was_logged(live_server, phone_page):
    page = phone_page
    page.goto(live_server + "/")
    page.fill("#question", "tacrolimus trough target kidney transplant")
    page.click("button[type=submit]")
    page.wait_for_selector("article.answer.abstained")
    text = page.inner_text("article.answer")
    assert "Not covered by vetted content" in text and "logged" in text


def _sign_in_and_ask(live_server, page, settings, email, question, **profile):
    from app.services import Curbside
    from tests.factories import make_user

    make_user(Curbside(settings), email, **profile)
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", "correct-horse-9")
    page.click("button[type=submit]")
    page.fill("#question", question)
    page.click("button[type=submit]")
    page.wait_for_selector("article.answer .answer-text")


def test_learner_goes_from_answer_to_issued_claim_in_three_taps(live_server, phone_page, settings):
    page = phone_page
    _sign_in_and_ask(live_server, page, settings, "nurse@example.org",
                     "hyperkalemia with ECG changes calcium", profession="nurse")
    with page.expect_response(lambda r: r.url.endswith("/opened")) as opened:
        page.locator("details.chip summary").first.click()  # reading a source: step 2
    assert opened.value.status == 204

    taps = 0
    page.click("article.answer a.claim-link")  # tap 1: from the answer to the reflection
    taps += 1
    page.wait_for_selector("form.reflect")
    assert page.locator("form.reflect input[type=radio]:checked").count() == 0  # no defaults
    form_height = page.evaluate("document.querySelector('form.reflect').scrollHeight")
    started = time.monotonic()
    page.check("input[name=reason][value='Managing a current patient']")
    page.check("input[name=relevance][value=totally]")
    page.check("input[name=outcome][value=changed]")
    page.click("form.reflect details.changed summary")
    page.check("input[name=change_types][value=drug_therapy]")
    page.check("input[name=patient_use][value=yes]")
    page.check("input[name=health_benefit][value=yes]")
    page.type("#practice_change", "Give calcium gluconate first, then insulin with dextrose.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "ANCC nursing contact hours" in page.inner_text("form.reflect")
    page.click("form.reflect button[type=submit]")  # tap 2: save and claim
    taps += 1
    page.wait_for_selector("a.certificate")
    seconds = time.monotonic() - started
    assert "Credit claimed" in page.inner_text("main")
    with page.expect_download() as download:  # tap 3: the certificate
        page.click("a.certificate")
        taps += 1
    assert download.value.suggested_filename.endswith(".pdf")
    assert taps <= 3 and seconds <= 45
    assert form_height <= 1.5 * 844  # one page, no wizard: measured 1149 px at 390 wide
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_token_reflection_is_refused_on_the_phone_with_the_reason(live_server, phone_page,
                                                                   settings):
    page = phone_page
    _sign_in_and_ask(live_server, page, settings, "doc@example.org", "croup dexamethasone dose")
    page.locator("details.chip summary").first.click()
    page.click("article.answer a.claim-link")
    page.wait_for_selector("form.reflect")
    for name, value in (("reason", "'Confirming my plan'"), ("relevance", "totally"),
                        ("outcome", "confirmed"), ("patient_use", "no")):
        page.check(f"input[name={name}][value={value}]")
    page.fill("#practice_change", "asdf")
    page.click("form.reflect button[type=submit]")
    page.wait_for_selector("p.error")
    assert "say what you will do or did differently" in page.inner_text("p.error")
    assert page.input_value("#practice_change") == "asdf"
    assert page.is_checked("input[name=relevance][value=totally]")

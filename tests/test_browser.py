"""The chat page in real headless Chromium at a phone viewport: ask, read, expand a citation."""

from __future__ import annotations

import shutil
import socket
import threading
import time

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


@pytest.fixture
def live_server(settings):
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, warm=True), host="127.0.0.1", port=port,
                       log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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

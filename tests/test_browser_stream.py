"""The chat page streams verified sentences in real headless Chromium at a phone viewport,
against the scripted OpenAI-compatible server (a draft with planted claims, paced so each
sentence arrives on its own)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scripted_llm import ScriptedServer

from app.main import create_app
from app.settings import Settings
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, serve

REPO = Path(__file__).resolve().parents[1]
QUESTION = "croup dexamethasone dose"
PLANTED = re.compile(r"Zorbanexin|always works|(?<![\d.])6 mg/kg")


@pytest.fixture(scope="module")
def streaming_server(content_home, tmp_path_factory):
    database = tmp_path_factory.mktemp("stream-db") / "test.db"
    settings = Settings(home=content_home, content_dir=REPO / "content",
                        database_url=f"sqlite:///{database}", frozen_date="2026-12-07")
    with ScriptedServer() as llm:
        llm_settings = settings.model_copy(update={
            "llm": "openai", "llm_model": "paced", "openai_base_url": llm.base_url,
            "synthesis": settings.synthesis.model_copy(update={"timeout_s": 30.0}),
        })
        with serve(create_app(llm_settings, warm=True)) as url:
            yield url, llm


@pytest.fixture
def phone_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
        page = context.new_page()
        errors: list[str] = []
        # Script errors and CSP refusals (a missing favicon is neither).
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text else None)
        page.errors = errors
        yield page
        browser.close()


_RECORD = """() => {
  // Every state of the answer area, as it changes: the streamed sentences, until the
  // final answer replaces them (playwright's evaluate is not subject to the page CSP).
  window.__views = [];
  window.__final = null;
  new MutationObserver(() => {
    const final = document.querySelector("article.answer:not(.streaming) .answer-text");
    if (final) { if (window.__final === null) window.__final = final.innerText; return; }
    const shown = [...document.querySelectorAll("article.answer.streaming p.streamed")]
      .map((p) => p.textContent);
    const last = window.__views[window.__views.length - 1];
    if (shown.length && JSON.stringify(shown) !== JSON.stringify(last)) {
      window.__views.push(shown);
    }
  }).observe(document.getElementById("result"), {childList: true, subtree: true});
}"""


def _watch(page, seconds: float) -> tuple[list[list[str]], str]:
    """Every view of the streamed sentences, and the final answer's text."""
    page.wait_for_function("() => window.__final !== null", timeout=seconds * 1000)
    return page.evaluate("window.__views"), page.evaluate("window.__final")


def test_verified_sentences_arrive_in_order_and_planted_claims_never_show(
    streaming_server, phone_page, tmp_path
):
    base, llm = streaming_server
    page = phone_page
    page.goto(base + "/")
    page.evaluate(_RECORD)
    page.fill("#question", QUESTION)
    page.press("#question", "Control+Enter")  # Ctrl/Cmd+Enter asks
    snapshots, final = _watch(page, 60)

    # Sentences arrived one after another, each view extending the one before.
    assert len(snapshots) >= 2, snapshots
    assert len(snapshots[0]) == 1
    for before, after in zip(snapshots, snapshots[1:], strict=False):
        assert after[: len(before)] == before
    assert not any(PLANTED.search(s) for view in snapshots for s in view)

    # The final answer is exactly the sentences that streamed, in the same order.
    lines = [line for line in final.split("\n") if line.strip()]
    assert lines == snapshots[-1]
    assert not PLANTED.search(final)
    assert all(re.search(r"\[\d+\]$", line) for line in lines)
    assert "croup" in final.lower()
    assert len(llm.requests) == 1 and llm.requests[0]["model"] == "paced"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.errors  # no CSP violation or script error
    page.screenshot(path=str(tmp_path / "streamed.png"), full_page=True)


def test_form_post_still_answers_without_javascript(streaming_server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, _ = streaming_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "/")
        page.fill("#question", QUESTION)
        page.click("button[type=submit]")
        page.wait_for_selector("article.answer .answer-text")
        text = page.inner_text("article.answer .answer-text")
        assert page.url.rstrip("/") == base and "croup" in text.lower()
        assert not PLANTED.search(text)
        browser.close()

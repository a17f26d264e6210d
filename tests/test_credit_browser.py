"""The reflection form on a phone (390x844) in real headless Chromium: the common path fits
one screen, stays ≤ 3 taps from the answer, and every control has a label."""

from __future__ import annotations

import os

from tests.test_browser import _sign_in_and_ask, live_server, phone_page  # noqa: F401

PHONE_HEIGHT = 844
SHOTS = os.environ.get("CURBSIDE_SHOTS")  # a folder to keep screenshots in, when set


def _to_form(live_server, page, settings, email, **profile):  # noqa: F811
    _sign_in_and_ask(live_server, page, settings, email, "croup dexamethasone dose",
                     **profile)
    with page.expect_response(lambda r: r.url.endswith("/opened")):
        page.locator("details.chip summary").first.click()
    page.click("article.answer a.claim-link")  # tap 1
    page.wait_for_selector("form.reflect")


def test_the_common_path_fits_one_phone_screen(live_server, phone_page, settings):  # noqa: F811
    page = phone_page
    _to_form(live_server, page, settings, "doc@example.org")
    blank = page.evaluate("document.documentElement.scrollHeight")
    # the common path: a current patient, found relevant, confirmed the plan, for a patient
    for name, value in (("reason", "'Managing a current patient'"), ("relevance", "totally"),
                        ("outcome", "confirmed"), ("patient_use", "yes"),
                        ("health_benefit", "yes")):
        page.check(f"input[name={name}][value={value}]")
    page.fill("#practice_change", "Single oral dose of dexamethasone 0.15 mg/kg as I planned.")
    height = page.evaluate("document.documentElement.scrollHeight")
    bottom = page.evaluate("document.querySelector('form.reflect button[type=submit]')"
                           ".getBoundingClientRect().bottom + window.scrollY")
    print(f"blank form: {blank}px; filled form ends at {bottom:.0f}px")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "reflect.png"), full_page=True)
    print(f"reflection page scrollHeight at 390x844: {height}px")
    assert height <= PHONE_HEIGHT and bottom <= PHONE_HEIGHT


def test_optional_parts_open_when_they_apply_and_every_control_is_labelled(
        live_server, phone_page, settings):  # noqa: F811
    page = phone_page
    taps = 1  # the claim link on the answer: _to_form taps it once
    _to_form(live_server, page, settings, "rn@example.org", profession="nurse")
    assert taps <= 3
    assert not page.is_visible("form.reflect details.changed")
    assert not page.is_visible("input[name=health_benefit]")
    page.check("input[name=outcome][value=changed]")
    assert page.is_visible("form.reflect details.changed summary")
    page.check("input[name=patient_use][value=done]")
    assert page.is_visible("input[name=health_benefit][value=unsure]")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'form.reflect input:not([type=hidden]), form.reflect textarea, form.reflect select')]
        .filter(el => !el.labels || el.labels.length === 0 || !el.labels[0].textContent.trim())
        .map(el => el.name)""")
    assert unlabelled == []
    groups = page.evaluate("""() => [...document.querySelectorAll('form.reflect fieldset')]
        .map(f => (f.querySelector("legend") || {}).textContent || '')""")
    assert all(g.strip() for g in groups)
    # the typed answer is found by its label, as a screen reader user would
    page.get_by_label("What will you (or did you) do differently?").fill(
        "Give dexamethasone once, 0.15 mg/kg, instead of three days of prednisolone.")
    assert "ANCC nursing contact hours" in page.inner_text("form.reflect fieldset.credit")

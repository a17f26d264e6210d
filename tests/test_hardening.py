"""Web surface and secrets (issue 14, items 6 and 7): security headers, a request size limit,
4xx instead of 500 on bad values, the first admin's password kept out of the log, a
private home folder, and no database URL stored with an eval run."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.factories import make_user, sign_in

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"


def test_pages_and_api_carry_security_headers(client):
    for response in (client.get("/"), client.get("/healthz"),
                     client.post("/api/v1/ask", json={"question": ""})):
        csp = dict(d.strip().split(" ", 1) for d in
                   response.headers["content-security-policy"].split(";"))
        assert csp["script-src"] == "'self'"  # no inline script, no eval
        assert csp["frame-ancestors"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in response.headers  # plain HTTP


def test_hsts_only_over_https(settings):
    with TestClient(create_app(settings), base_url="https://testserver") as secure_client:
        assert "max-age=" in secure_client.get("/healthz").headers["strict-transport-security"]


def test_templates_have_no_inline_script():
    """The CSP forbids inline script, so none may be relied on."""
    for template in TEMPLATES.glob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag, f"{template.name}: inline <script>"


def test_request_bodies_are_limited(settings):
    small = settings.model_copy(update={"web": settings.web.model_copy(
        update={"max_body_bytes": 4096})})
    with TestClient(create_app(small)) as limited:
        big = limited.post("/api/v1/ask", json={"question": "x" * 10_000})
        assert big.status_code == 413
        assert limited.post("/api/v1/ask", json={"question": ""}).status_code == 422


def test_a_lone_surrogate_in_a_question_is_a_422_not_a_500(client):
    body = b'{"question": "croup \\ud800 dose"}'
    response = client.post("/api/v1/ask", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "invalid character" in response.json()["detail"]


@pytest.mark.parametrize("year", ["0", "99999", "-5"])
def test_out_of_range_certificate_year_is_a_422(client, year):
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    assert client.get(f"/learning/certificate.pdf?year={year}").status_code == 422


@pytest.mark.parametrize("days", ["-1", "1000000000"])
def test_out_of_range_due_days_is_a_422(client, days):
    make_user(client.app.state.curbside, "root@example.org", role="admin")
    sign_in(client, "root@example.org")
    assert client.get(f"/admin/due?days={days}").status_code == 422


def test_first_admin_password_goes_to_a_private_file_not_the_log(tmp_path, monkeypatch,
                                                                  capsys):
    import uvicorn

    from app import cli
    from app.services import Curbside

    home = tmp_path / "site"
    home.mkdir(mode=0o755)
    monkeypatch.setenv("CURBSIDE_HOME", str(home))
    monkeypatch.setattr(Curbside, "ingest_cards", lambda self, *a, **k: None)
    monkeypatch.setattr("app.main.create_app", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)

    assert cli.main(["serve"]) == 0
    secret = home / "first-admin-password.txt"
    password = re.search(r"password: (\S+)", secret.read_text()).group(1)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700  # tightened: it holds the database
    err = capsys.readouterr().err
    assert str(secret) in err and password not in err


def test_eval_runs_never_store_the_database_url(settings, monkeypatch):
    from app import evaluation
    from app.services import Curbside

    with_password = settings.model_copy(
        update={"database_url": settings.database_url + "?password=s3cret-pw"})
    recorded = {}
    monkeypatch.setattr(evaluation, "run_suites",
                        lambda suites, **kwargs: recorded.update(kwargs["settings"]))
    monkeypatch.setattr(evaluation, "save_run", lambda run, folder: None)
    monkeypatch.setattr(Curbside, "warm_up", lambda self: None)
    evaluation.Evaluation(Curbside(with_password)).run([])
    assert recorded and "s3cret-pw" not in repr(recorded)
    assert "database_url" not in recorded and "home" not in recorded
    assert "retrieval" in recorded  # the knobs that shape answers are still recorded
    assert "s3cret" not in repr(Settings(
        database_url="postgresql+psycopg://u:s3cret@db/curbside").recordable())


HTML = {"accept": "text/html,application/xhtml+xml"}


def test_pages_answer_errors_with_html_and_the_api_with_json(client):
    missing = client.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Not found" in missing.text and 'href="/"' in missing.text
    assert client.get("/no-such-page").json() == {"detail": "Not Found"}  # scripts: JSON
    assert client.get("/api/v1/inquiries/nope", headers=HTML).headers[
        "content-type"].startswith("application/json")

    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    forbidden = client.get("/admin/users", headers=HTML)
    assert forbidden.status_code == 403 and "<h1>Not for this account</h1>" in forbidden.text
    episode = client.get("/learning/episodes/nope", headers=HTML)
    assert episode.status_code == 404 and "text/html" in episode.headers["content-type"]


# Cross-site request forgery (issue 14, item 6) ------------------------------------------
FOREIGN = {"origin": "https://evil.example"}


def _admin_client(client):
    make_user(client.app.state.curbside, "root@example.org", role="admin")
    sign_in(client, "root@example.org")
    return client


def _emails(client) -> str:
    return client.get("/admin/users").text


def test_a_foreign_page_cannot_create_an_admin_with_the_admins_cookie(client):
    _admin_client(client)
    form = {"email": "mallory@evil.example", "role": "admin", "password": "pwned-pwned-1"}
    refused = client.post("/admin/users", data=form, headers=FOREIGN, follow_redirects=False)
    assert refused.status_code == 403
    assert "another site (https://evil.example)" in refused.json()["detail"]
    assert "mallory@evil.example" not in _emails(client)

    page = client.post("/admin/users", data=form, follow_redirects=False,
                       headers={**FOREIGN, **HTML})
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert "another site" in page.text

    ours = client.post("/admin/users", data=form, follow_redirects=False,
                       headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})
    assert ours.status_code == 303 and "mallory@evil.example" in _emails(client)


@pytest.mark.parametrize("headers", [
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site", "origin": "https://other.testserver"},
    {"origin": "null"},  # a sandboxed frame or a privacy-stripped origin
    {"referer": "https://evil.example/page.html"},  # an older browser: no Origin, a Referer
])
def test_every_browser_sign_of_another_site_is_refused(client, headers):
    _admin_client(client)
    response = client.post("/profile", data={"first_name": "Mallory"}, headers=headers)
    assert response.status_code == 403
    assert "Mallory" not in client.get("/profile").text


def test_login_csrf_is_refused(client):
    """A foreign page must not sign the clinician into the attacker's account (whose
    questions and reflections the attacker could then read)."""
    make_user(client.app.state.curbside, "attacker@example.org")
    response = client.post("/login", headers=FOREIGN, follow_redirects=False,
                           data={"email": "attacker@example.org", "password": "correct-horse-9"})
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert client.get("/profile", follow_redirects=False).status_code == 303  # still signed out


def test_api_calls_with_a_cookie_are_checked_and_bearer_tokens_keep_working(client):
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    question = {"question": "croup dexamethasone dose"}
    assert client.post("/api/v1/ask", json=question, headers=FOREIGN).status_code == 403
    assert client.post("/api/v1/ask", json=question,
                       headers={"origin": "http://testserver"}).status_code == 200

    token = client.post("/api/v1/tokens", json={"email": "ada@example.org",
                                                "password": "correct-horse-9"}).json()["token"]
    client.cookies.clear()
    with_token = client.post("/api/v1/ask", json=question, headers={
        **FOREIGN, "authorization": f"Bearer {token}"})
    assert with_token.status_code == 200 and with_token.json()["episode_id"]
    assert client.get("/healthz", headers=FOREIGN).status_code == 200  # reads are not refused


def test_a_configured_public_origin_is_trusted(settings):
    behind_proxy = settings.model_copy(update={"web": settings.web.model_copy(
        update={"trusted_origins": ["https://curbside.example-hospital.org"]})})
    with TestClient(create_app(behind_proxy)) as proxied:
        make_user(proxied.app.state.curbside, "ada@example.org")
        response = proxied.post("/login", follow_redirects=False, data={
            "email": "ada@example.org", "password": "correct-horse-9"},
            headers={"origin": "https://curbside.example-hospital.org",
                     "sec-fetch-site": "cross-site"})
        assert response.status_code == 303
        assert proxied.post("/logout", headers=FOREIGN).status_code == 403


# Sign-in throttling (issue 14, item 6) ---------------------------------------------------
def _throttled(settings, **auth):
    return settings.model_copy(update={"auth": settings.auth.model_copy(update=auth)})


def _login(client, email, password="wrong-password-1", headers=None):
    return client.post("/login", data={"email": email, "password": password},
                       follow_redirects=False, headers=headers or {})


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, pinned and movable (never the real time in a test)."""
    from datetime import UTC, datetime, timedelta

    from app import auth_throttle

    now = [datetime(2026, 12, 7, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(auth_throttle, "_now", lambda: now[0])

    def advance(minutes):
        now[0] += timedelta(minutes=minutes)

    return advance


def test_repeated_wrong_passwords_lock_the_account_with_429_and_retry_after(settings, clock):
    with TestClient(create_app(_throttled(settings, max_failures=3))) as client:
        make_user(client.app.state.curbside, "ada@example.org")
        for _ in range(3):
            assert _login(client, "ada@example.org").status_code == 401
        locked = _login(client, "ada@example.org", "correct-horse-9")  # right password, too late
        assert locked.status_code == 429 and "set-cookie" not in locked.headers
        assert locked.headers["retry-after"] == "900"
        assert "Too many sign-in attempts. Try again in 15 minutes." in locked.text
        api = client.post("/api/v1/tokens", json={"email": "ada@example.org",
                                                  "password": "correct-horse-9"})
        assert api.status_code == 429 and int(api.headers["retry-after"]) > 0
        assert api.json() == {"detail": "Too many sign-in attempts. Try again in 15 minutes."}

        clock(14)
        assert _login(client, "ada@example.org", "correct-horse-9").status_code == 429
        clock(2)  # the lockout is over: the owner signs in
        assert _login(client, "ada@example.org", "correct-horse-9").status_code == 303


def test_unknown_emails_lock_like_real_ones_and_success_resets_the_count(settings, clock):
    with TestClient(create_app(_throttled(settings, max_failures=3))) as client:
        for _ in range(3):
            assert _login(client, "nobody@example.org").status_code == 401
        assert _login(client, "nobody@example.org").status_code == 429  # says nothing more

        make_user(client.app.state.curbside, "ada@example.org")
        for _ in range(2):
            _login(client, "ada@example.org")
        assert _login(client, "ada@example.org", "correct-horse-9").status_code == 303
        client.cookies.clear()
        for _ in range(2):
            assert _login(client, "ada@example.org").status_code == 401  # counting anew


def test_one_client_guessing_across_many_emails_is_stopped(settings, clock):
    with TestClient(create_app(_throttled(settings, max_failures=5,
                                          ip_max_failures=4))) as client:
        make_user(client.app.state.curbside, "ada@example.org")
        for n in range(4):
            assert _login(client, f"user{n}@example.org").status_code == 401
        assert _login(client, "ada@example.org", "correct-horse-9").status_code == 429


def test_the_lockout_holds_across_worker_processes(settings, clock):
    """Counters are in the database: a second app (another worker) sees the lockout."""
    limited = _throttled(settings, max_failures=2)
    with TestClient(create_app(limited)) as first, TestClient(create_app(limited)) as second:
        make_user(first.app.state.curbside, "ada@example.org")
        _login(first, "ada@example.org")
        _login(second, "ada@example.org")
        assert _login(first, "ada@example.org", "correct-horse-9").status_code == 429


def test_failed_sign_in_takes_as_long_for_unknown_as_for_known_emails(client):
    """Timing must not reveal which e-mail addresses have accounts (was 22 vs 165 ms)."""
    import statistics
    import time

    make_user(client.app.state.curbside, "ada@example.org")

    def median_ms(email):
        times = []
        for n in range(5):
            start = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": f"nope-{n}"})
            times.append(time.perf_counter() - start)
            assert response.status_code == 401
        return statistics.median(times)

    known, unknown = median_ms("ada@example.org"), median_ms("nobody@example.org")
    assert 0.5 < unknown / known < 2.0, (known, unknown)

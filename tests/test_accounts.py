"""Accounts after sign-up (issue 14, item 7): `curbside users list|passwd|set-role|
deactivate`, password change on the profile page, and API tokens that expire and can be
revoked. Whatever takes access away takes it away at once, on the running server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import accounts, cli
from app.main import create_app
from tests.factories import make_user, sign_in

SIGNED_IN_ONLY = "/api/v1/tokens"  # a cheap route that answers 401 without a valid credential


@pytest.fixture
def clock(monkeypatch):
    """Session and token lifetimes read this pinned clock, never the real time."""
    now = [datetime(2026, 12, 7, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(accounts, "_now", lambda: now[0])

    def advance(days):
        now[0] += timedelta(days=days)

    return advance


@pytest.fixture
def site(settings, monkeypatch, clock):
    """The web app and the CLI on one database, as on a server."""
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    with TestClient(create_app(settings)) as client:
        make_user(client.app.state.curbside, "root@example.org", role="admin")
        make_user(client.app.state.curbside, "ada@example.org")
        yield client


def _token(client, email="ada@example.org", password="correct-horse-9", **extra) -> dict:
    response = client.post("/api/v1/tokens", json={"email": email, "password": password,
                                                   **extra})
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def _run(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_users_list_shows_every_account(site, capsys):
    status, out, _ = _run(capsys, "users", "list")
    assert status == 0
    assert "root@example.org\tadmin\tactive" in out and "ada@example.org\tlearner\tactive" in out
    status, out, _ = _run(capsys, "users", "list", "--json")
    emails = {u["email"]: u for u in json.loads(out)["users"]}
    assert emails["ada@example.org"]["name"] == "Ada Lovelace"


def test_passwd_replaces_the_password_and_ends_sessions_and_tokens(site, capsys):
    sign_in(site, "ada@example.org")
    token = _token(site)["token"]
    status, out, _ = _run(capsys, "users", "passwd", "ADA@example.org",
                          "--password", "new-horse-staple")
    assert status == 0 and "sessions ended" in out
    assert site.get("/profile", follow_redirects=False).status_code == 303  # signed out
    assert site.get(SIGNED_IN_ONLY, headers=_bearer(token)).status_code == 401
    site.cookies.clear()
    assert site.post("/login", data={"email": "ada@example.org", "password": "correct-horse-9"}
                     ).status_code == 401
    sign_in(site, "ada@example.org", "new-horse-staple")

    status, out, _ = _run(capsys, "users", "passwd", "ada@example.org")  # generated
    assert status == 0 and len(out.split("password: ")[1].strip()) >= 12


@pytest.mark.parametrize("argv, message", [
    (("users", "passwd", "ghost@example.org", "--password", "long-enough-1"),
     "no user with email 'ghost@example.org'"),
    (("users", "passwd", "ada@example.org", "--password", "short"),
     "passwords need at least 8 characters"),
    (("users", "set-role", "ada@example.org", "wizard"), "unknown role 'wizard'"),
    (("users", "deactivate", "ghost@example.org"), "no user with email"),
    (("users", "deactivate", "root@example.org"), "only active admin"),
    (("users", "set-role", "root@example.org", "learner"), "only active admin"),
])
def test_bad_account_commands_say_why_and_exit_non_zero(site, capsys, argv, message):
    status, out, err = _run(capsys, *argv)
    assert status == 2 and err.startswith("curbside: error: ") and message in err
    assert "Traceback" not in err


def test_set_role_changes_what_the_user_may_open(site, capsys):
    sign_in(site, "ada@example.org")
    assert site.get("/insights", follow_redirects=False).status_code == 403
    status, out, _ = _run(capsys, "users", "set-role", "ada@example.org", "planner")
    assert status == 0 and out.strip() == "ada@example.org is now planner"
    assert site.get("/insights", follow_redirects=False).status_code == 200


def test_deactivation_ends_sessions_and_tokens_at_once(site, capsys):
    sign_in(site, "ada@example.org")
    token = _token(site)["token"]
    status, out, _ = _run(capsys, "users", "deactivate", "ada@example.org")
    assert status == 0 and "deactivated ada@example.org" in out
    assert site.get("/profile", follow_redirects=False).status_code == 303
    assert site.get(SIGNED_IN_ONLY, headers=_bearer(token)).status_code == 401

    assert _run(capsys, "users", "activate", "ada@example.org")[0] == 0
    assert site.get(SIGNED_IN_ONLY, headers=_bearer(token)).status_code == 401  # still revoked
    site.cookies.clear()
    sign_in(site, "ada@example.org")  # the account itself works again


def test_deactivation_from_the_admin_page_also_signs_the_user_out(site, settings):
    with TestClient(create_app(settings)) as ada:
        sign_in(ada, "ada@example.org")
        sign_in(site, "root@example.org")
        with Session(site.app.state.curbside.engine) as session:
            user_id = session.exec(select(accounts.User.id).where(
                accounts.User.email == "ada@example.org")).one()
        assert site.post(f"/admin/users/{user_id}/active", data={"active": "no"},
                         follow_redirects=False).status_code == 303
        assert ada.get("/profile", follow_redirects=False).status_code == 303


def test_password_change_on_the_profile_page(site, settings):
    with TestClient(create_app(settings)) as laptop:
        sign_in(site, "ada@example.org")
        sign_in(laptop, "ada@example.org")
        token = _token(site)["token"]
        form = {"current": "correct-horse-9", "new": "new-horse-staple",
                "repeat": "new-horse-staple"}

        wrong = site.post("/profile/password", data={**form, "current": "guess-guess"})
        assert wrong.status_code == 422 and "the current password is wrong" in wrong.text
        mismatch = site.post("/profile/password", data={**form, "repeat": "other-horse-1"})
        assert mismatch.status_code == 422 and "do not match" in mismatch.text
        short = site.post("/profile/password", data={**form, "new": "short", "repeat": "short"})
        assert short.status_code == 422 and "at least 8 characters" in short.text

        done = site.post("/profile/password", data=form)
        assert done.status_code == 200 and "Password changed." in done.text
        assert site.get("/profile").status_code == 200  # this session carries on
        assert laptop.get("/profile", follow_redirects=False).status_code == 303  # others end
        assert site.get(SIGNED_IN_ONLY, headers=_bearer(token)).status_code == 401
        laptop.cookies.clear()
        sign_in(laptop, "ada@example.org", "new-horse-staple")


def test_guessing_the_current_password_on_the_profile_is_throttled(site, settings):
    limited = settings.model_copy(update={"auth": settings.auth.model_copy(
        update={"max_failures": 2})})
    with TestClient(create_app(limited)) as client:
        sign_in(client, "ada@example.org")
        form = {"current": "guess-guess", "new": "new-horse-staple", "repeat": "new-horse-staple"}
        for _ in range(2):
            assert client.post("/profile/password", data=form).status_code == 422
        locked = client.post("/profile/password", data={**form, "current": "correct-horse-9"})
        assert locked.status_code == 429 and "Too many sign-in attempts" in locked.text


def test_api_tokens_expire_after_the_configured_days(settings, monkeypatch, clock):
    short = settings.model_copy(update={"auth": settings.auth.model_copy(
        update={"token_days": 30})})
    with TestClient(create_app(short)) as client:
        make_user(client.app.state.curbside, "ada@example.org")
        issued = _token(client, name="ward laptop")
        assert issued["expires_at"].startswith("2027-01-06")  # 30 days after 2026-12-07
        assert client.get(SIGNED_IN_ONLY, headers=_bearer(issued["token"])).status_code == 200
        clock(29)
        assert client.get(SIGNED_IN_ONLY, headers=_bearer(issued["token"])).status_code == 200
        clock(2)
        expired = client.get(SIGNED_IN_ONLY, headers=_bearer(issued["token"]))
        assert expired.status_code == 401


def test_a_token_can_be_listed_and_revoked_by_its_owner_only(site):
    first, second = _token(site, name="script"), _token(site, name="laptop")
    listed = site.get(SIGNED_IN_ONLY, headers=_bearer(second["token"])).json()
    assert [(t["id"], t["name"], t["revoked"]) for t in listed] == [
        (first["id"], "script", False), (second["id"], "laptop", False)]
    assert first["token"] not in json.dumps(listed)  # the secret is shown only once

    make_user(site.app.state.curbside, "bob@example.org")
    bob = _token(site, "bob@example.org")["token"]
    assert site.delete(f"/api/v1/tokens/{first['id']}", headers=_bearer(bob)).status_code == 404
    assert site.delete("/api/v1/tokens/%25%25%25", headers=_bearer(bob)).status_code == 404

    gone = site.delete(f"/api/v1/tokens/{first['id']}", headers=_bearer(second["token"]))
    assert gone.status_code == 204
    assert site.get(SIGNED_IN_ONLY, headers=_bearer(first["token"])).status_code == 401
    assert site.get(SIGNED_IN_ONLY, headers=_bearer(second["token"])).status_code == 200

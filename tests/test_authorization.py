"""Every route × every role: who may use what. A new route must be added to POLICY."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tests.factories import make_user, sign_in

ROLES = ("anonymous", "learner", "planner", "evaluator", "admin")
PUBLIC = set(ROLES)
POLICY = {
    "/": PUBLIC,
    "/healthz": PUBLIC,
    "/login": PUBLIC,
    "/logout": PUBLIC,
    "/content": PUBLIC,
    "/content/{card_id}": PUBLIC,
    "/content/{card_id}/history": PUBLIC,
    "/api/v1/ask": PUBLIC,  # anonymous asking is on by default (CURBSIDE_ALLOW_ANONYMOUS)
    "/api/v1/inquiries/{inquiry_id}": PUBLIC,
    # POST (credentials for a token) is a credential check; GET lists your own tokens
    "/api/v1/tokens": {"learner", "planner", "evaluator", "admin"},
    "/api/v1/tokens/{token_id}": {"learner", "planner", "evaluator", "admin"},  # revoke yours
    "/learning": {"learner", "admin"},
    "/learning/episodes/{episode_id}": {"learner", "admin"},
    "/learning/transcript": {"learner", "admin"},
    "/learning/claims/{claim_id}/certificate.pdf": {"learner", "admin"},
    "/learning/certificate.pdf": {"learner", "admin"},
    "/learning/xapi.json": {"learner", "admin"},
    "/learning/practice": {"learner", "admin"},
    "/learning/practice/{card_id}": {"learner", "admin"},
    "/api/v1/episodes": {"learner", "admin"},
    "/api/v1/episodes/{episode_id}/claim": {"learner", "admin"},
    "/api/v1/claims": {"learner", "admin"},
    "/api/v1/inquiries/{inquiry_id}/opened": {"learner", "admin"},
    "/admin/pars.tsv": {"admin"},
    "/admin/users": {"admin"},
    "/admin/users/{user_id}/active": {"admin"},
    "/profile": {"learner", "planner", "evaluator", "admin"},
    "/profile/password": {"learner", "planner", "evaluator", "admin"},
    "/admin/due": {"admin"},
    "/admin/claims": {"admin"},  # claim corrections
    "/admin/claims/{claim_id}/corrections": {"admin"},
    "/evals": {"evaluator", "admin"},
    "/evals/{run_id}": {"evaluator", "admin"},
    "/evals/run": {"evaluator", "admin"},
    "/api/v1/ask/stream": PUBLIC,  # the streamed form of /api/v1/ask, same rule
    "/site-docs/{doc_id}.pdf": PUBLIC,  # the approved site document a citation links to
    "/insights": {"planner", "admin"},
    "/insights/themes/{theme_id}": {"planner", "admin"},
    "/insights/export.csv": {"planner", "admin"},
    "/insights/export.json": {"planner", "admin"},
    "/api/v1/insights/themes": {"planner", "admin"},
    "/api/v1/insights/dashboard": {"planner", "admin"},
    "/insights/themes/{theme_id}/root-cause": {"planner", "admin"},
    "/insights/themes/{theme_id}/card-request": {"planner", "admin"},
    "/insights/brief": {"planner", "admin"},
    "/api/v1/insights/brief": {"planner", "admin"},
    "/api/v1/insights/themes/{theme_id}/root-cause": {"planner", "admin"},
    "/api/v1/insights/themes/{theme_id}/card-request": {"planner", "admin"},
    "/api/v1/insights/card-requests": {"planner", "admin"},
    # EHR protocols: called by the EHR or from a chart, before any Curbside sign-in
    "/infobutton": PUBLIC,
    "/cds-services": PUBLIC,
    "/cds-services/{service_id}": PUBLIC,
    "/cds-services/{service_id}/feedback": PUBLIC,
    "/smart/launch": PUBLIC,
    "/smart/callback": PUBLIC,
    "/smart/ask": PUBLIC,
    "/smart/link": PUBLIC,  # links the EHR login to an account by signing in once
}


CREDENTIAL_CHECKS = {("/login", "POST"), ("/api/v1/tokens", "POST")}


def _flatten(routes, prefix=""):
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _flatten(included.routes, prefix + getattr(included, "prefix", ""))
        elif isinstance(route, APIRoute):
            path = route.path if route.path.startswith(prefix) else prefix + route.path
            yield path, route


def _routes(app):
    for path, route in _flatten(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            yield path, method


def test_every_route_has_a_policy(client):
    assert {path for path, _ in _routes(client.app)} == set(POLICY)


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(client, role):
    curbside = client.app.state.curbside
    if role != "anonymous":
        make_user(curbside, f"{role}@example.org", role=role)
        sign_in(client, f"{role}@example.org")
    checked = 0
    for path, method in _routes(client.app):
        if path == "/logout" or (path, method) in CREDENTIAL_CHECKS:
            continue  # signing out would change the role; sign-in answers 401 to bad passwords
        url = path.replace("{", "").replace("}", "")  # e.g. /content/card_id: a missing id
        params = {"start": "2026-01-01", "end": "2026-12-31"} if "pars" in path else None
        response = client.request(method, url, params=params, follow_redirects=False,
                                  json={} if method == "POST" else None)
        denied = response.status_code in (401, 403) or (
            response.status_code == 303 and "/login" in response.headers.get("location", "")
            and path != "/login"
        )
        allowed = role in POLICY[path]
        assert denied != allowed, f"{role} {method} {path} -> {response.status_code}"
        checked += 1
    assert checked >= 20

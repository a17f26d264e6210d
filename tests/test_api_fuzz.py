"""A bounded schemathesis run over every documented API operation (issue 14): generated
requests, valid and invalid, signed in as a learner, never get a server error, and every
documented response body matches its schema. Derandomised, so CI sees the same cases."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from app.main import create_app
from app.settings import Settings
from tests.factories import make_user

EXAMPLES = int(os.environ.get("CURBSIDE_FUZZ_EXAMPLES", "100"))
REPO_CONTENT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "content")


@pytest.fixture(scope="module")
def served(content_home, tmp_path_factory):
    """One app for the whole run (models load once), with a learner's API token."""
    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(Settings(home=content_home, content_dir=REPO_CONTENT,
                              database_url=f"sqlite:///{folder / 'fuzz.db'}",
                              frozen_date="2026-12-07"))
    make_user(app.state.curbside, "fuzz@example.org")
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        token = client.post("/api/v1/tokens", json={"email": "fuzz@example.org",
                                                    "password": "correct-horse-9"}).json()
    return app, token["token"]


@pytest.fixture(scope="module")
def api_schema(served):
    return schemathesis.openapi.from_asgi("/openapi.json", served[0])


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_bodies_match_the_schema(case, served):
    case.call_and_validate(headers={"authorization": f"Bearer {served[1]}"},
                           checks=[not_a_server_error, response_schema_conformance])

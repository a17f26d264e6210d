"""The error bodies the API sends match its OpenAPI document (issue 14): a generated client
or a schema check never finds a 422 in breach of the schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from tests.factories import make_user


@pytest.fixture
def document(client) -> dict:
    return client.get("/openapi.json").json()


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [
            r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _check(document: dict, path: str, method: str, response) -> None:
    documented = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert errors == [], f"{method.upper()} {path} {response.status_code}: {errors}"


def test_every_reference_in_the_document_resolves(document):
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    assert schemas["HTTPValidationError"]["properties"]["detail"]["type"] == "string"


@pytest.mark.parametrize("body, content_type", [
    (b"{}", "application/json"),                      # a required field missing
    (b'{"question": 42}', "application/json"),          # wrong type
    (b'{"question": ', "application/json"),             # not JSON
    (b"question=croup", "application/x-www-form-urlencoded"),  # not JSON at all
    (b'{"question": ""}', "application/json"),          # the service's own refusal
])
def test_422_bodies_of_ask_match_the_schema(client, document, body, content_type):
    response = client.post("/api/v1/ask", content=body, headers={"content-type": content_type})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    _check(document, "/api/v1/ask", "post", response)


def test_422_bodies_of_signed_in_routes_match_the_schema(client, document):
    bad = client.post("/api/v1/tokens", json={"email": "x@example.org"})
    assert bad.status_code == 422
    _check(document, "/api/v1/tokens", "post", bad)
    make_user(client.app.state.curbside, "ada@example.org")
    token = client.post("/api/v1/tokens", json={"email": "ada@example.org",
                                                "password": "correct-horse-9"}).json()["token"]
    claim = client.post("/api/v1/episodes/nope/claim", json={"credit_type": 5},
                        headers={"authorization": f"Bearer {token}"})
    assert claim.status_code == 422
    _check(document, "/api/v1/episodes/{episode_id}/claim", "post", claim)

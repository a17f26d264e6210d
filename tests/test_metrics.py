"""`/metrics` (issue 14, item 10): requests by route and status, latency, server errors,
answers vs abstentions and claims, as Prometheus reads them; no raw paths or text."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.main import create_app
from tests.factories import make_user, sign_in

REFLECTION = {"reason": "Managing a current patient", "relevance": "totally",
              "outcome": "confirmed", "patient_use": "yes", "health_benefit": "yes",
              "practice_change": "No change: it confirmed the single oral dose I use."}


def _samples(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_latency_and_errors_are_counted_by_route_template(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/api/v1/ask", json={"question": ""}).status_code == 422
        assert client.get("/api/v1/inquiries/secret-inquiry-42").status_code == 404
        assert client.get("/no/such/page").status_code == 404
        assert client.get("/boom").status_code == 500
        text = client.get("/metrics").text
        samples = _samples(client)

    requests = "curbside_http_requests_total"
    assert _value(samples, requests, method="POST", route="/api/v1/ask", status="422") == 1
    assert _value(samples, requests, method="GET", route="/api/v1/inquiries/{inquiry_id}",
                  status="404") == 1
    assert _value(samples, requests, method="GET", route="unmatched", status="404") == 1
    assert "secret-inquiry-42" not in text and "/no/such/page" not in text
    assert _value(samples, "curbside_http_server_errors_total", method="GET",
                  route="/boom") == 1
    assert _value(samples, "curbside_http_request_duration_seconds_count", method="POST",
                  route="/api/v1/ask") == 1


def test_answers_abstentions_and_claims_come_from_the_database(client):
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    answered = client.post("/api/v1/ask", json={"question": "croup dexamethasone dose"}).json()
    abstained = client.post("/api/v1/ask", json={
        "question": "best hiking boots for a glacier trek"}).json()
    assert not answered["abstained"] and abstained["abstained"]
    client.post(f"/api/v1/inquiries/{answered['inquiry_id']}/opened",
                json={"doc_id": answered["citations"][0]["doc_id"], "via": "chip"})
    claimed = client.post(f"/api/v1/episodes/{answered['episode_id']}/claim", json=REFLECTION)
    assert claimed.status_code == 200, claimed.text

    samples = _samples(client)
    inquiries = {labels: value for (name, labels), value in samples.items()
                 if name == "curbside_inquiries_total"}
    by_outcome = {}
    for labels, value in inquiries.items():
        outcome = dict(labels)["outcome"]
        by_outcome[outcome] = by_outcome.get(outcome, 0) + value
    assert by_outcome == {"answered": 1, "abstained": 1}
    claims = sum(v for (name, _), v in samples.items() if name == "curbside_claims_total")
    assert claims == len(client.get("/api/v1/claims").json()) >= 1

    with TestClient(create_app(client.app.state.curbside.settings)) as other_worker:
        again = _samples(other_worker)  # another worker, no request of its own yet
        assert sum(v for (n, _), v in again.items() if n == "curbside_inquiries_total") == 2

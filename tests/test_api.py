"""The HTTP contract: answer object, inquiry log, clear 4xx errors, pages."""

from __future__ import annotations

import pytest

ANSWER_FIELDS = {"question", "answer", "abstained", "abstain_reason", "citations", "mode",
                 "latency_ms", "inquiry_id"}


def test_ask_returns_the_answer_object_and_logs_the_inquiry(client):
    response = client.post("/api/v1/ask", json={"question": "croup dexamethasone dose"})
    assert response.status_code == 200
    body = response.json()
    assert body.keys() >= ANSWER_FIELDS
    assert body["question"] == "croup dexamethasone dose"
    assert not body["abstained"] and body["mode"] == "extractive"
    assert body["citations"][0]["doc_id"] == "croup-dexamethasone-dosing"
    assert {"doc_id", "title", "url", "snippet", "score"} <= body["citations"][0].keys()

    logged = client.get(f"/api/v1/inquiries/{body['inquiry_id']}").json()
    assert logged["answer"] == body["answer"]
    assert logged["citations"][0]["doc_id"] == "croup-dexamethasone-dosing"
    assert logged["citations"][0]["version"]  # the content hash the clinician read


def test_phi_is_scrubbed_before_the_inquiry_is_stored(client, caplog):
    question = "John Smith MRN 48213377 DOB 03/14/1951 K 6.8 what to give for hyperkalemia"
    with caplog.at_level("DEBUG"):
        body = client.post("/api/v1/ask", json={"question": question}).json()
    stored = client.get(f"/api/v1/inquiries/{body['inquiry_id']}").json()["question"]
    for identifier in ["John", "Smith", "48213377", "03/14/1951"]:
        assert identifier not in stored
        assert identifier not in caplog.text
    assert "K 6.8" in stored and "hyperkalemia" in stored


def test_abstention_is_explicit(client):
    body = client.post(
        "/api/v1/ask", json={"question": "tacrolimus trough target after kidney transplant"}
    ).json()
    assert body["abstained"] is True
    assert body["answer"] == "" and body["citations"] == []
    assert "not cover" in body["abstain_reason"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {"question": ""}}, "empty"),
        ({"json": {"question": "   \n\t "}}, "empty"),
        ({"json": {"question": "x" * 2001}}, "limit is 2000"),
        ({"json": {}}, "'question' is required"),
        ({"json": {"question": 42}}, "question"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}},
         "not valid JSON"),
        ({"content": b"question=hi", "headers": {"content-type": "text/plain"}},
         "Content-Type: application/json"),
    ],
)
def test_bad_requests_get_a_clear_4xx(client, kwargs, message):
    response = client.post("/api/v1/ask", **kwargs)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_unknown_inquiry_is_404(client):
    response = client.get("/api/v1/inquiries/does-not-exist")
    assert response.status_code == 404
    assert "No inquiry" in response.json()["detail"]


def test_health_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok", "index": True}
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/ask" in paths and "/api/v1/inquiries/{inquiry_id}" in paths


def test_chat_page_works_without_javascript(client):
    page = client.get("/")
    assert page.status_code == 200 and 'name="question"' in page.text
    answered = client.post("/", data={"question": "ottawa ankle rules xray"})
    assert answered.status_code == 200
    assert "ottawa" in answered.text.lower() and 'class="chip"' in answered.text
    assert "Demonstration content" in answered.text
    gap = client.post("/", data={"question": "tacrolimus trough target kidney transplant"})
    assert "Not covered by vetted content" in gap.text and "logged" in gap.text
    empty = client.post("/", data={"question": " "})
    assert empty.status_code == 422 and "empty" in empty.text

"""Server mode only (make test-server): PostgreSQL and a Chroma server shared by workers.

Concurrent credit writers must neither pass the annual cap nor share an audit sequence
number on PostgreSQL (where SQLite's one-writer file lock does not exist), and a database
or Chroma server that goes away gives a clear 503 and recovers without restarting the app.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import open_engine
from app.main import create_app
from credit_capture import audit, claims, episodes
from credit_capture.credit_errors import CapExceeded
from credit_capture.rules import DEFAULT_RULES_PATH
from tests import server_mode
from tests.tcp_proxy import TcpProxy
from tests.test_credit_cycle import T0, episode, reflect, rules_file

pytestmark = pytest.mark.skipif(not server_mode.enabled(),
                                reason="server mode only (make test-server)")


@pytest.fixture
def engine():
    engine = open_engine(os.environ["CURBSIDE_DATABASE_URL"], pool_size=25, max_overflow=5)
    yield engine
    engine.dispose()


def _capped_rules(tmp_path, cap: float):
    kinds = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["credit_types"]
    return rules_file(tmp_path, credit_types=[{**t, "annual_cap": cap} for t in kinds])


def _run_together(jobs) -> list[str]:
    """Run the callables at once (released by one barrier); their outcomes, in any order."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(jobs))

    def run(job) -> None:
        barrier.wait()
        try:
            outcomes.append(job())
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test
            outcomes.append(f"error: {exc!r}")

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _claim(engine, rules, episode_id: str):
    def job() -> str:
        with Session(engine) as own:
            try:
                claims.claim_credit(own, episode_id=episode_id, learner_id="ada", rules=rules,
                                    credit_type="ama_pra_1", profession="physician",
                                    now=T0 + timedelta(days=1))
            except CapExceeded:
                return "capped"
            return "issued"

    return job


def _audit_intact(engine) -> None:
    with Session(engine) as session:
        seqs = [e.seq for e in session.exec(select(audit.AuditEvent).order_by(
            audit.AuditEvent.seq))]
        assert seqs == list(range(1, len(seqs) + 1))
        assert audit.verify_chain(session) == []


def test_concurrent_claims_on_postgresql_respect_the_cap_and_the_audit_sequence(engine,
                                                                                tmp_path):
    rules = _capped_rules(tmp_path, 2.0)
    with Session(engine) as session:
        ids = []
        for n in range(20):
            ep = episode(session, f"question {n} about croup dosing")
            reflect(session, ep)
            ids.append(ep.id)
    outcomes = _run_together([_claim(engine, rules, i) for i in ids])
    assert sorted(outcomes) == ["capped"] * 16 + ["issued"] * 4, outcomes
    with Session(engine) as session:
        assert claims.claimed_in_year(session, learner_id="ada", credit_type="ama_pra_1",
                                      year=2026) == 2.0
    _audit_intact(engine)


def test_concurrent_audit_writers_of_every_kind_never_share_a_sequence_number(engine,
                                                                              tmp_path):
    """Sources opened (no credit lock) racing claims (credit lock) and each other, on an
    empty audit log first: the newest-row lock alone cannot serialise these."""
    rules = _capped_rules(tmp_path, 100.0)
    with Session(engine) as session:
        inquiries = [(ep.inquiry_id, ep.learner_id) for ep in (
            episode(session, f"question {n} on croup", learner=f"u{n}", opened=False)
            for n in range(12))]
        ready = []
        for n in range(8):
            ep = episode(session, f"claimable question {n} on croup")
            reflect(session, ep)
            ready.append(ep.id)
    with Session(engine) as session:  # empty the log: the race for seq 1 is the hardest
        for event in session.exec(select(audit.AuditEvent)):
            session.delete(event)
        session.commit()

    def opened(inquiry_id: str, learner_id: str):
        def job() -> str:
            with Session(engine) as own:
                episodes.record_opened(own, inquiry_id=inquiry_id, learner_id=learner_id,
                                       doc_id="cap-outpatient-empiric-antibiotics", via="chip",
                                       now=T0)
            return "opened"
        return job

    outcomes = _run_together([opened(*pair) for pair in inquiries]
                             + [_claim(engine, rules, i) for i in ready])
    assert sorted(outcomes) == ["issued"] * 8 + ["opened"] * 12, outcomes
    _audit_intact(engine)


def _proxied(url: str) -> tuple[TcpProxy, str]:
    parsed = urlparse(url)
    proxy = TcpProxy(parsed.hostname, parsed.port).up()
    return proxy, url.replace(f"{parsed.hostname}:{parsed.port}", f"127.0.0.1:{proxy.port}", 1)


ASK = {"question": "croup dexamethasone dose"}


def test_database_down_gives_a_clear_503_and_the_app_recovers_without_restart(settings):
    proxy, url = _proxied(settings.database_url)
    app = create_app(settings.model_copy(update={"database_url": url}))
    try:
        with TestClient(app) as client:
            assert client.post("/api/v1/ask", json=ASK).status_code == 200
            proxy.down()
            for _ in range(3):  # the pooled connections are dead; new ones are refused
                down = client.post("/api/v1/ask", json=ASK)
                assert down.status_code == 503, down.text
                assert "database" in down.json()["detail"].lower()
                assert down.headers["retry-after"]
            proxy.up()
            back = client.post("/api/v1/ask", json=ASK)
            assert back.status_code == 200, back.text
            assert client.get(f"/api/v1/inquiries/{back.json()['inquiry_id']}").status_code \
                in (200, 401, 403)
    finally:
        proxy.down()


def test_chroma_server_down_gives_a_clear_503_and_the_app_recovers_without_restart(settings):
    proxy, url = _proxied(settings.chroma_url)
    app = create_app(settings.model_copy(update={"chroma_url": url}))
    try:
        with TestClient(app) as client:
            assert client.post("/api/v1/ask", json=ASK).status_code == 200
            proxy.down()
            down = client.post("/api/v1/ask", json=ASK)
            assert down.status_code == 503, down.text
            assert "chroma" in down.json()["detail"].lower()
            health = client.get("/healthz")
            assert health.status_code == 503 and "chroma" in health.json()["reason"].lower()
            proxy.up()
            back = client.post("/api/v1/ask", json=ASK)
            assert back.status_code == 200, back.text
            assert back.json()["abstained"] is False
            assert client.get("/healthz").status_code == 200
    finally:
        proxy.down()

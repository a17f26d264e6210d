"""Serving under concurrency: no pool stall, and a fast, clear 503 when the pool is empty.

Each request used to hold one pooled connection for its sign-in check while opening a
second to log the answer; 16 concurrent requests with any bearer token deadlocked the
default pool for 30 s and ended in 500s. These tests run a real uvicorn server on a free
port so requests really overlap in the server's thread pool.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlmodel import Session, select

from app.accounts import Role, create_user, issue_api_token
from app.main import create_app
from app.settings import DatabaseSettings


@pytest.fixture
def serve(settings):
    """Start the app on a free loopback port with the given pool; yield (base URL, app)."""
    servers = []

    def start(**pool):
        app = create_app(settings.model_copy(update={"database": DatabaseSettings(**pool)}),
                         warm=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        deadline = time.monotonic() + 60
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}", app

    yield start
    for server in servers:
        server.should_exit = True


def test_many_concurrent_token_requests_on_a_small_pool_all_answer(serve):
    base, app = serve(pool_size=2, max_overflow=0, pool_timeout=10)
    curbside = app.state.curbside
    with Session(curbside.engine) as session:
        learner = create_user(session, email="a@example.org", password="long enough",
                              role=Role.learner)
        token = issue_api_token(session, user=learner)
    tokens = ["made-up-token", token]

    def ask(number: int) -> tuple[int, float, dict]:
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/api/v1/ask", json={"question": "croup dexamethasone dose"},
            headers={"authorization": f"Bearer {tokens[number % 2]}"}, timeout=60,
        )
        return response.status_code, time.perf_counter() - started, response.json()

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(ask, range(96)))

    assert Counter(status for status, _, _ in results) == {200: 96}
    assert max(seconds for _, seconds, _ in results) < 10  # was 30 s per stalled request
    episodes = [body["episode_id"] for _, _, body in results if body["episode_id"]]
    assert len(episodes) == 48  # the signed-in half each opened an episode


def test_an_exhausted_pool_answers_503_quickly_not_a_hang(serve):
    base, app = serve(pool_size=1, max_overflow=0, pool_timeout=0.3)
    held = app.state.curbside.engine.connect()  # every connection busy elsewhere
    try:
        started = time.perf_counter()
        response = httpx.post(f"{base}/api/v1/ask", json={"question": "croup dose"},
                              headers={"authorization": "Bearer made-up"}, timeout=30)
        elapsed = time.perf_counter() - started
    finally:
        held.close()
    assert response.status_code == 503
    assert "busy" in response.json()["detail"]
    assert response.headers["retry-after"] == "1"
    assert elapsed < 5
    # and the server recovers as soon as a connection is free again
    again = httpx.post(f"{base}/api/v1/ask", json={"question": "croup dose"},
                       headers={"authorization": "Bearer made-up"}, timeout=30)
    assert again.status_code == 200


def test_concurrent_sqlite_writers_take_turns_instead_of_timing_out(tmp_path):
    """Two engines (as two worker processes would) and many threads each: every insert is
    stored, none fails with 'database is locked' although the busy timeout is short."""
    from credit_capture.models import Inquiry
    from credit_capture.store import make_engine, save_inquiry

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engines = [make_engine(url, pool_size=8, max_overflow=0, sqlite_busy_timeout=2)
               for _ in range(2)]

    def write(number: int) -> None:
        for _ in range(15):
            with Session(engines[number % 2]) as session:
                save_inquiry(session, Inquiry(question="q", answer="a", abstained=False,
                                              mode="extractive", latency_ms=1.0))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, range(16)))
    with Session(engines[0]) as session:
        assert len(session.exec(select(Inquiry)).all()) == 16 * 15


def test_begin_immediate_writers_and_plain_writers_do_not_deadlock(tmp_path):
    """Credit claims open with BEGIN IMMEDIATE (SQLite's write lock first); plain inserts
    take the process's writer turn first. Both must take them in the same order."""
    from credit_capture.models import Inquiry
    from credit_capture.store import make_engine, save_inquiry

    engine = make_engine(f"sqlite:///{tmp_path / 'mixed.db'}", pool_size=8, max_overflow=0,
                         sqlite_busy_timeout=3)

    def write(number: int) -> None:
        for _ in range(10):
            with Session(engine) as session:
                if number % 2:
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                save_inquiry(session, Inquiry(question="q", answer="a", abstained=False,
                                              mode="extractive", latency_ms=1.0))

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert time.perf_counter() - started < 3  # a deadlock would wait out the timeouts
    with Session(engine) as session:
        assert len(session.exec(select(Inquiry)).all()) == 80

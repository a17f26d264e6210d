"""Prometheus metrics at `/metrics`: requests, latency, errors, answers and claims.

Two kinds of figure, each from where it is true:
- Requests by route template and status, latency histograms and server errors are counted
  in the worker that served them (route templates, never raw paths: a path can carry an
  inquiry id). With several workers set `PROMETHEUS_MULTIPROC_DIR` to an empty folder, and
  every worker's counts are added up at each scrape (prometheus-client's multiprocess mode).
- Answers vs abstentions (by origin) and claims (by credit type) are read from the database
  at each scrape, so they are the same whichever worker answers and survive restarts.

Nothing here holds question text or user ids: only counts. The endpoint is open like
`/healthz`; a site that does not want it public blocks `/metrics` at its reverse proxy.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credit_capture.claims import Claim
from credit_capture.models import Inquiry

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StoredRecords(Collector):
    """Answers, abstentions and claims counted in the database at scrape time."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def collect(self):
        inquiries = CounterMetricFamily(
            "curbside_inquiries", "Questions answered or abstained, by origin (stored).",
            labels=["origin", "outcome"])
        claims = CounterMetricFamily(
            "curbside_claims", "Credit claims issued (originals, not corrections).",
            labels=["credit_type"])
        with Session(self.engine) as session:
            for origin, abstained, count in session.exec(
                    select(Inquiry.origin, Inquiry.abstained, func.count())
                    .group_by(Inquiry.origin, Inquiry.abstained)).all():
                inquiries.add_metric([origin, "abstained" if abstained else "answered"], count)
            for credit_type, count in session.exec(
                    select(Claim.credit_type, func.count())
                    .where(Claim.corrects_claim_id.is_(None))
                    .group_by(Claim.credit_type)).all():
                claims.add_metric([credit_type], count)
        yield inquiries
        yield claims


class RequestMetrics:
    """Pure ASGI middleware: one count and one latency observation per HTTP request."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry | None) -> None:
        self.app = app
        kwargs = {"registry": registry}
        self.requests = Counter("curbside_http_requests", "HTTP requests by route and status.",
                                ["method", "route", "status"], **kwargs)
        self.latency = Histogram("curbside_http_request_duration_seconds",
                                 "Time to the last byte of the response, by route.",
                                 ["method", "route"], buckets=_LATENCY_BUCKETS, **kwargs)
        self.errors = Counter("curbside_http_server_errors",
                              "Responses with status 500 or above, by route.",
                              ["method", "route"], **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), [500]

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            # Routes outside FastAPI's (static files, docs, this page) carry no template.
            route = getattr(scope.get("route"), "path", None) or (
                "unmatched" if status[0] == 404 else "other")
            method = scope["method"]
            self.requests.labels(method, route, str(status[0])).inc()
            self.latency.labels(method, route).observe(time.perf_counter() - start)
            if status[0] >= 500:
                self.errors.labels(method, route).inc()


def install(app, engine) -> None:
    """Add the request middleware and `/metrics` to `app` (each app its own registry, so
    tests and several apps in one process never share counts)."""
    registry = CollectorRegistry()
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    if multiprocess:  # every worker writes its counts to files; a scrape adds them up
        MultiProcessCollector(registry)
    registry.register(StoredRecords(engine))
    app.add_middleware(RequestMetrics, registry=None if multiprocess else registry)

    def metrics(_: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE)

    app.add_route("/metrics", metrics, include_in_schema=False)

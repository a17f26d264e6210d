"""Application factory: `create_app(settings)` builds a fresh app (tests build their own)."""

from __future__ import annotations

import gc
import json
import logging
import os
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import (
    api,
    api_docs,
    api_errors,
    auth_pages,
    claims_admin_pages,
    content_pages,
    ehr_routes,
    eval_pages,
    learning_pages,
    metrics,
    pages,
    profile_pages,
    stream_api,
)
from app.accounts import AccountError
from app.errors import (
    BUSY_MESSAGE,
    DATABASE_DOWN_MESSAGE,
    BadQuestion,
    DatabaseBusy,
    Forbidden,
    SignInRequired,
)
from app.health import index_problem
from app.index_lock import IndexBusy
from app.security import SecurityHeaders, same_origin_only
from app.services import Curbside
from app.settings import Settings
from credit_capture.credit_errors import ClaimNotFound, EpisodeNotFound, NotYourEpisode
from credit_capture.errors import CreditError, InquiryNotFound
from retrieval.errors import IndexMissingError, RetrievalError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def create_app(settings: Settings | None = None, *, warm: bool = False) -> FastAPI:
    """Build the app; `warm=True` loads models at start-up instead of on the first ask."""
    curbside = Curbside(settings or Settings())
    if warm:
        # Here, not in a lifespan task: libraries keep state in context variables (spaCy's
        # thinc picks its CPU backend, retrying two optional imports under the import
        # lock, whenever its variable is unset). Set in the main context, every request
        # thread inherits it; set in the lifespan task, it was redone for every question.
        curbside.warm_up()
        # The loaded models are ~500,000 long-lived objects; left in the collected
        # generations, each full collection walked them all (~0.45 s of CPU, about twice in
        # 15 year-long planner views). Frozen, they are never scanned again.
        gc.collect()
        gc.freeze()

    app = FastAPI(
        title="Curbside",
        version="0.1.0",
        summary="Point-of-care answers from vetted content, every claim cited.",
        max_body_size=curbside.settings.web.max_body_bytes,  # 413 beyond, before parsing
        dependencies=[Depends(same_origin_only)],  # CSRF: 403 for another site's POSTs
        docs_url=None, redoc_url=None,  # served by app.api_docs with local assets
    )
    app.add_middleware(SecurityHeaders)
    app.state.curbside = curbside
    app.include_router(api.router)
    app.include_router(stream_api.router)
    app.include_router(pages.router)
    app.include_router(auth_pages.router)
    app.include_router(learning_pages.router)
    from app import practice_pages  # spaced practice checks: /learning/practice

    app.include_router(practice_pages.router)
    app.include_router(claims_admin_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(content_pages.router)
    app.include_router(eval_pages.router)
    from app import insights_pages  # planners: /insights and /api/v1/insights

    app.include_router(insights_pages.router)
    app.include_router(insights_pages.api)
    app.include_router(ehr_routes.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    api_docs.install(app)  # /docs and /redoc work offline
    api_errors.install(app)  # the documented 422 body is the one sent
    metrics.install(app, curbside.engine)  # /metrics for Prometheus
    _install_error_handlers(app)

    @app.get("/healthz", tags=["ops"], responses={503: {"description": "cannot answer"}})
    def healthz() -> JSONResponse:
        """200 only when a test search answers: a missing, empty or damaged index is 503
        with the reason (load balancers stop sending questions that would all abstain)."""
        problem = index_problem(curbside)
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ok", "index": True})

    return app


def served_app() -> FastAPI:
    """Factory for `curbside serve --workers N`: each worker process builds its own app
    (settings from the environment, models loaded before the first request)."""
    from app.logs import configure_logging

    configure_logging()
    return create_app(Settings(), warm=True)


def _install_error_handlers(app: FastAPI) -> None:
    """Domain errors become 4xx/5xx JSON with a message, never a stack trace."""
    for error, status in _STATUS_BY_ERROR.items():
        app.add_exception_handler(error, _as_json(status))

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Sign in or send an API token."}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(CreditError)
    async def _credit(request: Request, exc: CreditError):
        missing = (InquiryNotFound, EpisodeNotFound, ClaimNotFound, NotYourEpisode)
        return _error(request, 404 if isinstance(exc, missing) else 409, str(exc))

    @app.exception_handler(StarletteHTTPException)  # unknown path, wrong method, too large
    async def _http(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(DatabaseBusy)
    @app.exception_handler(PoolTimeout)  # a pool wait outside the request session
    async def _busy(request: Request, exc: Exception):
        """Fail fast and say so: a 503 the proxy or client can retry, never a 30 s hang."""
        return _error(request, 503, BUSY_MESSAGE, headers={"retry-after": "1"})

    @app.exception_handler(OperationalError)  # PostgreSQL stopped, restarting, unreachable
    async def _database_down(request: Request, exc: OperationalError):
        """A clear 503 instead of a 500; the pool's pre-ping reconnects once the server is
        back, so no restart is needed. Only the driver's error class is logged: the
        statement's parameters may hold question text."""
        if "database is locked" in str(exc):  # SQLite: a writer held the file too long
            return _error(request, 503, BUSY_MESSAGE, headers={"retry-after": "1"})
        logging.getLogger("curbside").warning(
            "database unavailable: %s", type(exc.orig or exc).__name__)
        return _error(request, 503, DATABASE_DOWN_MESSAGE, headers={"retry-after": "5"})

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _explain(request, exc)}, status_code=422)


# Domain errors whose message is the whole answer; most specific class first.
_STATUS_BY_ERROR: dict[type[Exception], int] = {
    BadQuestion: 422,
    Forbidden: 403,
    AccountError: 400,
    IndexBusy: 409,
    IndexMissingError: 503,
    RetrievalError: 400,
}


def _as_json(status: int):
    async def handler(request: Request, exc: Exception):
        return _error(request, status, str(exc))

    return handler


_TITLES = {403: "Not for this account", 404: "Not found", 405: "Not allowed here",
           409: "Cannot do that now", 413: "Too large", 503: "Busy, try again"}


def _error(request: Request, status: int, message: str, *, headers=None):
    """A browser asking for a page gets an HTML page (with the navigation to carry on);
    the API, scripts and tests get `{"detail": message}`."""
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    ):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    from app.pages import templates

    title = _TITLES.get(status, "Something went wrong")
    return templates.TemplateResponse(request, "error.html",
                                      {"title": title, "message": message},
                                      status_code=status, headers=headers)


def _explain(request: Request, exc: RequestValidationError) -> str:
    """One plain sentence instead of pydantic's error list."""
    content_type = request.headers.get("content-type", "")
    errors = exc.errors()
    if request.method == "POST" and "json" not in content_type and request.url.path.startswith(
        "/api/"
    ):
        return "Send the request body as JSON with 'Content-Type: application/json'."
    for error in errors:
        if error.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        if error.get("type") == "missing":
            field = ".".join(str(p) for p in error["loc"][1:]) or "body"
            return f"The field '{field}' is required."
    first = errors[0] if errors else {}
    field = ".".join(str(p) for p in first.get("loc", [])[1:]) or "body"
    return f"Invalid '{field}': {first.get('msg', 'bad input')}." if errors else json.dumps(errors)

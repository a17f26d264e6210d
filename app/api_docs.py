"""`/docs` (Swagger UI) and `/redoc` served with assets from this server, never a CDN.

A hospital network often has no route to the internet, and FastAPI's default pages load
their JavaScript and CSS from a CDN (blank pages offline). The assets ship inside the
`fastapi-offline` package (Swagger UI bundle, its CSS, ReDoc standalone) and are mounted
at `/docs-assets`. The pages keep a Content Security Policy: Swagger UI's one inline
bootstrap script is allowed by its SHA-256 hash, nothing else inline runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _with_csp(page: HTMLResponse) -> HTMLResponse:
    """Same-origin only; inline scripts allowed by hash (ReDoc renders in a blob worker)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(page.body.decode())
    )
    page.headers["content-security-policy"] = (
        f"default-src 'self'; script-src 'self' {hashes}".rstrip() + "; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return page


def install(app: FastAPI) -> None:
    """Add the two documentation pages; create the app with `docs_url=None, redoc_url=None`.

    Plain Starlette routes, like FastAPI's own docs routes: not API operations."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    title = f"{app.title} API"

    def swagger_ui(_: Request) -> HTMLResponse:
        return _with_csp(get_swagger_ui_html(
            openapi_url=app.openapi_url, title=title,
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        ))

    def swagger_ui_redirect(_: Request) -> HTMLResponse:
        return _with_csp(get_swagger_ui_oauth2_redirect_html())

    def redoc(_: Request) -> HTMLResponse:
        return _with_csp(get_redoc_html(
            openapi_url=app.openapi_url, title=title, redoc_js_url=f"{PREFIX}/redoc.standalone.js",
            redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False,
        ))

    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", swagger_ui_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)

"""Security headers on every response, built and validated by the `secure` library.

- CSP: scripts, styles, images, fonts and fetches only from this site; no inline script
  (templates carry none: the page script is `static/app.js`), so an injected `<script>` or
  `on*=` attribute never runs. Inline style attributes stay allowed (charts are SVG with
  style attributes; a style cannot run code). `form-action 'self'`, no plugins, no
  `<base>` rewriting.
- `frame-ancestors 'none'` plus `X-Frame-Options: DENY` for older browsers: no page can be
  framed by another site (click-jacking a "Save and claim" or an admin form).
- `X-Content-Type-Options: nosniff`: a text or JSON answer is never run as a script.
- `Referrer-Policy: strict-origin-when-cross-origin`: a clinician opening a cited source
  sends only our origin, never a path carrying an inquiry or episode id.
- HSTS only on responses served over HTTPS (behind the TLS proxy, with uvicorn's proxy
  headers); sent over plain HTTP it would be ignored or, worse, pin a test host.

`/docs` and `/redoc` keep every other header and set their own CSP (`app/api_docs.py`:
local assets, Swagger UI's bootstrap script allowed by its hash).

Cross-site request forgery is refused by `same_origin_only` (below), an app-wide dependency.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import secure
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Forbidden

_CSP = (
    secure.ContentSecurityPolicy()
    .default_src("'self'")
    .script_src("'self'")
    .style_src("'self'", "'unsafe-inline'")
    .img_src("'self'", "data:")
    .font_src("'self'")
    .connect_src("'self'")
    .object_src("'none'")
    .base_uri("'none'")
    .form_action("'self'")
    .frame_ancestors("'none'")
)
_COMMON = {
    "cache": None,
    "xcto": secure.XContentTypeOptions(),
    "xfo": secure.XFrameOptions().deny(),
    "referrer": secure.ReferrerPolicy().strict_origin_when_cross_origin(),
}
_DOC_PAGES = ("/docs", "/redoc")


def _encoded(headers: secure.Secure) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.headers.items()]


_PAGES = _encoded(secure.Secure(csp=_CSP, **_COMMON))
_DOCS = _encoded(secure.Secure(**_COMMON))
_HSTS = _encoded(secure.Secure(hsts=secure.StrictTransportSecurity().max_age(31536000)))


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task or body buffering, unlike
    `BaseHTTPMiddleware`): adds the headers to each response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _DOCS if scope["path"].startswith(_DOC_PAGES) else _PAGES
        if scope.get("scheme") == "https":
            extra = extra + _HSTS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


# Cross-site request forgery -------------------------------------------------------------
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CROSS_SITE_MESSAGE = (
    "Refused: this request was sent from another site ({source}). Curbside accepts forms "
    "and signed-in requests only from its own pages; open Curbside and try again there."
)


class CrossSiteRequest(Forbidden):
    """A state-changing request a browser sent on behalf of another site (HTTP 403)."""


def _origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased ('' when it has none)."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def cross_site_source(headers, trusted: frozenset[str] = frozenset()) -> str | None:
    """Who sent this request, when a browser says it was another site; None when it is ours.

    Why headers, not tokens: every browser since 2020 sends `Origin` (and most also
    `Sec-Fetch-Site`) on a POST, the page cannot forge either, and a check needs no token in
    each of the app's forms. Requests with neither header (and no `Referer`) do not come
    from a browser page (curl, scripts, server-to-server CDS Hooks calls), so no cookie
    was sent on a victim's behalf and they pass. Same-site other hosts (a sibling
    subdomain) are refused too: they may be run by someone else.
    """
    host = headers.get("host", "").lower()
    origin = headers.get("origin")
    if origin and _origin(origin) in trusted:
        return None
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site in ("same-origin", "none"):  # "none": typed or bookmarked by the user
        return None
    if fetch_site in ("cross-site", "same-site"):
        return origin or fetch_site
    if origin is not None:
        return None if urlsplit(origin).netloc.lower() == host else origin
    referer = headers.get("referer")
    if referer and urlsplit(referer).netloc.lower() != host and _origin(referer) not in trusted:
        return _origin(referer) or "an unknown page"
    return None


def same_origin_only(request: Request) -> None:
    """App-wide dependency: refuse state-changing requests a browser sent from another site.

    Covers every form (including sign-in, so a foreign page cannot sign a clinician into an
    attacker's account) and every cookie-authenticated API call. A request carrying an
    `Authorization` header passes: a browser attaches none on its own, and another site
    could add one only after a CORS preflight, which Curbside never grants.
    """
    if request.method in _SAFE_METHODS or request.headers.get("authorization"):
        return
    web = request.app.state.curbside.settings.web
    source = cross_site_source(request.headers, frozenset(_origin(o) for o in web.trusted_origins))
    if source is not None:
        raise CrossSiteRequest(CROSS_SITE_MESSAGE.format(source=source))

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

`/docs` and `/redoc` keep every header but the CSP: FastAPI's pages load their assets
from a CDN with an inline bootstrap script.
"""

from __future__ import annotations

import secure
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

"""Errors raised by the app layer itself (input validation), with user-facing messages."""


class BadQuestion(ValueError):
    """The question is empty, whitespace-only or too long."""


class SignInRequired(Exception):
    """The route needs a signed-in user (API: 401; pages: redirect to the sign-in page)."""


class Forbidden(Exception):
    """The signed-in user's role may not use this route (HTTP 403)."""

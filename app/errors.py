"""Errors raised by the app layer itself (input validation), with user-facing messages."""


class BadQuestion(ValueError):
    """The question is empty, whitespace-only or too long."""


class SignInRequired(Exception):
    """The route needs a signed-in user (API: 401; pages: redirect to the sign-in page)."""


class Forbidden(Exception):
    """The signed-in user's role may not use this route (HTTP 403)."""


BUSY_MESSAGE = "Curbside is busy right now (no database connection free); retry in a moment."
DATABASE_DOWN_MESSAGE = ("Curbside cannot reach its database right now (stopped, restarting or "
                         "unreachable); nothing was recorded. Retry in a moment.")


class DatabaseBusy(Exception):
    """No database connection came free within the pool timeout (HTTP 503, retry shortly).

    Failing fast keeps a burst from queueing every later request behind it; the client
    (or the reverse proxy) retries, and clinicians see a clear message instead of a hang.
    """

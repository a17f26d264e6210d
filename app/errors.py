"""Errors raised by the app layer itself (input validation), with user-facing messages."""


class BadQuestion(ValueError):
    """The question is empty, whitespace-only or too long."""

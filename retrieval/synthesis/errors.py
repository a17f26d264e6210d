"""Why a draft could not be had; each ends in the extractive answer with a notice."""

from __future__ import annotations


class SynthesisError(Exception):
    """The model could not give a usable draft. `kind` is stored with the inquiry
    (timeout, connection, rate_limited, server_error, malformed, too_long, client_error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

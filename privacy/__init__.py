"""Patient-identifier scrubbing for everything Curbside stores, logs or shows.

Every part of the product (questions, reflections, eval runs, logs) passes free text
through :class:`PhiScrubber` first; the placeholder kinds it writes are listed once in
:mod:`privacy.placeholders`.
"""

from functools import cache

from privacy.placeholders import KINDS, PLACEHOLDER_RE
from privacy.scrubber import PhiScrubber, PhiSpan, ScrubResult

__all__ = ["KINDS", "PLACEHOLDER_RE", "PhiScrubber", "PhiSpan", "ScrubResult", "scrub_text"]


@cache
def _fallback() -> PhiScrubber:
    return PhiScrubber(use_ner=False)


def scrub_text(text: str) -> str:
    """Scrub with the rules-only scrubber: the safe default for code that stores free text
    but was not handed the service's scrubber (raw text must never be stored)."""
    return _fallback().scrub_text(text)

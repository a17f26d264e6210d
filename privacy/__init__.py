"""Patient-identifier scrubbing for everything Curbside stores, logs or shows.

Every part of the product (questions, reflections, eval runs, logs) passes free text
through :class:`PhiScrubber` first; the placeholder kinds it writes are listed once in
:mod:`privacy.placeholders`.
"""

from privacy.placeholders import KINDS, PLACEHOLDER_RE
from privacy.scrubber import PhiScrubber, PhiSpan, ScrubResult

__all__ = ["KINDS", "PLACEHOLDER_RE", "PhiScrubber", "PhiSpan", "ScrubResult"]

"""A rule match and the scores that rank overlapping matches."""

from __future__ import annotations

from typing import NamedTuple


class Hit(NamedTuple):
    """A rule match; ``score`` ranks it against overlapping matches."""

    kind: str
    start: int
    end: int
    score: float


# A labelled reading ("MRN 123") beats a strong shape, which beats a bare shape.
LABELLED, STRONG, SHAPE, WEAK = 0.95, 0.85, 0.75, 0.5

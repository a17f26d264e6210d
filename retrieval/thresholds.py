"""Which sentence's threshold a typed value falls under ("eGFR 28" -> "below 30").

Why: a clinician who types a value wants the rule that applies to it. Cards state rules as
comparisons ("contraindicated below 30", "30 to 45: do not start", "40 or older"); this
module reads those comparisons for one analyte so the composer can lead with the sentence
whose condition the value meets, and skip rules for other ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_N = r"(\d+(?:\.\d+)?)"
_BELOW = r"(?:below|under|less than|lower than|<|≤|<=|fewer than|up to)"
_ABOVE = r"(?:above|over|more than|greater than|higher than|>|≥|>=|at least|exceeds?|exceeding)"
_RULES = (
    (re.compile(rf"{_BELOW}\s*{_N}", re.I), "below"),
    (re.compile(rf"{_ABOVE}\s*{_N}", re.I), "above"),
    (re.compile(rf"{_N}\s*(?:[a-zA-Z/.%0-9]+\s*){{0,3}}or (?:higher|more|above|greater)", re.I),
     "above"),
    (re.compile(rf"{_N}\s*(?:[a-zA-Z/.%0-9]+\s*){{0,3}}or (?:lower|less|below|fewer)", re.I),
     "below"),
    (re.compile(rf"(?:between\s*)?{_N}\s*(?:-|–|to|and)\s*{_N}(?!\s*(?:mg|mcg|g|hours?|days?))",
                re.I), "range"),
)


@dataclass(frozen=True)
class Threshold:
    kind: str  # "below" | "above" | "range"
    low: float
    high: float | None = None

    def holds_for(self, value: float) -> bool:
        if self.kind == "below":
            return value < self.low
        if self.kind == "above":
            return value >= self.low
        return self.low <= value <= (self.high if self.high is not None else self.low)


def thresholds(sentence: str) -> list[Threshold]:
    """Every comparison a sentence states, in reading order of the rules above."""
    found: list[Threshold] = []
    for pattern, kind in _RULES:
        for match in pattern.finditer(sentence):
            if kind == "range":
                low, high = float(match.group(1)), float(match.group(2))
                if high > low:
                    found.append(Threshold("range", low, high))
            else:
                found.append(Threshold(kind, float(match.group(1))))
    return found


def mentions(sentence: str, names: tuple[str, ...]) -> bool:
    """Does the sentence speak of this value by any of its names ("eGFR", "HEART score")?"""
    lowered = sentence.lower()
    return any(
        re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lowered)
        for name in names if len(name) > 1
    )


def value_fit(sentence: str, names: tuple[str, ...], value: float) -> float:
    """+1 if the sentence states a threshold for the value that it meets, -0.5 if it
    states thresholds for it and the value meets none, 0 when it states none."""
    if not mentions(sentence, names):
        return 0.0
    stated = thresholds(sentence)
    if not stated:
        return 0.0
    return 1.0 if any(t.holds_for(value) for t in stated) else -0.5

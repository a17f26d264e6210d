"""Which sentence's threshold a typed value falls under ("eGFR 28" -> "below 30").

Why: a clinician who types a value wants the rule that applies to it. Cards state rules as
comparisons ("contraindicated below 30", "30 to 45: do not start", "40 or older"); this
module reads those comparisons for one analyte so the composer can lead with the sentence
whose condition the value meets, and skip rules for other ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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


# A number of days, weeks or centimetres is a duration or a size, never a lab or score cut-off.
_NOT_A_LEVEL = re.compile(r"\s*(?:days?|weeks?|months?|years?|hours?|h|minutes?|min|cm|mm)\b",
                          re.I)
# How far from a mention of the value's name a cut-off still belongs to it: "a Wells score
# of 2 or more" does; "... bedridden for 3 days or more" later in a long list does not.
_REACH_AFTER, _REACH_BEFORE = 60, 50


@dataclass(frozen=True)
class Threshold:
    kind: str  # "below" | "above" | "range"
    low: float
    high: float | None = None
    start: int = 0  # where the comparison begins in the sentence

    def holds_for(self, value: float) -> bool:
        if self.kind == "below":
            return value < self.low
        if self.kind == "above":
            return value >= self.low
        return self.low <= value <= (self.high if self.high is not None else self.low)


def thresholds(sentence: str) -> list[Threshold]:
    """Every comparison a sentence states, in reading order of the rules above."""
    return list(_thresholds(sentence))


@lru_cache(maxsize=32768)
def _thresholds(sentence: str) -> tuple[Threshold, ...]:
    """Library sentences recur with every question that types a value: parse each once."""
    found: list[Threshold] = []
    for pattern, kind in _RULES:
        for match in pattern.finditer(sentence):
            number_end = match.end(2) if kind == "range" else match.end(1)
            if _NOT_A_LEVEL.match(sentence, number_end):
                continue
            if kind == "range":
                low, high = float(match.group(1)), float(match.group(2))
                if high > low:
                    found.append(Threshold("range", low, high, match.start()))
            else:
                found.append(Threshold(kind, float(match.group(1)), start=match.start()))
    return tuple(found)


def mentions(sentence: str, names: tuple[str, ...]) -> bool:
    """Does the sentence speak of this value by any of its names ("eGFR", "HEART score")?"""
    return bool(_mention_ends(sentence, names))


def _mention_ends(sentence: str, names: tuple[str, ...]) -> list[int]:
    lowered = sentence.lower()
    return [
        match.end()
        for name in names if len(name) > 1
        for match in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lowered)
    ]


def value_fit(sentence: str, names: tuple[str, ...], value: float) -> float:
    """+1 if the sentence states a threshold for the value that it meets, -0.5 if it
    states thresholds for it and the value meets none, 0 when it states none.

    Only cut-offs shortly after a mention of the value's name count as its thresholds.
    """
    ends = _mention_ends(sentence, names)
    stated = [t for t in thresholds(sentence)
              if any(-_REACH_BEFORE <= t.start - end <= _REACH_AFTER for end in ends)]
    if not stated:
        return 0.0
    return 1.0 if any(t.holds_for(value) for t in stated) else -0.5

"""Loaders for the vocabulary data files; each file is read once per process."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

_PACKAGED = Path(__file__).parent / "data"


def data_dir() -> Path:
    """The vocabulary folder: a site's own copy if `CURBSIDE_TERMS_DIR` names one."""
    override = os.environ.get("CURBSIDE_TERMS_DIR")
    return Path(override) if override else _PACKAGED


def _rows(name: str) -> list[list[str]]:
    """Non-comment lines of a data file, split on tabs."""
    text = (data_dir() / name).read_text(encoding="utf-8")
    return [
        line.split("\t")
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def shorthand() -> dict[str, str]:
    """Clinician shorthand -> long form ("pcn" -> "penicillin")."""
    return {row[0].strip().lower(): row[1].strip() for row in _rows("shorthand.tsv")}


@lru_cache(maxsize=1)
def brands() -> dict[str, str]:
    """Brand or trade name -> generic ("eliquis" -> "apixaban")."""
    return {row[0].strip().lower(): row[1].strip() for row in _rows("brands.tsv")}


@lru_cache(maxsize=1)
def drug_classes() -> dict[str, str]:
    """Generic -> class as cards name it ("semaglutide" -> "glp-1 receptor agonist")."""
    return {row[0].strip().lower(): row[1].strip() for row in _rows("drug_classes.tsv")}


@lru_cache(maxsize=1)
def drug_names() -> frozenset[str]:
    """Generic drug names, single words (combinations appear as their parts)."""
    names = {row[0].strip().lower() for row in _rows("drugs.txt")}
    for generic in brands().values():
        names.update(part for part in re.split(r"[ -]", generic.lower()) if len(part) > 3)
    return frozenset(names)


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Conversational words that never name a clinical topic ("ok", "still", "actually")."""
    return frozenset(row[0].strip().lower() for row in _rows("everyday.txt"))


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Ordinary English words (no clinical terms): the PHI scrubber's test of whether a
    capitalised word is a name, and retrieval's test of whether an unknown word is a slip
    of the thumb ("evry") rather than a topic the library lacks."""
    return frozenset(row[0].strip().lower() for row in _rows("ordinary_words.txt"))


@lru_cache(maxsize=1)
def score_names() -> frozenset[str]:
    """Clinical scores and scales ("heart", "wells", "curb-65"): a number after one is a
    score value."""
    return frozenset(row[0].strip().lower() for row in _rows("scores.txt"))


def generic_name(word: str) -> str | None:
    """The generic a brand name stands for, or None."""
    return brands().get(word.lower())


def long_form(token: str) -> str | None:
    """Long form of one shorthand or brand token, or None when it is not one.

    A brand expands to its generic and, when known, the generic's class, because cards
    speak of classes ("SGLT2 inhibitor") more often than of single products.
    """
    key = token.lower().rstrip(".?,;:")
    generic = brands().get(key)
    if generic:
        drug_class = drug_classes().get(generic.lower())
        return f"{generic} {drug_class}" if drug_class else generic
    expansion = shorthand().get(key)
    if expansion and expansion != key:
        return expansion
    drug_class = drug_classes().get(key)
    return drug_class if drug_class and drug_class != key else None


@lru_cache(maxsize=1)
def _spelling() -> tuple[re.Pattern[str], dict[str, str]]:
    pairs = {row[0].strip().lower(): row[1].strip() for row in _rows("spelling.tsv")}
    alternatives = sorted(pairs, key=len, reverse=True)
    # The lookahead on first letters lets most positions fail at once: every passage of
    # the library passes through here at ingest, so it costs 2.5x less.
    first = re.escape("".join(sorted({a[0] for a in alternatives})))
    pattern = re.compile(f"(?=[{first}])(?:{'|'.join(re.escape(a) for a in alternatives)})",
                         re.IGNORECASE)
    return pattern, pairs


def to_us_spelling(text: str) -> str:
    """British and international spellings and drug names turned into US ones."""
    pattern, pairs = _spelling()
    return pattern.sub(lambda m: pairs[m.group(0).lower()], text)


@dataclass(frozen=True)
class LabRange:
    """An analyte's reference interval and the condition named on each side of it."""

    name: str
    aliases: tuple[str, ...]
    unit: str
    low: float
    high: float
    below: str
    above: str
    # A value above `other_unit_above` is impossible in `unit` and is the same quantity in
    # the other unit laboratories report ("haemoglobin 100" is 100 g/L, i.e. 10 g/dL):
    # multiplied by `other_unit_factor` it is read in `unit`.
    other_unit_above: float | None = None
    other_unit_factor: float = 1.0

    def in_unit(self, value: float) -> float:
        """The value in this range's unit, however the laboratory reported it."""
        if self.other_unit_above is not None and value > self.other_unit_above:
            return value * self.other_unit_factor
        return value

    def condition(self, value: float) -> str | None:
        """The condition a value implies ("hyperkalemia" for K 6.9), or None if normal."""
        value = self.in_unit(value)
        if value < self.low:
            return self.below or None
        if value > self.high:
            return self.above or None
        return None


@lru_cache(maxsize=1)
def lab_ranges() -> tuple[LabRange, ...]:
    data = yaml.safe_load((data_dir() / "labs.yaml").read_text(encoding="utf-8"))
    return tuple(
        LabRange(
            name=name,
            aliases=tuple(str(a).lower() for a in spec["aliases"]),
            unit=str(spec.get("unit") or ""),
            low=float(spec["low"]),
            high=float(spec["high"]),
            below=str(spec.get("below") or ""),
            above=str(spec.get("above") or ""),
            other_unit_above=spec.get("other_unit", {}).get("above"),
            other_unit_factor=float(spec.get("other_unit", {}).get("factor", 1.0)),
        )
        for name, spec in data.items()
    )


def one_slip_from(word: str, *vocabularies: frozenset[str]) -> bool:
    """Is `word` one deletion, transposition, substitution or insertion away from a word
    of any of `vocabularies`? ("evry" -> every, "ibuprofin" -> ibuprofen): a typed slip,
    not a new word. The edits are generated once and probed in each set, so this is cheap
    for any vocabulary size."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = (
        {left + right[1:] for left, right in splits if right}
        | {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        | {left + c + right[1:] for left, right in splits if right for c in letters}
        | {left + c + right for left, right in splits for c in letters}
    )
    return any(not edits.isdisjoint(vocabulary) for vocabulary in vocabularies)

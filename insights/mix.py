"""Who asks about a theme: its specialty and profession mix, k-anonymous.

A planner designing an activity needs to know whether a theme is an emergency-medicine
question or a nursing one. A group of fewer than k clinicians could point at a person, so
small groups are pooled into "other"; and when "other" itself would be small (its size
follows from the theme total minus the shown groups), the smallest shown groups join it
until it reaches k (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from insights.store import Row

NOT_RECORDED = "not recorded"
OTHER = "other (groups under k)"
DIMENSIONS = ("specialty", "profession")

# clinician ids -> {id: (specialty, profession)}; injected by the app (accounts live there)
Profiles = Callable[[set[str]], dict[str, tuple[str | None, str | None]]]


@dataclass(frozen=True)
class Group:
    name: str
    clinicians: int
    questions: int

    def as_dict(self) -> dict:
        return {"group": self.name, "clinicians": self.clinicians, "questions": self.questions}


def mix(rows: Iterable[Row], profiles: dict[str, tuple[str | None, str | None]],
        k: int) -> dict[str, list[Group]]:
    """{"specialty": [...], "profession": [...]}: groups of at least k clinicians, largest
    first, then "other" (never fewer than k clinicians, or absent)."""
    return mix_counts(((r.clinician, 1) for r in rows), profiles, k)


def mix_counts(asked: Iterable[tuple[str | None, int]],
               profiles: dict[str, tuple[str | None, str | None]], k: int
               ) -> dict[str, list[Group]]:
    """`mix` from (clinician, questions) counts, as the database tallies them.

    Questions are summed per clinician first, so each group counts its clinicians
    without a set of names per group: a 52-week dashboard asks this for 160 themes over
    13,000 tallies."""
    per_clinician: dict[str, int] = {}
    for who, n in asked:
        if who:
            per_clinician[who] = per_clinician.get(who, 0) + n
    out = {}
    for index, dimension in enumerate(DIMENSIONS):
        people: dict[str, int] = {}
        questions: dict[str, int] = {}
        for who, n in per_clinician.items():
            name = (profiles.get(who) or (None, None))[index] or NOT_RECORDED
            people[name] = people.get(name, 0) + 1
            questions[name] = questions.get(name, 0) + n
        out[dimension] = _k_anonymous(
            [Group(name, count, questions[name]) for name, count in people.items()], k)
    return out


def _k_anonymous(groups: list[Group], k: int) -> list[Group]:
    shown = sorted((g for g in groups if g.clinicians >= k),
                   key=lambda g: (-g.clinicians, -g.questions, g.name))
    pooled = [g for g in groups if g.clinicians < k]
    while pooled and sum(g.clinicians for g in pooled) < k and shown:
        pooled.append(shown.pop())  # the smallest shown group hides the small remainder
    if not pooled:
        return shown
    other = Group(OTHER, sum(g.clinicians for g in pooled), sum(g.questions for g in pooled))
    if other.clinicians < k:  # only possible when the whole selection is under k
        return []
    return [*shown, other]


def text(groups: list[Group]) -> str:
    """'emergency 6, pediatrics 5' for a CSV cell."""
    return ", ".join(f"{g.name} {g.clinicians}" for g in groups)

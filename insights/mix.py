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
    rows = [r for r in rows if r.clinician]
    out = {}
    for index, dimension in enumerate(DIMENSIONS):
        people: dict[str, set[str]] = {}
        questions: dict[str, int] = {}
        for row in rows:
            name = (profiles.get(row.clinician) or (None, None))[index] or NOT_RECORDED
            people.setdefault(name, set()).add(row.clinician)
            questions[name] = questions.get(name, 0) + 1
        out[dimension] = _k_anonymous(
            [Group(n, len(p), questions[n]) for n, p in people.items()], k)
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

"""Weight-based doses computed from a card's own per-kg rule, with the arithmetic shown.

Why: "croup dex dose 14kg" deserves "0.6 mg/kg x 14 kg = 8.4 mg", not a trial summary or a
table in pounds. The rule (dose per kg and maximum) is read from the quoted sentence itself,
so the card stays the one owner of the number and the clinician sees the rule beside the
result. Nothing is computed when the sentence gives no per-kg dose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT = r"(mg|mcg|micrograms?|g|mL|units?|mEq|mmol)"
_NUMBER = r"(\d+(?:\.\d+)?)"
_PER_KG = re.compile(
    rf"{_NUMBER}(?:\s*{_UNIT}\s*/\s*kg)?(?:\s*(?:to|-|–|or)\s*{_NUMBER})?\s*{_UNIT}\s*/\s*kg"
    r"(?!\s*/\s*(?:h|hr|hour|min|day|d\b|24))(?!\s*(?:per|a)\s+day|\s*daily)",
    re.I,
)
_MAXIMUM = re.compile(
    rf"(?:max(?:imum)?(?:\s+(?:single\s+)?dose)?|not (?:to )?exceed|no more than|up to|"
    rf"capped at)\s*(?:of\s*|is\s*|:\s*)?{_NUMBER}\s*{_UNIT}(?!\s*/\s*kg)(?!\s*/\s*(?:day|24))",
    re.I,
)


@dataclass(frozen=True)
class DoseCalculation:
    """One computed dose: the per-kg rule, the weight and the capped result."""

    per_kg: tuple[float, ...]
    unit: str
    weight_kg: float
    maximum: float | None

    def amounts(self) -> tuple[float, ...]:
        raw = tuple(round(dose * self.weight_kg, 2) for dose in self.per_kg)
        return tuple(min(a, self.maximum) if self.maximum else a for a in raw)

    def text(self) -> str:
        """"For 14 kg: 0.6 mg/kg × 14 kg = 8.4 mg (maximum 16 mg)"."""
        weight = _fmt(self.weight_kg)
        parts = []
        for dose, amount in zip(self.per_kg, self.amounts(), strict=True):
            raw = round(dose * self.weight_kg, 2)
            capped = self.maximum is not None and raw > self.maximum
            result = f"{_fmt(raw)} {self.unit}"
            if capped:
                result += f", capped at the maximum {_fmt(amount)} {self.unit}"
            parts.append(f"{_fmt(dose)} {self.unit}/kg × {weight} kg = {result}")
        line = f"For {weight} kg: " + "; ".join(parts)
        if self.maximum is not None and not any(
            round(d * self.weight_kg, 2) > self.maximum for d in self.per_kg
        ):
            line += f" (maximum {_fmt(self.maximum)} {self.unit})"
        return line


def dose_for_weight(
    sentence: str, weight_kg: float, *, drug: str | None = None
) -> DoseCalculation | None:
    """The dose a per-kg sentence gives for this weight, or None if it has no single per-kg
    rule. With `drug`, only the clause that names it counts ("ibuprofen 10 mg/kg …, and
    acetaminophen 15 mg/kg …" gives ibuprofen's rule)."""
    if drug and (named := re.search(rf"\b{re.escape(drug)}\b", sentence, re.I)):
        sentence = re.split(r";|, and |\.\s", sentence[named.start():])[0]
    matches = list(_PER_KG.finditer(sentence))
    if len(matches) != 1:
        return None  # none, or several alternatives ("0.15, 0.3 and 0.6 mg/kg"): not one rule
    match = matches[0]
    low = float(match.group(1))
    high = float(match.group(3)) if match.group(3) else None
    unit = _unit(match.group(4))
    per_kg = (low, high) if high is not None else (low,)
    maximum = None
    for found in _MAXIMUM.finditer(sentence):
        if _unit(found.group(2)) == unit:
            maximum = float(found.group(1))
            break
    return DoseCalculation(per_kg=per_kg, unit=unit, weight_kg=weight_kg, maximum=maximum)


def _unit(text: str) -> str:
    lowered = text.lower()
    if lowered.startswith("microgram"):
        return "mcg"
    if lowered.startswith("unit"):
        return "units"
    return {"ml": "mL", "meq": "mEq"}.get(lowered, lowered)


def _fmt(value: float) -> str:
    """1.0 -> "1", 8.40 -> "8.4", 0.15 -> "0.15"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")

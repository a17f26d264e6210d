"""Patient details read out of a question: age, weight, sex, pregnancy, labs and vitals.

Why: clinicians type the patient into the question ("croup dex dose 14kg", "metformin eGFR
28 stop?", "K 6.9 what now"). Those details are not topics to look up: counting "14kg" or
"28" as key terms made Curbside refuse covered questions. They are context that steers the
choice of card (a high potassium is hyperkalaemia, not hypokalaemia) and of the sentence
that answers (the eGFR threshold that 28 falls under; a dose computed for 14 kg).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from clinical_terms import lab_ranges, score_names

_NUM = r"(\d+(?:\.\d+)?)"
_WEIGHT_KG = re.compile(rf"\b{_NUM}\s*(?:kg|kgs|kilos?|kilograms?)\b", re.I)
_WEIGHT_LB = re.compile(rf"\b{_NUM}\s*(?:lb|lbs|pounds?)\b", re.I)
_AGE = re.compile(
    rf"\b{_NUM}\s*[- ]?(?:(?P<y>yo|y/o|y\.o\.?|yrs?(?: old)?|years?(?:[- ]old)?|y)"
    r"|(?P<m>mos?(?: old)?|months?(?:[- ]old)?|mo)|(?P<w>(?:wks?|weeks?)[- ]old)"
    r"|(?P<d>days?[- ]old|do))(?![a-z])",
    re.I,
)
_AGE_SEX = re.compile(r"\b(\d{1,3})\s*(?:yo\s*)?([mf])\b", re.I)
_FEMALE = re.compile(r"\b(?:female|woman|women|girl|she|her|lady|f)\b", re.I)
_MALE = re.compile(r"\b(?:male|man|men|boy|he|his|m)\b", re.I)
_PREGNANT = re.compile(
    r"\b(?:pregnan\w*|preg|preggo|gravid\w*|g\dp\d|antenatal|prenatal|trimester|\d+\s*(?:wks?|weeks?)"
    r"\s*(?:ga|gestation|pregnant|pg))\b",
    re.I,
)
_TRIMESTER = re.compile(r"\b(1st|first|2nd|second|3rd|third)\s*(?:tri|trimester)\b", re.I)
_GESTATION_WEEKS = re.compile(r"\b(\d{1,2})\s*(?:wks?|weeks?)\s*(?:ga|gestation|pregnant|pg)\b",
                              re.I)
_SCORE = re.compile(
    r"(?<![\w-])([a-z][a-z0-9-]*[a-z0-9])(?:\s+(?!rate\b)[a-z]{2,5})?(?:\s+score)?"
    r"\s*(?:of|=|:|is)?\s*(\d{1,2})(?![\d./%])"
    r"(?!\s*(?:mg|mcg|kg|g|ml|units?|hours?|h|days?|weeks?|wks?|months?|yrs?|years?|y)\b)",
    re.I,
)
_BP = re.compile(r"\b(?:bp\s*)?(\d{2,3})\s*/\s*(\d{2,3})\b", re.I)
# "bp 168/112 at 34 wks", "28wk": a gestational age typed without the word "pregnant".
# Only 20-42 weeks after "at" or glued to its number, so "for 24 weeks" stays a duration.
_GESTATION_AT = re.compile(r"(?:\bat\s+(\d{2})\s*|\b(\d{2}))(?:wks?|weeks?)\b"
                           r"(?!\s*(?:old|of age|postpartum|post|after|ago|later))", re.I)


@dataclass(frozen=True)
class LabValue:
    """One value typed in the question (a lab, a vital sign or a clinical score) and the
    condition it implies, if any. `names` are the words a sentence uses for it."""

    analyte: str
    value: float
    condition: str | None
    text: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatientContext:
    age_years: float | None = None
    weight_kg: float | None = None
    sex: str | None = None
    pregnant: bool = False
    trimester: int | None = None
    labs: tuple[LabValue, ...] = field(default_factory=tuple)
    spans: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    implied: tuple[str, ...] = ()  # conditions read from other details ("at 34 wks")

    @property
    def conditions(self) -> list[str]:
        """Conditions the typed values imply, to steer retrieval ("hyperkalemia")."""
        found = [lab.condition for lab in self.labs if lab.condition] + list(self.implied)
        return list(dict.fromkeys(found))

    def lab(self, analyte: str) -> LabValue | None:
        return next((lab for lab in self.labs if lab.analyte == analyte), None)

    def merged_over(self, earlier: PatientContext) -> PatientContext:
        """This context with details it lacks taken from an earlier question's (a follow-up
        such as "and 20kg?" keeps the earlier question's other details)."""
        own = {lab.analyte for lab in self.labs}
        return PatientContext(
            age_years=self.age_years if self.age_years is not None else earlier.age_years,
            weight_kg=self.weight_kg if self.weight_kg is not None else earlier.weight_kg,
            sex=self.sex or earlier.sex,
            pregnant=self.pregnant or earlier.pregnant,
            trimester=self.trimester or earlier.trimester,
            labs=self.labs + tuple(lab for lab in earlier.labs if lab.analyte not in own),
            spans=self.spans,
            implied=tuple(dict.fromkeys(self.implied + earlier.implied)),
        )

    def as_dict(self) -> dict:
        """What is recorded with an inquiry: kinds of detail, never the values themselves
        beyond what the scrubbed question already shows."""
        return {
            "age_years": self.age_years,
            "weight_kg": self.weight_kg,
            "sex": self.sex,
            "pregnant": self.pregnant,
            "trimester": self.trimester,
            "labs": [
                {"analyte": lab.analyte, "value": lab.value, "condition": lab.condition}
                for lab in self.labs
            ],
        }


@dataclass(frozen=True)
class _Alias:
    analyte: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _lab_patterns() -> tuple[_Alias, ...]:
    """One pattern per alias: the alias, an optional verb or sign, then a number."""
    patterns = []
    for lab in lab_ranges():
        for alias in sorted(lab.aliases, key=len, reverse=True):
            escaped = re.escape(alias).replace(r"\ ", r"\s*")
            patterns.append(
                _Alias(
                    lab.name,
                    re.compile(
                        rf"(?<![\w/]){escaped}(?:\s*(?:of|is|was|at|=|:|~|now|->))?\s*"
                        rf"(?<![\d.]){_NUM}(?![\d/])(?![a-zA-Z])",
                        re.I,
                    ),
                )
            )
    return tuple(patterns)


def read_context(question: str) -> PatientContext:
    """Patient details found in the question; absent details stay None."""
    spans: list[tuple[int, int]] = []
    weight = None
    if match := _WEIGHT_KG.search(question):
        weight = float(match.group(1))
        spans.append(match.span())
    elif match := _WEIGHT_LB.search(question):
        weight = round(float(match.group(1)) * 0.45359237, 1)
        spans.append(match.span())
    age = None
    if match := _AGE.search(question):
        value = float(match.group(1))
        if match.group("m"):
            value /= 12
        elif match.group("w"):
            value /= 52
        elif match.group("d"):
            value /= 365
        age = round(value, 2)
        spans.append(match.span())
    sex = None
    if match := _AGE_SEX.search(question):
        age = age if age is not None else float(match.group(1))
        sex = "female" if match.group(2).lower() == "f" else "male"
        spans.append(match.span())
    elif _FEMALE.search(question) and not _MALE.search(question):
        sex = "female"
    elif _MALE.search(question) and not _FEMALE.search(question):
        sex = "male"
    pregnant = bool(_PREGNANT.search(question))
    trimester = None
    implied: list[str] = []
    if match := _TRIMESTER.search(question):
        trimester = {"1": 1, "f": 1, "2": 2, "s": 2, "3": 3, "t": 3}[match.group(1)[0].lower()]
        pregnant = True
    elif match := _GESTATION_WEEKS.search(question):
        weeks = int(match.group(1))
        trimester = 1 if weeks < 14 else 2 if weeks < 28 else 3
    elif (weeks := _gestation_at(question)) and sex != "male" and _can_be_pregnant(age):
        pregnant = True
        trimester = 2 if weeks < 28 else 3
        implied.append("pregnancy")
    if pregnant:
        sex = "female"
    labs: list[LabValue] = []
    taken: set[str] = set()
    by_name = {lab.name: lab for lab in lab_ranges()}
    for alias in _lab_patterns():
        if alias.analyte in taken:
            continue
        match = alias.pattern.search(question)
        if not match or any(a <= match.start() < b for a, b in spans):
            continue
        value = float(match.group(1))
        if alias.analyte == "magnesium" and re.search(r"mg\s*/", match.group(0), re.I):
            continue  # "mg/kg" is a dose unit, not a magnesium level
        taken.add(alias.analyte)
        lab = by_name[alias.analyte]
        labs.append(LabValue(alias.analyte, value, lab.condition(value), match.group(0),
                             names=(*lab.aliases, lab.name.replace("_", " "))))
        spans.append(match.span())
    for match in _SCORE.finditer(question):
        name = match.group(1).lower()
        if name not in score_names() or any(a <= match.start() < b for a, b in spans):
            continue
        labs.append(LabValue(name, float(match.group(2)), None, match.group(0), names=(name,)))
        spans.append((match.start(2), match.end(2)))
    if "heart_rate" not in taken:
        pairs = list(_BP.finditer(question))
        spans += [pair.span() for pair in pairs]
        reading = next(filter(None, map(_blood_pressure, pairs)), None)  # first real one
        if reading:
            labs.append(reading)
    return PatientContext(
        age_years=age,
        weight_kg=weight,
        sex=sex,
        pregnant=pregnant,
        trimester=trimester,
        labs=tuple(labs),
        spans=tuple(spans),
        implied=tuple(implied),
    )


def _gestation_at(question: str) -> int | None:
    """Weeks of a gestational age typed without "pregnant" ("at 34 wks", "28wk"), if any."""
    match = _GESTATION_AT.search(question)
    weeks = int(match.group(1) or match.group(2)) if match else 0
    return weeks if 20 <= weeks <= 42 else None


def _can_be_pregnant(age: float | None) -> bool:
    """An age at which a typed gestational age can mean a pregnancy."""
    return age is None or 10 <= age <= 60


def _blood_pressure(match: re.Match[str]) -> LabValue | None:
    """A typed blood pressure and the condition it implies at the usual adult extremes
    (severe range from 160/110, hypotension below a systolic of 90). A reading between
    them names no topic the word "bp" does not already name, and "hypertension" pulled
    questions about office readings to the pregnancy card. Pairs that cannot be a blood
    pressure ("10/10" pain, "3/6" murmur) are ignored."""
    systolic, diastolic = int(match.group(1)), int(match.group(2))
    if not (70 <= systolic <= 280 and 30 <= diastolic <= 180 and systolic > diastolic):
        return None
    if systolic >= 160 or diastolic >= 110:
        condition = "severe hypertension"
    elif systolic < 90:
        condition = "hypotension"
    else:
        condition = None
    return LabValue("blood_pressure", float(systolic), condition, match.group(0),
                    names=("bp", "blood pressure", "systolic"))

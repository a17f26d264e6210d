"""The little an EHR tells us about the patient, and how it steers the choice of card.

Why only age and sex: they decide between sibling cards (paediatric vs adult dosing,
pregnancy vs general), and the search already reads them from text ("4yo f").
They are turned into that text for the search and never written anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.models import Document

_CHILD_WORDS = re.compile(r"\b(?:pediatric|paediatric|children|child|infants?|neonatal|newborns?|"
                          r"neonates?|kids)\b", re.I)
_ADULT_WORDS = re.compile(r"\badults?\b", re.I)
_FEMALE_WORDS = re.compile(r"\b(?:women|woman|pregnancy|pregnant|preeclampsia|postpartum|"
                           r"contraception|menopaus\w*|gestational|cervical|mammography)\b", re.I)
_MALE_WORDS = re.compile(r"\b(?:men|prostate)\b", re.I)
_PREGNANCY_WORDS = re.compile(r"\b(?:pregnancy|pregnant|preeclampsia|postpartum|gestational|"
                              r"antenatal|prenatal)\b", re.I)
_YOUNGEST_PREGNANCY = 10  # years: below this a pregnancy card never fits the patient
_OLDEST_AGE = 90  # ages above 89 are identifying (HIPAA): steer with "90" at most


@dataclass(frozen=True)
class PatientFacts:
    """Age in years (fractions for infants) and administrative sex ("female"/"male")."""

    age_years: float | None = None
    sex: str | None = None

    def steer_text(self) -> str:
        """Words the search reads as patient context only, e.g. "4yo f".

        Written in the clinician's "54yo f" shorthand because the question reader takes
        that whole phrase as context; a bare "female" stays in the searched topic, and
        "dexamethasone dose" + "female" abstained as "not found: female" (seen in the
        SMART browser test). So sex is only given with an age in years; an infant's age
        goes alone, in months.
        """
        if self.age_years is None:
            return ""
        age = min(self.age_years, _OLDEST_AGE)
        if age < 1:
            return f"{max(int(age * 12), 0)} months old"
        if self.sex in {"female", "male"}:
            return f"{int(age)}yo {self.sex[0]}"
        return f"{int(age)} years old"

    def chips(self) -> list[str]:
        chips = []
        if self.age_years is not None:
            age = min(self.age_years, _OLDEST_AGE)
            chips.append(f"{int(age * 12)} months" if age < 2 else f"{int(age)} years")
        if self.sex:
            chips.append(self.sex)
        return chips

    def fit(self, doc: Document) -> int:
        """-1 for a card about the other age group or sex, else 0 (a stable sort key)."""
        text = f"{doc.title} {doc.meta.get('learning_objective', '')}"
        fit = 0
        if self.age_years is not None:
            child_card = bool(_CHILD_WORDS.search(doc.title)) or doc.specialty == ["pediatrics"]
            adult_card = bool(_ADULT_WORDS.search(doc.title))
            child = self.age_years < 18
            if (child and adult_card and not child_card) or (not child and child_card
                                                              and not adult_card):
                fit -= 1
        if self.sex == "male" and (_FEMALE_WORDS.search(text)
                                   or "womens-health" in doc.specialty):
            fit -= 1
        if self.sex == "female" and _MALE_WORDS.search(doc.title):
            fit -= 1
        if (self.age_years is not None and self.age_years < _YOUNGEST_PREGNANCY
                and _PREGNANCY_WORDS.search(doc.title)):
            fit -= 1  # acetaminophen on a 4-year-old's chart is not about pregnancy
        return fit


def order_for(patient: PatientFacts, docs: list[Document]) -> list[Document]:
    """Cards that fit the patient first; otherwise the given order is kept."""
    return sorted(docs, key=lambda doc: -patient.fit(doc))

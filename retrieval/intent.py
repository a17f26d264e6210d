"""What a question asks for (treatment? cause? how common?) and what a passage is about.

Documents about one condition usually have several sections; choosing the right one is
most of the difference between a relevant and a correct answer. Question intents are found
by phrasing, passage intents by the vocabulary of the passage's opening sentences. Both are
small, readable word lists rather than a model, so they behave the same everywhere.
"""

from __future__ import annotations

import re

_QUESTION = {
    "treatment": r"treat|therap|manag|medication|drug of choice|first.line|antibiotic|abx|"
    r"\bdose|dosing|regimen|what to give|\brx\b|\btx\b|reversal|replace",
    "symptoms": r"symptom|signs? of|\bsx\b|present(s|ation)? with|what does .* look like",
    "causes": r"\bcause|why do|etiolog|risk factor|what leads to",
    "diagnosis": r"diagnos|\btests?\b|\bexams?\b|work.?up|\bdx\b|screen|detect|imaging|criteria",
    "prevention": r"prevent|avoid|prophyla|\bppx\b|reduce .*risk|vaccin",
    "outlook": r"outlook|prognos|surviv|life expectancy",
    "frequency": r"how many|how common|prevalen|frequen|incidence",
    "inheritance": r"inherit|heredit|passed down|run in .*famil",
    "genetics": r"genetic change|mutation|\bgenes?\b",
    "research": r"research|clinical trial|studies",
    "complications": r"complication",
    "stages": r"\bstages?\b|staging",
}
_PASSAGE = {
    "treatment": r"treat|therap|medication|surgery|\bdrugs?\b|manage|\bmg\b|dose",
    "symptoms": r"symptom|signs|features|may include|may experience|characteri[sz]ed by",
    "causes": r"caused by|\bcause|result(s)? from|risk factor",
    "diagnosis": r"diagnos|\btests?\b|\bexam|screen|imaging|biopsy|criteria",
    "prevention": r"prevent|reduce (your|the) risk|vaccin|prophyla",
    "outlook": r"prognos|outlook|surviv|life expectancy",
    "frequency": r"prevalen|affects (about|approximately|an estimated)|estimated|\b1 in\b|"
    r"per \d|\brare\b|incidence|how many people",
    "inheritance": r"inherit|autosomal|x-linked|dominant|recessive|pattern",
    "genetics": r"mutations? in|\bgenes?\b|provides instructions|chromosom",
    "research": r"research|clinical trial|studies|scientists",
    "complications": r"complication",
    "stages": r"\bstages?\b|staging",
}
_Q = {name: re.compile(pattern, re.I) for name, pattern in _QUESTION.items()}
_P = {name: re.compile(pattern, re.I) for name, pattern in _PASSAGE.items()}
OPENING_CHARS = 240


def question_intents(question: str) -> frozenset[str]:
    """Intents a question asks about; empty for definitional questions ("what is X?")."""
    return frozenset(name for name, pattern in _Q.items() if pattern.search(question))


def passage_intents(text: str) -> frozenset[str]:
    """Intents a passage's opening addresses."""
    opening = text[:OPENING_CHARS]
    return frozenset(name for name, pattern in _P.items() if pattern.search(opening))


def intent_fit(asked: frozenset[str], offered: frozenset[str]) -> float:
    """+1 when the passage opens on what was asked, -1 when it opens on something else."""
    if asked:
        return 1.0 if asked & offered else (-0.5 if offered else 0.0)
    return -0.5 if offered else 0.5

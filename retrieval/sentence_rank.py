"""Which sentence of the answering card says what was asked: the composer's ranking.

Each candidate sentence is described by a few named signals (words it shares with the
question, closeness in meaning, its section and place on the card, whether it has the shape
of what was asked, the patient's value meeting its threshold, the drug asked about, a
per-kg rule for the weight given) and ranked by their weighted sum. The weights are fitted,
not chosen: `python -m bench.calibrate_sentences` learns them from the `calibrate` split of
the clinician question set (the sentence that holds the question's decisive fact should
rank above the card's other sentences), so the held-out `test` split measures them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from clinical_terms import drug_names, generic_name
from retrieval.abbreviations import expand_abbreviations
from retrieval.abstention import key_terms
from retrieval.dosing import dose_for_weight
from retrieval.lexical import terms
from retrieval.models import Passage
from retrieval.query import UnderstoodQuestion
from retrieval.text import split_sentences
from retrieval.thresholds import value_fit

# Scores sentences by closeness in meaning to the question: (question, sentences) -> cosines.
Relevance = Callable[[str, Sequence[str]], Sequence[float]]

FEATURES = (
    "overlap",         # IDF-weighted share of the question's key terms the sentence states
    "echo",            # words of the card's `asked_as` phrases nearest the question (best card)
    "relevance",       # cosine of sentence and question embeddings
    "card_rank",       # 1 for the best card, 1/2 for the second
    "bottom_line",     # the card's own summary
    "key_points",
    "dosing",
    "dosing_asked",    # a dosing section when a dose was asked for
    "position",        # sentence index within its passage (earlier is more central)
    "value_fit",       # the patient's typed value meets this sentence's threshold
    "asked_drug",      # names the drug the question names ("keppra" -> levetiracetam)
    "shape",           # has the shape of what was asked (a duration for "how long", ...)
    "dose_rule",       # a per-kg rule for the asked drug, with the dose computed from it
    "dose_capped",     # ... and the rule states its maximum
    "dose_other",      # a per-kg rule for another drug
    "dose_amount",     # a dose was asked and the sentence states an amount
)

# Fitted by `python -m bench.calibrate_sentences` on the calibrate split (pairwise logistic
# regression: the sentence holding the decisive fact against the same card's others).
WEIGHTS = {
    "overlap": 0.508, "echo": 0.673, "relevance": 1.472, "card_rank": 0.568,
    "bottom_line": 0.174, "key_points": 0.031, "dosing": 0.069, "dosing_asked": -0.014,
    "position": -0.021, "value_fit": 0.224, "asked_drug": 0.079, "shape": 0.462,
    "dose_rule": 1.057, "dose_capped": 0.011, "dose_other": -1.078, "dose_amount": 0.979,
}

_SECTIONS = {"bottom line": "bottom_line", "key points": "key_points", "dosing": "dosing"}
_DOSE_ASKED = re.compile(r"\bdos(?:e|es|ing)\b|how much|\bmg\b|\bmax\b|\bmaximum\b", re.I)
_POUNDS = re.compile(r"\b\d+(?:\.\d+)?\s*(?:-|–|to)?\s*\d*\s*(?:lb|lbs|pounds?)\b", re.I)
_KILOGRAMS = re.compile(r"\bkg\b", re.I)
_AMOUNT = re.compile(r"\d\s*(?:mg|mcg|g|units|mEq|mL)\b")
_DRUG_WORDS = "|".join(sorted(("amoxicillin", "doxycycline", "azithromycin", "ceftriaxone",
                              "cephalexin", "nitrofurantoin", "vancomycin", "insulin")))
# What a question asks for, and the shape of a sentence that gives it: a duration for
# "how long", an interval for "how often", a cut-off for "target", an action for "next step".
_ASKED_FOR = tuple(
    (re.compile(asked, re.I), re.compile(answers, re.I))
    for asked, answers in (
        (r"how long|duration|how many (?:days|weeks)|\bfor how\b",
         r"\b\d+(?:\s*(?:-|–|to)\s*\d+)?\s*(?:days?|weeks?|months?|hours?)\b"),
        (r"how often|interval|when to (?:repeat|recheck)|recheck|follow.?up|monitor",
         r"\bevery\b|\binterval|\byearly\b|\bannual|\bmonthly\b|\bafter \d+"),
        (r"target|goal|cut.?off|threshold|\blevel\b|normal range",
         r"\d+\s*(?:-|–|to)\s*\d+|\bbelow\b|\babove\b|less than|greater than|[<>≥≤]|"
         r"or (?:higher|lower|more|less)"),
        (r"next step|what next|what now|then what|what do|what to do|manage|workup|work.?up",
         r"\b(?:give|start|get|refer|obtain|order|admit|stop|repeat|perform|treat|image|"
         r"do not|discharge)\b"),
        (r"\bwhich\b|what (?:abx|antibiotic|drug|med|agent|to give)|first.?line|choice|"
         r"regimen|\babx\b|alternative",
         rf"\b(?:{_DRUG_WORDS})\b|\b[a-z]+(?:cillin|mycin|floxacin|cycline|azole|pril|"
         r"sartan|olol|statin|xaban|gatran|parin|gliflozin|glutide)\b"),
        (r"\bok\b|okay|safe|can i|can we|allowed|contraindicat|still fine",
         r"\b(?:do not|avoid|contraindicated|not recommended|safe|can be|may be|should not)\b"),
    )
)


@dataclass(frozen=True)
class Candidate:
    """A sentence that could be quoted, the signals that rank it, and its score."""

    sentence: str
    passage: Passage
    features: dict[str, float]
    score: float = 0.0
    calculation: str | None = None  # the dose computed from a per-kg rule, with arithmetic


def rank(
    question: UnderstoodQuestion, passages: list[Passage], *, echoes: tuple[str, ...] = (),
    relevance: Relevance | None = None,
) -> list[Candidate]:
    """Every quotable sentence of the answering passages, best first."""
    found = _candidates(question, passages, echoes=echoes)
    closeness = [0.0] * len(found)
    # Card sentences come embedded with the index. A corpus record's do not (embedding the
    # sentences of 15,000 pages would halve the ingest rate), and embedding them while a
    # clinician waits cost more than the whole answer's latency budget.
    if relevance is not None and found and all(p.kind == "card" for p in passages):
        # The searched text, whose vector the search has just computed and remembered, except
        # for a follow-up: its own words choose the sentences.
        meant = (question.focus or question.topic) if question.follow_up else question.search
        closeness = relevance(expand_abbreviations(meant), [c.sentence for c in found])
    scored = []
    for candidate, near in zip(found, closeness, strict=True):
        features = candidate.features | {"relevance": float(near)}
        score = sum(WEIGHTS.get(name, 0.0) * value for name, value in features.items())
        scored.append(replace(candidate, features=features, score=score))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored


def _candidates(
    question: UnderstoodQuestion, passages: list[Passage], *, echoes: tuple[str, ...],
) -> list[Candidate]:
    if not passages:
        return []
    # A follow-up's own words pick the sentences; the earlier question only chose the card.
    asked = question.focus or question.topic
    wanted = {form for term in key_terms(asked).values() for form in term.forms}
    wanted = wanted or set(terms(question.search))
    context = question.context
    dose_asked = bool(_DOSE_ASKED.search(asked)) or (
        context.weight_kg is not None and not question.follow_up)
    shapes = [answers for asks, answers in _ASKED_FOR if asks.search(question.search)]
    doc_rank = {doc_id: rank for rank, doc_id in enumerate(dict.fromkeys(
        p.doc_id for p in passages))}
    asked_drug = _asked_drug(asked)
    drug_stems = frozenset(terms(asked_drug)) if asked_drug else frozenset()
    weight = _local_weights(passages)
    wanted_mass = sum(weight(term) for term in wanted) or 1.0
    echoed = {t for phrase in echoes for t in terms(phrase)} - wanted
    found: list[Candidate] = []
    seen: set[str] = set()
    for passage in passages:
        section = _SECTIONS.get(passage.section.lower())
        for position, sentence in enumerate(_sentences(passage.text)):
            key = sentence.lower()
            if key in seen or len(sentence) < 12:
                continue
            seen.add(key)
            if context.weight_kg is not None and _POUNDS.search(sentence) and not (
                _KILOGRAMS.search(sentence)
            ):
                continue  # a weight in kg was given: never answer with a table in pounds
            words = stems(sentence)
            best_card = doc_rank[passage.doc_id] == 0
            features = dict.fromkeys(FEATURES, 0.0)
            features["overlap"] = sum(weight(t) for t in wanted & words) / wanted_mass
            if best_card and echoed:
                features["echo"] = sum(weight(t) for t in echoed & words) / wanted_mass
            features["card_rank"] = 1.0 / (1 + doc_rank[passage.doc_id])
            if section:
                features[section] = 1.0
            features["dosing_asked"] = float(dose_asked and section == "dosing")
            features["position"] = float(position)
            features["value_fit"] = sum(value_fit(sentence, lab.names, lab.value)
                                        for lab in context.labs)
            features["asked_drug"] = float(bool(drug_stems) and drug_stems <= words)
            features["shape"] = float(sum(1 for shape in shapes if shape.search(sentence)))
            calculation = None
            if dose_asked and context.weight_kg is not None and (dose := dose_for_weight(
                sentence, context.weight_kg, drug=asked_drug
            )):
                if wanted & words:
                    calculation = dose.text()
                    features["dose_rule"] = 1.0
                    features["dose_capped"] = float(dose.maximum is not None)
                else:
                    features["dose_other"] = 1.0
            elif dose_asked and _AMOUNT.search(sentence):
                features["dose_amount"] = 1.0
            found.append(Candidate(sentence, passage, features, calculation=calculation))
    return found


def _asked_drug(text: str) -> str | None:
    """The generic name of the first drug the question names ("motrin" -> ibuprofen)."""
    for word in re.findall(r"[a-z][a-z-]+", text.lower()):
        generic = (generic_name(word) or word).split("-")[0].split()[0]
        if generic in drug_names():
            return generic
    return None


def _local_weights(passages: list[Passage]):
    """Term weights by how few of the candidate sentences use the term.

    Within one card every sentence mentions its topic ("CAP", "outpatient"), so those words
    cannot pick the sentence; the rarer words of the question ("allergy") can.
    """
    sentences = [stems(s) for p in passages for s in _sentences(p.text)]
    total = len(sentences) or 1
    counts: dict[str, int] = {}
    for sentence_terms in sentences:
        for term in sentence_terms:
            counts[term] = counts.get(term, 0) + 1

    def weight(term: str) -> float:
        return math.log(1 + total / (1 + counts.get(term, 0)))

    return weight


@lru_cache(maxsize=16384)
def _sentences(text: str) -> tuple[str, ...]:
    """A passage's sentences; passages come from a fixed library, so each is split once."""
    return tuple(split_sentences(text))


@lru_cache(maxsize=65536)
def stems(sentence: str) -> frozenset[str]:
    """A library sentence's stems, computed once per process, not once per question."""
    return frozenset(terms(sentence))


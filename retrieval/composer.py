"""The extractive composer: an answer made only of sentences quoted from vetted passages.

Nothing is paraphrased, so every number, unit and negation reaches the clinician exactly as
the source states it, and every sentence carries the marker of the document it came from.

What comes first matters most to a clinician mid-shift, so sentences are ranked by what
the question asks: the card's own bottom line; the rule whose threshold the patient's value
meets ("eGFR 28" leads with "below 30"); for a weight, the per-kg rule followed by the dose
computed from it (the only non-quoted line, shown with its arithmetic and the cited rule);
never a table in pounds when the weight was given in kilograms. One card answers, unless
the question names something only a second card covers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from clinical_terms import drug_names, generic_name
from retrieval.abbreviations import expand_abbreviations
from retrieval.abstention import Coverage, abstain_reason, key_terms
from retrieval.dosing import dose_for_weight
from retrieval.lexical import terms
from retrieval.models import Answer, Citation, Passage, Suggestion
from retrieval.query import UnderstoodQuestion
from retrieval.text import split_sentences
from retrieval.thresholds import value_fit

# A second card joins the answer only if it scores this close to the best one.
_SECOND_CARD_MARGIN = 0.08
# A decision score this close to the answer/abstain line marks the answer "low confidence".
LOW_CONFIDENCE_BELOW = 1.0
# A sentence whose terms are this much contained in an earlier chosen one restates it.
_RESTATED = 0.7
_SECTION_BONUS = {"bottom line": 0.35, "key points": 0.1, "dosing": 0.1}
_DOSE_ASKED = re.compile(r"\bdos(?:e|es|ing)\b|how much|\bmg\b|\bmax\b|\bmaximum\b", re.I)
_POUNDS = re.compile(r"\b\d+(?:\.\d+)?\s*(?:-|–|to)?\s*\d*\s*(?:lb|lbs|pounds?)\b", re.I)
_KILOGRAMS = re.compile(r"\bkg\b", re.I)


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


# Scores sentences by closeness in meaning to the question: (question, sentences) -> cosines.
Relevance = Callable[[str, Sequence[str]], Sequence[float]]
# Cosine of a sentence with the question, weighted like the other evidence (word overlap
# is 0-1, so a sentence twice as close in meaning gains about as much as a shared key word).
_RELEVANCE_WEIGHT = 2.0
# A sentence naming the drug the question names ("keppra load dose" -> levetiracetam).
_ASKED_DRUG_BONUS = 0.3


@dataclass(frozen=True)
class _Candidate:
    sentence: str
    passage: Passage
    score: float
    calculation: str | None = None


def compose(
    question: UnderstoodQuestion,
    passages: list[Passage],
    coverage: Coverage,
    *,
    max_words: int = 120,
    max_sentences: int = 5,
    echoes: tuple[str, ...] = (),
    relevance: Relevance | None = None,
) -> Answer:
    """An extractive, cited answer, or an abstention with the reason and near-miss cards.

    `echoes`: the winning card's `asked_as` phrases nearest the question; their words
    help pick the sentence that answers it (they are never quoted).
    `relevance`: how close in meaning each candidate sentence is to the question (cosine
    of sentence embeddings); it finds the answering sentence when it shares no word with
    a terse question ("keppra load dose status" -> "60 mg/kg, maximum 4,500 mg").
    """
    reason = abstain_reason(coverage)
    if reason:
        return _refusal(reason, passages, coverage)
    chosen = _select(question, _answering_passages(passages, coverage), echoes=echoes,
                     max_words=max_words, max_sentences=max_sentences, relevance=relevance)
    if not chosen:
        return _refusal(
            "The retrieved passages contain no sentence that addresses this.", passages, coverage
        )
    citations: list[Citation] = []
    marker: dict[str, int] = {}
    lines: list[str] = []
    calculations: list[str] = []
    for candidate in chosen:
        passage = candidate.passage
        if passage.doc_id not in marker:
            marker[passage.doc_id] = len(citations) + 1
            citations.append(
                Citation(
                    doc_id=passage.doc_id,
                    title=passage.title,
                    url=passage.url,
                    snippet=_snippet(passage.doc_id, chosen),
                    score=round(passage.score, 4),
                    version=passage.doc_hash,
                    demo=passage.demo,
                    last_reviewed=passage.reviewed,
                )
            )
        lines.append(f"{candidate.sentence} [{marker[passage.doc_id]}]")
        if candidate.calculation:
            calculations.append(candidate.calculation)
            lines.append(f"{candidate.calculation} [{marker[passage.doc_id]}]")
    text = lines[0] + "".join(f"\n- {line}" for line in lines[1:])
    return Answer(
        answer=text,
        abstained=False,
        citations=citations,
        sentences=[(c.sentence, c.passage.doc_id) for c in chosen],
        calculations=calculations,
        confidence="low" if coverage.score() < LOW_CONFIDENCE_BELOW else "high",
    )


def _refusal(reason: str, passages: list[Passage], coverage: Coverage) -> Answer:
    """A plain refusal that helps the clinician on: the nearest cards, and a gap flag only
    for a real clinical question (greetings and noise are not content gaps)."""
    suggestions: list[Suggestion] = []
    for passage in passages:
        if all(s.doc_id != passage.doc_id for s in suggestions):
            suggestions.append(Suggestion(doc_id=passage.doc_id, title=passage.title))
        if len(suggestions) == 3:
            break
    return Answer(
        answer="",
        abstained=True,
        abstain_reason=reason,
        suggestions=suggestions if coverage.clinical else [],
        clinical=coverage.clinical,
    )


def _answering_passages(passages: list[Passage], coverage: Coverage) -> list[Passage]:
    """The best card's passages, plus a second card's only if it covers a key term of the
    question that the best card does not mention."""
    if not passages:
        return []
    best = passages[0].doc_id
    kept = [p for p in passages if p.doc_id == best]
    missing = {form for word in coverage.missing for form in terms(word)}
    if missing:
        for passage in passages:
            if passage.score < passages[0].score - _SECOND_CARD_MARGIN:
                break  # a card far below the best is not a second answer, whatever it shares
            if passage.doc_id != best and missing & set(terms(passage.text)):
                kept += [p for p in passages if p.doc_id == passage.doc_id]
                break
    return kept


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
    sentences = [_stems(s) for p in passages for s in _sentences(p.text)]
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
def _stems(sentence: str) -> frozenset[str]:
    """A library sentence's stems, computed once per process, not once per question."""
    return frozenset(terms(sentence))


def _restates(sentence: frozenset[str], earlier: frozenset[str]) -> bool:
    """Does a sentence say mostly what an earlier one said (cards state a key fact in the
    bottom line and again in the key points)?"""
    return bool(sentence) and len(sentence & earlier) >= _RESTATED * len(sentence)


def _snippet(doc_id: str, chosen: list[_Candidate]) -> str:
    """Every passage of this document that a quoted sentence came from, in reading order."""
    texts = dict.fromkeys(c.passage.text for c in chosen if c.passage.doc_id == doc_id)
    return " … ".join(texts)


def _select(
    question: UnderstoodQuestion, passages: list[Passage], *, max_words: int,
    max_sentences: int, echoes: tuple[str, ...] = (), relevance: Relevance | None = None,
) -> list[_Candidate]:
    if not passages:
        return []
    # A follow-up's own words pick the sentences; the earlier question only chose the card.
    asked = question.focus or question.topic
    wanted = {form for term in key_terms(asked).values() for form in term.forms}
    wanted = wanted or set(terms(question.search))
    context = question.context
    dose_asked = bool(_DOSE_ASKED.search(asked)) or (
        context.weight_kg is not None and not question.follow_up)
    doc_rank = {doc_id: rank for rank, doc_id in enumerate(dict.fromkeys(
        p.doc_id for p in passages))}
    asked_drug = _asked_drug(asked)
    drug_stems = frozenset(terms(asked_drug)) if asked_drug else frozenset()
    weight = _local_weights(passages)
    wanted_mass = sum(weight(term) for term in wanted) or 1.0
    echoed = {t for phrase in echoes for t in terms(phrase)} - wanted
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for passage in passages:
        section = passage.section.lower()
        prior = 1.0 / (1 + doc_rank[passage.doc_id]) + _SECTION_BONUS.get(section, 0.0)
        if dose_asked and section == "dosing":
            prior += 0.15
        for position, sentence in enumerate(_sentences(passage.text)):
            key = sentence.lower()
            if key in seen or len(sentence) < 12:
                continue
            seen.add(key)
            if context.weight_kg is not None and _POUNDS.search(sentence) and not (
                _KILOGRAMS.search(sentence)
            ):
                continue  # a weight in kg was given: never answer with a table in pounds
            sentence_terms = _stems(sentence)
            # An echoed phrase's words count as the question's own, on the best card only.
            said = wanted | echoed if doc_rank[passage.doc_id] == 0 else wanted
            overlap = sum(weight(term) for term in said & sentence_terms) / wanted_mass
            score = overlap + 0.5 * prior - 0.02 * position
            for lab in context.labs:
                score += 0.6 * value_fit(sentence, lab.names, lab.value)
            if drug_stems and drug_stems <= sentence_terms:
                score += _ASKED_DRUG_BONUS  # "keppra dose": the levetiracetam line, not diazepam's
            score += 0.25 * sum(
                1 for asked, answers in _ASKED_FOR
                if asked.search(question.search) and answers.search(sentence)
            )
            calculation = None
            if dose_asked and context.weight_kg is not None and (dose := dose_for_weight(
                sentence, context.weight_kg, drug=asked_drug
            )):
                names_asked = bool(wanted & sentence_terms)
                calculation = dose.text() if names_asked else None
                score += 0.8 if names_asked else 0.1
                if names_asked and dose.maximum is not None:
                    score += 0.3  # a complete rule (dose and its cap) beats a partial one
            elif dose_asked and re.search(r"\d\s*(?:mg|mcg|g|units|mEq|mL)\b", sentence):
                score += 0.2
            candidates.append(_Candidate(sentence, passage, score, calculation))
    if relevance is not None and candidates:
        # The searched text, whose vector the search has just computed and remembered (on
        # the calibrate split as good as the question without its patient details, and one
        # encoder pass cheaper), except for a follow-up: its own words choose the sentences.
        meant = asked if question.follow_up else question.search
        closeness = relevance(expand_abbreviations(meant), [c.sentence for c in candidates])
        candidates = [
            _Candidate(c.sentence, c.passage, c.score + _RELEVANCE_WEIGHT * float(near),
                       c.calculation)
            for c, near in zip(candidates, closeness, strict=True)
        ]
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[_Candidate] = []
    said: list[frozenset[str]] = []
    words = 0
    calculated = False
    for candidate in candidates:
        if candidate.calculation and calculated:  # one computed dose per answer
            candidate = _Candidate(candidate.sentence, candidate.passage, candidate.score)
        length = len(candidate.sentence.split()) + len((candidate.calculation or "").split())
        if chosen and (words + length > max_words or candidate.score < 0.35 * chosen[0].score):
            continue
        own = _stems(candidate.sentence)
        if any(_restates(own, earlier) for earlier in said):
            continue  # a second wording of a fact already given only costs reading time
        said.append(own)
        chosen.append(candidate)
        calculated = calculated or bool(candidate.calculation)
        words += length
        if len(chosen) >= max_sentences:
            break
    return chosen

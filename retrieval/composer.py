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

from dataclasses import replace

from retrieval.abstention import Coverage, abstain_reason
from retrieval.lexical import terms
from retrieval.models import Answer, Citation, Passage, Suggestion
from retrieval.query import UnderstoodQuestion
from retrieval.sentence_rank import Candidate, Relevance, rank, stems

# A second card joins the answer only if it scores this close to the best one.
_SECOND_CARD_MARGIN = 0.08
# A decision score this close to the answer/abstain line marks the answer "low confidence".
LOW_CONFIDENCE_BELOW = 1.0
# A sentence whose terms are this much contained in an earlier chosen one restates it.
_RESTATED = 0.7
# A sentence scoring under this share of the lead's score adds reading, not an answer.
_KEPT_SHARE = 0.35


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
    chosen = _select(question, answering_passages(passages, coverage), echoes=echoes,
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


def answering_passages(passages: list[Passage], coverage: Coverage) -> list[Passage]:
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


def _restates(sentence: frozenset[str], earlier: frozenset[str]) -> bool:
    """Does a sentence say mostly what an earlier one said (cards state a key fact in the
    bottom line and again in the key points)?"""
    return bool(sentence) and len(sentence & earlier) >= _RESTATED * len(sentence)


def _snippet(doc_id: str, chosen: list[Candidate]) -> str:
    """Every passage of this document that a quoted sentence came from, in reading order."""
    texts = dict.fromkeys(c.passage.text for c in chosen if c.passage.doc_id == doc_id)
    return " … ".join(texts)


def _select(
    question: UnderstoodQuestion, passages: list[Passage], *, max_words: int,
    max_sentences: int, echoes: tuple[str, ...] = (), relevance: Relevance | None = None,
) -> list[Candidate]:
    """The best-ranked sentences within the budget, none restating an earlier one."""
    chosen: list[Candidate] = []
    said: list[frozenset[str]] = []
    words = 0
    calculated = False
    for candidate in rank(question, passages, echoes=echoes, relevance=relevance):
        if candidate.calculation and calculated:  # one computed dose per answer
            candidate = replace(candidate, calculation=None)
        length = len(candidate.sentence.split()) + len((candidate.calculation or "").split())
        if chosen and (words + length > max_words
                       or candidate.score < _KEPT_SHARE * chosen[0].score):
            continue
        own = stems(candidate.sentence)
        if any(_restates(own, earlier) for earlier in said):
            continue  # a second wording of a fact already given only costs reading time
        said.append(own)
        chosen.append(candidate)
        calculated = calculated or bool(candidate.calculation)
        words += length
        if len(chosen) >= max_sentences:
            break
    return chosen

"""The extractive composer: an answer made only of sentences quoted from vetted passages.

Nothing is paraphrased, so every number, unit and negation reaches the clinician exactly as
the source states it, and every sentence carries the marker of the document it came from.
The best sentence comes first (the bottom line), then a short list, within a word budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.abstention import Coverage, abstain_reason, key_terms
from retrieval.lexical import terms
from retrieval.models import Answer, Citation, Passage
from retrieval.text import split_sentences

_DOC_MARGIN = 0.08  # documents scoring further below the best one are not quoted
_SECTION_BONUS = {"bottom line": 0.25, "key points": 0.1, "dosing": 0.1}


@dataclass(frozen=True)
class _Candidate:
    sentence: str
    passage: Passage
    score: float


def compose(
    question: str,
    passages: list[Passage],
    coverage: Coverage,
    *,
    max_words: int = 120,
    max_sentences: int = 5,
) -> Answer:
    """An extractive, cited answer, or an abstention with the reason."""
    reason = abstain_reason(coverage)
    if reason:
        return Answer(answer="", abstained=True, abstain_reason=reason)
    chosen = _select(question, passages, max_words=max_words, max_sentences=max_sentences)
    if not chosen:
        return Answer(
            answer="",
            abstained=True,
            abstain_reason="The retrieved passages contain no sentence that addresses this.",
        )
    citations: list[Citation] = []
    marker: dict[str, int] = {}
    lines: list[str] = []
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
                )
            )
        lines.append(f"{candidate.sentence} [{marker[passage.doc_id]}]")
    text = lines[0] + "".join(f"\n- {line}" for line in lines[1:])
    return Answer(
        answer=text,
        abstained=False,
        citations=citations,
        sentences=[(c.sentence, c.passage.doc_id) for c in chosen],
    )


def _snippet(doc_id: str, chosen: list[_Candidate]) -> str:
    """Every passage of this document that a quoted sentence came from, in reading order."""
    texts = dict.fromkeys(c.passage.text for c in chosen if c.passage.doc_id == doc_id)
    return " … ".join(texts)


def _select(
    question: str, passages: list[Passage], *, max_words: int, max_sentences: int
) -> list[_Candidate]:
    if not passages:
        return []
    wanted = {form for term in key_terms(question).values() for form in term.forms}
    wanted = wanted or set(terms(question))
    best_score = passages[0].score
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for rank, passage in enumerate(passages):
        if passage.score < best_score - _DOC_MARGIN:
            continue
        prior = 1.0 / (1 + rank) + _SECTION_BONUS.get(passage.section.lower(), 0.0)
        for position, sentence in enumerate(split_sentences(passage.text)):
            key = sentence.lower()
            if key in seen or len(sentence) < 12:
                continue
            seen.add(key)
            overlap = len(wanted & set(terms(sentence))) / max(len(wanted), 1)
            score = overlap + 0.5 * prior - 0.02 * position
            candidates.append(_Candidate(sentence, passage, score))
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[_Candidate] = []
    words = 0
    for candidate in candidates:
        length = len(candidate.sentence.split())
        if chosen and (words + length > max_words or candidate.score < 0.35 * chosen[0].score):
            continue
        chosen.append(candidate)
        words += length
        if len(chosen) >= max_sentences:
            break
    return chosen

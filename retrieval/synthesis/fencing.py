"""Passages fenced as data, with short ids the model must cite.

Ids are ours (P1, P2 …), never document ids, so a model cannot cite a document it was not
shown; tag-like text inside a passage is neutralised so a passage can never close its own
fence and speak as an instruction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prompts import NOT_COVERED, Prompt
from retrieval.models import Answer, Passage

_TAG = re.compile(r"</?\s*passage\b[^>]*>", re.I)
_MAX_PASSAGE_CHARS = 1500  # a passage is a card section; longer ones are cut, not dropped


@dataclass(frozen=True)
class Fenced:
    """A passage as the model saw it: our id, the text, and where it came from."""

    id: str
    passage: Passage

    @property
    def text(self) -> str:
        return _TAG.sub(" ", self.passage.text)[:_MAX_PASSAGE_CHARS]


def choose_passages(
    passages: list[Passage], extractive: Answer, limit: int, *, text: str = "section"
) -> list[Fenced]:
    """The retrieved passages of the documents the extractive answer quoted, by rank.

    The composer has already decided which card answers (and whether a second one covers
    a term the first lacks). Other retrieved cards stay out: a true sentence about
    migraine would pass the guard yet mislead in an answer about croup.
    `text="quoted"` fences, per document, only the sentences the composer quoted from it
    (in its order): the prompt a small model must read shrinks several-fold, and the
    guard then checks its claims against exactly those sentences.
    """
    if text == "quoted":
        return _quoted_only(passages, extractive, limit)
    quoted = {doc_id for _, doc_id in extractive.sentences}
    chosen: list[Passage] = []
    for passage in passages:
        if passage.doc_id in quoted and all(p.chunk_id != passage.chunk_id for p in chosen):
            chosen.append(passage)
        if len(chosen) == limit:
            break
    return [Fenced(f"P{i}", p) for i, p in enumerate(chosen, start=1)]


def _quoted_only(passages: list[Passage], extractive: Answer, limit: int) -> list[Fenced]:
    """One passage per quoted document: its best-ranked retrieved passage (for the title,
    chunk id and citation) carrying only the quoted sentences as text."""
    said: dict[str, list[str]] = {}
    for sentence, doc_id in extractive.sentences:
        said.setdefault(doc_id, []).append(sentence)
    chosen: list[Passage] = []
    for passage in passages:
        if passage.doc_id in said and all(p.doc_id != passage.doc_id for p in chosen):
            chosen.append(passage.model_copy(update={"text": " ".join(said[passage.doc_id])}))
        if len(chosen) == limit:
            break
    return [Fenced(f"P{i}", p) for i, p in enumerate(chosen, start=1)]


def render_messages(
    prompt: Prompt, *, question: str, fenced: list[Fenced], previous: str | None,
    max_sentences: int,
) -> tuple[str, str]:
    """(system, user) for the model. `question` must already be PHI-scrubbed; `previous`
    is the thread's earlier (scrubbed) question, given only as context for a follow-up."""
    blocks = "\n".join(
        f'<passage id="{f.id}" title="{_attribute(f.passage.title)}">\n{f.text}\n</passage>'
        for f in fenced
    )
    thread = f"Earlier question in this thread: {previous}\n\n" if previous else ""
    return prompt.render(sentinel=NOT_COVERED, max_sentences=str(max_sentences),
                         thread=thread, passages=blocks, question=question)


def _attribute(text: str) -> str:
    return text.replace('"', "'").replace("<", " ").replace(">", " ")

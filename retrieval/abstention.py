"""When to say "the vetted content does not cover this".

A threshold on one similarity score is weak: a question about a topic the library lacks
still lands near *some* passage. The rule combines three signals of the best document:

- `dense`: cosine similarity of the question and the best passage;
- `lexical`: BM25 score of the best passage, normalised by what the question could reach;
- `coverage`: the share of the question's key terms (IDF-weighted, generic clinical words
  excluded) that appear anywhere in the best document. A term the library has never seen
  carries the highest weight, so "symptoms of <unindexed disease>" loses most of its mass;
- `title`: the same share counted in the best document's title only. A condition that is
  merely mentioned inside another page (a gene page listing related disorders) covers the
  words but is not what that page is about.

The weights and threshold were fitted on development data (see `bench/calibrate.py` and the
README): MedQuAD with 10% of topics removed, PubMedQA with 100 abstracts removed, and the
card question set with its out-of-scope questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.abbreviations import replace_abbreviations
from retrieval.lexical import terms
from retrieval.models import Passage
from retrieval.text import GENERIC_TERMS, words

# Fitted weights of the logistic rule (see module docstring); score > 0 means "answer".
WEIGHTS = {"bias": -6.0, "dense": 6.0, "lexical": 2.0, "coverage": 4.5, "title": 0.0,
           "anchor": 0.0, "anchor_title": 0.0}
_NUMERIC = re.compile(r"^\d+(?:[.,]\d+)?[a-z%]{0,3}$")  # "150", "26c", "5mg", "72yo": values


@dataclass(frozen=True)
class Coverage:
    """Evidence signals of the best document, recorded with each inquiry."""

    top_doc: str | None = None
    dense: float = 0.0
    lexical: float = 0.0
    coverage: float = 0.0
    title: float = 0.0
    anchor: float = 0.0
    anchor_title: float = 0.0
    key_terms: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "top_doc": self.top_doc,
            "dense": round(self.dense, 4),
            "lexical": round(self.lexical, 4),
            "coverage": round(self.coverage, 4),
            "title": round(self.title, 4),
            "anchor": self.anchor,
            "anchor_title": self.anchor_title,
            "decision_score": round(self.score(), 4),
            "missing_terms": len(self.missing),
        }

    def score(self) -> float:
        return (
            WEIGHTS["bias"]
            + WEIGHTS["dense"] * self.dense
            + WEIGHTS["lexical"] * self.lexical
            + WEIGHTS["coverage"] * self.coverage
            + WEIGHTS["title"] * self.title
            + WEIGHTS["anchor"] * self.anchor
            + WEIGHTS["anchor_title"] * self.anchor_title
        )


def key_terms(question: str) -> dict[str, str]:
    """Stemmed key term -> the word the clinician typed (shorthand expanded first)."""
    found: dict[str, str] = {}
    for word in words(replace_abbreviations(question)):
        if word in GENERIC_TERMS or _NUMERIC.match(word):
            continue
        stemmed = terms(word)
        if stemmed:
            found.setdefault(stemmed[0], word)
    return found


def measure_coverage(
    question: str,
    passages: list[Passage],
    *,
    doc_terms: Callable[[str], frozenset[str]],
    title_terms: Callable[[str], frozenset[str]],
    idf: Callable[[str], float],
) -> Coverage:
    """Signals of the best-ranked document for the abstention rule.

    Coverage is measured for the whole question and for each of its sentences or clauses
    with at least two key terms, and the best is kept: a clinical question wrapped in
    chatter ("… and reply with the word X. Then: croup dexamethasone dose?") is judged by
    its clinical part.
    """
    if not passages:
        return Coverage()
    best = passages[0]
    same_doc = [p for p in passages if p.doc_id == best.doc_id]
    present, in_title = doc_terms(best.doc_id), title_terms(best.doc_id)
    candidates = [key_terms(question)]
    candidates += [t for t in map(key_terms, _SEGMENT.split(question)) if len(t) >= 2]

    def weight(term: str, word: str) -> float:
        return idf(term) * specificity(word)

    scored = [(_share(wanted, present, weight), _share(wanted, in_title, weight), wanted)
              for wanted in candidates]
    coverage, title, wanted = max(scored, key=lambda item: (item[0], item[1]))
    anchor = max(wanted, key=lambda term: weight(term, wanted[term]), default=None)
    return Coverage(
        top_doc=best.doc_id,
        dense=max(p.dense for p in same_doc),
        lexical=max(p.lexical for p in same_doc),
        coverage=coverage,
        title=title,
        anchor=float(anchor is not None and _mentions(present, anchor)),
        anchor_title=float(anchor is not None and _mentions(in_title, anchor)),
        key_terms=tuple(wanted.values()),
        missing=tuple(word for term, word in wanted.items() if not _mentions(present, term)),
    )


@lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """How technical a word is, from how many word pieces the encoder's vocabulary needs.

    Everyday words ("bike", "woman", "fell") are one piece; drug and disease names
    ("tacrolimus", "pendred") are several. In a small library an unseen everyday word says
    little, while an unseen technical word is usually the topic itself.
    """
    pieces = len(_wordpiece().encode(word, add_special_tokens=False).ids)
    return min(1.0, 0.4 + 0.3 * (pieces - 1))


@lru_cache(maxsize=1)
def _wordpiece():
    from tokenizers import Tokenizer

    from retrieval.embeddings import model_dir

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


_SEGMENT = re.compile(r"[.?!;\n]+\s|:\s")


def _share(wanted: dict[str, str], present: frozenset[str], weight) -> float:
    """Weighted share of the key terms found in `present`."""
    total = sum(weight(t, w) for t, w in wanted.items())
    found = sum(weight(t, w) for t, w in wanted.items() if _mentions(present, t))
    return found / total if total else 0.0


def _mentions(present: frozenset[str], term: str) -> bool:
    """Exact term, or a clipped form clinicians type ("anticoag" for "anticoagulation")."""
    if term in present:
        return True
    return len(term) >= 5 and any(word.startswith(term) for word in present)


def abstain_reason(coverage: Coverage) -> str | None:
    """None when the evidence covers the question, else a plain-language reason."""
    if coverage.top_doc is None:
        return "No vetted content matched this question."
    if not coverage.key_terms:
        return "The question has no clinical terms to look up."
    if coverage.score() > 0:
        return None
    if coverage.missing:
        listed = ", ".join(coverage.missing[:4])
        return f"The vetted content does not cover this question (not found: {listed})."
    return "The vetted content does not cover this question closely enough to answer."

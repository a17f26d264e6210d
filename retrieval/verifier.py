"""Grounding verifier: is a claim supported by, contradicted by, or missing from its evidence?

DESIGN.md section 4: every sentence shown to a clinician must rest on a cited passage, and
every number, dose, unit and negation must match. Sentence embeddings alone cannot enforce
that (they hardly move when 0.3 mg becomes 0.3 mcg), so the verdict combines

1. support: cosine similarity of the claim to its best evidence sentence (the embedder)
   and content-word recall of the claim in the evidence (stemmed, as the lexical index);
2. alignment: each clause of the claim is matched to the evidence clause sharing most of
   its words, which says which evidence numbers, drugs, routes and polarity it must agree
   with (its "slot");
3. strict checks (`retrieval.verifier_rules`): a mismatch with the aligned slot is a
   contradiction; a number, drug or route that nothing in the evidence talks about, or a
   clause whose words and meaning are both missing, is merely unsupported.

Deterministic and CPU-only: texts are embedded one at a time (so a vector never depends on
which other texts shared its batch) and cached by text.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from retrieval import verifier_rules as rules
from retrieval.text import split_sentences, strip_citation_marks

# Thresholds set by hand, each with a margin on evals/suites/verifier/cases.jsonl (see
# bench/bench_verifier.py and the suite README for the figures).
ALIGN_MIN = 0.6  # share of a claim clause's words found in its evidence clause: same slot
TOPIC_MIN = 0.5  # overall support below which a claim is off-topic, never "contradicted"
CLAUSE_COVERAGE_MIN = 0.5  # a clause with most words missing from the evidence ...
CLAUSE_COSINE_MIN = 0.75  # ... and no evidence sentence close in meaning adds a fact
SUPPORT_MIN = 0.6  # overall support (half cosine, half word recall) needed for "supported"
_CACHE_SIZE = 4096

Checks = tuple[list[str], list[str]]  # (contradictions, gaps)


class TextEmbedder(Protocol):
    """Anything with `embed(texts) -> (n, d)` unit vectors, e.g. `retrieval.embeddings.Embedder`."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


class Verdict(BaseModel):
    """The verifier's decision on one claim, with reasons a reviewer can read."""

    label: Literal["supported", "unsupported", "contradicted"]
    score: float = Field(ge=0.0, le=1.0, description="support strength, 0..1")
    reasons: list[str] = Field(default_factory=list)


@dataclass
class _Clause:
    text: str
    sentence: int  # index of the evidence sentence it comes from (-1 for the claim)
    terms: set[str]


@dataclass
class _Alignment:
    claim: _Clause
    evidence: list[_Clause]  # best-matching evidence clauses (near-ties kept)
    recall: float  # share of the claim clause's words found in its best evidence clause
    coverage: float  # share of its words found anywhere in the evidence
    cosine: float  # best cosine of the clause against the evidence sentences
    on_topic: bool  # the claim as a whole has enough support to be "the same claim"

    @property
    def aligned(self) -> bool:
        """Same slot: a strict mismatch here is a contradiction, not a missing fact."""
        return self.on_topic and self.recall >= ALIGN_MIN


class GroundingVerifier:
    """Checks claims against evidence passages; build once, call `verify` many times.

    `support_min` is the overall support needed for "supported" (default `SUPPORT_MIN`);
    the strict checks do not depend on it.
    """

    def __init__(self, embedder: TextEmbedder, *, support_min: float = SUPPORT_MIN) -> None:
        self._embedder = embedder
        self._support_min = support_min
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the cache is shared by request threads

    def verify(self, claim: str, evidence: list[str]) -> Verdict:
        """Label `claim` against `evidence` passages; reasons name what did not match."""
        claim = " ".join(strip_citation_marks(claim).split())
        sentences = [s for p in evidence for s in split_sentences(strip_citation_marks(p))]
        if not claim or not sentences:
            return Verdict(label="unsupported", score=0.0, reasons=["no claim or no evidence"])
        if _quoted(claim, sentences):
            # A verbatim quote cannot differ from its source in any number, unit or negation.
            return Verdict(label="supported", score=1.0, reasons=["quoted verbatim"])

        vectors = np.stack([self._vector(s) for s in sentences])
        cosine = float((vectors @ self._vector(claim)).max())
        evidence_terms = set().union(*(rules.content_terms(s) for s in sentences))
        recall = _share(rules.content_terms(claim), evidence_terms)
        support = 0.5 * max(cosine, 0.0) + 0.5 * recall

        contradictions: list[str] = []
        gaps: list[str] = []
        # A contradiction needs the same statement with one detail changed: each claim
        # clause must align with an evidence clause, and the claim be on topic overall.
        alignments = self._align(
            claim, sentences, vectors, evidence_terms, on_topic=support >= TOPIC_MIN
        )
        for al in alignments:
            for found, missing in (
                _negation_check(al),
                _number_check(al, sentences),
                _drug_check(al, sentences, claim),
                _route_check(al, sentences, claim),
            ):
                contradictions += found
                gaps += missing
            if len(alignments) > 1 and _adds_fact(al):
                gaps.append(f"not in evidence: '{_short(al.claim.text)}'")

        if contradictions:
            return Verdict(label="contradicted", score=_clip(0.2 * support),
                           reasons=_unique(contradictions))
        if support < self._support_min:
            gaps.append(f"weak support (similarity {cosine:.2f}, word recall {recall:.2f})")
        if gaps:
            return Verdict(label="unsupported", score=_clip(min(support, 0.49)),
                           reasons=_unique(gaps))
        return Verdict(label="supported", score=_clip(max(support, 0.5)),
                       reasons=[f"supported (similarity {cosine:.2f}, word recall {recall:.2f})"])

    def _vector(self, text: str) -> np.ndarray:
        """One text per call, so a vector never depends on its batch neighbours."""
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
                return vector
        vector = np.asarray(self._embedder.embed([text]), dtype=np.float32)[0]
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def _align(
        self,
        claim: str,
        sentences: list[str],
        vectors: np.ndarray,
        evidence_terms: set[str],
        *,
        on_topic: bool,
    ) -> list[_Alignment]:
        """Match each claim clause to the evidence clause(s) sharing most of its words."""
        evidence = [
            _Clause(text, i, rules.content_terms(text))
            for i, sentence in enumerate(sentences)
            for text in rules.clauses(sentence)
        ]
        parts = rules.clauses(claim)
        out = []
        for text in parts:
            part = _Clause(text, -1, rules.content_terms(text))
            similarity = vectors @ self._vector(text if len(parts) > 1 else claim)
            cosine = float(similarity.max())
            if part.terms:
                dice = [_dice(part.terms, e.terms) for e in evidence]
                best = [e for e, d in zip(evidence, dice, strict=True)
                        if d > 0 and d >= max(dice) - 0.05]
                recall = max((_share(part.terms, e.terms) for e in best), default=0.0)
            else:  # "Give 0.3 mg.": no words to align on, so take the closest sentence
                closest = int(similarity.argmax())
                best = [e for e in evidence if e.sentence == closest]
                recall = 1.0 if cosine >= 0.8 else 0.0
            coverage = _share(part.terms, evidence_terms)
            out.append(_Alignment(part, best, recall, coverage, cosine, on_topic))
        return out


def _negation_check(al: _Alignment) -> Checks:
    """Polarity must match the aligned evidence clause ("give X" vs "do not give X").

    A flip is reported only when the clauses disagree both in raw polarity and in the
    polarity of cues about words they share (`negated_about`): the first alone would fire
    on "recommended" against "recommended, but not as monotherapy"; the second alone on
    paraphrases that negate another verb ("do not hold back" vs "should not be delayed").
    Every equally good evidence clause must disagree, and at least three words (or all of
    a short clause) must be shared, so two short clauses never clash by chance.
    """
    if not al.aligned or not al.evidence:
        return [], []
    claim_negated = rules.negated(al.claim.text)
    for evidence in al.evidence:
        if len(al.claim.terms & evidence.terms) < min(3, len(al.claim.terms)):
            return [], []
        if claim_negated == rules.negated(evidence.text):
            return [], []
        if rules.negated_about(al.claim.text, evidence.terms) == rules.negated_about(
            evidence.text, al.claim.terms
        ):
            return [], []
    claim, evidence = _short(al.claim.text), _short(al.evidence[0].text)
    if claim_negated:
        return [f"negation mismatch: claim negates '{claim}', evidence does not ('{evidence}')"], []
    return [f"negation mismatch: evidence negates '{evidence}', claim does not ('{claim}')"], []


def _number_check(al: _Alignment, sentences: list[str]) -> Checks:
    """Every claim number must occur in the evidence with the same value and unit.

    A missing number contradicts when the aligned evidence sentence states a quantity in
    the same slot: the same dimension (or the same value with another unit) next to some
    of the same words. Otherwise the claim adds a number the evidence lacks: unsupported.
    """
    everywhere = [q for s in sentences for q in rules.quantities(s)]
    slot = [q for i in sorted({e.sentence for e in al.evidence})
            for q in rules.quantities(sentences[i])]
    contradictions, gaps = [], []
    for q in rules.quantities(al.claim.text):
        if _found(q, everywhere):
            continue
        near = [e for e in slot if _same_context(e.context, q.context)] if al.aligned else []
        same_value = [e for e in near if rules.same_amount(e.value, q.value) and e.unit != q.unit]
        same_kind = [e for e in near if e.canon_unit == q.canon_unit]
        if same_value and not q.bare:
            shown = ", ".join(sorted({rules.describe(e) for e in same_value}))
            contradictions.append(f"unit of {rules.describe(q)} differs from evidence ({shown})")
        elif same_kind:
            shown = ", ".join(sorted({rules.describe(e) for e in same_kind}))
            contradictions.append(
                f"number {rules.describe(q)} not in evidence (evidence has {shown})"
            )
        else:
            gaps.append(f"number {rules.describe(q)} not in evidence")
    return contradictions, gaps


def _same_context(a: frozenset[str], b: frozenset[str]) -> bool:
    """Neighbouring words overlap, or one side has none to compare (a bare "Give 0.5 mg")."""
    return not a or not b or bool(a & b)


def _found(q: rules.Quantity, evidence: list[rules.Quantity]) -> bool:
    """Same amount in the same canonical unit ("1 g" = "1,000 mg", "0.3mg" = "0.3 mg")."""
    for e in evidence:
        if e.canon_unit == q.canon_unit and rules.same_amount(e.canon_value, q.canon_value):
            return True
    # "above 50 and up to 95 mL/min" leaves the unit off a number, and a claim may too;
    # accept a unitless match only if the value never appears with a different unit.
    same_value = [e for e in evidence if rules.same_amount(e.value, q.value)]
    if q.bare:
        return bool(same_value)
    return bool(same_value) and all(e.bare for e in same_value)


def _drug_check(al: _Alignment, sentences: list[str], claim: str) -> Checks:
    """A drug the evidence never names is unsupported; named in place of another, wrong.

    "In place of" means the aligned evidence clause (or its sentence) mentions a drug more
    often than the claim does, next to some of the words the new name stands next to.
    """
    novel = sorted(rules.drugs(al.claim.text) - rules.drugs(" ".join(sentences)))
    # The drug names are the slot being tested, so alignment is judged on the other words.
    names = set().union(*(rules.content_terms(d) for d in novel))
    recall = max((_share(al.claim.terms - names, e.terms) for e in al.evidence), default=0.0)
    aligned = al.on_topic and recall >= ALIGN_MIN
    contradictions, gaps = [], []
    for drug in novel:
        near = frozenset().union(
            *(ctx for name, ctx in rules.drug_contexts(al.claim.text) if name == drug)
        )
        replaced = {
            name for name, context in _replaced(al, sentences, claim, rules.drug_contexts)
            if _same_context(near, context)
        }
        if aligned and replaced:
            shown = ", ".join(sorted(replaced))
            contradictions.append(f"drug {drug} not in evidence (evidence has {shown})")
        else:
            gaps.append(f"drug {drug} not in evidence")
    return contradictions, gaps


def _route_check(al: _Alignment, sentences: list[str], claim: str) -> Checks:
    """Same rule for routes of administration: "IM" where the evidence says "IV"."""
    novel = sorted(rules.routes(al.claim.text) - rules.routes(" ".join(sentences)))
    if not novel:
        return [], []
    replaced = sorted({name for name, _ in _replaced(al, sentences, claim, _route_contexts)})
    if al.aligned and replaced:
        return [f"route {r} not in evidence (evidence has {', '.join(replaced)})"
                for r in novel], []
    return [], [f"route {r} not in evidence" for r in novel]


def _route_contexts(text: str) -> list[tuple[str, frozenset[str]]]:
    return [(route, frozenset()) for route in sorted(rules.routes(text))]


def _replaced(al: _Alignment, sentences: list[str], claim: str, mentions) -> list[tuple]:
    """(name, context) of evidence mentions the claim dropped: the evidence clause (or its
    sentence) names it more often than the claim clause (or the claim) does."""
    out = []
    for e in al.evidence:
        for text, own in ((e.text, al.claim.text), (sentences[e.sentence], claim)):
            theirs, ours = mentions(text), Counter(name for name, _ in mentions(own))
            counts = Counter(name for name, _ in theirs)
            out += [(name, ctx) for name, ctx in theirs if counts[name] > ours[name]]
    return out


def _adds_fact(al: _Alignment) -> bool:
    """A clause whose words and meaning are both missing from the evidence adds a fact.

    Only used for claims of several clauses; a one-clause claim is judged by the overall
    support instead, so a paraphrase that reuses few words is not rejected twice.
    """
    if len(al.claim.terms) < 2:
        return False
    return al.coverage < CLAUSE_COVERAGE_MIN and al.cosine < CLAUSE_COSINE_MIN


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 1.0


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))


def _clip(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 3)


def _quoted(claim: str, sentences: list[str]) -> bool:
    """The claim is a verbatim quote and the words just before it in its source do not
    negate it ("Give X." is inside "Do not give X." but says the opposite). Only the words
    right before the quote count: a neighbouring clause's own "not" says nothing of it."""
    wanted = _normal(claim)
    if wanted not in _normal(" ".join(sentences)):
        return False
    for source in (_normal(s) for s in sentences):
        at = source.find(wanted)
        while at != -1:
            if not _NEGATORS.intersection(_lead_in(source[:at])):
                return True
            at = source.find(wanted, at + 1)
    # Found only across sentence boundaries: judge it by the joined text the same way.
    joined = _normal(" ".join(sentences))
    return not _NEGATORS.intersection(_lead_in(joined[: joined.find(wanted)]))


def _lead_in(text: str) -> list[str]:
    """The last three words before a quote, within its own clause."""
    clause = re.split(r"[.;:!?…]", text)[-1]
    return clause.split()[-3:]


_NEGATORS = frozenset({"not", "no", "never", "don't", "avoid", "without", "nor", "cannot"})


def _normal(text: str) -> str:
    """Case- and spacing-insensitive form for the verbatim-quote check."""
    return " ".join(text.lower().split()).rstrip(".")

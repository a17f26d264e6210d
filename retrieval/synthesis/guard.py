"""The guard: a drafted claim reaches a clinician only if a passage supports it.

Each claim is checked by the grounding verifier against the passage(s) it cites, then
against each other retrieved passage, then against each document's passages together. On
top of the verifier's verdict, two strict rules that must hold against the supporting text:

- every number keeps its value and unit exactly as a passage writes it ("1 g" for "1,000 mg"
  is a rewrite a reader cannot check at a glance; it is dropped);
- the claim's polarity equals that of the passage sentence it shares most words with
  ("give" where the passage says "do not give" is dropped even when nothing else differs).

The decision names the passage and document that support the claim, so its citation is
re-pointed there whatever the model wrote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from retrieval import verifier_rules as rules
from retrieval.synthesis.claims import Claim
from retrieval.synthesis.fencing import Fenced
from retrieval.text import split_sentences
from retrieval.verifier import GroundingVerifier

MIN_TERMS = 2  # content words a claim needs to be shown ("Avoid NSAIDs in CKD" has two)


@dataclass
class Decision:
    """Kept or dropped, and why: stored with the inquiry and shown to evaluators."""

    claim: str
    cited: list[str]
    kept: bool
    label: str  # supported | unsupported | contradicted | unchecked (over the limit)
    reasons: list[str] = field(default_factory=list)
    passage: str | None = None  # our id of the supporting passage (P2)
    doc_id: str | None = None  # the document the kept claim is cited to
    repointed: bool = False  # the supporting passage is not one the model cited

    def as_dict(self) -> dict:
        return asdict(self)


class Guard:
    """Checks claims against the fenced passages of one question."""

    def __init__(self, verifier: GroundingVerifier, fenced: list[Fenced]) -> None:
        self._verifier = verifier
        self._fenced = fenced
        self._by_id = {f.id: f for f in fenced}

    def check(self, claim: Claim) -> Decision:
        if len(rules.content_terms(claim.text)) < MIN_TERMS:
            # A heading or fragment ("Croup:") states nothing a clinician could act on,
            # and word overlap alone would let it pass.
            return Decision(claim=claim.text, cited=claim.cited, kept=False,
                            label="unsupported", reasons=["too short to state a fact"])
        unknown = [c for c in claim.cited if c not in self._by_id]
        notes = [f"cited {', '.join(unknown)}, which it was not shown"] if unknown else []
        cited = [self._by_id[c] for c in claim.cited if c in self._by_id]
        rest = [f for f in self._fenced if f not in cited]
        attempts: list[tuple[list[Fenced], str]] = []
        if len(cited) > 1:
            attempts.append((cited, "cited passages together"))
        attempts = [([f], f.id) for f in cited] + attempts + [([f], f.id) for f in rest]
        attempts += [(group, f"{group[0].passage.doc_id} as a whole")
                     for group in self._documents() if len(group) > 1]
        failures: list[tuple[str, list[str]]] = []
        for group, name in attempts:
            texts = [f.text for f in group]
            verdict = self._verifier.verify(claim.text, texts)
            strict = _strict(claim.text, texts) if verdict.label == "supported" else []
            if verdict.label == "supported" and not strict:
                lead = group[0]
                return Decision(
                    claim=claim.text, cited=claim.cited, kept=True, label="supported",
                    reasons=notes + [f"{name}: {r}" for r in verdict.reasons],
                    passage=lead.id, doc_id=lead.passage.doc_id,
                    repointed=bool(claim.cited) and lead.id not in claim.cited,
                )
            label = "contradicted" if verdict.label == "contradicted" or (
                strict and strict[0].startswith("negation")) else "unsupported"
            failures.append((label, [f"{name}: {r}" for r in strict + verdict.reasons]))
        contradicted = [f for f in failures if f[0] == "contradicted"]
        # Report the cited passages' reasons first: that is what the model claimed to use.
        shown = (contradicted or failures)[: max(1, len(cited))]
        return Decision(
            claim=claim.text, cited=claim.cited, kept=False,
            label="contradicted" if contradicted else "unsupported",
            reasons=notes + [r for _, reasons in shown for r in reasons][:4],
        )

    def _documents(self) -> list[list[Fenced]]:
        groups: dict[str, list[Fenced]] = {}
        for f in self._fenced:
            groups.setdefault(f.passage.doc_id, []).append(f)
        return list(groups.values())


def _strict(claim: str, texts: list[str]) -> list[str]:
    """Exact numbers and units, and the polarity of the closest passage sentence."""
    problems = []
    written = {(q.value, q.unit) for t in texts for q in rules.quantities(t)}
    for q in rules.quantities(claim):
        if (q.value, q.unit) not in written:
            problems.append(f"number {rules.describe(q)} not written so in the passage")
    sentences = [s for t in texts for s in split_sentences(t)]
    claim_terms = rules.content_terms(claim)
    if sentences and claim_terms:
        closest = max(sentences, key=lambda s: len(claim_terms & rules.content_terms(s)))
        shared = claim_terms & rules.content_terms(closest)
        if len(shared) >= 2 and rules.negated_about(claim, shared) != rules.negated_about(
            closest, shared
        ) and rules.negated(claim) != rules.negated(closest):
            problems.append(f"negation differs from the passage sentence '{closest[:70]}'")
    return problems

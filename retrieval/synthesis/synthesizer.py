"""Draft -> claims -> guard -> answer, or the extractive answer with a notice.

`on_claim` is called with each claim the moment the guard keeps it, so a stream shows
verified sentences while the model is still writing and never shows one that was not
verified. Everything the guard decided is returned in `answer.signals["synthesis"]`,
which the service stores with the inquiry.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prompts import Prompt, load_prompt
from retrieval.models import Answer, Citation, Passage
from retrieval.synthesis.claims import Claim, ClaimStream, says_not_covered
from retrieval.synthesis.client import ChatDrafter
from retrieval.synthesis.config import SynthesisConfig
from retrieval.synthesis.errors import SynthesisError
from retrieval.synthesis.fencing import Fenced, choose_passages, render_messages
from retrieval.synthesis.guard import Decision, Guard
from retrieval.verifier import GroundingVerifier

OnClaim = Callable[[dict], None]

NOTICE_NOT_COVERED = ("The language model found no answer in the passages; "
                      "the sentences below are quoted from vetted content.")
NOTICE_TOO_LITTLE = ("Too little of the language model's answer could be verified against "
                     "vetted content; the sentences below are quoted from it instead.")
NOTICE_UNAVAILABLE = ("The language model was unavailable ({kind}); the sentences below are "
                      "quoted from vetted content.")


class Synthesizer:
    """One per process: holds the model client, the verifier and the reviewed prompt."""

    def __init__(
        self, config: SynthesisConfig, verifier: GroundingVerifier, *,
        prompt: Prompt | None = None, drafter: ChatDrafter | None = None,
    ) -> None:
        self.config = config
        self.verifier = verifier
        self.prompt = prompt or load_prompt("grounded_answer")
        self.drafter = drafter or ChatDrafter(config)

    def answer(
        self, *, question: str, passages: list[Passage], extractive: Answer,
        previous: str | None = None, on_claim: OnClaim | None = None,
    ) -> Answer:
        """A verified synthesis of `passages` for the PHI-scrubbed `question`.

        `extractive` is the composer's answer: called only when it did not abstain, and
        returned (with a notice) whenever the model's draft does not survive the guard.
        """
        if extractive.abstained:
            return extractive  # abstention is Curbside's decision, never the model's
        started = time.perf_counter()
        record: dict = {"prompt": self.prompt.label, "model": self.config.model,
                        "decisions": [], "fallback": None, "error": None}
        if extractive.calculations:
            # A weight-based dose is Curbside's own arithmetic on a quoted rule; a model
            # could only restate it, and its restatement would not be in any passage.
            record["fallback"] = "skipped: the answer carries a computed dose"
            return _with(extractive, record, notice=None)
        fenced = choose_passages(passages, extractive, self.config.max_passages,
                                 text=self.config.passage_text)
        record["passages"] = {f.id: f.passage.chunk_id for f in fenced}
        system, user = render_messages(self.prompt, question=question, fenced=fenced,
                                       previous=previous,
                                       max_sentences=self.config.max_sentences)
        guard = Guard(self.verifier, fenced)
        built = _Builder(fenced, limit=self.config.max_sentences, on_claim=on_claim)
        sentinel = False
        try:
            stream = ClaimStream()
            for piece in self.drafter.stream(system, user):
                if not record.get("first_token_ms"):
                    record["first_token_ms"] = _ms(started)
                if self._take(stream.feed(piece), guard, built, record):
                    sentinel = True
                    break
            else:
                sentinel = self._take(stream.close(), guard, built, record)
        except SynthesisError as exc:
            record["error"] = {"kind": exc.kind, "message": str(exc)}
        record["draft_ms"] = _ms(started)
        decisions: list[Decision] = built.decisions
        record["decisions"] = [d.as_dict() for d in decisions]
        kept = [d for d in decisions if d.kept]
        checked = [d for d in decisions if d.label != "unchecked"]
        record["kept"], record["dropped"] = len(kept), len(checked) - len(kept)
        if record["error"]:
            record["fallback"] = f"model error: {record['error']['kind']}"
            notice = NOTICE_UNAVAILABLE.format(kind=record["error"]["kind"].replace("_", " "))
            return _with(extractive, record, notice=notice)
        if sentinel:
            record["fallback"] = "model said the passages do not cover the question"
            return _with(extractive, record, notice=NOTICE_NOT_COVERED)
        if len(kept) < self.config.min_claims or (
            len(kept) < self.config.min_share * len(checked)
        ):
            record["fallback"] = f"too little verified ({len(kept)} of {len(checked)} claims)"
            return _with(extractive, record, notice=NOTICE_TOO_LITTLE)
        return built.answer(extractive, record)

    def _take(self, claims: list[Claim], guard: Guard, built: _Builder, record: dict) -> bool:
        """Check and keep claims; True when the model used the "not covered" sentinel."""
        for claim in claims:
            if says_not_covered(claim.text):
                return True
            built.add(guard.check(claim) if not built.full else _over_limit(claim))
            if built.kept and "first_verified_ms" not in record:
                record["first_verified_ms"] = built.first_ms
        return False


class _Builder:
    """Kept claims with their citation numbers, assigned in order of first use, so the
    numbers streamed with early sentences are the numbers of the final answer."""

    def __init__(self, fenced: list[Fenced], *, limit: int, on_claim: OnClaim | None) -> None:
        self.fenced = {f.id: f for f in fenced}
        self.limit = limit
        self.on_claim = on_claim
        self.decisions: list[Decision] = []
        self.markers: dict[str, int] = {}
        self.started = time.perf_counter()
        self.first_ms: float | None = None

    @property
    def kept(self) -> list[Decision]:
        return [d for d in self.decisions if d.kept]

    @property
    def full(self) -> bool:
        return len(self.kept) >= self.limit

    def add(self, decision: Decision) -> None:
        self.decisions.append(decision)
        if not decision.kept:
            return
        marker = self.markers.setdefault(decision.doc_id, len(self.markers) + 1)
        if self.first_ms is None:
            self.first_ms = _ms(self.started)
        if self.on_claim:
            self.on_claim({"text": decision.claim, "citation": marker,
                           "doc_id": decision.doc_id})

    def answer(self, extractive: Answer, record: dict) -> Answer:
        kept = self.kept
        lines = [f"{d.claim} [{self.markers[d.doc_id]}]" for d in kept]
        citations = []
        for doc_id in self.markers:
            used = [self.fenced[d.passage].passage for d in kept if d.doc_id == doc_id]
            lead = used[0]
            citations.append(Citation(
                doc_id=doc_id, title=lead.title, url=lead.url,
                snippet=" … ".join(dict.fromkeys(p.text for p in used)),
                score=round(max(p.score for p in used), 4), version=lead.doc_hash,
                demo=lead.demo, last_reviewed=lead.reviewed,
            ))
        return extractive.model_copy(update={
            "answer": lines[0] + "".join(f"\n- {line}" for line in lines[1:]),
            "citations": citations,
            "sentences": [(d.claim, d.doc_id) for d in kept],
            "mode": "synthesis",
            "notice": None,
            "signals": extractive.signals | {"synthesis": record},
        })


def _over_limit(claim: Claim) -> Decision:
    return Decision(claim=claim.text, cited=claim.cited, kept=False, label="unchecked",
                    reasons=["over the answer's sentence limit"])


def _with(extractive: Answer, record: dict, *, notice: str | None) -> Answer:
    return extractive.model_copy(update={"notice": notice,
                                         "signals": extractive.signals | {"synthesis": record}})


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)

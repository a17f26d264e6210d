"""Wiring the eval harness to the live service: the same `Curbside.ask` the API calls.

Each answer sentence is checked by the grounding verifier against the passage of the
document it cites, and the stored inquiry's question is read back so suites can prove PHI
never reached the log.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

from app.services import Curbside
from evals.harness import Run, run_suites, save_run
from evals.suites import Suite


class Evaluation:
    def __init__(self, curbside: Curbside, *, runs_dir=None) -> None:
        self.curbside = curbside
        self.runs_dir = runs_dir or curbside.settings.home / "evals" / "runs"

    def for_corpus(self, name: str, documents) -> Evaluation:
        """An evaluation over a development corpus, indexed in its own folder of the home
        (incremental, so only the first run pays for embedding); runs are stored with ours."""
        settings = self.curbside.settings.model_copy(
            update={"home": self.curbside.settings.home / "evals" / "corpora" / name,
                    "database_url": self.curbside.settings.database_url}
        )
        corpus = Curbside(settings)
        corpus._ingest(documents, progress=True)
        return Evaluation(corpus, runs_dir=self.runs_dir)

    @cached_property
    def verifier(self):
        from retrieval.verifier import GroundingVerifier

        return GroundingVerifier(self.curbside.files.embedder())

    def content_version(self) -> str:
        documents = self.curbside.searcher().documents
        joined = "\n".join(f"{key}:{digest}" for key, (_, digest) in sorted(documents.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:12]

    def ask(self, case: dict) -> dict:
        outcome = self.curbside.ask(case["question"])
        data = outcome.as_dict()
        data["stored_question"] = outcome.inquiry.question
        snippets = {c.doc_id: c.snippet for c in outcome.answer.citations}
        verdicts = []
        for sentence, doc_id in outcome.answer.sentences:
            verdict = self.verifier.verify(sentence, [snippets[doc_id]])
            verdicts.append({"claim": sentence, "doc_id": doc_id, "label": verdict.label,
                             "score": round(verdict.score, 3), "reasons": verdict.reasons})
        data["verdicts"] = verdicts
        if synthesis := outcome.answer.signals.get("synthesis"):
            # The guard's own decisions on a model's draft: kept, dropped and why.
            data["synthesis"] = {key: synthesis.get(key) for key in
                                 ("prompt", "model", "decisions", "fallback", "error")}
        data["claim_labels"] = [v["label"] for v in verdicts]
        if case.get("kqa_must_have") and not outcome.answer.abstained:
            answer = [sentence for sentence, _ in outcome.answer.sentences]
            data["must_have_labels"] = [self.verifier.verify(statement, answer).label
                                        for statement in case["kqa_must_have"]]
        return data

    def verify(self, case: dict) -> dict:
        verdict = self.verifier.verify(case["claim"], list(case["evidence"]))
        return {"label": verdict.label, "score": verdict.score, "reasons": verdict.reasons}

    def run(self, suites: list[Suite]) -> Run:
        self.curbside.warm_up()  # latency figures should not include model loading
        settings = self.curbside.settings.recordable()  # never a database password
        settings["answering"] = self.answering()
        run = run_suites(suites, ask=self.ask, verify=self.verify,
                         content_version=self.content_version(), settings=settings)
        if settings["answering"]["mode"] == "llm":
            from evals.report import model_drafts

            run.settings["answering"] |= model_drafts(run)  # what the guard did with drafts
        save_run(run, self.runs_dir)
        return run

    def answering(self) -> dict:
        """How the run's answers are written, stored with it so an extractive run and a
        model run of the same suites can be told apart and compared: the mode, and for a
        model its name and reviewed prompt (id, version)."""
        if self.curbside.settings.llm != "openai":
            return {"mode": "extractive"}
        return {"mode": "llm", "model": self.curbside.settings.llm_model,
                "prompt": self.curbside.synthesizer.prompt.label}

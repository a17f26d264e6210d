"""The ask service: scrub -> retrieve -> compose -> log, shared by API, pages, CLI and evals.

`Curbside` owns the long-lived parts (index, encoder, PHI scrubber, database engine) and
builds each on first use, so importing the app never loads a model and tests can build as
many independent instances as they need.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from sqlmodel import Session

from app.errors import BadQuestion
from app.health import index_errors, open_searcher, set_aside
from app.index_lock import index_lock
from app.settings import Settings
from credit_capture import audit
from credit_capture.episodes import open_episode
from credit_capture.errors import InquiryNotFound
from credit_capture.models import Inquiry
from credit_capture.store import get_inquiry, save_inquiry
from retrieval.cards import load_cards
from retrieval.composer import compose
from retrieval.corpus import load_jsonl
from retrieval.errors import ContentError
from retrieval.index import IndexFiles
from retrieval.ingest import IngestReport, ingest, remove
from retrieval.models import Answer, Document
from retrieval.query import understand
from retrieval.search import HybridSearcher
from retrieval.site_docs import SiteLibrary, parse_site_document, site_documents

log = logging.getLogger("curbside")


@dataclass(frozen=True)
class AskOutcome:
    """The answer object of DESIGN.md plus the stored inquiry."""

    question: str
    answer: Answer
    latency_ms: float
    inquiry: Inquiry
    episode_id: str | None = None

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer.answer,
            "abstained": self.answer.abstained,
            "abstain_reason": self.answer.abstain_reason,
            "citations": [
                {
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "url": c.url,
                    "snippet": c.snippet,
                    "score": c.score,
                    "last_reviewed": c.last_reviewed,
                }
                for c in self.answer.citations
            ],
            "mode": self.answer.mode,
            "confidence": self.answer.confidence,
            "calculations": self.answer.calculations,
            "suggestions": [s.model_dump() for s in self.answer.suggestions],
            "gap": self.answer.gap,
            "notice": self.answer.notice,
            "clinical": self.answer.clinical,
            "follow_up": bool(self.answer.signals.get("follow_up")),
            "demo": any(c.demo for c in self.answer.citations),
            "latency_ms": round(self.latency_ms, 1),
            "inquiry_id": self.inquiry.id,
            "episode_id": self.episode_id,
        }


class Curbside:
    """One instance per process (or per test): all state lives under `settings.home`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._searcher: HybridSearcher | None = None
        self._generation = 0  # catalog generation the searcher was loaded at

    @cached_property
    def files(self) -> IndexFiles:
        return IndexFiles(
            self.settings.index_dir,
            model_cache=self.settings.resolved_model_cache,
            quantized=self.settings.retrieval.quantized,
            chroma_url=self.settings.chroma_url,
            encoder_threads=self.settings.retrieval.encoder_threads,
        )

    @cached_property
    def engine(self):
        from app.db import open_engine  # upgrades the schema first, or refuses

        self.private_home()
        db = self.settings.database
        secret = self.settings.audit.secret.get_secret_value()
        engine = open_engine(
            self.settings.resolved_database_url, pool_size=db.pool_size,
            max_overflow=db.max_overflow, pool_timeout=db.pool_timeout,
            sqlite_busy_timeout=db.sqlite_busy_timeout, sqlite_synchronous=db.sqlite_synchronous,
            audit_secret=secret,
        )
        audit.configure(engine, secret=secret, head_file=self.audit_head_file)
        return engine

    @property
    def audit_head_file(self) -> Path:
        """Where the signed audit head is kept (beside the SQLite file by default)."""
        return self.settings.audit.head_file or audit.default_head_file(
            self.settings.resolved_database_url, self.settings.home)

    @cached_property
    def credit_rules(self):
        from credit_capture.rules import load_rules

        return load_rules(self.settings.credit_rules)

    @cached_property
    def scrubber(self):
        from privacy import PhiScrubber

        return PhiScrubber()

    @cached_property
    def synthesizer(self):
        """The model-writes, guard-verifies path (`CURBSIDE_LLM=openai`); built on first use."""
        from retrieval.synthesis import SynthesisConfig, Synthesizer
        from retrieval.verifier import GroundingVerifier

        s, key = self.settings, self.settings.openai_api_key
        config = SynthesisConfig(
            base_url=s.openai_base_url, api_key=key.get_secret_value() if key else None,
            model=s.llm_model, max_sentences=s.answer.max_sentences,
            **s.synthesis.model_dump(),
        )
        return Synthesizer(config, GroundingVerifier(self.files.embedder()))

    def searcher(self) -> HybridSearcher:
        """The searcher, reloaded when the catalog changed (a review or ingest by the CLI
        takes effect in a running server at its next search)."""
        with index_errors():  # a damaged catalog: one line naming the fix, not a traceback
            if self._searcher is not None and (
                    self.files.catalog().generation() != self._generation):
                self._searcher = None
            if self._searcher is None:
                self._generation = self.files.catalog().generation() if self.files.exists() else 0
                self._searcher = open_searcher(  # IndexDamaged if unreadable or empty
                    self.files,
                    candidates=self.settings.retrieval.candidates,
                    dense_weight=self.settings.retrieval.dense_weight,
                    intent_weight=self.settings.retrieval.intent_weight,
                )
        return self._searcher

    def warm_up(self) -> None:
        """Load models and indexes before the first clinician waits for them."""
        self.searcher()
        self.scrubber.scrub("warm up")
        self.searcher().search("warm up", k=1)

    def private_home(self) -> Path:
        """The home folder, created 0700 and tightened if looser: it holds the database
        and the index, with clinicians' questions and credit records."""
        home = self.settings.home
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = home.stat()
        if found.st_mode & 0o077 and found.st_uid == os.getuid():  # others' folders: leave
            home.chmod(0o700)
        return home

    # ingest -----------------------------------------------------------------
    def ingest_cards(
        self, paths: list[Path] | None = None, *, progress: bool = False, rebuild: bool = False
    ) -> IngestReport:
        documents = load_cards(paths or [self.settings.content_dir])
        return self._ingest(documents, progress=progress, rebuild=rebuild)

    def ingest_jsonl(self, path: Path, *, progress: bool = False,
                     rebuild: bool = False) -> IngestReport:
        return self._ingest(load_jsonl(path), progress=progress, rebuild=rebuild)

    # site documents (PDF, HTML, DOCX) ----------------------------------------
    @cached_property
    def site_library(self) -> SiteLibrary:
        return SiteLibrary(self.settings.home / "site-docs")

    def ingest_site_documents(self, paths: list[Path], *, progress: bool = False) -> IngestReport:
        """Parse every file first (a bad one stops the run before anything is written),
        index their passages as drafts, then keep a copy of each file and its sidecar."""
        parsed = [parse_site_document(path) for path in paths]
        live = self.files.catalog().hashes() if self.files.exists() else {}
        seen: dict[str, Path] = {}
        for doc, path in zip(parsed, paths, strict=True):
            if doc.doc_id in seen:
                raise ContentError(str(path), "file name", f"gives the id {doc.doc_id!r} "
                                   f"that {seen[doc.doc_id]} has too")
            if doc.doc_id in live:
                raise ContentError(str(path), "file name", f"gives the id {doc.doc_id!r} "
                                   "of an ingested card")
            seen[doc.doc_id] = path
        staged = [(doc, self.site_library.stage(doc), path)
                  for doc, path in zip(parsed, paths, strict=True)]
        documents = [d for doc, record, _ in staged for d in site_documents(doc, record)]
        new_ids = {d.id for d in documents}
        gone = [p["id"] for doc, _, _ in staged
                for p in getattr(self.site_library.record(doc.doc_id), "passages", [])
                if p["id"] not in new_ids]  # pages or sections the new version dropped
        report = self._ingest(documents, progress=progress)
        if gone:
            with index_lock(self.settings.home):
                remove(self.files, gone)
        for _, record, path in staged:
            self.site_library.save(record, path)
        return report

    def review_site_document(
        self, doc_id: str, *, action: str, reviewer: str, note: str = ""
    ) -> dict:
        """Approve or retire a site document and re-index its passages with the new state."""
        record, entry = self.site_library.review(doc_id, action=action, reviewer=reviewer,
                                                 note=note)
        doc = parse_site_document(self.site_library.file_path(record))
        doc = replace(doc, file_name=record.file_name)
        if self.files.exists():
            self._ingest(site_documents(doc, record), progress=False)
        return entry

    def _ingest(self, documents, *, progress: bool, rebuild: bool = False) -> IngestReport:
        """`rebuild`: start a new index (the old one is set aside, as a damaged one is)."""
        self.private_home()
        with index_lock(self.settings.home):  # IndexBusy while another ingest writes
            set_aside(self.files, force=rebuild)
            report = ingest(self.files, documents, progress=progress)
        self._searcher = None  # reload catalog and BM25 on next search
        return report

    # ask --------------------------------------------------------------------
    def validate_question(self, question: object) -> str:
        if not isinstance(question, str):
            raise BadQuestion("'question' must be a string.")
        if not question.strip():
            raise BadQuestion("The question is empty.")
        if len(question) > self.settings.max_question_chars:
            raise BadQuestion(
                f"The question is {len(question)} characters long; "
                f"the limit is {self.settings.max_question_chars}."
            )
        try:  # a lone UTF-16 surrogate ("\ud800") is valid JSON but no text we can store
            question.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadQuestion("The question contains an invalid character "
                              f"at position {exc.start + 1}.") from exc
        return question

    def answer(
        self, question: str, *, specialty: str | None = None, previous: str | None = None
    ) -> Answer:
        """Scrub, retrieve and compose without logging (benchmarks and evals use this)."""
        return self._respond(question, specialty=specialty, previous=previous)[0]

    def _previous_question(
        self, inquiry_id: str | None, *, learner_id: str | None, session: Session | None
    ) -> str | None:
        """The scrubbed question of the asker's own earlier inquiry, or None."""
        if not inquiry_id:
            return None
        try:
            earlier = self.inquiry(inquiry_id, session=session)
        except InquiryNotFound:
            return None
        return earlier.question if earlier.learner_id == learner_id else None

    def _respond(
        self, question: str, *, specialty: str | None = None, previous: str | None = None,
        steer: str = "", on_claim=None,
    ):
        """The answering path shared by `answer` and `ask`: PHI is scrubbed first, and
        retrieval sees only the scrubbed text minus placeholders and model-directed chatter.
        `previous` is the same conversation's last scrubbed question, used only when this
        one is a follow-up ("and if stridor at rest?")."""
        scrubbed = self.scrubber.scrub(question)
        # `steer`: patient words from an EHR launch ("4 years old female"); they steer the
        # search like typed context but are not part of the question and are not recorded.
        understood = understand(f"{scrubbed.text} {steer}".strip(), previous=previous)
        with index_errors():
            result = self.searcher().search(understood, k=self.settings.retrieval.top_k,
                                            specialty=specialty, today=self.settings.today())
        answer = compose(
            understood,
            result.passages,
            result.coverage,
            max_words=self.settings.answer.max_words,
            max_sentences=self.settings.answer.max_sentences,
            echoes=result.echoes,
            relevance=self.searcher().relevance,
        )
        answer.signals = result.coverage.as_dict() | {
            "follow_up": understood.follow_up,
            "patient_context": {} if steer else understood.context.as_dict(),
        }
        if self.settings.llm == "openai" and not answer.abstained:
            # Only the scrubbed question reaches the model; each kept claim is verified.
            answer = self.synthesizer.answer(question=scrubbed.text, passages=result.passages,
                                             extractive=answer, previous=previous,
                                             on_claim=on_claim)
        return answer, scrubbed

    def ask(
        self, question: str, *, learner_id: str | None = None, specialty: str | None = None,
        session: Session | None = None, steer: str = "", follow_up_to: str | None = None,
        on_claim=None,
    ) -> AskOutcome:
        """Answer a clinician's question and log it, scrubbed, as a potential episode.

        `session` is the request's own (shared with its sign-in check); none is touched
        while the answer is computed, and the write ends its transaction, so a request
        borrows a pooled connection only for the milliseconds of the insert.
        `follow_up_to` names the same learner's previous inquiry, whose (scrubbed) question
        gives a follow-up such as "and if stridor at rest?" its topic. `on_claim` receives
        each verified sentence of a model-written answer as it is confirmed (streaming).
        """
        question = self.validate_question(question)
        previous = self._previous_question(follow_up_to, learner_id=learner_id, session=session)
        started = time.perf_counter()
        answer, scrubbed = self._respond(question, specialty=specialty, steer=steer,
                                         previous=previous, on_claim=on_claim)
        latency_ms = (time.perf_counter() - started) * 1000
        inquiry = Inquiry(
            question=scrubbed.text,
            answer=answer.answer,
            abstained=answer.abstained,
            abstain_reason=answer.abstain_reason,
            mode=answer.mode,
            latency_ms=round(latency_ms, 1),
            learner_id=learner_id,
            citations=[
                {"doc_id": c.doc_id, "title": c.title, "url": c.url, "version": c.version,
                 "score": c.score, "demo": c.demo}
                for c in answer.citations
            ],
            signals=answer.signals | {"confidence": answer.confidence, "gap": answer.gap,
                                      "follow_up_of": follow_up_to if previous else None},
            phi_kinds=sorted({span.kind for span in scrubbed.spans}),
        )
        episode_id = None
        own = session is None
        with Session(self.engine, expire_on_commit=False) if own else nullcontext(session) as db:
            inquiry = save_inquiry(db, inquiry)
            if learner_id and answer.clinical:  # only a clinical question opens an episode
                rules = self.credit_rules  # a repeated question joins its first episode
                episode_id = open_episode(
                    db, inquiry=inquiry, window_days=rules.reflection_window_days,
                    duplicate_days=rules.duplicate_window_days,
                    similarity=self._similarity, threshold=rules.duplicate_similarity,
                ).id
            db.expunge(inquiry)
            db.commit()  # ends the read transaction the refresh began: connection released
        log.info(
            "inquiry %s abstained=%s citations=%d latency_ms=%.1f",
            inquiry.id, answer.abstained, len(answer.citations), latency_ms,
        )
        return AskOutcome(question=question, answer=answer, latency_ms=latency_ms,
                          inquiry=inquiry, episode_id=episode_id)

    def _similarity(self, question: str, earlier: list[str]) -> list[float]:
        """Cosine similarity of a scrubbed question to a learner's earlier ones (the
        packaged encoder's vectors are unit length); earlier questions are embedded once."""
        vectors = self.files.embedder().embed_remembered([question, *earlier])
        return [float(vectors[0] @ v) for v in vectors[1:]]

    # content ----------------------------------------------------------------
    def content_cards(self) -> list[Document]:
        """Every ingested card, served or not (retired and expired stay for audit)."""
        cards = [doc for doc, _ in self.searcher().documents.values() if doc.kind == "card"]
        return sorted(cards, key=lambda doc: doc.title.lower())

    def content_versions(self, card_id: str) -> list[tuple[str, str, Document]]:
        return self.files.catalog().versions(card_id)

    def inquiry(self, inquiry_id: str, *, session: Session | None = None) -> Inquiry:
        with Session(self.engine) if session is None else nullcontext(session) as db:
            inquiry = get_inquiry(db, inquiry_id)
            db.expunge(inquiry)
            db.commit()  # a read: give the connection back now
            return inquiry

"""Hybrid search: dense (Chroma) and lexical (BM25) candidates, fused on absolute scores.

Scores are fused as a weighted sum of the cosine similarity and a BM25 score normalised by
the best score the query could reach (sum of its term weights). Unlike reciprocal-rank
fusion this keeps an absolute meaning, so the same numbers drive ranking and abstention.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property, lru_cache

from clinical_terms import (
    brands,
    drug_names,
    everyday_words,
    lab_ranges,
    long_form,
    to_us_spelling,
)
from retrieval import sentence_vectors
from retrieval.abbreviations import expand_abbreviations
from retrieval.abstention import (
    Coverage,
    KeyTerm,
    measure_coverage,
    mentions,
    most_specific_term,
)
from retrieval.chunking import ASKED_AS
from retrieval.context import PatientContext, read_context
from retrieval.errors import IndexMissingError
from retrieval.index import IndexFiles
from retrieval.intent import intent_fit, passage_intents, question_intents
from retrieval.lexical import LexicalIndex, terms
from retrieval.models import Document, Passage
from retrieval.query import UnderstoodQuestion, understand
from retrieval.spelling import SpellingIndex
from retrieval.text import STOPWORDS

_BM25_K1 = 1.5
# How much a card's fit to the patient moves its score: a lab value pointing the other way
# ("K 6.9" and a hypokalaemia card) or an adult card for a 3-year-old. Large enough to
# reorder near-ties between sibling cards, too small to override a clearly better match.
_PATIENT_FIT_WEIGHT = 0.08
# The question's rarest known term ("sumatriptan", used by under 1% of passages) names its
# topic more surely than several common words ("max per day") that BM25 adds up: a card
# that mentions it gains this much. Cards only: a card is written around the drugs and
# conditions it names, while a long record page mentions many in passing (on MedQuAD's
# calibrate split the bonus made pages of removed topics answer more often).
_SPECIFIC_TERM_WEIGHT = 0.06
_SPECIFIC_IDF = math.log(100)
# A card's own summary sections are always offered to the composer with the best card,
# retrieved or not: the bottom line is usually the sentence a clinician needs first.
_ALWAYS_OFFERED = frozenset({"bottom line", "dosing"})
_PAEDIATRIC_WORDS = frozenset(terms("pediatric paediatric children child infant infants "
                                    "neonatal newborn neonate kids"))


# At most this many phrases echo the question, each within this similarity of the nearest.
_ECHOES = 2
_ECHO_SPREAD = 0.05


@dataclass
class SearchResult:
    """Ranked passages (servable only) and the coverage signals of the best document."""

    passages: list[Passage]
    coverage: Coverage
    query: str = ""
    # How the best card's author said clinicians ask for it, nearest the question first:
    # the composer reads these words as the question's intent, never quotes them.
    echoes: tuple[str, ...] = ()


class HybridSearcher:
    """Loads the catalog and BM25 into memory once; Chroma answers the dense part."""

    def __init__(
        self,
        files: IndexFiles,
        *,
        candidates: int = 40,
        dense_weight: float = 0.7,
        intent_weight: float = 0.06,
    ) -> None:
        if not files.exists():
            raise IndexMissingError("No index yet: run `curbside ingest` first.")
        self.files = files
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.intent_weight = intent_weight
        self._documents = files.catalog().documents()
        self._chunks = {row[0]: row for row in files.catalog().chunks()}
        self._card_sections: dict[str, list[tuple]] = {}
        self._quotable: dict[str, list[tuple]] = {}
        for row in self._chunks.values():
            if row[2] != ASKED_AS:
                self._quotable.setdefault(row[1], []).append(row)
            if row[2].lower() in _ALWAYS_OFFERED:
                self._card_sections.setdefault(row[1], []).append(row)
        self._lexical = LexicalIndex.load(files.lexical_dir)
        self._embedder = files.embedder()
        sentence_vectors.load(files, self._embedder)  # the composer's card sentences
        self._dense = files.dense()
        self._doc_terms = lru_cache(maxsize=4096)(self._terms_of_document)
        self._title_terms = lru_cache(maxsize=4096)(
            lambda doc_id: frozenset(terms(self._documents[doc_id][0].title))
        )
        self._lead_intents = lru_cache(maxsize=65536)(self._intents_of_document)

    @property
    def documents(self) -> dict[str, tuple[Document, str]]:
        return self._documents

    def search(
        self,
        question: str | UnderstoodQuestion,
        *,
        k: int = 8,
        specialty: str | None = None,
        today: date | None = None,
        without: frozenset[str] = frozenset(),
    ) -> SearchResult:
        """Best passages of the `k` best servable documents (two passages each at most).

        `without`: document or chunk ids to leave out, as if never ingested: calibration
        asks what the search would find were a card (or one of its phrases) missing.
        """
        today = today or date.today()
        understood = question if isinstance(question, UnderstoodQuestion) else understand(question)
        understood = self._corrected(understood)
        question = understood.search
        query = expand_abbreviations(question)
        query_terms = terms(query)
        # Remembered: the composer compares the same text with the card's sentences.
        dense_hits = self._dense.search(self._embedder.embed_remembered([query])[0],
                                        self.candidates)
        lexical_hits = self._lexical.search(query_terms, self.candidates)
        if without:
            dense_hits = [hit for hit in dense_hits if not _left_out(hit[0], without)]
            lexical_hits = [hit for hit in lexical_hits if not _left_out(hit[0], without)]
        specific = most_specific_term(query, self._lexical.idf, self._lexical.doc_freq.__contains__,
                                      rarer_than=_SPECIFIC_IDF)
        if specific is not None:
            dense_hits = [hit for hit in dense_hits if not self._about_another(hit[0], specific)]
            lexical_hits = [hit for hit in lexical_hits
                            if not self._about_another(hit[0], specific)]

        ceiling = self._bm25_ceiling(query_terms)
        lexical_scores = {cid: score / ceiling for cid, score in lexical_hits}
        doc_dense: dict[str, float] = {}
        for chunk_id, similarity in dense_hits:
            doc_id = chunk_id.rsplit("::", 1)[0]
            doc_dense[doc_id] = max(similarity, doc_dense.get(doc_id, -1.0))
        dense_floor = min(doc_dense.values(), default=0.0)
        chunk_dense = dict(dense_hits)
        doc_lexical: dict[str, float] = {}
        for chunk_id, value in lexical_scores.items():
            doc_id = chunk_id.rsplit("::", 1)[0]
            doc_lexical[doc_id] = max(value, doc_lexical.get(doc_id, 0.0))
        asked = question_intents(question)
        # Intent only decides between sibling sections of one topic (records sharing a title).
        siblings = Counter(
            self._documents[doc_id][0].title
            for doc_id in doc_dense.keys() | doc_lexical.keys()
            if doc_id in self._documents
        )
        passages: list[Passage] = []
        for chunk_id, hits in self._quotable_hits(chunk_dense.keys() | lexical_scores.keys()):
            row = self._chunks.get(chunk_id)
            if row is None:
                continue
            doc, digest = self._documents[row[1]]
            if not doc.is_servable(today) or (specialty and specialty not in doc.specialty):
                continue
            dense = doc_dense.get(doc.id, dense_floor)
            doc_score = (
                self.dense_weight * dense
                + (1 - self.dense_weight) * doc_lexical.get(doc.id, 0.0)
            )
            if siblings[doc.title] > 1:
                doc_score += self.intent_weight * intent_fit(asked, self._lead_intents(doc.id))
            doc_score += _PATIENT_FIT_WEIGHT * self._patient_fit(doc, understood.context)
            boost = _SPECIFIC_TERM_WEIGHT if (
                specific is not None and doc.kind == "card"
                and mentions(self._doc_terms(doc.id), specific)) else 0.0
            # Rank documents first, then chunks within a document by their own evidence.
            chunk_sim = max(chunk_dense.get(hit, dense) for hit in hits)
            chunk_lexical = max(lexical_scores.get(hit, 0.0) for hit in hits)
            own = chunk_sim + chunk_lexical
            passages.append(
                Passage(
                    chunk_id=chunk_id,
                    doc_id=doc.id,
                    title=doc.title,
                    url=doc.url,
                    section=row[2],
                    text=row[3],
                    dense=chunk_sim,
                    lexical=chunk_lexical,
                    score=doc_score + boost + 1e-3 * own,
                    boost=boost,
                    doc_hash=digest,
                    demo=doc.status == "demo",
                    kind=doc.kind,
                    reviewed=_reviewed(doc),
                )
            )
        passages = _top_documents(passages, documents=max(k, 1), per_document=2)
        passages = self._with_whole_card(passages)
        # The question as typed: each shorthand word carries its long form as one key
        # term ("dvt" counts once, covered by "dvt" or "deep vein thrombosis"); an expanded
        # text would add the long form's words as terms, and clauses of their own.
        coverage = measure_coverage(
            understood.topic,
            passages,
            doc_terms=self._doc_terms,
            title_terms=self._title_terms,
            idf=self._lexical.idf,
            in_library=self._lexical.doc_freq.__contains__,
        )
        return SearchResult(passages=passages, coverage=coverage, query=query,
                            echoes=self._echoes(passages, chunk_dense))

    def _quotable_hits(self, chunk_ids: set[str]) -> list[tuple[str, list[str]]]:
        """Hit chunks that can be quoted, each with the hits whose scores it carries.

        An `asked_as` phrase is never quoted: it votes for its card, and the card's first
        quotable chunk (its bottom line) stands in for it with the phrase's scores.
        """
        quotable: dict[str, list[str]] = {}
        for chunk_id in sorted(chunk_ids):
            row = self._chunks.get(chunk_id)
            if row is None or row[2] != ASKED_AS:
                quotable.setdefault(chunk_id, []).append(chunk_id)
            elif own := self._quotable.get(row[1]):
                quotable.setdefault(own[0][0], []).append(chunk_id)
        return [(chunk_id, hits) for chunk_id, hits in quotable.items()]

    def _echoes(self, passages: list[Passage], chunk_dense: dict[str, float]) -> tuple[str, ...]:
        """The best card's `asked_as` phrases closest in meaning to the question.

        A terse question ("wells dvt 3, next step") shares few words with the sentence that
        answers it; the phrase its author wrote for that need ("wells 2 or more, what
        imaging") often names them, so it tells the composer which sentence is wanted.
        """
        if not passages or passages[0].kind != "card":
            return ()
        best = passages[0].doc_id
        phrases = sorted(
            ((similarity, self._chunks[chunk_id][3]) for chunk_id, similarity in chunk_dense.items()
             if chunk_id in self._chunks and self._chunks[chunk_id][1] == best
             and self._chunks[chunk_id][2] == ASKED_AS),
            reverse=True,
        )
        if not phrases:
            return ()
        top = phrases[0][0]
        return tuple(text for similarity, text in phrases[:_ECHOES]
                     if similarity >= top - _ECHO_SPREAD)

    def relevance(self, question: str, sentences) -> list[float]:
        """Cosine of each sentence with the question. Card sentences come embedded with the
        index, others are embedded once per process; the question's vector is usually the
        one the search has just computed."""
        if not sentences:
            return []
        vectors = self._embedder.embed_remembered(list(sentences))
        return (vectors @ self._embedder.embed_remembered([question])[0]).tolist()

    def dense_only(self, question: str, k: int = 10) -> list[tuple[str, float]]:
        """Plain dense baseline: Chroma top-k documents by cosine (for benchmarks)."""
        best: dict[str, float] = {}
        for chunk_id, similarity in self._dense.search(
            self._embedder.embed_one(question), self.candidates
        ):
            doc_id = chunk_id.rsplit("::", 1)[0]
            best[doc_id] = max(similarity, best.get(doc_id, -1.0))
        return sorted(best.items(), key=lambda item: item[1], reverse=True)[:k]

    def _bm25_ceiling(self, query_terms: list[str]) -> float:
        """Roughly the BM25 score of a passage matching every query term once."""
        total = sum(
            math.log(1 + (self._lexical.size - self._lexical.doc_freq.get(t, 0) + 0.5)
                     / (self._lexical.doc_freq.get(t, 0) + 0.5))
            for t in set(query_terms) if t in self._lexical.doc_freq
        )
        return max(total * (_BM25_K1 + 1) / 2, 1e-6)

    @cached_property
    def _spelling(self) -> SpellingIndex:
        return SpellingIndex(
            f"{doc.title} {doc.text} {_asked_as(doc)}" for doc, _ in self._documents.values()
        )

    def _corrected(self, understood: UnderstoodQuestion) -> UnderstoodQuestion:
        """Unknown words replaced by the library word one edit away ("pnuemonia")."""
        fixes: dict[str, str] = {}
        for word in set(re.findall(r"[a-z]+", understood.search.lower())):
            if word in STOPWORDS or long_form(word) or word in everyday_words():
                continue
            if word in drug_names() or word in self._spelling:
                continue
            if fixed := self._spelling.correct(word):
                fixes[word] = fixed
        if not fixes:
            return understood
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.I)

        def fix(text: str) -> str:
            return pattern.sub(lambda m: fixes[m.group(0).lower()], text)

        search = fix(understood.search)
        context = read_context(search).merged_over(understood.context)
        return replace(understood, search=search, topic=fix(understood.topic), context=context)

    def _with_whole_card(self, passages: list[Passage]) -> list[Passage]:
        """The best card's other sections join its retrieved passages, summaries first.

        A card is short, and the sentence that answers a terse question is often in a
        section the search did not rank (a dose under Pitfalls, a cut-off under Key points);
        the composer picks sentences, so it should see the whole card.
        """
        if not passages or passages[0].kind != "card":
            return passages
        best = passages[0]
        have = {p.chunk_id for p in passages}
        rows = self._card_sections.get(best.doc_id, []) + self._quotable.get(best.doc_id, [])
        extra = [
            best.model_copy(update={"chunk_id": row[0], "section": row[2], "text": row[3]})
            for row in dict.fromkeys(rows)
            if row[0] not in have
        ]
        last = max(i for i, p in enumerate(passages) if p.doc_id == best.doc_id)
        return passages[: last + 1] + extra + passages[last + 1 :]

    def _patient_fit(self, doc: Document, context: PatientContext) -> float:
        """-1 when the card is about the opposite of what the patient's values show, or
        for the other age group; +1 when its title names the condition a value implies."""
        title = self._title_terms(doc.id)
        fit = 0.0
        for lab in context.labs:
            if not lab.condition:
                continue
            wanted = _condition_stem(lab.condition)
            opposite = _opposite_stem(lab.analyte, lab.condition)
            if wanted in title:
                fit += 1.0
            elif opposite and opposite in title:
                fit -= 1.0
        if context.age_years is not None:
            paediatric = bool(title & _PAEDIATRIC_WORDS) or doc.specialty == ["pediatrics"]
            adult = "adult" in title
            child = context.age_years < 18
            if (child and adult and not paediatric) or (not child and paediatric and not adult):
                fit -= 1.0
        return max(-1.0, min(1.0, fit))

    def _intents_of_document(self, doc_id: str) -> frozenset[str]:
        """Cards hold many sections, so only single-topic records get an intent."""
        doc, _ = self._documents[doc_id]
        return frozenset() if doc.kind == "card" else passage_intents(doc.text)

    def _about_another(self, chunk_id: str, specific: KeyTerm) -> bool:
        """Is this an `asked_as` phrase about another drug than the one the question names?
        "sumatriptan max per day" stands for the migraine card, not for "valacyclovir max
        per day": the encoder hardly tells drug names apart, and the phrase's other words
        match any dosing question."""
        if specific.word not in drug_names():
            return False
        row = self._chunks.get(chunk_id)
        if row is None or row[2] != ASKED_AS or mentions(frozenset(terms(row[3])), specific):
            return False
        return any(word in drug_names() or word in brands()
                   for word in re.findall(r"[a-z]+", row[3].lower()))

    def _terms_of_document(self, doc_id: str) -> frozenset[str]:
        """The words a document covers: its title and text, and for a card the words its
        author listed for how clinicians ask for it. In US spelling, as questions are read:
        a card quoting a British guideline says "hypoxaemia"."""
        doc, _ = self._documents[doc_id]
        return frozenset(terms(to_us_spelling(f"{doc.title} {doc.text} {_asked_as(doc)}")))


def _left_out(chunk_id: str, without: frozenset[str]) -> bool:
    return chunk_id in without or chunk_id.rsplit("::", 1)[0] in without


def _top_documents(passages: list[Passage], *, documents: int, per_document: int) -> list[Passage]:
    """Best-first passages of the best documents, a few passages per document."""
    passages.sort(key=lambda p: p.score, reverse=True)
    kept: list[Passage] = []
    per_doc: dict[str, int] = {}
    for passage in passages:
        count = per_doc.get(passage.doc_id, 0)
        if count == 0 and len(per_doc) >= documents:
            continue
        if count < per_document:
            per_doc[passage.doc_id] = count + 1
            kept.append(passage)
    return kept


def _condition_stem(condition: str) -> str:
    """The stem of a condition's first word ("hyperkalemia" -> "hyperkalemia")."""
    found = terms(condition.split()[0])
    return found[0] if found else condition


@lru_cache(maxsize=256)
def _opposite_stem(analyte: str, condition: str) -> str | None:
    """The condition on the other side of the analyte's reference interval."""
    for lab in lab_ranges():
        if lab.name == analyte:
            other = lab.above if condition == lab.below else lab.below
            return _condition_stem(other) if other else None
    return None


def _asked_as(doc: Document) -> str:
    return " ".join(doc.meta.get("asked_as") or []) if doc.kind == "card" else ""


def _reviewed(doc: Document) -> str | None:
    """A card's last review date as shown with an answer; records have none."""
    value = doc.meta.get("last_reviewed") if doc.kind == "card" else None
    return str(value) if value else None

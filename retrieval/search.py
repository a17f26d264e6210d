"""Hybrid search: dense (Chroma) and lexical (BM25) candidates, fused on absolute scores.

Scores are fused as a weighted sum of the cosine similarity and a BM25 score normalised by
the best score the query could reach (sum of its term weights). Unlike reciprocal-rank
fusion this keeps an absolute meaning, so the same numbers drive ranking and abstention.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from retrieval.abbreviations import expand_abbreviations
from retrieval.abstention import Coverage, measure_coverage
from retrieval.errors import IndexMissingError
from retrieval.index import IndexFiles
from retrieval.intent import intent_fit, passage_intents, question_intents
from retrieval.lexical import LexicalIndex, terms
from retrieval.models import Document, Passage

_BM25_K1 = 1.5


@dataclass
class SearchResult:
    """Ranked passages (servable only) and the coverage signals of the best document."""

    passages: list[Passage]
    coverage: Coverage
    query: str = ""


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
        self._lexical = LexicalIndex.load(files.lexical_dir)
        self._embedder = files.embedder()
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
        question: str,
        *,
        k: int = 8,
        specialty: str | None = None,
        today: date | None = None,
    ) -> SearchResult:
        """Best passages of the `k` best servable documents (two passages each at most)."""
        today = today or date.today()
        query = expand_abbreviations(question)
        query_terms = terms(query)
        dense_hits = self._dense.search(self._embedder.embed_one(query), self.candidates)
        lexical_hits = self._lexical.search(query_terms, self.candidates)

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
        for chunk_id in chunk_dense.keys() | lexical_scores.keys():
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
            # Rank documents first, then chunks within a document by their own evidence.
            own = chunk_dense.get(chunk_id, dense) + lexical_scores.get(chunk_id, 0.0)
            passages.append(
                Passage(
                    chunk_id=chunk_id,
                    doc_id=doc.id,
                    title=doc.title,
                    url=doc.url,
                    section=row[2],
                    text=row[3],
                    dense=chunk_dense.get(chunk_id, dense),
                    lexical=lexical_scores.get(chunk_id, 0.0),
                    score=doc_score + 1e-3 * own,
                    doc_hash=digest,
                    demo=doc.status == "demo",
                    kind=doc.kind,
                )
            )
        passages = _top_documents(passages, documents=max(k, 1), per_document=2)
        coverage = measure_coverage(
            question,
            passages,
            doc_terms=self._doc_terms,
            title_terms=self._title_terms,
            idf=self._lexical.idf,
        )
        return SearchResult(passages=passages, coverage=coverage, query=query)

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

    def _intents_of_document(self, doc_id: str) -> frozenset[str]:
        """Cards hold many sections, so only single-topic records get an intent."""
        doc, _ = self._documents[doc_id]
        return frozenset() if doc.kind == "card" else passage_intents(doc.text)

    def _terms_of_document(self, doc_id: str) -> frozenset[str]:
        doc, _ = self._documents[doc_id]
        return frozenset(terms(f"{doc.title} {doc.text}"))


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

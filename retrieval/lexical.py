"""Lexical (BM25) passage search with `bm25s`, plus the term statistics abstention needs.

The index is rebuilt from the catalog after every ingest (15k passages take about a
second) and written to a fresh folder that replaces the old one, so readers never see a
half-written index.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.text import STOPWORDS, words


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed, stopword-free tokens: the vocabulary of the lexical index."""
    tokens = [w for w in words(text) if w not in STOPWORDS]
    return _stemmer().stemWords(tokens)


# Bump when `terms()` changes, so the next ingest rebuilds the BM25 index.
TOKENIZER_VERSION = "2"


class LexicalIndex:
    """BM25 over chunk texts; `chunk_ids[i]` names the i-th indexed passage."""

    def __init__(self, retriever, chunk_ids: list[str], doc_freq: dict[str, int]) -> None:
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self.doc_freq = doc_freq
        self.size = len(chunk_ids)

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s

        tokenized = [terms(text) or ["_"] for text in texts]
        retriever = bm25s.BM25()
        retriever.index(tokenized, show_progress=False)
        doc_freq = Counter(term for tokens in tokenized for term in set(tokens))
        return cls(retriever, chunk_ids, dict(doc_freq))

    def save(self, folder: Path) -> None:
        staging = folder.with_name(folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        self._retriever.save(str(staging / "bm25"))
        (staging / "meta.json").write_text(
            json.dumps({"chunk_ids": self.chunk_ids, "doc_freq": self.doc_freq})
        )
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        meta = json.loads((folder / "meta.json").read_text())
        retriever = bm25s.BM25.load(str(folder / "bm25"))
        return cls(retriever, meta["chunk_ids"], meta["doc_freq"])

    def idf(self, term: str) -> float:
        """Inverse document frequency; unseen terms get the highest value."""
        return math.log((self.size + 1) / (self.doc_freq.get(term, 0) + 0.5))

    def search(self, query_terms: list[str], k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks with a positive score."""
        known = [t for t in query_terms if t in self.doc_freq]
        if not known or self.size == 0:
            return []
        scores = self._retriever.get_scores(known)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

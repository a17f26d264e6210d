"""Ingestion: validated documents -> chunks -> vectors (Chroma) + BM25 + catalog.

Incremental by content hash: a document whose hash is unchanged is not re-embedded. All
inputs are validated before this module is called, and the catalog is written last in one
transaction, so a failed run never leaves a half-ingested document behind.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from retrieval import sentence_vectors
from retrieval.catalog import document_hash
from retrieval.chunking import CHUNKING_VERSION, chunk_document
from retrieval.index import IndexFiles
from retrieval.lexical import TOKENIZER_VERSION, LexicalIndex
from retrieval.models import Document


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did, for the CLI summary and the benchmark."""

    documents: int
    changed: int
    unchanged: int
    chunks_embedded: int
    seconds: float
    sentences_embedded: int = 0  # card sentences, for the composer (sentence_vectors.py)


def ingest(files: IndexFiles, documents: list[Document], *, progress: bool = False) -> IngestReport:
    """Add or replace `documents` in the index (same id = replaced)."""
    started = time.perf_counter()
    catalog = files.catalog()
    embedder = files.embedder()
    known = catalog.hashes()
    # Vectors depend on the encoder and on how documents are cut and worded for it.
    fingerprint = f"{embedder.fingerprint}:{CHUNKING_VERSION}"
    fingerprint_changed = catalog.get_info("embedder") != fingerprint
    changed = []
    for doc in documents:
        digest = document_hash(doc)
        if fingerprint_changed or known.get(doc.id) != digest:
            changed.append((doc, digest, chunk_document(doc)))
    chunks = [chunk for _, _, doc_chunks in changed for chunk in doc_chunks if chunk.dense]
    vectors = _embed([c.embed_text for c in chunks], embedder, progress=progress)

    dense = files.dense()
    stale = catalog.chunk_ids_of([doc.id for doc, _, _ in changed])
    if stale:
        dense.delete(stale)
    if chunks:
        dense.upsert([c.chunk_id for c in chunks], [c.doc_id for c in chunks], vectors)
    stale_lexical = catalog.get_info("tokenizer") != TOKENIZER_VERSION
    catalog.write(changed, info={"embedder": fingerprint, "tokenizer": TOKENIZER_VERSION})
    if changed or stale_lexical or not files.lexical_dir.exists():
        _rebuild_lexical(files)
    # Always: only sentences without a stored vector are embedded, and a missing or
    # outdated file is written again.
    sentences = sentence_vectors.save(files, embedder)
    return IngestReport(
        documents=len(documents),
        changed=len(changed),
        unchanged=len(documents) - len(changed),
        chunks_embedded=len(chunks),
        seconds=time.perf_counter() - started,
        sentences_embedded=sentences,
    )


def _embed(texts: list[str], embedder, *, progress: bool):
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    order = np.argsort([len(text) for text in texts], kind="stable")
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    step = 512
    bar = None
    if progress and len(texts) >= 200:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), unit="chunk", desc="embedding", file=sys.stderr)
    for start in range(0, len(texts), step):
        idx = order[start : start + step]
        vectors[idx] = embedder.embed([texts[i] for i in idx])
        if bar:
            bar.update(len(idx))
    if bar:
        bar.close()
    return vectors


def remove(files: IndexFiles, doc_ids: list[str]) -> int:
    """Take documents out of the index (versions stay in the catalog for audit)."""
    catalog = files.catalog()
    known = catalog.hashes()
    present = [doc_id for doc_id in doc_ids if doc_id in known]
    if not present:
        return 0
    files.dense().delete(catalog.chunk_ids_of(present))
    catalog.delete(present)
    _rebuild_lexical(files)
    sentence_vectors.save(files, files.embedder())
    return len(present)


def _rebuild_lexical(files: IndexFiles) -> None:
    """BM25 sees each passage with its document title and section name."""
    catalog = files.catalog()
    titles = {doc_id: doc.title for doc_id, (doc, _) in catalog.documents().items()}
    rows = catalog.chunks()
    texts = [f"{titles.get(doc_id, '')} {section} {text}" for _, doc_id, section, text in rows]
    LexicalIndex.build([r[0] for r in rows], texts).save(files.lexical_dir)

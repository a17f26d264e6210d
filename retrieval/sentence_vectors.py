"""Vectors of every quotable card sentence, computed at ingest and kept with the index.

The composer ranks a card's sentences by closeness in meaning to the question. Embedding a
card's 20-40 sentences when a clinician first asks about it cost about half a second of CPU
on a 2-core machine, in every worker after every restart; the library changes only at
ingest, so that is when its sentences are embedded (unchanged sentences keep their vectors).
Corpus records (MedQuAD, PubMedQA) are too many to embed sentence by sentence; theirs are
embedded on demand and remembered per process.
"""

from __future__ import annotations

import os

import numpy as np

from retrieval.chunking import ASKED_AS
from retrieval.embeddings import DIMENSIONS, Embedder
from retrieval.index import IndexFiles
from retrieval.text import split_sentences

FILE = "card_sentences.npz"


def card_sentences(files: IndexFiles) -> list[str]:
    """Every distinct sentence the composer can quote from a card, in catalog order."""
    catalog = files.catalog()
    cards = {doc_id for doc_id, (doc, _) in catalog.documents().items() if doc.kind == "card"}
    return list(dict.fromkeys(
        sentence
        for _, doc_id, section, text in catalog.chunks()
        if doc_id in cards and section != ASKED_AS
        for sentence in split_sentences(text)
    ))


def save(files: IndexFiles, embedder: Embedder) -> int:
    """Embed the cards' sentences not embedded before and write all current ones; returns
    how many were embedded now. Written to a temporary file and renamed, so a reader never
    sees half a file."""
    wanted = card_sentences(files)
    known = _read(files.folder / FILE, embedder.fingerprint)
    missing = [sentence for sentence in wanted if sentence not in known]
    if missing:
        known |= dict(zip(missing, embedder.embed(missing), strict=True))
    vectors = (np.stack([known[s] for s in wanted]) if wanted
               else np.zeros((0, DIMENSIONS), dtype=np.float32))
    path = files.folder / FILE
    partial = path.with_suffix(".partial.npz")
    # Plain string arrays, so reading the file never unpickles anything.
    np.savez(partial, texts=np.array(wanted, dtype=str), vectors=vectors.astype(np.float32),
             fingerprint=np.array(embedder.fingerprint))
    os.replace(partial, path)
    return len(missing)


def load(files: IndexFiles, embedder: Embedder) -> int:
    """Hand the stored vectors to the embedder's memory; returns how many."""
    known = _read(files.folder / FILE, embedder.fingerprint)
    embedder.remember(list(known), np.array(list(known.values())))
    return len(known)


def _read(path, fingerprint: str) -> dict[str, np.ndarray]:
    """Stored vectors by sentence, or none if absent or made by another encoder."""
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["fingerprint"]) != fingerprint:
                return {}
            return dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    except ValueError:  # an earlier, pickled format: embedded again at the next ingest
        return {}
